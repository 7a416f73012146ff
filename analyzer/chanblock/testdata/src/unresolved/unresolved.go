// Package unresolved holds look-alikes of package resolved whose calls
// the package does not decide: an interface two converted types
// implement, so chanuse.Callee leaves the call unresolved and the rules
// stay silent.
package unresolved

import "time"

// Waiter waits for the work to finish.
type Waiter interface {
	Wait()
}

type waitDone struct{ c chan struct{} }

func (w *waitDone) Wait() { <-w.c }

func (w *waitDone) done() { w.c <- struct{}{} }

// nopWait is a second implementation the package converts to Waiter.
type nopWait struct{}

func (nopWait) Wait() {}

func newWaitDone(nop bool) Waiter {
	if nop {
		return nopWait{}
	}
	return &waitDone{c: make(chan struct{}, 1)}
}

func run(serve func()) {
	w := newWaitDone(false)
	go func() {
		serve()
		w.(*waitDone).done()
	}()
	go w.Wait()
	go w.Wait()
}

type firer interface {
	fire(t *time.Timer, f func())
}

type oneShot struct{}

func (oneShot) fire(t *time.Timer, f func()) {
	<-t.C
	f()
}

type nopFirer struct{}

func (nopFirer) fire(t *time.Timer, f func()) {}

func newFirer(nop bool) firer {
	if nop {
		return nopFirer{}
	}
	return oneShot{}
}

func withTimeoutIface(work func() error, cancel func(), d time.Duration) error {
	fr := newFirer(false)
	t := time.NewTimer(d)
	defer t.Stop()
	go fr.fire(t, cancel)
	return work()
}
