package real

import (
	"fmt"
	"io"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Synthetic kernels (ours, not upstream reductions): stopWorkers' shape
// with the workers started by a group's Go (sync.WaitGroup.Go, errgroup's
// Group.Go) instead of go statements. Each literal handed to Go is a
// goroutine of its own that returns only once it receives from stop; one
// value wakes one of them, and the group's Wait then blocks on the
// others. Fix: close(stop).
func stopGroupWorkers(n int) {
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
					fmt.Println("tick")
				}
			}
		})
	}
	work()
	stop <- struct{}{} // want `one value is sent on this channel, but 2 or more goroutines wait for it`
	wg.Wait()
}

func stopGroupWorkersFixed(n int) {
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Second):
					fmt.Println("tick")
				}
			}
		})
	}
	work()
	close(stop)
	wg.Wait()
}

// Two errgroup members wait for one stop value.
func stopErrgroup() error {
	var g errgroup.Group
	stop := make(chan struct{})
	g.Go(func() error {
		<-stop
		return nil
	})
	g.Go(func() error {
		<-stop
		return nil
	})
	work()
	stop <- struct{}{} // want `one value is sent on this channel, but 2 or more goroutines wait for it`
	return g.Wait()
}

// Look-alike: one value per member.
func stopErrgroupEach() error {
	var g errgroup.Group
	stop := make(chan struct{})
	g.Go(func() error {
		<-stop
		return nil
	})
	g.Go(func() error {
		<-stop
		return nil
	})
	work()
	stop <- struct{}{}
	stop <- struct{}{}
	return g.Wait()
}

// The field forms (ours): a pool whose workers, function literals handed
// to its WaitGroup's Go in a loop, each return only once they receive from
// the stop field; Stop sends one value. Fix: close(p.stop).
type groupPool struct {
	wg   sync.WaitGroup
	stop chan struct{}
}

func newGroupPool(n int) *groupPool {
	p := &groupPool{stop: make(chan struct{})}
	for i := 0; i < n; i++ {
		p.wg.Go(func() {
			for {
				select {
				case <-p.stop:
					return
				case <-time.After(time.Second):
				}
			}
		})
	}
	return p
}

func (p *groupPool) Stop() { p.stop <- struct{}{}; p.wg.Wait() } // want `one value is sent on field stop of groupPool, but 2 or more goroutines wait for it and can return only after receiving from field stop of groupPool \(line \d+, started in a loop\)`

type groupPoolFixed struct {
	wg   sync.WaitGroup
	stop chan struct{}
}

func newGroupPoolFixed(n int) *groupPoolFixed {
	p := &groupPoolFixed{stop: make(chan struct{})}
	for i := 0; i < n; i++ {
		p.wg.Go(func() {
			for {
				select {
				case <-p.stop:
					return
				case <-time.After(time.Second):
				}
			}
		})
	}
	return p
}

func (p *groupPoolFixed) Stop() { close(p.stop); p.wg.Wait() }

// emersion/go-msgauth#8's shape (the kernel is ours) with the hashing
// goroutine started by an errgroup: hash returns early on a bad header
// without reporting, and Close waits on the field forever. Fix: report on
// every path.
type groupSigner struct {
	g    errgroup.Group
	done chan error
}

func newGroupSigner(r io.Reader) *groupSigner {
	s := &groupSigner{done: make(chan error, 1)}
	s.g.Go(func() error {
		s.hash(r)
		return nil
	})
	return s
}

func (s *groupSigner) hash(r io.Reader) {
	if _, err := readHeader(r); err != nil {
		return
	}
	s.done <- nil
}

func (s *groupSigner) Close() error {
	return <-s.done // want `Close waits here for field done of groupSigner, which only hash \(started as a goroutine at line \d+\) sends on or closes, but hash can return at line \d+ without sending on or closing it`
}

type groupSignerFixed struct {
	g    errgroup.Group
	done chan error
}

func newGroupSignerFixed(r io.Reader) *groupSignerFixed {
	s := &groupSignerFixed{done: make(chan error, 1)}
	s.g.Go(func() error {
		s.hash(r)
		return nil
	})
	return s
}

func (s *groupSignerFixed) hash(r io.Reader) {
	_, err := readHeader(r)
	s.done <- err
}

func (s *groupSignerFixed) Close() error {
	return <-s.done
}
