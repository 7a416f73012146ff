package real

import (
	"errors"
	"io"
	"time"
)

// ansible/receptor#263: the "work results" command defers a send on its
// unbuffered done channel to stop the streamer goroutine, which GetResults
// starts; GetResults returns an error for an unknown unit before starting
// it, the deferred send then has no receiver and the command hangs. Fix:
// close the channel instead.
type workUnits struct{ units map[string][][]byte }

func (w *workUnits) results(id string, done chan bool) (chan []byte, error) {
	unit, ok := w.units[id]
	if !ok {
		return nil, errors.New("unknown work unit")
	}
	out := make(chan []byte)
	go func() {
		for _, r := range append(unit, nil) {
			select {
			case out <- r:
			case <-done:
				return
			}
		}
		<-done
	}()
	return out, nil
}

func (w *workUnits) writeResults(id string, dst io.Writer) error {
	done := make(chan bool)
	defer func() {
		done <- true // want `this deferred send on an unbuffered channel runs on every return of writeResults, but its only receiver is a goroutine that is not started on the return at line \d+`
	}()
	out, err := w.results(id, done)
	if err != nil {
		return err
	}
	for {
		b := <-out
		if len(b) == 0 {
			return nil
		}
		if _, err := dst.Write(b); err != nil {
			return err
		}
	}
}

// The fix: the close wakes the streamer if there is one and never blocks.
func (w *workUnits) writeResultsFixed(id string, dst io.Writer) error {
	done := make(chan bool)
	defer close(done)
	out, err := w.results(id, done)
	if err != nil {
		return err
	}
	for b := range out {
		if len(b) == 0 {
			return nil
		}
		if _, err := dst.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// A variant: the function starts the heartbeat itself, after a check
// that can fail.
func heartbeatWhile(open func() error, beat func(), work func()) error {
	stop := make(chan struct{})
	defer func() { stop <- struct{}{} }() // want `this deferred send on an unbuffered channel runs on every return of heartbeatWhile`
	if err := open(); err != nil {
		return err
	}
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				beat()
			case <-stop:
				return
			}
		}
	}()
	work()
	return nil
}

// Another variant: a deferred helper sends, and the watcher is started by
// a helper that skips it when watching is off.
func signalDone(c chan<- int) { c <- 0 } // want `this deferred send on an unbuffered channel runs on every return of syncAll`

func startSyncWatcher(enabled bool, done <-chan int, tick func()) {
	if !enabled {
		return
	}
	go func() {
		for {
			select {
			case <-done:
				return
			default:
				tick()
			}
		}
	}()
}

func syncAll(enabled bool, items []string, tick func(), put func(string)) {
	done := make(chan int)
	defer signalDone(done)
	startSyncWatcher(enabled, done, tick)
	for _, it := range items {
		put(it)
	}
}

// Look-alikes that stay silent: the receiver is started before the send
// is deferred, and a deferred send guarded by the start.
func heartbeatStarted(beat func(), work func() error) error {
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-time.After(time.Second):
				beat()
			case <-stop:
				return
			}
		}
	}()
	defer func() { stop <- struct{}{} }()
	return work()
}

func heartbeatGuarded(open func() error, beat func()) error {
	stop := make(chan struct{})
	started := false
	defer func() {
		if started {
			stop <- struct{}{}
		}
	}()
	if err := open(); err != nil {
		return err
	}
	started = true
	go func() {
		for {
			select {
			case <-time.After(time.Second):
				beat()
			case <-stop:
				return
			}
		}
	}()
	return nil
}
