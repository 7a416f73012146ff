package stuck

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

func fetch() (int, error) { return 1, nil }

// The receiver's select may leave by ctx.Done: the sender is left.
func ctxLeak(ctx context.Context) (int, error) {
	ch := make(chan int)
	go func() {
		v, _ := fetch()
		ch <- v // want `this send can block forever: ctxLeak leaves its select by another case`
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func ctxFixed(ctx context.Context) (int, error) {
	ch := make(chan int, 1)
	go func() {
		v, _ := fetch()
		ch <- v
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// A timer case, the sender a named helper started with the channel.
func produce(out chan<- int) {
	v, _ := fetch()
	out <- v // want `this send can block forever`
}

func timerLeak() int {
	out := make(chan int)
	go produce(out)
	select {
	case v := <-out:
		return v
	case <-time.After(time.Second):
		return -1
	}
}

func produce2(out chan<- int) {
	v, _ := fetch()
	select {
	case out <- v:
	case <-time.After(time.Second):
	}
}

func timerFixed() int {
	out := make(chan int)
	go produce2(out)
	select {
	case v := <-out:
		return v
	case <-time.After(time.Second):
		return -1
	}
}

// The receiver returns early on an error before receiving.
func earlyReturn() error {
	done := make(chan error)
	go func() {
		done <- errors.New("x") // want `this send can block forever: earlyReturn returns`
	}()
	if _, err := fetch(); err != nil {
		return err
	}
	return <-done
}

func earlyReturnFixed() error {
	done := make(chan error, 1)
	go func() {
		done <- errors.New("x")
	}()
	if _, err := fetch(); err != nil {
		return err
	}
	return <-done
}

// The sender's error path returns without sending.
func senderErr() int {
	res := make(chan int)
	go func() {
		v, err := fetch()
		if err != nil {
			return
		}
		res <- v
	}()
	return <-res // want `blocks? forever`
}

func senderErrFixed() int {
	res := make(chan int)
	go func() {
		defer close(res)
		v, err := fetch()
		if err != nil {
			return
		}
		res <- v
	}()
	return <-res
}

type worker struct{ out chan int }

func (w *worker) run() {
	v, err := fetch()
	if err != nil {
		return
	}
	w.send(v)
}

func (w *worker) send(v int) { w.out <- v }

func (w *worker) runFixed() {
	v, err := fetch()
	if err != nil {
		close(w.out)
		return
	}
	w.send(v)
}

// Field style, the send in a helper the goroutine calls.
func fieldErr() int {
	w := &worker{out: make(chan int)}
	go w.run()
	return w.recv() // receive in a helper
}

func (w *worker) recv() int {
	return <-w.out // want `this receive can block forever`
}

func fieldErrFixed() int {
	w := &worker{out: make(chan int)}
	go w.runFixed()
	v := <-w.out
	return v
}

// Range over a channel never closed on one path.
func rangeLeak(xs []int) int {
	ch := make(chan int)
	go func() {
		for _, x := range xs {
			ch <- x
		}
		if len(xs) > 3 {
			return
		}
		close(ch)
	}()
	n := 0
	for v := range ch { // want `this range loop can block forever`
		n += v
	}
	return n
}

func rangeFixed(xs []int) int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for _, x := range xs {
			ch <- x
		}
	}()
	n := 0
	for v := range ch {
		n += v
	}
	return n
}

// A buffer of 1 with three senders read once leaves one sender; with two
// senders the buffer and the receive take both.
func threeSenders() int {
	ch := make(chan int, 1)
	go func() { ch <- 1 }() // want `this send can block forever`
	go func() { ch <- 2 }() // want `this send can block forever`
	go func() { ch <- 3 }() // want `this send can block forever`
	return <-ch
}

func twoSenders() int {
	ch := make(chan int, 1)
	go func() { ch <- 1 }()
	go func() { ch <- 2 }()
	return <-ch
}

// n workers into a channel of n (silent) or n-1 (report), errors read
// until the first failure.
func workers(n int) error {
	errs := make(chan error, n-1)
	for i := 0; i < n; i++ {
		go func() {
			_, err := fetch()
			errs <- err // want `this send can block forever`
		}()
	}
	if _, err := fetch(); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

func workersFixed(n int) error {
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			_, err := fetch()
			errs <- err
		}()
	}
	if _, err := fetch(); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// First answer wins over a loop of goroutines read once.
func firstWins(xs []string) string {
	ch := make(chan string)
	for _, x := range xs {
		go func() {
			ch <- x // want `this send can block forever`
		}()
	}
	return <-ch
}

func firstWinsFixed(xs []string) string {
	ch := make(chan string, len(xs))
	for _, x := range xs {
		go func() {
			ch <- x
		}()
	}
	return <-ch
}

// Results counted with for range xs.
func counted(xs []string) int {
	ch := make(chan int)
	for _, x := range xs {
		go func() { ch <- len(x) }()
	}
	n := 0
	for range xs {
		n += <-ch
	}
	return n
}

// Correlated starts.
func verbose(v bool) {
	ch := make(chan int)
	if v {
		go func() { ch <- 1 }()
	}
	fetch()
	if v {
		<-ch
	}
}

// Close in a defer, select with default.
func deferClose() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fetch()
	}()
	<-done
}

func selectDefault() {
	ch := make(chan int)
	go func() {
		select {
		case ch <- 1:
		default:
		}
	}()
	select {
	case <-ch:
	case <-time.After(time.Second):
	}
}

// errgroup and WaitGroup.Go starts.
func groupLeak(ctx context.Context) error {
	var g errgroup.Group
	ch := make(chan int)
	g.Go(func() error {
		v, err := fetch()
		if err != nil {
			return err
		}
		ch <- v // want `this send can block forever`
		return nil
	})
	select {
	case <-ch:
	case <-ctx.Done():
	}
	return g.Wait()
}

func wgGo(ctx context.Context) {
	var wg sync.WaitGroup
	ch := make(chan int)
	wg.Go(func() {
		ch <- 1 // want `this send can block forever`
	})
	select {
	case <-ch:
	case <-ctx.Done():
		return
	}
	wg.Wait()
}

func wgGoFixed(ctx context.Context) {
	var wg sync.WaitGroup
	ch := make(chan int, 1)
	wg.Go(func() {
		ch <- 1
	})
	select {
	case <-ch:
	case <-ctx.Done():
		return
	}
	wg.Wait()
}
