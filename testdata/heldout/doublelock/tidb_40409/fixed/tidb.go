// Package fixed is the fixed version of doublelock/tidb_40409: a domain
// whose Init failed is closed without the callback that deletes it from
// the map; the callback is installed only on the domain Get keeps.
package fixed

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
		do.onClose()
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
		// The domain is not in the map yet: closing it after a failed
		// Init has nothing to delete.
		d = NewDomain(store, nil)
		err1 := dm.domInit(d)
		if err1 != nil {
			// Clean up before the next try.
			d.Close()
		}
		return true, err1
	})
	if err != nil {
		return nil, err
	}
	d.onClose = func() {
		dm.Delete(store)
	}
	dm.domains[key] = d
	return
}

// Delete forgets store's domain.
func (dm *domainMap) Delete(store Storage) {
	dm.mu.Lock()
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
