package real

import (
	"errors"
	"sync"
	"time"
)

// Notifiers kept in a variable that several goroutines capture and call
// (session 26, callbacks). A notifier whose send sits under a sync.Once
// sends once in all, however many goroutines call it: only the first
// error is sent, and the one receive takes it. The same notifier without
// the Once sends once per failing goroutine.

func onProbe(name string) error {
	if name == "" {
		return errors.New("empty")
	}
	return nil
}

// firstProbeError is traefik#3036's fix written another way: the watchers
// and the deadline report through one notifier whose Once sends once.
func firstProbeError(names []string) error {
	errc := make(chan error)
	var once sync.Once
	notify := func(err error) {
		once.Do(func() { errc <- err })
	}
	go func() {
		if err := onProbe(names[0]); err != nil {
			notify(err)
		}
	}()
	go func() {
		if err := onProbe(names[1]); err != nil {
			notify(err)
		}
	}()
	go func() {
		notify(errors.New("deadline"))
	}()
	return <-errc
}

// firstProbeErrorFunc keeps the notifier in a sync.OnceFunc-style
// wrapper: the same one send.
func firstProbeErrorFunc(names []string) error {
	errc := make(chan error)
	notify := sync.OnceValue(func() error {
		err := errors.New("deadline")
		errc <- err
		return err
	})
	go func() {
		if err := onProbe(names[0]); err != nil {
			notify()
		}
	}()
	go func() { notify() }()
	return <-errc
}

// allProbeErrors drops the Once: every failing probe sends, and the
// one receive takes only the first.
func allProbeErrors(names []string) error {
	errc := make(chan error)
	notify := func(err error) {
		errc <- err // want `3 goroutines each send once on a channel with room for 0, and allProbeErrors receives at most 1 time`
	}
	go func() {
		if err := onProbe(names[0]); err != nil {
			notify(err)
		}
	}()
	go func() {
		if err := onProbe(names[1]); err != nil {
			notify(err)
		}
	}()
	go func() {
		notify(errors.New("deadline"))
	}()
	return <-errc
}

// rescheduleCountdown reschedules its own literal until the count runs out; only
// the last run sends (time's TestAfterFunc): one send, one receive.
func rescheduleCountdown(n int) {
	done := make(chan bool)
	var tick func()
	tick = func() {
		n--
		if n >= 0 {
			time.AfterFunc(0, tick)
			return
		}
		done <- true
	}
	time.AfterFunc(0, tick)
	<-done
}
