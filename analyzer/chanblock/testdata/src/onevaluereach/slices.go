package onevaluereach

import (
	"log"
	"time"
)

// Stop channels handed on in a slice: a variadic argument, or a slice
// literal ranged over. One value sent per channel in the range loop wakes
// one waiter of each. Session 26, globals.

// signalAll sends one stop value on each channel.
func signalAll(chs ...chan struct{}) {
	for _, ch := range chs {
		ch <- struct{}{} // want `one value is sent on this channel, but 2 or more goroutines wait for it`
	}
}

// Daemon's reporter has one loop on stopReport; the background work has
// two loops (compaction and metrics) on one stopBackground. Shutdown
// signals each channel once: one of the two background loops never
// hears it.
type Daemon struct {
	flush   func()
	compact func()
}

func (d *Daemon) Run(stopped <-chan struct{}) {
	stopReport := make(chan struct{})
	stopBackground := make(chan struct{})
	go d.report(stopReport)
	d.background(stopBackground)
	<-stopped
	signalAll(stopReport, stopBackground)
}

func (d *Daemon) report(stop chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			d.flush()
		case <-stop:
			return
		}
	}
}

func (d *Daemon) background(stop chan struct{}) {
	go func() {
		for {
			select {
			case <-time.After(time.Minute):
				d.compact()
			case <-stop:
				return
			}
		}
	}()
	go func() {
		for {
			select {
			case <-time.After(10 * time.Second):
				log.Printf("metrics")
			case <-stop:
				return
			}
		}
	}()
}

// Pump ranges over a slice literal of its two quit channels; the writers
// share quitWrite.
func Pump(in <-chan []byte, done <-chan struct{}, write func([]byte)) {
	quitRead := make(chan struct{})
	quitWrite := make(chan struct{})
	go func() {
		for {
			select {
			case b := <-in:
				_ = b
			case <-quitRead:
				return
			}
		}
	}()
	for i := 0; i < 2; i++ {
		go func() {
			for {
				select {
				case <-time.After(time.Second):
					write(nil)
				case <-quitWrite:
					return
				}
			}
		}()
	}
	<-done
	for _, q := range []chan struct{}{quitRead, quitWrite} {
		q <- struct{}{} // want `one value is sent on this channel, but 2 or more goroutines wait for it`
	}
}

// The fix: closeAll closes each channel, which wakes every waiter.
func closeAll(chs ...chan struct{}) {
	for _, ch := range chs {
		close(ch)
	}
}

func (d *Daemon) RunFixed(stopped <-chan struct{}) {
	stopReport := make(chan struct{})
	stopBackground := make(chan struct{})
	go d.report(stopReport)
	d.background(stopBackground)
	<-stopped
	closeAll(stopReport, stopBackground)
}

// notifyAll's channels each have one waiter: one value each is enough.
func notifyAll(chs ...chan struct{}) {
	for _, ch := range chs {
		ch <- struct{}{}
	}
}

func (d *Daemon) RunOneEach(stopped <-chan struct{}) {
	stopReport := make(chan struct{})
	stopCompact := make(chan struct{})
	go d.report(stopReport)
	go d.report(stopCompact)
	<-stopped
	notifyAll(stopReport, stopCompact)
}

// The same channel twice in the slice: two values for its two waiters.
func (d *Daemon) RunTwice(stopped <-chan struct{}) {
	stop := make(chan struct{})
	d.background(stop)
	<-stopped
	notifyAll(stop, stop)
}

// notifyN sends n values on each channel: the loop inside the range
// repeats the send.
func notifyN(n int, chs ...chan struct{}) {
	for _, ch := range chs {
		for i := 0; i < n; i++ {
			ch <- struct{}{}
		}
	}
}

func (d *Daemon) RunN(stopped <-chan struct{}) {
	stop := make(chan struct{})
	d.background(stop)
	<-stopped
	notifyN(2, stop)
}

// The slice kept in a field: other code may send on its channels.
type fanout struct {
	subs []chan struct{}
}

func (d *Daemon) RunKept(stopped <-chan struct{}, f *fanout) {
	stop := make(chan struct{})
	d.background(stop)
	f.subs = []chan struct{}{stop}
	<-stopped
	for _, ch := range f.subs {
		ch <- struct{}{}
	}
}
