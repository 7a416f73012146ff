// Package fixed is the fixed version of chansend/rclone_7037: the checkers
// run under an error group with a context, and the feeding loop stops
// sending when that context is cancelled by a failing checker.
package fixed

import (
	"context"
	"errors"
	"log"
	"sync"
)

// ErrorObjectNotFound is returned by NewObject for a missing file.
var ErrorObjectNotFound = errors.New("object not found")

// Object is a remote file.
type Object interface {
	Remote() string
	Size() int64
}

// DirEntries is a batch of listed entries.
type DirEntries []Object

// ListRCallback receives the listed entries.
type ListRCallback func(entries DirEntries) error

// ListRFn lists dir recursively through callback.
type ListRFn func(ctx context.Context, dir string, callback ListRCallback) error

// ConfigInfo is the part of rclone's config the lister reads.
type ConfigInfo struct {
	Checkers int
}

// Options are the filter options.
type Options struct {
	FilesFromStrict bool
}

// Filter holds the --files-from list.
type Filter struct {
	Opt   Options
	files map[string]struct{}
	ci    *ConfigInfo
}

// HaveFilesFrom reports whether --files-from was given.
func (f *Filter) HaveFilesFrom() bool { return f.files != nil }

// AddFile adds a name to the --files-from list.
func (f *Filter) AddFile(name string) {
	if f.files == nil {
		f.files = make(map[string]struct{})
	}
	f.files[name] = struct{}{}
}

var errFilesFromNotSet = errors.New("--files-from not set so can't use Filter.ListR")

// group runs functions and keeps the first error, like errgroup.Group;
// made by withContext, it cancels its context on the first error.
type group struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
}

// withContext returns a group and a context cancelled when a function
// of the group fails or when Wait returns.
func withContext(ctx context.Context) (*group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &group{cancel: cancel}, ctx
}

func (g *group) Go(fn func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := fn(); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				if g.cancel != nil {
					g.cancel()
				}
			})
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	if g.cancel != nil {
		g.cancel()
	}
	return g.err
}

// MakeListR makes a ListR function returning the --files-from files.
func (f *Filter) MakeListR(ctx context.Context, NewObject func(ctx context.Context, remote string) (Object, error)) ListRFn {
	return func(ctx context.Context, dir string, callback ListRCallback) error {
		if !f.HaveFilesFrom() {
			return errFilesFromNotSet
		}
		var (
			checkers = f.ci.Checkers
			remotes  = make(chan string, checkers)
			g, gCtx  = withContext(ctx)
		)
		for i := 0; i < checkers; i++ {
			g.Go(func() (err error) {
				var entries = make(DirEntries, 1)
				for remote := range remotes {
					entries[0], err = NewObject(gCtx, remote)
					if err == ErrorObjectNotFound {
						if f.Opt.FilesFromStrict {
							log.Printf("%s: --files-from: %v", remote, err)
							return err
						}
						// Skip files that are not found
					} else if err != nil {
						return err
					} else {
						err = callback(entries)
						if err != nil {
							return err
						}
					}
				}
				return nil
			})
		}
	outer:
		for remote := range f.files {
			select {
			case remotes <- remote:
			case <-gCtx.Done():
				break outer
			}
		}
		close(remotes)
		return g.Wait()
	}
}
