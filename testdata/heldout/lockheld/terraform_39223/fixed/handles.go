// Package fixed is the fixed version of lockheld/terraform_39223:
// newHandleWithDependency defers the table's unlock, so its no-parent error
// path releases the table as well.
package fixed

import (
	"errors"
	"sync"
)

type handle[T any] int64

// SourceBundle is an opened bundle of module sources.
type SourceBundle struct{ Dir string }

// StackConfig is a stack configuration loaded from a bundle.
type StackConfig struct{ Root string }

var (
	newHandleErrorNoParent  = errors.New("parent handle does not exist")
	closeHandleErrorUnknown = errors.New("unknown handle")
	closeHandleErrorBlocked = errors.New("handle has dependents")
)

type handleTable struct {
	handleObjs map[int64]any
	handleDeps map[int64]map[int64]struct{}
	nextHandle int64
	mu         sync.Mutex
}

func newHandleTable() *handleTable {
	return &handleTable{
		handleObjs: make(map[int64]any),
		handleDeps: make(map[int64]map[int64]struct{}),
		nextHandle: 1,
	}
}

func (t *handleTable) NewSourceBundle(b *SourceBundle) handle[*SourceBundle] {
	return newHandle(t, b)
}

func (t *handleTable) CloseSourceBundle(hnd handle[*SourceBundle]) error {
	return closeHandle(t, hnd)
}

func (t *handleTable) NewStackConfig(cfg *StackConfig, owner handle[*SourceBundle]) (handle[*StackConfig], error) {
	return newHandleWithDependency(t, cfg, owner)
}

func (t *handleTable) StackConfig(hnd handle[*StackConfig]) *StackConfig {
	ret, _ := readHandle(t, hnd)
	return ret
}

func newHandle[ObjT any](t *handleTable, obj ObjT) handle[ObjT] {
	t.mu.Lock()
	hnd := t.nextHandle
	t.nextHandle++
	t.handleObjs[hnd] = obj
	t.mu.Unlock()
	return handle[ObjT](hnd)
}

// newHandleWithDependency is newHandle that also records that the new
// handle depends on dep; it fails when dep was closed in the meantime.
func newHandleWithDependency[ObjT, DepT any](t *handleTable, obj ObjT, dep handle[DepT]) (handle[ObjT], error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, exists := t.handleObjs[int64(dep)]; !exists {
		return handle[ObjT](0), newHandleErrorNoParent
	}
	hnd := t.nextHandle
	t.nextHandle++
	t.handleObjs[hnd] = obj
	if _, exists := t.handleDeps[int64(dep)]; !exists {
		t.handleDeps[int64(dep)] = make(map[int64]struct{})
	}
	t.handleDeps[int64(dep)][hnd] = struct{}{}
	return handle[ObjT](hnd), nil
}

func readHandle[ObjT any](t *handleTable, hnd handle[ObjT]) (ObjT, bool) {
	var zero ObjT
	t.mu.Lock()
	defer t.mu.Unlock()
	existing, exists := t.handleObjs[int64(hnd)]
	if !exists {
		return zero, false
	}
	ret, ok := existing.(ObjT)
	return ret, ok
}

func closeHandle[ObjT any](t *handleTable, hnd handle[ObjT]) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, exists := t.handleObjs[int64(hnd)]; !exists {
		return closeHandleErrorUnknown
	}
	if len(t.handleDeps[int64(hnd)]) > 0 {
		return closeHandleErrorBlocked
	}
	delete(t.handleObjs, int64(hnd))
	delete(t.handleDeps, int64(hnd))
	for _, deps := range t.handleDeps {
		delete(deps, int64(hnd))
	}
	return nil
}

// OpenStackConfiguration loads a stack configuration from an open bundle.
func OpenStackConfiguration(t *handleTable, bundle handle[*SourceBundle], root string) (handle[*StackConfig], error) {
	return t.NewStackConfig(&StackConfig{Root: root}, bundle)
}

// Session opens a bundle, closes it while a configuration is being opened
// from it, then reads the configuration back.
func Session() *StackConfig {
	t := newHandleTable()
	bundle := t.NewSourceBundle(&SourceBundle{Dir: "/tmp/bundle"})

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = t.CloseSourceBundle(bundle)
	}()
	wg.Wait()

	cfg, err := OpenStackConfiguration(t, bundle, "stack")
	if err != nil {
		_ = t.CloseSourceBundle(bundle)
		return nil
	}
	return t.StackConfig(cfg)
}
