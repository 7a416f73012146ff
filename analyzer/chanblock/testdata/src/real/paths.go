package real

import (
	"fmt"
	"time"
)

// trustmaster/goflow#22: a component's input port got its channel only
// when the port was connected to the network; a port fed by an initial
// packet alone kept a nil channel, and the component's receive on it hung
// every goroutine. Fix: always make the port's channel. The kernel keeps
// the port in a local variable (ours). (A channel made on some paths
// only.)
func goflowPort(connected bool, iip string) string {
	var in chan string
	if connected {
		in = make(chan string, 1)
		in <- iip
	}
	return <-in // want `this channel is made only on some paths \(line \d+\), and on a path that skips the make \(from line \d+\) it is still nil here: a receive from a nil channel blocks forever`
}

func goflowPortFixed(connected bool, iip string) string {
	in := make(chan string, 1)
	if connected {
		in <- iip
	} else {
		in <- ""
	}
	return <-in
}

// The look-alikes: the same condition decides the make and the wait (a
// field read twice, as a flag), and a nil test guards the receive.
type waiter struct{ async bool }

func (w *waiter) run(job func()) {
	var done chan struct{}
	if w.async {
		done = make(chan struct{})
		go func() { job(); close(done) }()
	} else {
		job()
	}
	fmt.Println("started")
	if w.async {
		<-done
	}
}

func guardedNil(wait bool) {
	var done chan struct{}
	if wait {
		done = make(chan struct{})
		go func() { close(done) }()
	}
	if done != nil {
		<-done
	}
}

// A nil channel disabling a select case is an idiom, not a bug.
func disabledCase(ticks bool) {
	var tick <-chan time.Time
	if ticks {
		tick = time.After(time.Second)
	}
	stop := make(chan struct{})
	go func() { close(stop) }()
	select {
	case <-tick:
	case <-stop:
	}
}

// yanzay/tbot#44 (fixing #43, "Init stop channel, fix deadlock"): the
// server's stop channel was never initialised, and stopping it deadlocked
// on the nil channel. Fix: make the channel. The kernel's shape is ours:
// Close sends on the never-made field and the update loop selects on it
// and on an update channel nothing makes either; the struct type is
// unexported while its fields are exported, and no exported name of the
// package exposes the type, so no other package can reach the fields and
// they are followed as unexported ones are. (An exported field of a
// sealed type; a select none of whose cases can proceed.)
type tbotServer struct {
	Stop    chan struct{}
	Updates chan string
}

func (s *tbotServer) Close() {
	s.Stop <- struct{}{} // want `field Stop of tbotServer is never assigned a channel in this package, so it is nil here`
}

func (s *tbotServer) loop() {
	for {
		select { // want `no case of this select can ever proceed \(field Stop of tbotServer is never assigned, so it is nil; field Updates of tbotServer is never assigned, so it is nil\)`
		case <-s.Stop:
			return
		case u := <-s.Updates:
			fmt.Println(u)
		}
	}
}

type tbotServerFixed struct {
	Stop    chan struct{}
	Updates chan string
}

func newTbotServerFixed() *tbotServerFixed {
	return &tbotServerFixed{Stop: make(chan struct{}), Updates: make(chan string)}
}

func (s *tbotServerFixed) Close() { s.Stop <- struct{}{} }

func (s *tbotServerFixed) Feed(u string) { s.Updates <- u }

func (s *tbotServerFixed) loop() {
	for {
		select {
		case <-s.Stop:
			return
		case u := <-s.Updates:
			fmt.Println(u)
		}
	}
}

// The same exported fields on an unexported type that an exported
// function returns: other packages can assign them, so nothing is said.
type exposedServer struct {
	Stop chan struct{}
}

// NewExposed hands the type out.
func NewExposed() *exposedServer { return &exposedServer{} }

func (s *exposedServer) Close() { s.Stop <- struct{}{} }

// A select with a case that something can make ready (a timer) is not
// reported, even when the other case never can.
type halfDead struct{ quit chan struct{} }

func (h *halfDead) wait() {
	select {
	case <-h.quit:
	case <-time.After(time.Second):
	}
}
