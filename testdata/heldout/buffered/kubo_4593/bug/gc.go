// Package bug is a held-out kernel (issue 14): a garbage collector that
// reports errors into a result channel with a fixed buffer, with plain
// sends that block for good once the caller has stopped reading.
//
// Upstream: ipfs/kubo#4593 ("Potential go routine leak in pin/gc/gc.go")
// Round: 4
//
// Bug: GC returns a channel of results with a buffer of 128 and runs the
// collection in a goroutine. Removed keys are sent in a select that also
// watches the context, but errors are sent with plain sends. When the
// caller's context is cancelled the caller stops draining the channel;
// once the buffer is full, the next error send blocks forever, holding
// the GC lock. The issue names the error sends; the blockstore and pinner
// interfaces are our reduction of gc.go.
//
// Fix: every send on the output channel selects on ctx.Done() as well,
// instead of relying on the buffer, as the issue prescribes (the fixing
// commit is not in the thread we read).
package bug

import (
	"context"
	"fmt"
)

// Key names a block.
type Key string

// Result is a removed key or an error.
type Result struct {
	KeyRemoved Key
	Error      error
}

// Unlocker releases the GC lock.
type Unlocker interface{ Unlock() }

// GCBlockstore is the part of the blockstore that GC uses.
type GCBlockstore interface {
	GCLock() Unlocker
	AllKeysChan(ctx context.Context) (<-chan Key, error)
	DeleteBlock(k Key) error
}

// Pinner reports the pinned keys.
type Pinner interface {
	ColoredSet(ctx context.Context) (map[Key]bool, error)
}

// GC removes every block that is not pinned, reporting what it did.
func GC(ctx context.Context, bs GCBlockstore, pn Pinner) <-chan Result {
	unlocker := bs.GCLock()
	output := make(chan Result, 128)

	go func() {
		defer close(output)
		defer unlocker.Unlock()

		gcs, err := pn.ColoredSet(ctx)
		if err != nil {
			output <- Result{Error: err} // heldout:site
			return
		}
		keychan, err := bs.AllKeysChan(ctx)
		if err != nil {
			output <- Result{Error: err} // heldout:site
			return
		}
		for {
			select {
			case k, ok := <-keychan:
				if !ok {
					return
				}
				if gcs[k] {
					continue
				}
				if err := bs.DeleteBlock(k); err != nil {
					output <- Result{Error: fmt.Errorf("could not remove %s: %w", k, err)} // heldout:site
					continue
				}
				select {
				case output <- Result{KeyRemoved: k}:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return output
}

// CollectResult drains GC's results until the context is cancelled.
func CollectResult(ctx context.Context, gcOut <-chan Result, cb func(Key)) error {
	var errs []error
	for {
		select {
		case res, ok := <-gcOut:
			if !ok {
				if len(errs) > 0 {
					return fmt.Errorf("gc: %d errors", len(errs))
				}
				return nil
			}
			if res.Error != nil {
				errs = append(errs, res.Error)
			} else if cb != nil {
				cb(res.KeyRemoved)
			}
		case <-ctx.Done():
			return ctx.Err() // heldout:site
		}
	}
}
