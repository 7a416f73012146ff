// Package fixed is the fixed version of mixed/kbfs_77: the decreased-bytes
// signal is sent without blocking.
package fixed

import "sync"

type dirtyReq struct {
	bytes int64
	start chan struct{}
}

// DirtyBlockCacheStandard tracks dirty bytes and throttles writers.
type DirtyBlockCacheStandard struct {
	requestsChan   chan dirtyReq
	decreasedBytes chan struct{}
	shutdownChan   chan struct{}

	lock               sync.Mutex
	unsyncedDirtyBytes int64
	syncingBytes       int64
	maxDirtyBytes      int64
}

// NewDirtyBlockCacheStandard starts the permission goroutine.
func NewDirtyBlockCacheStandard(maxDirtyBytes int64) *DirtyBlockCacheStandard {
	d := &DirtyBlockCacheStandard{
		requestsChan:   make(chan dirtyReq, 1000),
		decreasedBytes: make(chan struct{}, 1),
		shutdownChan:   make(chan struct{}),
		maxDirtyBytes:  maxDirtyBytes,
	}
	go d.processPermission()
	return d
}

func (d *DirtyBlockCacheStandard) canAccept(bytes int64) bool {
	d.lock.Lock()
	defer d.lock.Unlock()
	return d.unsyncedDirtyBytes+d.syncingBytes+bytes <= d.maxDirtyBytes
}

func (d *DirtyBlockCacheStandard) processPermission() {
	var waiting []dirtyReq
	for {
		select {
		case <-d.decreasedBytes:
		case r := <-d.requestsChan:
			waiting = append(waiting, r)
		case <-d.shutdownChan:
			return
		}
		for len(waiting) > 0 && d.canAccept(waiting[0].bytes) {
			close(waiting[0].start)
			waiting = waiting[1:]
		}
	}
}

func (d *DirtyBlockCacheStandard) signalDecreasedBytes() {
	select {
	case d.decreasedBytes <- struct{}{}:
	default:
		// A wake-up is already pending.
	}
}

// RequestPermissionToDirty returns a channel closed when bytes may be dirtied.
func (d *DirtyBlockCacheStandard) RequestPermissionToDirty(bytes int64) <-chan struct{} {
	r := dirtyReq{bytes: bytes, start: make(chan struct{})}
	d.requestsChan <- r
	return r.start
}

// UpdateUnsyncedBytes records newly dirtied (or cleaned) bytes.
func (d *DirtyBlockCacheStandard) UpdateUnsyncedBytes(newUnsyncedBytes int64) {
	d.lock.Lock()
	defer d.lock.Unlock()
	d.unsyncedDirtyBytes += newUnsyncedBytes
	if newUnsyncedBytes < 0 {
		d.signalDecreasedBytes()
	}
}

// UpdateSyncingBytes records bytes that finished syncing.
func (d *DirtyBlockCacheStandard) UpdateSyncingBytes(size int64) {
	d.lock.Lock()
	defer d.lock.Unlock()
	d.syncingBytes += size
	if size < 0 {
		d.signalDecreasedBytes()
	}
}

// Shutdown stops the permission goroutine.
func (d *DirtyBlockCacheStandard) Shutdown() {
	close(d.shutdownChan)
}
