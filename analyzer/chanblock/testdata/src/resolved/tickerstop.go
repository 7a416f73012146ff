package resolved

import "time"

// Reduced from cert-manager/cert-manager#4233 (ours: the starter stops
// the timer itself; upstream it returns the timer as an interface and
// another method stops it, which stoppedTickers does not follow).
//
// Bug: the starter is the literal of a package variable, which buildssa's
// SrcFuncs leaves out (it belongs to init): its timer's waiter leaks on
// every call that returns before the timer fires. Fix: time.AfterFunc
// (armTimeoutFixed).
var armTimeout = func(work func() error, cancel func(), d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	go func() {
		<-t.C // want `this goroutine can return only after this receive from the timer's channel, and the timer is stopped at line \d+`
		cancel()
	}()
	return work()
}

var armTimeoutFixed = func(work func() error, cancel func(), d time.Duration) error {
	t := time.AfterFunc(d, cancel)
	defer t.Stop()
	return work()
}

// A variant (ours): the waiter is started through a package function
// variable set once, so the go statement has no static callee.
var waitFire = func(t *time.Timer, f func()) {
	<-t.C // want `this goroutine can return only after this receive from the timer's channel, and the timer is stopped at line \d+`
	f()
}

func withTimeoutVar(work func() error, cancel func(), d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	go waitFire(t, cancel)
	return work()
}

// A variant (ours): the waiter is a method started through an interface
// with one implementation the package converts to it; its receiver is the
// first parameter, so the timer is the second.
type firer interface {
	fire(t *time.Timer, f func())
}

type oneShot struct{}

func (oneShot) fire(t *time.Timer, f func()) {
	<-t.C // want `this goroutine can return only after this receive from the timer's channel, and the timer is stopped at line \d+`
	f()
}

func newFirer() firer { return oneShot{} }

func withTimeoutIface(work func() error, cancel func(), d time.Duration) error {
	fr := newFirer()
	t := time.NewTimer(d)
	defer t.Stop()
	go fr.fire(t, cancel)
	return work()
}
