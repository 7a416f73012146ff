package real

import (
	"sync"
	"time"
)

// Upstream: tarantool/tt#762
//
// Bug: the watchdog starts a signal forwarder and, when configured, an
// integrity checker, both counted on doneBarrier and both leaving only on
// <-wd.done; each time the instance ends it sends one value on done and
// waits on doneBarrier. One helper takes the value, the other waits for a
// second one that never comes, and the Wait never returns. The sends are
// in the restart loop and on an early failure path, each followed by the
// Wait. Fix: a fresh done channel per start, closed.
type watchdog struct {
	done        chan bool
	doneBarrier sync.WaitGroup
	sigs        chan int
	check       time.Duration
	run         func() error
}

func newWatchdog(check time.Duration, run func() error) *watchdog {
	return &watchdog{done: make(chan bool, 1), sigs: make(chan int), check: check, run: run}
}

func (wd *watchdog) Start(pre func() error) error {
	wd.startHelpers()
	if err := pre(); err != nil {
		wd.done <- true // want `one value is sent on field done of watchdog, but 2 or more goroutines wait for it`
		wd.doneBarrier.Wait()
		return err
	}
	for {
		err := wd.run()
		wd.done <- true
		wd.doneBarrier.Wait()
		if err != nil {
			return err
		}
		wd.startHelpers()
	}
}

func (wd *watchdog) startHelpers() {
	wd.startSignals()
	if wd.check > 0 {
		wd.startChecks()
	}
}

func (wd *watchdog) startSignals() {
	wd.doneBarrier.Add(1)
	go func() {
		defer wd.doneBarrier.Done()
		for {
			select {
			case s := <-wd.sigs:
				_ = s
			case <-wd.done:
				return
			}
		}
	}()
}

func (wd *watchdog) startChecks() {
	wd.doneBarrier.Add(1)
	go func() {
		defer wd.doneBarrier.Done()
		t := time.NewTicker(wd.check)
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-wd.done:
				return
			}
		}
	}()
}

// The fixed watchdog: a fresh done channel per start, closed.
type watchdogFixed struct {
	done        chan bool
	doneBarrier sync.WaitGroup
	sigs        chan int
	check       time.Duration
	run         func() error
}

func (wd *watchdogFixed) Start() error {
	wd.startHelpers()
	for {
		err := wd.run()
		close(wd.done)
		wd.doneBarrier.Wait()
		if err != nil {
			return err
		}
		wd.startHelpers()
	}
}

func (wd *watchdogFixed) startHelpers() {
	wd.done = make(chan bool)
	wd.startSignals()
	if wd.check > 0 {
		wd.startChecks()
	}
}

func (wd *watchdogFixed) startSignals() {
	wd.doneBarrier.Add(1)
	go func() {
		defer wd.doneBarrier.Done()
		for {
			select {
			case s := <-wd.sigs:
				_ = s
			case <-wd.done:
				return
			}
		}
	}()
}

func (wd *watchdogFixed) startChecks() {
	wd.doneBarrier.Add(1)
	go func() {
		defer wd.doneBarrier.Done()
		for {
			select {
			case <-time.After(wd.check):
			case <-wd.done:
				return
			}
		}
	}()
}

// Look-alike: one helper per round; each round's one value stops it
// before the Wait.
type oneHelper struct {
	done chan bool
	wg   sync.WaitGroup
	sigs chan int
	run  func() error
}

func newOneHelper(run func() error) *oneHelper {
	return &oneHelper{done: make(chan bool, 1), sigs: make(chan int), run: run}
}

func (o *oneHelper) Start() error {
	for {
		o.startSignals()
		err := o.run()
		o.done <- true
		o.wg.Wait()
		if err != nil {
			return err
		}
	}
}

func (o *oneHelper) startSignals() {
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		for {
			select {
			case s := <-o.sigs:
				_ = s
			case <-o.done:
				return
			}
		}
	}()
}

// Look-alike: two helpers, and one value per helper before the Wait.
type twoValues struct {
	done chan bool
	wg   sync.WaitGroup
	a, b chan int
	run  func() error
}

func newTwoValues(run func() error) *twoValues {
	return &twoValues{done: make(chan bool, 2), a: make(chan int), b: make(chan int), run: run}
}

func (t *twoValues) Start() error {
	t.startHelpers()
	err := t.run()
	t.done <- true
	t.done <- true
	t.wg.Wait()
	return err
}

func (t *twoValues) startHelpers() {
	t.startA()
	t.startB()
}

func (t *twoValues) startA() {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		for {
			select {
			case <-t.a:
			case <-t.done:
				return
			}
		}
	}()
}

func (t *twoValues) startB() {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		for {
			select {
			case <-t.b:
			case <-t.done:
				return
			}
		}
	}()
}
