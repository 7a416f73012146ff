package real

import (
	"context"
	"sync"
	"time"
)

// nci/gsky#227: the gRPC stage starts a worker per granule read from its
// input channel, and each worker reports a failure on the pipeline's error
// channel, which has room for 100; the request handler returns on the
// first error or on its timeout. A canceled request fails every worker at
// once: past the first 100, they block on the send forever (and the stage
// waiting for them). Fix: the error send also selects on the context.
type tileStage struct {
	ctx    context.Context
	in     chan string
	out    chan []byte
	errors chan error
	render func(context.Context, string) ([]byte, error)
}

func (t *tileStage) run() {
	defer close(t.out)
	var wg sync.WaitGroup
	for g := range t.in {
		wg.Add(1)
		go func(g string) {
			defer wg.Done()
			r, err := t.render(t.ctx, g)
			if err != nil {
				t.errors <- err // want `goroutines started in a loop that no count bounds \(line \d+\) each send once on a channel with room for 100, and serveTiles can return`
				return
			}
			select {
			case t.out <- r:
			case <-t.ctx.Done():
			}
		}(g)
	}
	wg.Wait()
}

func serveTiles(granules []string, render func(context.Context, string) ([]byte, error), limit time.Duration) ([][]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	errc := make(chan error, 100)
	t := &tileStage{ctx: ctx, in: make(chan string, 100), out: make(chan []byte, 100), errors: errc, render: render}
	go t.run()
	go func() {
		defer close(t.in)
		for _, g := range granules {
			select {
			case t.in <- g:
			case <-ctx.Done():
				return
			}
		}
	}()
	var out [][]byte
	for {
		select {
		case r, ok := <-t.out:
			if !ok {
				return out, nil
			}
			out = append(out, r)
		case err := <-errc:
			return nil, err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// A variant: one goroutine per URL read from a channel, a result channel
// with room for 8, and a caller that gives up on its context.
func fetchAll(ctx context.Context, urls <-chan string, get func(string) int) []int {
	codes := make(chan int, 8)
	n := 0
	for u := range urls {
		n++
		go func() { codes <- get(u) }() // want `goroutines started in a loop that no count bounds \(line \d+\) each send once on a channel with room for 8, and fetchAll can return`
	}
	var got []int
	for ; n > 0; n-- {
		select {
		case c := <-codes:
			got = append(got, c)
		case <-ctx.Done():
			return got
		}
	}
	return got
}

// Another variant: a dispatcher goroutine starts a handler per event from
// a channel; the handlers report on a channel with room for 16 that the
// caller reads until a deadline.
func handleUntil(events <-chan int, handle func(int) error, d time.Duration) []error {
	errs := make(chan error, 16)
	go func() {
		for ev := range events {
			go func() {
				if err := handle(ev); err != nil {
					errs <- err // want `goroutines started in a loop that no count bounds`
				}
			}()
		}
	}()
	var out []error
	timeout := time.After(d)
	for {
		select {
		case err := <-errs:
			out = append(out, err)
		case <-timeout:
			return out
		}
	}
}

// Look-alikes that stay silent: a constant number of workers that fits the
// buffer, a range over a slice that the buffer was sized for, and a
// receiver that leaves only when every sender is done.
func fixedWorkers(ctx context.Context, work func(int) error) error {
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		go func() { errs <- work(i) }()
	}
	for i := 0; i < 4; i++ {
		select {
		case err := <-errs:
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func sizedForItems(items []string, check func(string) bool, d time.Duration) bool {
	const n = 3
	ok := make(chan bool, n)
	for _, it := range items[:n] {
		go func() { ok <- check(it) }()
	}
	select {
	case v := <-ok:
		return v
	case <-time.After(d):
		return false
	}
}

func drainUntilDone(items []string, check func(string) error) []error {
	errs := make(chan error, 10)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := check(it); err != nil {
				errs <- err
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	var out []error
	for {
		select {
		case err := <-errs:
			out = append(out, err)
		case <-done:
			return out
		}
	}
}

// Look-alike (grpc internal/cache's timeoutCache_test): the function
// builds the slice it ranges over itself, with as many items as the
// buffer holds, so the senders it starts never outnumber the room; only
// a count from outside (a parameter, a field) can outgrow a constant
// buffer.
func callbacksOfBuilt(wait func(int) bool, d time.Duration) bool {
	const itemCount = 3
	var values []int
	for i := 0; i < itemCount; i++ {
		values = append(values, i)
	}
	fired := make(chan struct{}, itemCount)
	for _, v := range values {
		go func() {
			if wait(v) {
				fired <- struct{}{}
			}
		}()
	}
	select {
	case <-fired:
		return true
	case <-time.After(d):
		return false
	}
}
