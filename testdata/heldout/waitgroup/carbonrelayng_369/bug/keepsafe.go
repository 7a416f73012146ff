// Package bug is a held-out kernel (issue 14): a buffer of recently sent
// metrics whose Stop holds the buffer's lock while it waits for the
// cleaning goroutine, which needs that lock to finish its current tick.
//
// Upstream: grafana/carbon-relay-ng#369 ("Fix deadlock in keepSafe")
// Round: 6
//
// Bug: keepSafe keeps the last two periods of sent data for replay; a
// goroutine (keepClean, counted in k.wg) rotates them on every tick under
// k.Lock. Stop locks k, closes k.closed and waits on k.wg. If keepClean
// has just taken the tick case, it blocks on k.Lock held by Stop, never
// returns to see closed or to call Done, and Stop waits for ever. The
// review thread gives Stop's diff and this explanation; keepClean's body
// is our reduction.
//
// Fix: Stop no longer takes the lock around closing and waiting, as the
// reviewers proposed (Stop is called once).
package bug

import (
	"sync"
	"time"
)

type keepSafe struct {
	sync.Mutex
	initialCap int
	safeOld    [][]byte
	safeCur    [][]byte
	periodKeep time.Duration
	closed     chan struct{}
	wg         sync.WaitGroup
}

// NewKeepSafe starts the cleaner.
func NewKeepSafe(initialCap int, periodKeep time.Duration) *keepSafe {
	k := keepSafe{
		initialCap: initialCap,
		safeOld:    make([][]byte, 0, initialCap),
		safeCur:    make([][]byte, 0, initialCap),
		periodKeep: periodKeep,
		closed:     make(chan struct{}),
	}
	k.wg.Add(1)
	go k.keepClean()
	return &k
}

func (k *keepSafe) keepClean() {
	defer k.wg.Done()
	tick := time.NewTicker(k.periodKeep)
	defer tick.Stop()
	for {
		select {
		case <-k.closed:
			return
		case <-tick.C:
			k.Lock() // heldout:site
			k.safeOld = k.safeCur
			k.safeCur = make([][]byte, 0, k.initialCap)
			k.Unlock()
		}
	}
}

// Add records a sent metric.
func (k *keepSafe) Add(buf []byte) {
	k.Lock()
	k.safeCur = append(k.safeCur, buf)
	k.Unlock()
}

// GetAll returns everything kept and empties the buffer.
func (k *keepSafe) GetAll() [][]byte {
	k.Lock()
	defer k.Unlock()
	ret := append(k.safeOld, k.safeCur...)
	k.safeOld = make([][]byte, 0, k.initialCap)
	k.safeCur = make([][]byte, 0, k.initialCap)
	return ret
}

// Stop stops the cleaner.
func (k *keepSafe) Stop() {
	k.Lock() // heldout:site
	close(k.closed)
	k.wg.Wait() // heldout:site
	k.Unlock()
}
