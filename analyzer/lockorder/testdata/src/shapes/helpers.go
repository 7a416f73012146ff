package shapes

import (
	"net/http"
	"sync"
	"time"
)

// Upstream: hashicorp/vault#12601 (fixed by hashicorp/vault#12691)
//
// A standby core forwarding a request held requestForwardingConnectionLock
// for reading and asked c.PerfStandby(), a helper that read-locks
// stateLock for one field. Meanwhile the core taking over leadership held
// stateLock for writing and, several calls down (postUnseal, the unseal
// strategy, the forwarding teardown), write-locked
// requestForwardingConnectionLock. Each waits for the other's lock: the
// writer for the forwarding reader, the reader's RLock of stateLock for
// the leader's write lock. Fix: ForwardRequest calls PerfStandby before it
// takes the forwarding lock.
type vaultCore struct {
	stateLock                       sync.RWMutex
	perfStandby                     bool
	requestForwardingConnectionLock sync.RWMutex
	rpcClient                       *http.Client
	unsealer                        vaultUnsealStrategy
}

type vaultUnsealStrategy interface {
	unseal(c *vaultCore) error
}

type vaultStandardUnseal struct{}

func (vaultStandardUnseal) unseal(c *vaultCore) error {
	return c.setupCluster()
}

func (c *vaultCore) PerfStandby() bool {
	c.stateLock.RLock()
	defer c.stateLock.RUnlock()
	return c.perfStandby
}

func (c *vaultCore) clearForwardingClients() {
	c.requestForwardingConnectionLock.Lock()
	defer c.requestForwardingConnectionLock.Unlock()
	c.rpcClient = nil
}

func (c *vaultCore) stopForwarding() { c.clearForwardingClients() }

func (c *vaultCore) setupCluster() error {
	c.stopForwarding()
	return nil
}

func (c *vaultCore) postUnseal() error {
	return c.unsealer.unseal(c)
}

func (c *vaultCore) waitForLeadership() {
	c.stateLock.Lock()
	defer c.stateLock.Unlock()
	c.perfStandby = false
	c.postUnseal() // want `lock order inversion: waitForLeadership locks c.stateLock \(line \d+\) then c.requestForwardingConnectionLock inside c.postUnseal \(line \d+\) here, while ForwardRequest locks c.requestForwardingConnectionLock \(line \d+\) then c.stateLock \(line \d+\)`
}

func (c *vaultCore) ForwardRequest(req *http.Request) (int, error) {
	c.requestForwardingConnectionLock.RLock()
	defer c.requestForwardingConnectionLock.RUnlock()
	if c.rpcClient == nil {
		return 0, nil
	}
	resp, err := c.rpcClient.Do(req)
	if err != nil {
		return 0, err
	}
	if c.PerfStandby() {
		time.Sleep(time.Millisecond) // wait for the WAL to ship
	}
	return resp.StatusCode, nil
}

func newVaultCore() *vaultCore { return &vaultCore{unsealer: vaultStandardUnseal{}} }

// The fix: PerfStandby is asked before the forwarding lock is taken.
type vaultCoreFixed struct {
	stateLock                       sync.RWMutex
	perfStandby                     bool
	requestForwardingConnectionLock sync.RWMutex
	rpcClient                       *http.Client
}

func (c *vaultCoreFixed) PerfStandby() bool {
	c.stateLock.RLock()
	defer c.stateLock.RUnlock()
	return c.perfStandby
}

func (c *vaultCoreFixed) clearForwardingClients() {
	c.requestForwardingConnectionLock.Lock()
	defer c.requestForwardingConnectionLock.Unlock()
	c.rpcClient = nil
}

func (c *vaultCoreFixed) stopForwarding() { c.clearForwardingClients() }

func (c *vaultCoreFixed) setupCluster() error {
	c.stopForwarding()
	return nil
}

func (c *vaultCoreFixed) waitForLeadership() {
	c.stateLock.Lock()
	defer c.stateLock.Unlock()
	c.perfStandby = false
	c.setupCluster()
}

func (c *vaultCoreFixed) ForwardRequest(req *http.Request) (int, error) {
	isPerfStandby := c.PerfStandby()
	c.requestForwardingConnectionLock.RLock()
	defer c.requestForwardingConnectionLock.RUnlock()
	if c.rpcClient == nil {
		return 0, nil
	}
	resp, err := c.rpcClient.Do(req)
	if err != nil {
		return 0, err
	}
	if isPerfStandby {
		time.Sleep(time.Millisecond)
	}
	return resp.StatusCode, nil
}
