package real

import (
	"context"
	"fmt"
	"sync"
)

// Upstream: DefangLabs/defang#1625. A tailer starts one goroutine per log
// group and collects their errors on a channel it declares but never
// makes: the first goroutine that fails blocks for ever in its send on the
// nil channel, its Done never runs, and the caller waits with it. Fix:
// make the channel, with a slot per group.
type logTailer interface {
	Tail(ctx context.Context, group string) error
}

func tailGroups(ctx context.Context, t logTailer, groups []string) error {
	var errs chan error
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Add(1)
		go func(g string) {
			defer wg.Done()
			if err := t.Tail(ctx, g); err != nil {
				errs <- fmt.Errorf("group %s: %w", g, err) // want `errs is declared at line \d+ without a value and never assigned, so it is nil: a send on a nil channel blocks forever`
			}
		}(g)
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case err := <-errs:
		return err
	case <-done:
		return nil
	}
}

func tailGroupsFixed(ctx context.Context, t logTailer, groups []string) error {
	errs := make(chan error, len(groups))
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Add(1)
		go func(g string) {
			defer wg.Done()
			if err := t.Tail(ctx, g); err != nil {
				errs <- fmt.Errorf("group %s: %w", g, err)
			}
		}(g)
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case err := <-errs:
		return err
	case <-done:
		return nil
	}
}

// The same mistake written differently: results are gathered with a
// range over a channel declared in a var block and never made (the range
// blocks at once), ...
func sumAll(parts [][]int) int {
	var (
		total   int
		results chan int
	)
	for _, p := range parts {
		go func(p []int) {
			s := 0
			for _, x := range p {
				s += x
			}
			results <- s // want `results is declared at line \d+ without a value and never assigned, so it is nil: a send on a nil channel blocks forever`
		}(p)
	}
	for i := 0; i < len(parts); i++ {
		total += <-results // want `results is declared at line \d+ without a value and never assigned, so it is nil: a receive from a nil channel blocks forever`
	}
	return total
}

// ... and a package-level queue nobody made, drained by a worker's range.
var pendingJobs chan func()

func runPending() {
	for job := range pendingJobs { // want `pendingJobs is declared at line \d+ without a value and never assigned, so it is nil: a range over a nil channel blocks forever`
		job()
	}
}

// Look-alikes that must stay silent: a channel assigned later (by name,
// or through its address), a nil case disabling a select, a test hook
// guarded by a nil test, and a deliberate park.
var testHookSent chan string

func notifyHook(s string) {
	if testHookSent != nil {
		testHookSent <- s
	}
}

func madeLater(n int) int {
	var c chan int
	if n > 0 {
		c = make(chan int, 1)
	} else {
		c = make(chan int, 2)
	}
	c <- n
	return <-c
}

func madeThroughPointer() int {
	var c chan int
	setChan(&c)
	return <-c
}

func setChan(p *chan int) { *p = make(chan int, 1); *p <- 1 }

func disabledNilCase(in <-chan int) int {
	var never chan int
	select {
	case v := <-in:
		return v
	case v := <-never:
		return v
	}
}

func parkForever() {
	var block chan struct{}
	<-block
}

// The never-made channel handed on: every call of the worker passes the
// nil variable, so the worker's send on its parameter blocks forever.
func watchAll(ctx context.Context, dirs []string, watch func(string) error) error {
	var failures chan error
	for _, d := range dirs {
		go watchDir(d, watch, failures)
	}
	select {
	case err := <-failures:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func watchDir(dir string, watch func(string) error, failures chan<- error) {
	if err := watch(dir); err != nil {
		failures <- err // want `failures is nil: every call passes failures, declared at line \d+ without a value and never assigned, and a send on a nil channel blocks forever`
	}
}

// Look-alike that must stay silent: a worker handed the nil variable
// that tests its channel before sending (an optional progress report).
func copyAll(srcs []string, cp func(string) error) error {
	var progress chan string
	for _, s := range srcs {
		if err := copyOne(s, cp, progress); err != nil {
			return err
		}
	}
	return nil
}

func copyOne(src string, cp func(string) error, progress chan<- string) error {
	if err := cp(src); err != nil {
		return err
	}
	if progress != nil {
		progress <- src
	}
	return nil
}
