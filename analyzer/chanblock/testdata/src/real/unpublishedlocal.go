package real

import (
	"errors"
	"io"
)

// A channel still private to the goroutine that made it: held in a local
// variable (or a fresh struct, or returned by a helper that only made it)
// and neither passed, stored, captured nor returned yet. An unbuffered
// send there, or a buffered one past its room, blocks forever, since no
// other goroutine can have it to receive.

// Upstream: moby/moby#33948 (the client's ContainerWait posted the wait
// request itself and, when the post failed, sent the error on the
// unbuffered error channel it was about to return: `docker wait` of a
// missing container hung). Fix: the error channel holds one value.
// Reduced in our own words.
type waitPoster interface {
	post(path string) (io.ReadCloser, error)
}

type waitClient struct{ t waitPoster }

func closeBody(b io.ReadCloser) {
	if b != nil {
		b.Close()
	}
}

func (c *waitClient) wait(id string) (<-chan int, <-chan error) {
	codes := make(chan int)
	errs := make(chan error)
	body, err := c.t.post("/wait/" + id)
	if err != nil {
		defer closeBody(body)
		errs <- err // want `this send blocks forever: the channel \(unbuffered\) has no room, and no other goroutine can receive yet: the channel has not been published`
		return codes, errs
	}
	go func() {
		defer closeBody(body)
		var b [1]byte
		if _, err := body.Read(b[:]); err != nil {
			errs <- err
			return
		}
		codes <- int(b[0])
	}()
	return codes, errs
}

func (c *waitClient) waitFixed(id string) (<-chan int, <-chan error) {
	codes := make(chan int)
	errs := make(chan error, 1)
	body, err := c.t.post("/wait/" + id)
	if err != nil {
		defer closeBody(body)
		errs <- err
		return codes, errs
	}
	go func() {
		defer closeBody(body)
		codes <- 0
	}()
	return codes, errs
}

// Variant (ours): the channel is a field of a struct the constructor has
// just allocated; validation fails before the worker is started.
type upload struct {
	done chan error
	size int
}

func newUpload(size int) *upload {
	u := &upload{done: make(chan error), size: size}
	if size < 0 {
		u.done <- errors.New("negative size") // want `the channel \(field done, unbuffered\) has no room`
		return u
	}
	go u.run()
	return u
}

func (u *upload) run() { u.done <- nil }

func newUploadFixed(size int) *upload {
	u := &upload{done: make(chan error, 1), size: size}
	if size < 0 {
		u.done <- errors.New("negative size")
		return u
	}
	go u.run()
	return u
}

// Variant (ours): a helper makes the channel; the caller pushes more than
// it holds before starting the consumer.
func newBacklog() chan string { return make(chan string, 2) }

func seedBacklog(a, b, c string, use func(string)) {
	q := newBacklog()
	q <- a
	q <- b
	q <- c // want `the channel \(room for 2\) is already full from the send\(s\) at line \d+, \d+`
	go func() {
		for s := range q {
			use(s)
		}
	}()
}

func seedBacklogFixed(a, b, c string, use func(string)) {
	q := newBacklog()
	go func() {
		for s := range q {
			use(s)
		}
	}()
	q <- a
	q <- b
	q <- c
	close(q)
}

// Look-alikes (ours) that must stay silent: consumers started in a loop
// before the sends (the loop running zero times is not a path to report);
// sends in a bounded loop within the room; a send with a default case; a
// channel made per item, filled once and handed on.
func fanOutLocal(n int, items []int, use func(int)) {
	work := make(chan int)
	for i := 0; i < n; i++ {
		go func() {
			for v := range work {
				use(v)
			}
		}()
	}
	for _, v := range items {
		work <- v
	}
	close(work)
}

func boundedSeed() chan int {
	q := make(chan int, 3)
	for i := 0; i < 3; i++ {
		q <- i
	}
	return q
}

func trySeed() chan int {
	q := make(chan int)
	select {
	case q <- 1:
	default:
	}
	return q
}

func perItem(xs []int, out chan<- chan int) {
	for _, x := range xs {
		c := make(chan int, 1)
		c <- x
		out <- c
	}
}
