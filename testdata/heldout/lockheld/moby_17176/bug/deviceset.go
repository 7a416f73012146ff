// Package bug is a held-out kernel (issue 14): the devicemapper graph
// driver's deferred-deletion worker, whose cleanupDeletedDevices takes the
// DeviceSet lock and, when there are no deleted devices to clean up,
// returns without releasing it; the worker's next tick and every other
// device operation then wait for the lock for ever.
//
// Upstream: moby/moby#17176 ("devmapper: Drop devices lock before returning from function")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: "cleanupDeleted() takes devices.Lock() but does not drop it
// if there are no deleted devices. Hence docker deadlocks if one is using
// deferred device deletion feature." The deletion worker that runs it on
// a ticker, DeleteDevice (info lock, then the DeviceSet lock, which is why
// cleanupDeletedDevices drops the lock before calling it) and AddDevice
// are kept; thin-pool calls and metadata are reduced to map updates. The
// shutdown channel that stops the worker is ours.
//
// Fix: the early return unlocks first (the maintainers kept an explicit
// Unlock, not a defer, because the function must drop the lock before
// calling DeleteDevice).
package bug

import (
	"sync"
	"time"
)

type devInfo struct {
	Hash     string
	DeviceID int
	Deleted  bool
	lock     sync.Mutex
}

// DeviceSet is the set of thin devices in the pool.
type DeviceSet struct {
	sync.Mutex
	Devices              map[string]*devInfo
	nrDeletedDevices     uint
	nextDeviceID         int
	deletionWorkerTicker *time.Ticker
	shutdown             chan struct{}
}

// cleanupDeletedDevices deletes the devices marked for deferred deletion.
func (devices *DeviceSet) cleanupDeletedDevices() error {
	devices.Lock() // heldout:site

	// If there are no deleted devices, there is nothing to do.
	if devices.nrDeletedDevices == 0 {
		return nil // heldout:site
	}

	var deletedDevices []*devInfo
	for _, info := range devices.Devices {
		if !info.Deleted {
			continue
		}
		deletedDevices = append(deletedDevices, info)
	}

	// DeleteDevice takes the info lock and then devices.Lock(): drop it.
	devices.Unlock()

	for _, info := range deletedDevices {
		devices.DeleteDevice(info.Hash)
	}
	return nil
}

func (devices *DeviceSet) deletionWorker() {
	for {
		select {
		case <-devices.deletionWorkerTicker.C:
			devices.cleanupDeletedDevices()
		case <-devices.shutdown:
			devices.deletionWorkerTicker.Stop()
			return
		}
	}
}

// AddDevice creates a thin device for hash.
func (devices *DeviceSet) AddDevice(hash string) {
	devices.Lock() // heldout:site
	defer devices.Unlock()
	devices.nextDeviceID++
	devices.Devices[hash] = &devInfo{Hash: hash, DeviceID: devices.nextDeviceID}
}

// DeleteDevice removes hash's device, or marks it for deferred deletion.
func (devices *DeviceSet) DeleteDevice(hash string) {
	devices.Lock()
	info := devices.Devices[hash]
	devices.Unlock()
	if info == nil {
		return
	}

	info.lock.Lock()
	defer info.lock.Unlock()

	devices.Lock()
	defer devices.Unlock()
	if info.Deleted {
		devices.nrDeletedDevices--
	}
	delete(devices.Devices, hash)
}

// Shutdown stops the deletion worker.
func (devices *DeviceSet) Shutdown() {
	close(devices.shutdown)
}

// Run starts the worker with deferred deletion on and creates devices.
func Run() {
	devices := &DeviceSet{
		Devices:              map[string]*devInfo{},
		deletionWorkerTicker: time.NewTicker(10 * time.Millisecond),
		shutdown:             make(chan struct{}),
	}
	go devices.deletionWorker()
	time.Sleep(50 * time.Millisecond)
	devices.AddDevice("base")
	devices.Shutdown()
}
