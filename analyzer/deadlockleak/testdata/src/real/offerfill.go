package real

import (
	"context"
	"errors"
	"sync"
)

// harlow/kinesis-consumer#202: the shard readers offer their error to a
// one-slot errC without blocking, the discovery goroutine sends its own
// plainly, and Scan reads errC only once it has ranged over the shard
// channel, which the discovery goroutine closes after its send. A shard
// error fills the slot and cancels; discovery then fails on the canceled
// context and blocks on the full slot for ever. Fix: every error goes
// through one helper that offers it with a default.
type offerGroup interface {
	start(ctx context.Context, shards chan<- string) error
}

func offerScan(ctx context.Context, g offerGroup, read func(context.Context, string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errC := make(chan error, 1)
	shardC := make(chan string, 1)
	go func() {
		if err := g.start(ctx, shardC); err != nil {
			errC <- err // want `this plain send on a channel with room for 1 can block forever: goroutines started in a loop offer values on it without blocking`
			cancel()
		}
		<-ctx.Done()
		close(shardC)
	}()
	var wg sync.WaitGroup
	for id := range shardC {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			if err := read(ctx, id); err != nil {
				select {
				case errC <- err:
					cancel()
				default:
				}
			}
		}(id)
	}
	go func() {
		wg.Wait()
		close(errC)
	}()
	return <-errC
}

// The fixed scan: the discovery goroutine offers its error the same way.
func offerScanFixed(ctx context.Context, g offerGroup, read func(context.Context, string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errC := make(chan error, 1)
	shardC := make(chan string, 1)
	report := func(err error) {
		select {
		case errC <- err:
		default:
		}
		cancel()
	}
	go func() {
		if err := g.start(ctx, shardC); err != nil {
			report(err)
		}
		<-ctx.Done()
		close(shardC)
	}()
	var wg sync.WaitGroup
	for id := range shardC {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			if err := read(ctx, id); err != nil {
				report(err)
			}
		}(id)
	}
	go func() {
		wg.Wait()
		close(errC)
	}()
	return <-errC
}

// The first error wins; a watcher reports the all-clear plainly once
// every worker is done, but a late failure offered after the caller took
// the first one fills the slot again and the watcher blocks for ever.
func offerFirst(items []string, do func(string) error) error {
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func(it string) {
			defer wg.Done()
			if err := do(it); err != nil {
				select {
				case errc <- err:
				default:
				}
			}
		}(it)
	}
	go func() {
		wg.Wait()
		errc <- nil // want `this plain send on a channel with room for 1 can block forever`
	}()
	return <-errc
}

// Look-alike: the caller collects until the channel is closed, so it
// drains whatever the offers leave.
func offerCollect(items []string, do func(string) error) error {
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func(it string) {
			defer wg.Done()
			if err := do(it); err != nil {
				select {
				case errc <- err:
				default:
				}
			}
		}(it)
	}
	go func() {
		wg.Wait()
		errc <- errors.New("done")
		close(errc)
	}()
	var first error
	for err := range errc {
		if first == nil {
			first = err
		}
	}
	return first
}

// Look-alike: the other senders wait in a select on the context rather
// than give up at once: nothing says the slot may be full.
func offerBlocking(ctx context.Context, items []string, do func(string) error) error {
	errc := make(chan error, 1)
	for _, it := range items {
		go func(it string) {
			if err := do(it); err != nil {
				select {
				case errc <- err:
				case <-ctx.Done():
				}
			}
		}(it)
	}
	go func() {
		errc <- ctx.Err()
	}()
	return <-errc
}

// Look-alike: the offers come from one goroutine started once, which
// offers once: the slot holds it and the plain send still finds room
// after the one receive.
func offerOnce(ctx context.Context, do func() error, stop func() error) error {
	errc := make(chan error, 1)
	go func() {
		if err := do(); err != nil {
			select {
			case errc <- err:
			default:
			}
		}
	}()
	go func() {
		<-ctx.Done()
		errc <- stop()
	}()
	return <-errc
}
