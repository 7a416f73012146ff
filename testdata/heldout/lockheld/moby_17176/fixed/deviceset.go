// Package fixed is the fixed version of lockheld/moby_17176: the early
// return of cleanupDeletedDevices drops the DeviceSet lock.
package fixed

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
	devices.Lock()

	// If there are no deleted devices, there is nothing to do.
	if devices.nrDeletedDevices == 0 {
		devices.Unlock()
		return nil
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
	devices.Lock()
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
