package real

import "time"

// Upstream: gokcehan/lf#2674
//
// Bug: the main loop selects over key events and quitChan (room for one);
// the quit command, evaluated by the loop itself through an interface
// method, sends on quitChan. Two quit keys evaluated before the select
// takes the quit case (it picks among ready cases at random) fill the
// slot and then block the loop on its own channel. Fix: the quit command
// offers its value without waiting.
type cmd interface{ run(a *lfApp) }

type quitCmd struct{}

func (quitCmd) run(a *lfApp) {
	a.quitChan <- struct{}{} // want `field quitChan of lfApp is received from only by Loop, and this send runs in Loop's own goroutine on the same object \(called at line \d+\), from another case of the select that receives it`
}

type lfApp struct {
	keys     chan string
	quitChan chan struct{}
	cmds     map[string]cmd
}

func NewLfApp(keys chan string) *lfApp {
	return &lfApp{keys: keys, quitChan: make(chan struct{}, 1), cmds: map[string]cmd{"q": quitCmd{}}}
}

func (a *lfApp) Loop() {
	for {
		select {
		case <-a.quitChan:
			return
		case k := <-a.keys:
			if c, ok := a.cmds[k]; ok {
				c.run(a)
			}
		}
	}
}

// The fixed app: a pending quit is enough.
type quitCmdFixed struct{}

func (quitCmdFixed) run(a *lfAppFixed) {
	select {
	case a.quitChan <- struct{}{}:
	default:
	}
}

type lfAppFixed struct {
	keys     chan string
	quitChan chan struct{}
	quit     quitCmdFixed
}

func NewLfAppFixed(keys chan string) *lfAppFixed {
	return &lfAppFixed{keys: keys, quitChan: make(chan struct{}, 1)}
}

func (a *lfAppFixed) Loop() {
	for {
		select {
		case <-a.quitChan:
			return
		case k := <-a.keys:
			if k == "q" {
				a.quit.run(a)
			}
		}
	}
}

// A goroutine's loop re-arming itself from its tick case: two ticks in a
// row before the rearm case is taken fill the slot.
type rearmer struct {
	ticks chan int
	rearm chan int
}

func newRearmer() *rearmer {
	r := &rearmer{ticks: make(chan int), rearm: make(chan int, 1)}
	go r.loop()
	return r
}

func (r *rearmer) loop() {
	for {
		select {
		case n := <-r.rearm:
			_ = n
		case t := <-r.ticks:
			r.rearm <- t // want `field rearm of rearmer is received from only by loop, and this send runs in loop's own goroutine on the same object, from another case of the select that receives it`
		}
	}
}

// Look-alike: the loop takes a value and puts one back in the same case.
type requeue struct {
	work chan int
	in   chan int
}

func newRequeue() *requeue {
	r := &requeue{work: make(chan int, 1), in: make(chan int)}
	go r.loop()
	return r
}

func (r *requeue) loop() {
	for {
		select {
		case w := <-r.work:
			if w > 0 {
				r.work <- w - 1
			}
		case <-r.in:
		}
	}
}

// Look-alike: a large queue the other case would have to fill alone.
type bigQueue struct {
	ticks chan int
	queue chan int
}

func newBigQueue() *bigQueue {
	q := &bigQueue{ticks: make(chan int), queue: make(chan int, 64)}
	go q.loop()
	return q
}

func (q *bigQueue) loop() {
	for {
		select {
		case n := <-q.queue:
			_ = n
		case t := <-q.ticks:
			q.queue <- t
		}
	}
}

// Look-alike: the sending case is a timer's channel, which fires again
// only once the loop has taken the value and reset the timer.
type timerRearm struct {
	timer *time.Timer
	next  chan time.Duration
	quit  chan struct{}
}

func newTimerRearm() *timerRearm {
	t := &timerRearm{timer: time.NewTimer(time.Second), next: make(chan time.Duration, 1), quit: make(chan struct{})}
	go t.loop()
	return t
}

func (t *timerRearm) loop() {
	for {
		select {
		case <-t.quit:
			return
		case d := <-t.next:
			t.timer.Reset(d)
		case <-t.timer.C:
			t.next <- time.Second
		}
	}
}
