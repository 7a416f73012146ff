package real

import (
	"context"
	"io"
)

// restatedev/sdk-go#141: each invocation starts readInputLoop, which
// forwards every read of the invocation stream on the unbuffered field
// readChan with a plain send; pollProgress receives only while the state
// machine asks for input and returns once it reports progress, and the
// invocation then ends. The reader, holding its next read, blocks on the
// send for ever. Fix: the send selects on the invocation context's Done.
type invocation struct {
	ctx      context.Context
	stream   io.Reader
	readChan chan []byte
	progress func() int
	notify   func([]byte)
}

func (inv *invocation) readInputLoop() {
	defer close(inv.readChan)
	for {
		buf := make([]byte, 1024)
		n, err := inv.stream.Read(buf)
		if err != nil {
			return
		}
		if n != 0 {
			inv.readChan <- buf[:n] // want `this goroutine sends a stream of values on field readChan with a plain send, and its consumer in pollProgress \(line \d+\) can leave its loop on a test of its own`
		}
	}
}

func (inv *invocation) pollProgress() {
	for {
		switch inv.progress() {
		case 1:
			return
		case 2:
			b, ok := <-inv.readChan
			if !ok {
				continue
			}
			inv.notify(b)
		}
	}
}

func runInvocation(ctx context.Context, stream io.Reader, progress func() int, notify func([]byte)) {
	inv := &invocation{ctx: ctx, stream: stream, readChan: make(chan []byte), progress: progress, notify: notify}
	go inv.readInputLoop()
	inv.pollProgress()
}

// The fix.
type invocationFixed struct {
	ctx      context.Context
	stream   io.Reader
	readChan chan []byte
	progress func() int
	notify   func([]byte)
}

func (inv *invocationFixed) readInputLoop() {
	defer close(inv.readChan)
	for {
		buf := make([]byte, 1024)
		n, err := inv.stream.Read(buf)
		if err != nil {
			return
		}
		select {
		case inv.readChan <- buf[:n]:
		case <-inv.ctx.Done():
			return
		}
	}
}

func (inv *invocationFixed) pollProgress() {
	for {
		switch inv.progress() {
		case 1:
			return
		case 2:
			b, ok := <-inv.readChan
			if !ok {
				continue
			}
			inv.notify(b)
		}
	}
}

func runInvocationFixed(parent context.Context, stream io.Reader, progress func() int, notify func([]byte)) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	inv := &invocationFixed{ctx: ctx, stream: stream, readChan: make(chan []byte), progress: progress, notify: notify}
	go inv.readInputLoop()
	inv.pollProgress()
}

// A variant: a literal produces on the field of a struct passed by
// pointer, and a helper consumes while a condition holds.
type lineTail struct{ ch chan string }

func takeWhile(t *lineTail, want func() bool, use func(string)) {
	for want() {
		use(<-t.ch)
	}
}

func tailWhileWanted(next func() (string, error), want func() bool, use func(string)) {
	t := &lineTail{ch: make(chan string)}
	go func() {
		for {
			s, err := next()
			if err != nil {
				return
			}
			t.ch <- s // want `this goroutine sends a stream of values on field ch with a plain send, and its consumer in takeWhile`
		}
	}()
	takeWhile(t, want, use)
}

// A variant: the producer method is started from a goroutine literal, and
// the consumer breaks out when its deadline check says so.
type tickSum struct{ ticks chan int }

func (t *tickSum) produce(src func() int) {
	for {
		t.ticks <- src() // want `this goroutine sends a stream of values on field ticks with a plain send, and its consumer in until`
	}
}

func (t *tickSum) until(expired func() bool) int {
	sum := 0
	for {
		if expired() {
			break
		}
		sum += <-t.ticks
	}
	return sum
}

func sumTicks(src func() int, expired func() bool) int {
	t := &tickSum{ticks: make(chan int)}
	go func() { t.produce(src) }()
	return t.until(expired)
}

// Look-alike: the consumer drains the stream to its close once it has
// what it wants, so the producer always finds a receiver.
type drainedInput struct {
	r  io.Reader
	in chan []byte
}

func (d *drainedInput) readLoop() {
	defer close(d.in)
	for {
		buf := make([]byte, 512)
		n, err := d.r.Read(buf)
		if err != nil {
			return
		}
		d.in <- buf[:n]
	}
}

func (d *drainedInput) await(step func() int, feed func([]byte)) {
	for {
		if step() == 0 {
			for range d.in {
			}
			return
		}
		b, ok := <-d.in
		if !ok {
			return
		}
		feed(b)
	}
}

func runDrained(r io.Reader, step func() int, feed func([]byte)) {
	d := &drainedInput{r: r, in: make(chan []byte)}
	go d.readLoop()
	d.await(step, feed)
}
