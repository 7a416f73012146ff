package dev

import (
	"errors"
	"sync"
)

// Upstream: dedis/popstellar#347
//
// A hub embedded sync.RWMutex, read-locked its channel table to route a
// client's message, and returned without RUnlock when the channel did not
// exist; the next registration's Lock waited forever. The embedded mutex
// is an exported field, but the hub type is unexported and no exported
// name of the package hands it out, so no other package can unlock it
// either. Fix: RUnlock on the missing-channel path.
type routeHub struct {
	sync.RWMutex
	byID map[string]func(string) error
}

type routeReply interface{ Fail(msg string) }

func (h *routeHub) route(id, msg string, r routeReply) error {
	if id == "" {
		return h.register(msg)
	}
	h.RLock()
	handle, ok := h.byID[id]
	if !ok {
		r.Fail("no such channel")
		return nil // want `route returns here with h.RWMutex still locked`
	}
	h.RUnlock()
	return handle(msg)
}

func (h *routeHub) register(id string) error {
	h.Lock()
	defer h.Unlock()
	h.byID[id] = func(string) error { return nil }
	return nil
}

// The fix.
type routeHubFixed struct {
	sync.RWMutex
	byID map[string]func(string) error
}

func (h *routeHubFixed) route(id, msg string, r routeReply) error {
	h.RLock()
	handle, ok := h.byID[id]
	if !ok {
		h.RUnlock()
		r.Fail("no such channel")
		return nil
	}
	h.RUnlock()
	return handle(msg)
}

// A variant: a plain Mutex embedded in a private registry, left locked
// when a lookup fails after the error is built.
type sessionTable struct {
	sync.Mutex
	open map[int]bool
}

var errNoSession = errors.New("no session")

func (t *sessionTable) close(id int) error {
	t.Lock()
	if !t.open[id] {
		err := errNoSession
		return err // want `close returns here with t.Mutex still locked`
	}
	delete(t.open, id)
	t.Unlock()
	return nil
}

// The look-alike: the same early return, but an exported constructor
// hands the type to importers, which can unlock the embedded mutex
// themselves (a lock helper's callers in another package); left alone.
type sharedTable struct {
	sync.Mutex
	open map[int]bool
}

// NewSharedTable returns an empty table other packages may lock.
func NewSharedTable() *sharedTable { return &sharedTable{open: map[int]bool{}} }

func (t *sharedTable) close(id int) error {
	t.Lock()
	if !t.open[id] {
		return errNoSession
	}
	delete(t.open, id)
	t.Unlock()
	return nil
}
