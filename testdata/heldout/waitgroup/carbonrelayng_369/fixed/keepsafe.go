// Package fixed is the fixed version of waitgroup/carbonrelayng_369: Stop
// waits for the cleaner without holding the lock.
package fixed

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
			k.Lock()
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
	close(k.closed)
	k.wg.Wait()
}
