// Package bug is a held-out kernel (issue 14): a dependency detector asks
// every tool in parallel and returns the first result; the other tools'
// sends on the unbuffered result channel, and the wait-group watcher's
// send on the unbuffered done channel, have no receiver after that and
// block for ever, one set of goroutines per call.
//
// Upstream: stamm/dep_radar#28 ("Fix goroutine leaks")
// Round: 8
//
// Bug: Detector.Deps starts one goroutine per tool that sends its deps
// on depResult (or records its error), and one goroutine that waits for
// them all and sends on done; Deps selects once on ctx.Done(), depResult
// and done. The PR: "No one reads done channel and results channel
// after the first result received"; stamm/dep_radar#27 shows the leaked
// goroutines parked in chan send at detect.go:47 and :59 for days.
//
// Fix: both channels are buffered, depResult with a slot per tool and
// done with one, so the late senders complete and exit.
package bug

import (
	"context"
	"errors"
	"strings"
	"sync"
)

// AppDeps are an application's dependencies.
type AppDeps struct {
	Manager string
	Deps    map[string]string
}

// IApp is one application.
type IApp interface {
	Package() string
}

// IDepTool reads an application's dependencies in one format.
type IDepTool interface {
	Deps(ctx context.Context, app IApp) (AppDeps, error)
}

// Detector for deps.
type Detector struct {
	Tools []IDepTool
}

// AddTool adds a dep tool.
func (d *Detector) AddTool(tool IDepTool) *Detector {
	d.Tools = append(d.Tools, tool)
	return d
}

// Deps returns the deps of app from the first tool that can read them.
func (d *Detector) Deps(ctx context.Context, app IApp) (AppDeps, error) {
	var (
		errs []string
		wg   sync.WaitGroup
		mx   sync.Mutex
	)
	depResult := make(chan AppDeps) // heldout:site
	done := make(chan struct{})     // heldout:site

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, tool := range d.Tools {
		wg.Add(1)
		go func(tool IDepTool) {
			defer wg.Done()
			deps, err := tool.Deps(ctx, app)
			if err == nil {
				depResult <- deps // heldout:site
				return
			}
			mx.Lock()
			errs = append(errs, err.Error())
			mx.Unlock()
		}(tool)
	}

	go func() {
		wg.Wait()
		done <- struct{}{} // heldout:site
	}()

	select {
	case <-ctx.Done():
		return AppDeps{}, ctx.Err()
	case result := <-depResult:
		cancel()
		return result, nil
	case <-done:
	}

	mx.Lock()
	defer mx.Unlock()
	if len(errs) > 0 {
		return AppDeps{}, errors.New(strings.Join(errs, "; "))
	}
	return AppDeps{}, errors.New("Bad")
}
