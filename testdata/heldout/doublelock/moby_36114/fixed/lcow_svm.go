// Package fixed is the fixed version of doublelock/moby_36114: the error
// path of hotAddVHDsAtStart calls _hotRemoveVHDs, which expects the lock
// already held.
package fixed

import (
	"errors"
	"sync"
)

// MappedVirtualDisk is a VHD mapped into the utility VM.
type MappedVirtualDisk struct {
	HostPath      string
	ContainerPath string
	ReadOnly      bool
}

// vmConfig is the opengcs client for the utility VM.
type vmConfig interface {
	HotAddVhd(hostPath, containerPath string, readOnly bool) error
	HotRemoveVhd(hostPath string) error
}

type serviceVM struct {
	sync.Mutex // Serialises operations being performed in this service VM.
	config     vmConfig

	// Indicates that the vm is started.
	startStatus chan interface{}
	startError  error

	attachedVHDs map[string]int // Ref counts of the VHDs hot-added.
}

func (svm *serviceVM) signalStartFinished(err error) {
	svm.startError = err
	close(svm.startStatus)
}

func (svm *serviceVM) getStartError() error {
	<-svm.startStatus
	return svm.startError
}

// hotAddVHDs waits for the service vm to start and then attaches the vhds.
func (svm *serviceVM) hotAddVHDs(mvds ...MappedVirtualDisk) error {
	if err := svm.getStartError(); err != nil {
		return err
	}
	return svm.hotAddVHDsAtStart(mvds...)
}

// hotAddVHDsAtStart works like hotAddVHDs but does not wait for the VM to
// start.
func (svm *serviceVM) hotAddVHDsAtStart(mvds ...MappedVirtualDisk) error {
	svm.Lock()
	defer svm.Unlock()
	for i, mvd := range mvds {
		if _, ok := svm.attachedVHDs[mvd.HostPath]; ok {
			svm.attachedVHDs[mvd.HostPath]++
			continue
		}
		if err := svm.config.HotAddVhd(mvd.HostPath, mvd.ContainerPath, mvd.ReadOnly); err != nil {
			svm._hotRemoveVHDs(mvds[:i]...)
			return err
		}
		svm.attachedVHDs[mvd.HostPath] = 1
	}
	return nil
}

// hotRemoveVHDs waits for the service vm to start and then removes the
// vhds.
func (svm *serviceVM) hotRemoveVHDs(mvds ...MappedVirtualDisk) error {
	if err := svm.getStartError(); err != nil {
		return err
	}
	return svm.hotRemoveVHDsAtStart(mvds...)
}

// hotRemoveVHDsAtStart works like hotRemoveVHDs but does not wait for the
// VM to start.
func (svm *serviceVM) hotRemoveVHDsAtStart(mvds ...MappedVirtualDisk) error {
	svm.Lock()
	defer svm.Unlock()
	return svm._hotRemoveVHDs(mvds...)
}

// _hotRemoveVHDs removes VHDs from a service VM. The caller must hold the
// service VM lock.
func (svm *serviceVM) _hotRemoveVHDs(mvds ...MappedVirtualDisk) error {
	var retErr error
	for _, mvd := range mvds {
		if _, ok := svm.attachedVHDs[mvd.HostPath]; !ok {
			continue
		}
		if svm.attachedVHDs[mvd.HostPath] > 1 {
			svm.attachedVHDs[mvd.HostPath]--
			continue
		}
		if err := svm.config.HotRemoveVhd(mvd.HostPath); err == nil {
			delete(svm.attachedVHDs, mvd.HostPath)
		} else if retErr == nil {
			retErr = err
		}
	}
	return retErr
}

// flakyGCS fails to add the second disk.
type flakyGCS struct{ adds int }

func (g *flakyGCS) HotAddVhd(hostPath, containerPath string, readOnly bool) error {
	g.adds++
	if g.adds == 2 {
		return errors.New("hot add failed: the device is not ready")
	}
	return nil
}

func (g *flakyGCS) HotRemoveVhd(hostPath string) error { return nil }

// MountLayers attaches a container's layers when the second one fails.
func MountLayers() error {
	svm := &serviceVM{config: &flakyGCS{}, startStatus: make(chan interface{}), attachedVHDs: map[string]int{}}
	go svm.signalStartFinished(nil)
	return svm.hotAddVHDs(
		MappedVirtualDisk{HostPath: `c:\lcow\base\layer.vhd`, ContainerPath: "/tmp/base", ReadOnly: true},
		MappedVirtualDisk{HostPath: `c:\lcow\app\layer.vhd`, ContainerPath: "/tmp/app", ReadOnly: true},
	)
}
