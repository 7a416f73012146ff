package real

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Upstream: ThetaSigmaLabs/the-moment#6
//
// Bug: main made one signal channel for SIGINT/SIGTERM and several
// goroutines (the printers' pollers) plus main itself waited on it to shut
// down. signal.Notify delivers each signal to one receiver: on SIGTERM one
// poller took it, and main, whose wait ran the deferred cleanup, kept
// waiting until the supervisor killed the process. Fix: a single relay
// goroutine receives the signal and closes a shutdown channel, and every
// waiter selects on that channel instead (a close wakes them all).
func momentMain(printers []string) {
	sigChan := make(chan os.Signal, 1)
	signal.Notify(sigChan, syscall.SIGINT, syscall.SIGTERM) // want `signal.Notify sends one value per signal on this channel, but \d or more goroutines wait for it and can return only after receiving from this channel`
	for range printers {
		go func() {
			tick := time.NewTicker(time.Second)
			for {
				select {
				case <-sigChan:
					tick.Stop()
					return
				case <-tick.C:
					fmt.Println("poll")
				}
			}
		}()
	}
	<-sigChan
	fmt.Println("Shutting down services...")
}

func momentMainFixed(printers []string) {
	sigChan := make(chan os.Signal, 1)
	signal.Notify(sigChan, syscall.SIGINT, syscall.SIGTERM)
	shutdown := make(chan struct{})
	go func() {
		<-sigChan
		close(shutdown)
	}()
	for range printers {
		go func() {
			tick := time.NewTicker(time.Second)
			for {
				select {
				case <-shutdown:
					tick.Stop()
					return
				case <-tick.C:
					fmt.Println("poll")
				}
			}
		}()
	}
	<-shutdown
	fmt.Println("Shutting down services...")
}

// A variant of the-moment's kernel with a stop channel of the program's
// own (ours, not an upstream reduction): workers started in a loop each
// return only once they receive from stop, and the function sends one
// value. Fix: close(stop).
func stopWorkers(n int) {
	stop := make(chan struct{})
	for i := 0; i < n; i++ {
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
					fmt.Println("tick")
				}
			}
		}()
	}
	work()
	stop <- struct{}{} // want `one value is sent on this channel, but 2 or more goroutines wait for it`
}

func stopWorkersFixed(n int) {
	stop := make(chan struct{})
	for i := 0; i < n; i++ {
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
					fmt.Println("tick")
				}
			}
		}()
	}
	work()
	close(stop)
}

// One stop value per worker is fine: the send is in a loop.
func stopWorkersEach(n int) {
	stop := make(chan struct{})
	for i := 0; i < n; i++ {
		go func() {
			<-stop
		}()
	}
	for i := 0; i < n; i++ {
		stop <- struct{}{}
	}
}

// A worker that can also return when its input is closed does not wait
// only for the stop value: not reported.
func stopOrDrain(in chan int) {
	stop := make(chan struct{})
	for i := 0; i < 2; i++ {
		go func() {
			for {
				select {
				case <-stop:
					return
				case _, ok := <-in:
					if !ok {
						return
					}
				}
			}
		}()
	}
	stop <- struct{}{} // want `this send can block forever: .* leaves its select by another case`
}

// The same shape through a channel field (ours, a variant of the kernels
// above): Close sends one value on ui.stop, but two goroutines started on
// the same object wait for it, one from MainLoop and one from the ticker
// MainLoop starts through a method. Fix: close(u.stop).
type ui struct {
	stop   chan struct{}
	events chan int
}

func newUI() *ui { return &ui{stop: make(chan struct{}), events: make(chan int, 8)} }

func (u *ui) Close() {
	go func() {
		u.stop <- struct{}{} // want `one value is sent on field stop of ui, but 2 or more goroutines wait for it`
	}()
}

func (u *ui) ticker() {
	go func() {
		for {
			select {
			case <-u.stop:
				return
			case <-time.After(time.Second):
				u.events <- 0
			}
		}
	}()
}

func (u *ui) MainLoop() {
	u.ticker()
	go func() {
		for {
			select {
			case <-u.stop:
				return
			default:
				u.events <- 1
			}
		}
	}()
	for ev := range u.events {
		if ev < 0 {
			return
		}
	}
}

type uiFixed struct {
	stop   chan struct{}
	events chan int
}

func newUIFixed() *uiFixed { return &uiFixed{stop: make(chan struct{}), events: make(chan int, 8)} }

func (u *uiFixed) Close() { close(u.stop) }

func (u *uiFixed) ticker() {
	go func() {
		for {
			select {
			case <-u.stop:
				return
			case <-time.After(time.Second):
				u.events <- 0
			}
		}
	}()
}

func (u *uiFixed) MainLoop() {
	u.ticker()
	go func() {
		for {
			select {
			case <-u.stop:
				return
			default:
				u.events <- 1
			}
		}
	}()
	for ev := range u.events {
		if ev < 0 {
			return
		}
	}
}

// One goroutine per object, each with its own stop channel: a send per
// object is enough, though the go statement is in a loop.
type pinger struct {
	stop chan struct{}
}

func (p *pinger) run() {
	for {
		select {
		case <-p.stop:
			return
		case <-time.After(time.Second):
		}
	}
}

func (p *pinger) Stop() { p.stop <- struct{}{} }

func startPingers(n int) []*pinger {
	var ps []*pinger
	for i := 0; i < n; i++ {
		p := &pinger{stop: make(chan struct{})}
		go p.run()
		ps = append(ps, p)
	}
	return ps
}

// Two goroutines started on different branches never run together.
type either struct {
	stop chan struct{}
}

func (e *either) a() {
	<-e.stop
}

func (e *either) b() {
	<-e.stop
}

func (e *either) Start(fast bool) {
	e.stop = make(chan struct{})
	if fast {
		go e.a()
	} else {
		go e.b()
	}
}

func (e *either) Stop() { e.stop <- struct{}{} }

// runtime's TestSelectDuplicateChannel: one goroutine may leave through
// another case (an empty case on the stop channel falls to the same block
// as the others): it does not wait only for the value.
func selectDuplicate() {
	c := make(chan int)
	d := make(chan int)
	e := make(chan int)
	go func() {
		select {
		case <-c:
		case <-c:
		case <-d:
		}
		e <- 9
	}()
	go func() {
		<-c
	}()
	d <- 7
	<-e
	c <- 8
}

// The usual two-signal shutdown: the first signal starts a graceful stop,
// and only then a goroutine waits for a second one to force the exit. One
// waiter at a time: not reported.
func twoSignals(stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	<-sig
	go func() {
		<-sig
		os.Exit(1)
	}()
	stop()
}
