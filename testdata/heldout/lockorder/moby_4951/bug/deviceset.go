// Package bug is a held-out kernel (issue 14): AB-BA deadlock in the
// devicemapper graph driver between the global DeviceSet lock and a
// device's own lock. UnmountDevice takes the global lock, then the
// device lock, and while it waits for the kernel to remove the device it
// drops the global lock to sleep and takes it again; DeleteDevice on the
// same device, run in that window, takes the global lock and waits for
// the device lock.
//
// Upstream: moby/moby#4951 ("Fix AB-BA deadlock in devicemapper backend")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: "We currently drop the global lock while holding a
// per-device lock when we are e.g sleeping for device removal, and then
// we re-aquire it when the sleep is done. This is causing a AB-BA
// deadlock if anyone at the same time tries to do any operation on that
// device" — thread A grabs the global lock, the device lock, releases the
// global lock and sleeps, then blocks on the global lock; thread B grabs
// the global lock and blocks on the device lock (two concurrent docker
// rm of a container whose unmount saw EBUSY). libdevmapper is reduced to
// an interface whose remove can report busy; mounting, metadata and the
// thin pool are left out.
//
// Fix: a separate devicesLock protects the Devices map, so a device can
// be looked up without the global lock, and the order is fixed as device
// lock first, global lock second, in every operation.
package bug

import (
	"errors"
	"sync"
	"time"
)

var errBusy = errors.New("device or resource busy")

// devmapper is the part of libdevmapper the driver calls.
type devmapper interface {
	RemoveDevice(name string) error
	Exists(name string) bool
}

// DevInfo is one thin device.
type DevInfo struct {
	Hash      string
	mountPath string
	// The global DeviceSet lock serializes all calls to libdevmapper,
	// which is not thread safe, but it is sometimes released while
	// sleeping; this per-device lock is still held then, protecting the
	// device being waited on.
	lock sync.Mutex
}

// Name is the device-mapper name of the device.
func (info *DevInfo) Name() string { return "docker-" + info.Hash }

// DeviceSet is the set of thin devices in the pool.
type DeviceSet struct {
	sync.Mutex // Protects Devices and serializes calls into libdevmapper.
	Devices    map[string]*DevInfo
	dm         devmapper
}

// removeDeviceAndWait removes the device and waits for it to be gone.
// Called with devices.Lock held.
func (devices *DeviceSet) removeDeviceAndWait(devname string) error {
	var err error
	for i := 0; i < 1000; i++ {
		err = devices.dm.RemoveDevice(devname)
		if err == nil {
			break
		}
		if !errors.Is(err, errBusy) {
			return err
		}
		// EBUSY may be transient: sleep a bit and retry.
		devices.Unlock()
		time.Sleep(10 * time.Millisecond)
		devices.Lock() // heldout:site
	}
	return err
}

func (devices *DeviceSet) deactivateDevice(info *DevInfo) error {
	if devices.dm.Exists(info.Name()) {
		return devices.removeDeviceAndWait(info.Name())
	}
	return nil
}

// UnmountDevice unmounts hash's device and deactivates it.
func (devices *DeviceSet) UnmountDevice(hash string) error {
	devices.Lock()
	defer devices.Unlock()

	info := devices.Devices[hash]
	if info == nil {
		return errors.New("unknown device " + hash)
	}

	info.lock.Lock() // heldout:site
	defer info.lock.Unlock()

	info.mountPath = ""
	return devices.deactivateDevice(info)
}

// DeleteDevice deactivates and forgets hash's device.
func (devices *DeviceSet) DeleteDevice(hash string) error {
	devices.Lock()
	defer devices.Unlock()

	info := devices.Devices[hash]
	if info == nil {
		return errors.New("unknown device " + hash)
	}

	info.lock.Lock() // heldout:site
	defer info.lock.Unlock()

	if err := devices.deactivateDevice(info); err != nil {
		return err
	}
	delete(devices.Devices, hash)
	return nil
}

// busyOnce reports EBUSY on the first removal.
type busyOnce struct {
	mu      sync.Mutex
	tries   int
	removed map[string]bool
}

func (b *busyOnce) RemoveDevice(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tries++
	if b.tries == 1 {
		return errBusy
	}
	b.removed[name] = true
	return nil
}

func (b *busyOnce) Exists(name string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.removed[name]
}

// RemoveTwice runs two removals of the same container at once.
func RemoveTwice() {
	devices := &DeviceSet{
		Devices: map[string]*DevInfo{"c1": {Hash: "c1", mountPath: "/mnt/c1"}},
		dm:      &busyOnce{removed: map[string]bool{}},
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		devices.UnmountDevice("c1")
	}()
	go func() {
		defer wg.Done()
		time.Sleep(5 * time.Millisecond)
		devices.DeleteDevice("c1")
	}()
	wg.Wait() // heldout:site
}
