// Package bug is a held-out kernel (issue 14): the ListR function that
// rclone's filter builds for --files-from feeds the listed names to a pool
// of checker goroutines through a channel buffered to the number of
// checkers; when every checker has returned on an error, the feeding loop
// blocks for ever on `remotes <- remote` and the listing never returns.
//
// Upstream: rclone/rclone#7037 ("rclone will deadlock after all checkers exit by error")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: MakeListR returns a closure that starts ci.Checkers goroutines in a
// plain error group; each ranges over remotes, looks the name up with
// NewObject and hands the entry to the callback, and returns on
// ErrorObjectNotFound (with --files-from-strict) or on a callback error.
// The closure then sends every name of f.files on remotes with a plain
// send, closes remotes and waits for the group. Once all the checkers have
// returned, nothing receives: after the buffer of `checkers` names is
// full the send blocks for ever, and close/Wait are never reached (the
// issue reproduces it with one checker and two files, one erroring). The
// error group is rclone's golang.org/x/sync/errgroup; here it is a small
// group of our own with the same Go/Wait and WithContext; fs.Object,
// config and logging are reduced to what the loop uses.
//
// Fix (rclone/rclone#7039): the group is made with errgroup.WithContext,
// the checkers use its context, and the feeding loop selects between the
// send and gCtx.Done(), leaving the loop when a checker has failed; it
// then closes remotes and returns g.Wait()'s error.
package bug

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

// group runs functions and keeps the first error, like errgroup.Group.
type group struct {
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
}

func (g *group) Go(fn func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := fn(); err != nil {
			g.errOnce.Do(func() { g.err = err })
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
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
			g        group
		)
		for i := 0; i < checkers; i++ {
			g.Go(func() (err error) {
				var entries = make(DirEntries, 1)
				for remote := range remotes {
					entries[0], err = NewObject(ctx, remote)
					if err == ErrorObjectNotFound {
						if f.Opt.FilesFromStrict {
							log.Printf("%s: --files-from: %v", remote, err)
							return err // heldout:site
						}
						// Skip files that are not found
					} else if err != nil {
						return err // heldout:site
					} else {
						err = callback(entries)
						if err != nil {
							return err // heldout:site
						}
					}
				}
				return nil
			})
		}
		for remote := range f.files {
			remotes <- remote // heldout:site
		}
		close(remotes)
		return g.Wait()
	}
}
