package real

import (
	"fmt"
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
