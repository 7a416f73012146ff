// Package resolved holds kernels whose waits and stops are reached through
// calls the package decides (chanuse.Callee): a method called through an
// interface with one implementation the package converts to it, and a
// package function variable set once.
package resolved

// Waiter waits for the work to finish.
type Waiter interface {
	Wait()
}

// Reduced from no-src/gofs#82 (ours: the waiters are goroutines and the
// channel a signal; upstream the starter itself also waits and Wait
// returns the error sent, which oneValue leaves alone as data).
//
// Bug: waitDone sends one value on its one-slot channel, which wakes
// exactly one Wait; the goroutines reach Wait only through the interface
// Waiter, so the receive had no go statement until the call was resolved.
// Fix: close the channel (fixedDone).
type waitDone struct{ c chan struct{} }

func newWaitDone() Waiter { return &waitDone{c: make(chan struct{}, 1)} }

func (w *waitDone) Wait() { <-w.c }

func (w *waitDone) done() {
	w.c <- struct{}{} // want `one value is sent on field c of waitDone, but 2 or more goroutines wait for it`
}

func run(serve func()) {
	w := newWaitDone()
	go func() {
		serve()
		w.(*waitDone).done()
	}()
	go w.Wait()
	go w.Wait()
}

// The fix: done closes the channel, which wakes every Wait.
type fixedDone struct{ c chan struct{} }

// Closer waits for the work to finish.
type Closer interface {
	WaitClosed()
}

func newFixedDone() Closer { return &fixedDone{c: make(chan struct{})} }

func (w *fixedDone) WaitClosed() { <-w.c }

func (w *fixedDone) done() { close(w.c) }

func runFixed(serve func()) {
	w := newFixedDone()
	go func() {
		serve()
		w.(*fixedDone).done()
	}()
	go w.WaitClosed()
	go w.WaitClosed()
}

// Stopper stops a loop.
type Stopper interface {
	Run()
}

// A variant (ours): the waiters are loops started in a loop through the
// interface, each returning only on the one stop value.
type loop struct {
	stop chan struct{}
	work chan int
}

func newLoop() Stopper { return &loop{stop: make(chan struct{}), work: make(chan int)} }

func (l *loop) Run() {
	for {
		select {
		case <-l.stop:
			return
		case n := <-l.work:
			_ = n
		}
	}
}

func (l *loop) halt() {
	l.stop <- struct{}{} // want `one value is sent on field stop of loop, but 2 or more goroutines wait for it`
}

func runLoops(n int) {
	s := newLoop()
	for i := 0; i < n; i++ {
		go s.Run()
	}
	s.(*loop).halt()
}
