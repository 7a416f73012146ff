package stuckctx

import "context"

// The context package only ever closes a Done channel (its documentation:
// "Done returns a channel that's closed when work done on behalf of this
// context should be canceled"). A range over it ends at the close without
// running its body, and a two-value receive from it yields ok == false.

// Poller's watcher means to close stop when the context ends, but ranges
// over ctx.Done(): its body never runs, and the poll goroutine waits on
// stop forever.
type Poller struct {
	polls int
}

// Watch starts the poll goroutine and its stopper.
func (p *Poller) Watch(ctx context.Context) {
	stop := make(chan struct{})
	go func() {
		for range ctx.Done() { // want `a context's Done channel is only closed`
			close(stop)
			return
		}
	}()
	go func() {
		<-stop // want `this receive can block forever`
		p.polls++
	}()
}

// SafePoller waits for the Done channel to close, then closes stop.
type SafePoller struct {
	polls int
}

// Watch starts the poll goroutine and its stopper.
func (p *SafePoller) Watch(ctx context.Context) {
	stop := make(chan struct{})
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	go func() {
		<-stop
		p.polls++
	}()
}

// OkPoller closes stop when the two-value receive reports the channel
// closed: the close runs.
type OkPoller struct {
	polls int
}

// Watch starts the poll goroutine and its stopper.
func (p *OkPoller) Watch(ctx context.Context) {
	stop := make(chan struct{})
	go func() {
		if _, ok := <-ctx.Done(); !ok {
			close(stop)
		}
	}()
	go func() {
		<-stop
		p.polls++
	}()
}

// BadOkPoller closes stop only when the receive yields a value, which a
// Done channel never does.
type BadOkPoller struct {
	polls int
}

// Watch starts the poll goroutine and its stopper.
func (p *BadOkPoller) Watch(ctx context.Context) {
	stop := make(chan struct{})
	go func() {
		if _, ok := <-ctx.Done(); ok { // want `a context's Done channel is only closed`
			close(stop)
		}
	}()
	go func() {
		<-stop // want `this receive can block forever`
		p.polls++
	}()
}
