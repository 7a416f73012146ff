// Package fixed is the fixed version of buffered/kubo_4593: every send on
// the output channel also watches the context.
package fixed

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
			select {
			case output <- Result{Error: err}:
			case <-ctx.Done():
			}
			return
		}
		keychan, err := bs.AllKeysChan(ctx)
		if err != nil {
			select {
			case output <- Result{Error: err}:
			case <-ctx.Done():
			}
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
					select {
					case output <- Result{Error: fmt.Errorf("could not remove %s: %w", k, err)}:
					case <-ctx.Done():
						return
					}
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
			return ctx.Err()
		}
	}
}
