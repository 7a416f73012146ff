package real

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sync/errgroup"
)

// Upstream: ihippik/wal-listener#53. An error group without a context:
// when the stream fails, the signal task keeps waiting for SIGTERM and
// Wait never returns the error.
func listenProcess(serve, stream func() error) error {
	var group errgroup.Group
	group.Go(serve)
	group.Go(func() error {
		return stream()
	})
	group.Go(func() error {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
		<-sigs
		signal.Stop(sigs)
		return nil
	})
	return group.Wait() // want `Wait waits for every task of the group, and the task started at line \d+ returns only after an OS signal`
}

// The same with a package group type waiting on a WaitGroup.
type sigGroup struct {
	wg  sync.WaitGroup
	err error
	mu  sync.Mutex
}

func (g *sigGroup) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.mu.Lock()
			g.err = err
			g.mu.Unlock()
		}
	}()
}

func (g *sigGroup) Wait() error {
	g.wg.Wait()
	return g.err
}

func runSigGroup(check func() error) error {
	g := new(sigGroup)
	g.Go(func() error {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt)
		<-ch
		return nil
	})
	g.Go(func() error {
		if err := check(); err != nil {
			return err
		}
		return nil
	})
	return g.Wait() // want `Wait waits for every task of the group`
}

// The fix: the group's context ends the signal task too.
func listenProcessFixed(ctx context.Context, stream func(context.Context) error) error {
	group, ctx := errgroup.WithContext(ctx)
	group.Go(func() error {
		return stream(ctx)
	})
	group.Go(func() error {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
		select {
		case <-sigs:
		case <-ctx.Done():
		}
		return nil
	})
	return group.Wait()
}

// Look-alikes: no task can fail; the signal channel is also closed by
// the function (a stop path).
func listenNoFail(serve func()) error {
	var group errgroup.Group
	group.Go(func() error {
		serve()
		return nil
	})
	group.Go(func() error {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt)
		<-sigs
		return nil
	})
	return group.Wait()
}

func listenStoppable(stream func() error, stop <-chan struct{}) error {
	var group errgroup.Group
	group.Go(stream)
	group.Go(func() error {
		sigs := make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt)
		select {
		case <-sigs:
		case <-stop:
		}
		return nil
	})
	return group.Wait()
}
