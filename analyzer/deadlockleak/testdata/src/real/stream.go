package real

import "context"

// jwilder/dockerize#324 ("goroutine leak from unbuffered channel in
// producer/consumer"): the template function loop starts a goroutine that
// sends the integers of a range one by one on an unbuffered channel and
// returns the channel to the template's range, which can stop before the
// end (a break, an error): the goroutine then blocks on its next send
// forever. Fix: a buffered channel. The kernel keeps the producer and
// returns only the channel; the consumer, a range in the caller that
// returns on the first match, is ours. (Stream abandoned by a range.)
func loopInts(start, stop int) <-chan int {
	c := make(chan int)
	go func() {
		for i := start; i < stop; i++ {
			c <- i // want `this goroutine sends a stream of values on an unbuffered channel whose only receiver, the loop in firstAbove \(line \d+\), can stop after a value and return \(line \d+\): the goroutine's next send then blocks forever`
		}
		close(c)
	}()
	return c
}

func firstAbove(n, limit int) int {
	for i := range loopInts(0, n) {
		if i*i > limit {
			return i
		}
	}
	return -1
}

// The fixed producer also selects on a done channel the consumer closes on
// its way out.
func loopIntsFixed(done <-chan struct{}, start, stop int) <-chan int {
	c := make(chan int)
	go func() {
		defer close(c)
		for i := start; i < stop; i++ {
			select {
			case c <- i:
			case <-done:
				return
			}
		}
	}()
	return c
}

func firstAboveFixed(n, limit int) int {
	done := make(chan struct{})
	defer close(done)
	for i := range loopIntsFixed(done, 0, n) {
		if i*i > limit {
			return i
		}
	}
	return -1
}

// tendermint/tendermint#1811 (pubsub): a subscriber ranges over its
// channel and returns on the first error, while the server keeps sending
// to it without a select, and blocks (in tendermint the whole pubsub
// halts). The kernel puts both sides in one function (ours): the sender
// walks the items, the receiver stops at the first bad one. Fix: the
// sender selects on the subscriber's context (or drops when it is full).
func handleAll(ctx context.Context, items []string, handle func(string) error) error {
	out := make(chan string)
	go func() {
		for _, it := range items {
			out <- it // want `the loop in handleAll \(line \d+\), can stop after a value and return`
		}
		close(out)
	}()
	for it := range out {
		if err := handle(it); err != nil {
			return err
		}
	}
	return nil
}

func handleAllFixed(ctx context.Context, items []string, handle func(string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan string)
	go func() {
		defer close(out)
		for _, it := range items {
			select {
			case out <- it:
			case <-ctx.Done():
				return
			}
		}
	}()
	for it := range out {
		if err := handle(it); err != nil {
			return err
		}
	}
	return nil
}

// Look-alikes: a consumer that reads to the end (errors are remembered,
// not returned early), and a producer whose only send is its last one (an
// error sent just before it returns).
func handleAllDrain(items []string, handle func(string) error) error {
	out := make(chan string)
	go func() {
		for _, it := range items {
			out <- it
		}
		close(out)
	}()
	var first error
	for it := range out {
		if err := handle(it); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func pollUntilError(poll func() error) error {
	errc := make(chan error)
	go func() {
		for {
			if err := poll(); err != nil {
				errc <- err
				return
			}
		}
	}()
	for err := range errc {
		if err != nil {
			return err
		}
	}
	return nil
}

// Variants of the tendermint/tendermint#1811 kernel (the variants are
// ours): the subscriber that stops at the first error is a goroutine of
// its own, fed by another goroutine, or fed by the function itself (which
// then blocks).
func handleAsync(items []string, handle func(string) error, done chan<- error) {
	out := make(chan string)
	go func() {
		for _, it := range items {
			out <- it // want `this goroutine sends a stream of values on an unbuffered channel whose only receiver, the loop in handleAsync\$2 \(line \d+\), can stop after a value and return`
		}
		close(out)
	}()
	go func() {
		for it := range out {
			if err := handle(it); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
}

func handleFed(items []string, handle func(string) error) {
	out := make(chan string)
	go func() {
		for it := range out {
			if err := handle(it); err != nil {
				return
			}
		}
	}()
	for _, it := range items {
		out <- it // want `this send on an unbuffered channel blocks handleFed forever once its only receiver, the goroutine started at line \d+, has stopped after a value: its loop \(line \d+\) can return \(line \d+\) without receiving again`
	}
	close(out)
}

// The fixed feeder: the subscriber keeps draining after an error.
func handleFedFixed(items []string, handle func(string) error) {
	out := make(chan string)
	go func() {
		failed := false
		for it := range out {
			if failed {
				continue
			}
			if err := handle(it); err != nil {
				failed = true
			}
		}
	}()
	for _, it := range items {
		out <- it
	}
	close(out)
}
