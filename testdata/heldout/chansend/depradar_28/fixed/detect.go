// Package fixed is the fixed version of chansend/depradar_28: the result
// channel has a slot per tool and the done channel one slot.
package fixed

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
	depResult := make(chan AppDeps, len(d.Tools))
	done := make(chan struct{}, 1)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, tool := range d.Tools {
		wg.Add(1)
		go func(tool IDepTool) {
			defer wg.Done()
			deps, err := tool.Deps(ctx, app)
			if err == nil {
				depResult <- deps
				return
			}
			mx.Lock()
			errs = append(errs, err.Error())
			mx.Unlock()
		}(tool)
	}

	go func() {
		wg.Wait()
		done <- struct{}{}
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
