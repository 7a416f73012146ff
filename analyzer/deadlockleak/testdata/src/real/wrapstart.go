package real

import "time"

// deferredSend for a receiver started through a helper of the package:
// goSafe(f), a one-argument wrapper, and a pool's Submit method.

// dlGoSafe starts f on a goroutine that survives f's panic.
func dlGoSafe(f func()) {
	go func() {
		defer func() { _ = recover() }()
		f()
	}()
}

// dlPool runs each job it is given on a goroutine of its own.
type dlPool struct{ n int }

// Submit starts job.
func (p *dlPool) Submit(job func()) {
	p.n++
	go job()
}

func heartbeatWrapped(open func() error, beat func(), work func()) error {
	stop := make(chan struct{})
	defer func() { stop <- struct{}{} }() // want `this deferred send on an unbuffered channel runs on every return of heartbeatWrapped`
	if err := open(); err != nil {
		return err
	}
	dlGoSafe(func() {
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
	})
	work()
	return nil
}

type dlSyncer struct {
	pool *dlPool
	tick func()
}

func dlSignal(c chan<- int) { c <- 0 } // want `this deferred send on an unbuffered channel runs on every return of syncSubmitted`

func (s *dlSyncer) syncSubmitted(enabled bool, items []string, put func(string)) {
	done := make(chan int)
	defer dlSignal(done)
	if !enabled {
		return
	}
	s.pool.Submit(func() {
		for {
			select {
			case <-done:
				return
			default:
				s.tick()
			}
		}
	})
	for _, it := range items {
		put(it)
	}
}

// Fixed: the close never blocks, with or without a watcher.
func (s *dlSyncer) syncSubmittedFixed(enabled bool, items []string, put func(string)) {
	done := make(chan int)
	defer close(done)
	if !enabled {
		return
	}
	s.pool.Submit(func() {
		for {
			select {
			case <-done:
				return
			default:
				s.tick()
			}
		}
	})
	for _, it := range items {
		put(it)
	}
}

// Fixed: the watcher is started before the send is deferred.
func heartbeatWrappedFirst(beat func(), work func()) {
	stop := make(chan struct{})
	dlGoSafe(func() {
		for {
			select {
			case <-stop:
				return
			default:
				beat()
			}
		}
	})
	defer func() { stop <- struct{}{} }()
	work()
}
