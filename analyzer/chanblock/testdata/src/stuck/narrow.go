package stuck

import (
	"testing"
	"time"
)

// A token carrying state: the paths depend on the values it carries,
// which the checker does not track (os/exec's statusc).
type status struct{ running int }

func token(fns []func()) chan int {
	done := make(chan int, 1)
	st := make(chan status, 1)
	st <- status{running: len(fns)}
	for _, fn := range fns {
		go func() {
			fn()
			s := <-st
			s.running--
			if s.running == 0 {
				done <- 1
			} else {
				st <- s
			}
		}()
	}
	return done
}

// A failed test's paths are not reported.
func TestFailedPath(t *testing.T) {
	ch := make(chan int)
	go func() {
		ch <- 1
	}()
	if _, err := fetch(); err != nil {
		t.Error(err)
		return
	}
	<-ch
}

func TestTimeout(t *testing.T) {
	ch := make(chan int)
	go func() {
		ch <- 1
	}()
	select {
	case <-ch:
	case <-time.After(time.Second):
		t.Errorf("timed out")
	}
}

// A select case on a local channel nothing sends on never fires.
func deadOther() {
	c := make(chan bool)
	c2 := make(chan bool)
	go func() {
		for i := 0; i < 3; i++ {
			c <- true
		}
	}()
	for i := 0; i < 3; i++ {
		select {
		case <-c:
		case <-c2:
		}
	}
}

// The same test leaks when it returns without failing.
func TestQuietReturn(t *testing.T) {
	ch := make(chan int)
	go func() {
		ch <- 1 // want `this send can block forever`
	}()
	if _, err := fetch(); err != nil {
		t.Log("skipping")
		return
	}
	<-ch
}

// A receive of a constant knows its value: the loop ends on the one send.
func constDone(lock func()) {
	done := make(chan bool)
	go func() {
		for {
			lock()
			if <-done {
				return
			}
		}
	}()
	done <- true
}

// A case on another local channel fires when the program makes it: not
// modelled, the checker gives up.
func localOther() {
	stop := make(chan bool)
	wake := make(chan bool)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-wake:
				wake <- true
			}
		}
	}()
	wake <- true
	close(stop)
	<-wake
}

// A loop that counts its receives to the number of goroutines started
// (session 22: the checker follows the count). This one leaks for real:
// when skip holds every x, no goroutine starts, started stays 0 and the
// range waits on a channel nobody sends on or closes.
func countedRange(xs []string, skip map[string]bool) int {
	ch := make(chan int)
	started := 0
	for _, x := range xs {
		if skip[x] {
			continue
		}
		started++
		go func() { ch <- len(x) }()
	}
	got, sum := 0, 0
	for v := range ch { // want `this range loop can block forever: nothing else sends or closes`
		got++
		sum += v
		if got == started {
			break
		}
	}
	return sum
}

// The same with the worker a closure started twice (its channel escapes
// chanuse, but is still the program's own).
func localOther2() {
	done := make(chan bool)
	wake := make(chan bool)
	run := func(w chan bool) {
		for {
			select {
			case <-done:
				return
			case <-w:
				w <- true
			}
		}
	}
	for i := 0; i < 2; i++ {
		go run(wake)
	}
	wake <- true
	close(done)
	<-wake
}
