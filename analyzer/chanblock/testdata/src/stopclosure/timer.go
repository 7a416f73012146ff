// Package stopclosure holds stop functions that send on a channel whose
// only receiving goroutine may already have left by another case, beside
// fixed twins and look-alikes that must stay silent.
package stopclosure

import (
	"context"
	"errors"
	"time"
)

// Alarm fires once after a delay unless cancelled first.
type Alarm struct {
	Fired  <-chan time.Time
	cancel func()
}

// NewAlarm starts the alarm's goroutine: once the timer fires it hands
// the time on and returns, and Cancel then has nobody to receive.
func NewAlarm(d time.Duration) *Alarm {
	fired := make(chan time.Time, 1)
	cancel := make(chan struct{})
	tm := time.NewTimer(d)
	go func() {
		select {
		case now := <-tm.C:
			fired <- now
		case <-cancel:
			tm.Stop()
		}
	}()
	return &Alarm{
		Fired: fired,
		cancel: func() {
			cancel <- struct{}{} // want `this stop function sends on an unbuffered channel whose only receiver`
		},
	}
}

// Cancel abandons the alarm.
func (a *Alarm) Cancel() { a.cancel() }

// NewClosingAlarm is the fixed twin: cancel closes the channel, which
// cannot block whether or not the goroutine is still there.
func NewClosingAlarm(d time.Duration) *Alarm {
	fired := make(chan time.Time, 1)
	cancel := make(chan struct{})
	tm := time.NewTimer(d)
	go func() {
		select {
		case now := <-tm.C:
			fired <- now
		case <-cancel:
			tm.Stop()
		}
	}()
	return &Alarm{
		Fired: fired,
		cancel: func() {
			close(cancel)
		},
	}
}

// NewRoomyAlarm is a look-alike whose cancel channel has room for the one
// value cancel sends.
func NewRoomyAlarm(d time.Duration) *Alarm {
	fired := make(chan time.Time, 1)
	cancel := make(chan struct{}, 1)
	tm := time.NewTimer(d)
	go func() {
		select {
		case now := <-tm.C:
			fired <- now
		case <-cancel:
			tm.Stop()
		}
	}()
	return &Alarm{Fired: fired, cancel: func() { cancel <- struct{}{} }}
}

// NewWaitingAlarm is a look-alike whose goroutine returns only after the
// cancel value: the timer's case goes back to waiting for it.
func NewWaitingAlarm(d time.Duration) *Alarm {
	fired := make(chan time.Time, 1)
	cancel := make(chan struct{})
	tm := time.NewTimer(d)
	go func() {
		for {
			select {
			case now := <-tm.C:
				select {
				case fired <- now:
				default:
				}
			case <-cancel:
				tm.Stop()
				return
			}
		}
	}()
	return &Alarm{Fired: fired, cancel: func() { cancel <- struct{}{} }}
}

// Event is a change the watcher hands to its handler.
type Event struct{ Name string }

// Watch runs h on each event until the events end, ctx is done or the
// returned stop is called; stop blocks forever once the goroutine has
// returned on one of the other two.
func Watch(ctx context.Context, events <-chan Event, h func(Event)) (stop func()) {
	quit := make(chan bool)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				h(ev)
			case <-quit:
				return
			}
		}
	}()
	return func() { quit <- true } // want `this stop function sends on an unbuffered channel whose only receiver`
}

// WatchUntilStopped is the fixed twin: stop gives up once the goroutine
// has closed finished on its way out.
func WatchUntilStopped(ctx context.Context, events <-chan Event, h func(Event)) (stop func()) {
	quit := make(chan bool)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				h(ev)
			case <-quit:
				return
			}
		}
	}()
	return func() {
		select {
		case quit <- true:
		case <-finished:
		}
	}
}

// Submit is a look-alike: the channel carries data the goroutine uses,
// not a stop signal.
func Submit(ctx context.Context, h func(int)) func(int) {
	jobs := make(chan int)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-jobs:
				h(n)
			}
		}
	}()
	return func(n int) { jobs <- n }
}

// Conn is a connection the poller reads.
type Conn interface {
	Read() ([]byte, error)
}

// Poller reads a connection on a ticker until stopped.
type Poller struct {
	conn Conn
	stop func()
	got  func([]byte)
}

var errGone = errors.New("gone")

// poll returns when the connection fails, without waiting for done.
func (p *Poller) poll(every time.Duration, done <-chan struct{}) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			b, err := p.conn.Read()
			if err != nil {
				return
			}
			p.got(b)
		}
	}
}

// Start starts the poller; p.stop blocks forever after a read error.
func (p *Poller) Start(every time.Duration) {
	done := make(chan struct{})
	go p.poll(every, done)
	p.stop = func() {
		done <- struct{}{} // want `this stop function sends on an unbuffered channel whose only receiver`
	}
}

// pollOn is the fixed twin's loop: a read error is retried on the next
// tick, so the loop returns only after done.
func (p *Poller) pollOn(every time.Duration, done <-chan struct{}) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			if b, err := p.conn.Read(); err == nil {
				p.got(b)
			}
		}
	}
}

// StartRetrying is the fixed twin of Start.
func (p *Poller) StartRetrying(every time.Duration) {
	done := make(chan struct{})
	go p.pollOn(every, done)
	p.stop = func() {
		done <- struct{}{}
	}
}

// StartPlain is a look-alike whose goroutine has no other case: it
// returns only after the stop value.
func (p *Poller) StartPlain() {
	done := make(chan struct{})
	go func() {
		<-done
		p.got(nil)
	}()
	p.stop = func() { done <- struct{}{} }
}
