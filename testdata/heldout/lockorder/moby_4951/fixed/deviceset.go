// Package fixed is the fixed version of lockorder/moby_4951: the Devices
// map has its own devicesLock, and every operation takes the device lock
// before the global lock.
package fixed

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
	sync.Mutex             // Serializes calls into libdevmapper; taken after a device lock.
	devicesLock sync.Mutex // Protects Devices.
	Devices     map[string]*DevInfo
	dm          devmapper
}

func (devices *DeviceSet) lookupDevice(hash string) (*DevInfo, error) {
	devices.devicesLock.Lock()
	defer devices.devicesLock.Unlock()
	info := devices.Devices[hash]
	if info == nil {
		return nil, errors.New("unknown device " + hash)
	}
	return info, nil
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
		devices.Lock()
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
	info, err := devices.lookupDevice(hash)
	if err != nil {
		return err
	}

	info.lock.Lock()
	defer info.lock.Unlock()

	devices.Lock()
	defer devices.Unlock()

	info.mountPath = ""
	return devices.deactivateDevice(info)
}

// DeleteDevice deactivates and forgets hash's device.
func (devices *DeviceSet) DeleteDevice(hash string) error {
	info, err := devices.lookupDevice(hash)
	if err != nil {
		return err
	}

	info.lock.Lock()
	defer info.lock.Unlock()

	devices.Lock()
	defer devices.Unlock()

	if err := devices.deactivateDevice(info); err != nil {
		return err
	}
	devices.devicesLock.Lock()
	delete(devices.Devices, hash)
	devices.devicesLock.Unlock()
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
	wg.Wait()
}
