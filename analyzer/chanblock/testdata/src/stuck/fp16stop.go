package stuck

import "time"

// A case on a stop channel the model's goroutines make, that nothing
// sends on and only they close (review 16, item 2), fires only once the
// close has run: closed after the sends (deferred, plainly, or by the
// producer after its loop), it is no way around them. Near misses: the
// close comes first, something sends on it, or a function outside the
// model closes it.

func drainUntil(stop <-chan struct{}, in <-chan int, out chan<- int) {
	for {
		select {
		case <-stop:
			return
		case v := <-in:
			out <- v
		}
	}
}

func stopDeferred() int {
	stop := make(chan struct{})
	in := make(chan int)
	out := make(chan int, 2)
	go drainUntil(stop, in, out)
	defer close(stop)
	in <- 1
	in <- 2
	return <-out + <-out
}

func stopAfterSends(a, b int) int {
	stop := make(chan struct{})
	in := make(chan int)
	out := make(chan int, 2)
	go drainUntil(stop, in, out)
	in <- a
	in <- b
	close(stop)
	return <-out + <-out
}

func produceThenStop(in chan<- string, stop chan struct{}, items []string) {
	for _, it := range items {
		in <- it
	}
	close(stop)
}

func collectUntil(stop <-chan struct{}, in <-chan string) []string {
	var got []string
	for {
		select {
		case _, ok := <-stop:
			if !ok {
				return got
			}
		case s := <-in:
			got = append(got, s)
		}
	}
}

func stopByProducer(items []string) []string {
	stop := make(chan struct{})
	in := make(chan string)
	go produceThenStop(in, stop, items)
	return collectUntil(stop, in)
}

// Near misses: the stop channel may be closed (or signalled) before a
// send is taken.

func stopEarly() int {
	stop := make(chan struct{})
	in := make(chan int)
	out := make(chan int, 2)
	go drainUntil(stop, in, out)
	close(stop)
	in <- 1 // want `this send can block forever`
	return <-out
}

func stopSignalled(a int) int {
	stop := make(chan struct{})
	in := make(chan int)
	out := make(chan int, 2)
	go drainUntil(stop, in, out)
	go func() { stop <- struct{}{} }()
	in <- a // want `this send can block forever`
	return <-out
}

func stopByTimer(a int) int {
	stop := make(chan struct{})
	in := make(chan int)
	out := make(chan int, 2)
	go drainUntil(stop, in, out)
	time.AfterFunc(time.Millisecond, func() { close(stop) })
	in <- a // want `this send can block forever`
	return <-out
}
