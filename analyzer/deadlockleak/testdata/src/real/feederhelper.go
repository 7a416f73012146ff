package real

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// The abandoned feeder across a helper boundary: the receiving goroutine is
// started by a helper, not by the function that sends.

// Upstream: cilium/cilium#13408 (contexthelpers: a helper returns a context
// and a "success" channel, and starts a goroutine that cancels the context
// unless a value arrives before a timeout; the caller sends on the channel
// after its work is done). When the timer wins, the goroutine returns and
// the caller's send blocks forever. Fix: a buffer of one. Reduced in our
// own words.
func timeoutUnlessDone(ctx context.Context, d time.Duration) (context.Context, chan struct{}) {
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-done:
		case <-time.After(d):
			cancel()
		}
	}()
	return ctx, done
}

func renewWithDeadline(ctx context.Context, work func(context.Context) error) error {
	wctx, done := timeoutUnlessDone(ctx, time.Second)
	if err := work(wctx); err != nil {
		return err
	}
	done <- struct{}{} // want `this send on an unbuffered channel blocks renewWithDeadline forever once its only receiver, the goroutine started at line \d+, has left its select through another case \(line \d+, the timer fires\)`
	return nil
}

func timeoutUnlessDoneFixed(ctx context.Context, d time.Duration) (context.Context, chan struct{}) {
	done := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-done:
		case <-time.After(d):
			cancel()
		}
	}()
	return ctx, done
}

func renewWithDeadlineFixed(ctx context.Context, work func(context.Context) error) error {
	wctx, done := timeoutUnlessDoneFixed(ctx, time.Second)
	if err := work(wctx); err != nil {
		return err
	}
	done <- struct{}{}
	return nil
}

// Upstream: containerd/containerd#1907 (the daemon hands its server to the
// signal-handling goroutine, started by a helper, over an unbuffered
// channel; a signal during start-up makes that goroutine return before it
// has received, and the hand-off blocks main forever). Fix: a buffer of
// one. Reduced in our own words.
type daemon struct{ name string }

func (d *daemon) shutdown() {}

func watchSignals(sigs chan os.Signal, handoff chan *daemon) chan struct{} {
	exited := make(chan struct{})
	go func() {
		var d *daemon
		for {
			select {
			case d = <-handoff:
			case <-sigs:
				if d != nil {
					d.shutdown()
				}
				close(exited)
				return
			}
		}
	}()
	return exited
}

func runDaemon(name string) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	handoff := make(chan *daemon)
	exited := watchSignals(sigs, handoff)
	handoff <- &daemon{name: name} // want `this send on an unbuffered channel blocks runDaemon forever once its only receiver, the goroutine started at line \d+, has left its select through another case \(line \d+, a signal arrives\)`
	<-exited
}

func runDaemonFixed(name string) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	handoff := make(chan *daemon, 1)
	exited := watchSignals(sigs, handoff)
	handoff <- &daemon{name: name}
	<-exited
}

// A variant written differently (ours): the helper is a method that gets
// the channel as an argument and the receiver gives up on the caller's
// context, which is canceled from outside.
type acker struct{ n int }

func (a *acker) startWaiter(ctx context.Context, ack chan int) {
	go func() {
		select {
		case v := <-ack:
			a.n = v
		case <-ctx.Done():
		}
	}()
}

func (a *acker) commit(ctx context.Context, v int) {
	ack := make(chan int)
	a.startWaiter(ctx, ack)
	ack <- v // want `this send on an unbuffered channel blocks commit forever once its only receiver, the goroutine started at line \d+, has left its select through another case \(line \d+, the context is canceled\)`
}

// Look-alike negatives (ours): the receiver's other case is a stop channel
// the sender makes and closes only after its send, so the receiver cannot
// leave first; and a signal channel the helper gets, when another caller
// of the helper passes a channel nothing outside fires.
func (a *acker) startWaiterStop(stop, ack chan int) {
	go func() {
		select {
		case v := <-ack:
			a.n = v
		case <-stop:
		}
	}()
}

func (a *acker) commitStop(v int) {
	stop := make(chan int)
	ack := make(chan int)
	a.startWaiterStop(stop, ack)
	ack <- v
	close(stop)
}

func watchPlain(sigs chan os.Signal, handoff chan *daemon) {
	go func() {
		for {
			select {
			case d := <-handoff:
				d.shutdown()
			case <-sigs:
				return
			}
		}
	}()
}

func runPlain(name string) {
	sigs := make(chan os.Signal)
	handoff := make(chan *daemon)
	watchPlain(sigs, handoff)
	handoff <- &daemon{name: name}
	sigs <- os.Interrupt
}
