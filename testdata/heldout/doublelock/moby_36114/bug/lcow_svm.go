// Package bug is a held-out kernel (issue 14): the LCOW graph driver's
// service VM, whose hotAddVHDsAtStart holds the VM's lock while it
// hot-adds disks and, when one fails, tears down the ones already added
// by calling hotRemoveVHDsAtStart, which takes the same lock again; the
// goroutine blocks on itself and every later operation on the service VM
// waits behind it.
//
// Upstream: moby/moby#36114 ("LCOW: Graphdriver fix deadlock in hotRemoveVHDs", fixes moby/moby#36113)
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: "Straight-forward deadlock in the tear-down error path
// during HotAddVHDs (where the lock is held) ... The contract wasn't being
// adhered to correctly for hot-removing VHDs from the utility VM." The
// serviceVM (embedded mutex, start status channel, ref-counted attached
// VHDs), hotAddVHDs/hotAddVHDsAtStart and hotRemoveVHDs/AtStart follow
// daemon/graphdriver/lcow/lcow_svm.go; the opengcs client is an
// interface.
//
// Fix: the removal body becomes _hotRemoveVHDs, called with the lock held;
// hotRemoveVHDs and hotRemoveVHDsAtStart lock around it, and the error
// path of hotAddVHDsAtStart calls _hotRemoveVHDs directly.
package bug

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
			svm.hotRemoveVHDsAtStart(mvds[:i]...) // heldout:site
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
	svm.Lock() // heldout:site
	defer svm.Unlock()
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
