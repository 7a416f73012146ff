// Package bug is a held-out kernel (issue 14): the session layer's map of
// domains, whose Get holds the map's mutex while it creates and
// initialises a new domain; when Init fails, Get closes the half-built
// domain, and Domain.Close runs the onClose callback the map gave it,
// which is the map's own Delete, which locks the same mutex again.
//
// Upstream: pingcap/tidb#40409 ("session: fix deadlock when init domain failed", issue pingcap/tidb#40408)
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR shows goroutine 1 parked for 33 minutes in
// domainMap.Delete, called from domainMap.Get.func1.1 (the onClose
// closure), called from Domain.Close, called from domainMap.Get.func1
// (the retry closure that closes the domain when Init fails), inside
// domainMap.Get, which holds dm.mu for its whole body. The retry helper,
// the session factories and the store are reduced; the leases and the
// logging are left out.
//
// Fix: our reading of the PR (its thread shows the stack, not the diff):
// the domain whose Init failed is closed without the callback that
// deletes it from the map — it was never put in the map, and Get still
// holds dm.mu — so the callback is only installed on a domain Get keeps.
package bug

import (
	"errors"
	"sync"
	"time"
)

// Storage is the key-value store a domain serves.
type Storage interface {
	UUID() string
}

// Domain is one store's schema, statistics and background workers.
type Domain struct {
	store   Storage
	onClose func()
	initErr error
	closed  bool
}

// NewDomain returns a domain for store that calls onClose when closed.
func NewDomain(store Storage, onClose func()) *Domain {
	return &Domain{store: store, onClose: onClose}
}

// Init loads the schema and starts the workers.
func (do *Domain) Init() error {
	return do.initErr
}

// Close stops the workers and tells the owner.
func (do *Domain) Close() {
	if do.closed {
		return
	}
	do.closed = true
	if do.onClose != nil {
		do.onClose() // heldout:site
	}
}

// runWithRetry runs f until it succeeds, says not to retry, or runs out
// of tries.
func runWithRetry(retryCnt int, backoff time.Duration, f func() (bool, error)) (err error) {
	for i := 1; i <= retryCnt; i++ {
		var retryAble bool
		retryAble, err = f()
		if err == nil || !retryAble {
			return err
		}
		time.Sleep(backoff)
	}
	return err
}

type domainMap struct {
	mu      sync.Mutex
	domains map[string]*Domain
	domInit func(*Domain) error
}

func newDomainMap() *domainMap {
	return &domainMap{domains: map[string]*Domain{}, domInit: (*Domain).Init}
}

// Get returns store's domain, creating it on first use.
func (dm *domainMap) Get(store Storage) (d *Domain, err error) {
	dm.mu.Lock()
	defer dm.mu.Unlock()

	key := store.UUID()
	d = dm.domains[key]
	if d != nil {
		return
	}

	err = runWithRetry(3, 10*time.Millisecond, func() (bool, error) {
		d = NewDomain(store, func() {
			dm.Delete(store)
		})
		err1 := dm.domInit(d)
		if err1 != nil {
			// Clean up before the next try.
			d.Close() // heldout:site
		}
		return true, err1
	})
	if err != nil {
		return nil, err
	}
	dm.domains[key] = d
	return
}

// Delete forgets store's domain.
func (dm *domainMap) Delete(store Storage) {
	dm.mu.Lock() // heldout:site
	delete(dm.domains, store.UUID())
	dm.mu.Unlock()
}

type mockStore string

func (s mockStore) UUID() string { return string(s) }

// Bootstrap opens the domain of a store whose first Init fails.
func Bootstrap() (*Domain, error) {
	dm := newDomainMap()
	dm.domInit = func(d *Domain) error {
		return errors.New("init domain failed")
	}
	return dm.Get(mockStore("store-1"))
}
