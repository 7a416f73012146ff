// Package bug is a held-out kernel (issue 14): the storage provider's
// health checker guards its SP maps with an RWMutex. isVGFHealthy takes
// the read lock and calls isGVGHealthy, which takes it again and calls
// isSPHealthy, which takes it a third time. When the checker's ticker
// goroutine (checkAllSPHealth) or the meta refresher (addSP) asks for the
// write lock between two of those RLocks, the writer waits for the outer
// reader and the inner RLock waits behind the writer: both block forever,
// and every later pick of a family or group blocks behind them.
//
// Upstream: bnb-chain/greenfield-storage-provider#1245 ("fix: fix sp healthy checker dead lock bug")
// Round: 16
//
// Bug: the checker, its three nested health predicates, the refresher's
// addSP and the periodic checkAllSPHealth follow the code before the PR
// (modular/manager virtual group manager); the chain client, the HTTP probe
// (a probe func here), logging and the family/group pickers are reduced to
// one pickFamily that asks isVGFHealthy for each family. The ticker loop
// takes a stop channel here (upstream's runs for the life of the process).
//
// Fix: the PR stops taking the read lock twice in one goroutine; our
// reading is that the nested predicates run under the outer caller's
// read lock through helpers that do not lock.
package bug

import (
	"sync"
	"time"
)

// StorageProvider is one SP known on chain.
type StorageProvider struct {
	ID       uint32
	Endpoint string
}

// GlobalVirtualGroupMeta is a group of one primary and some secondaries.
type GlobalVirtualGroupMeta struct {
	ID             uint32
	PrimarySPID    uint32
	SecondarySPIDs []uint32
}

// VirtualGroupFamilyMeta is the set of groups a primary SP serves.
type VirtualGroupFamilyMeta struct {
	ID     uint32
	GVGMap map[uint32]*GlobalVirtualGroupMeta
}

const minAvailableSPs = 1

// HealthChecker keeps which SPs answered their last probe.
type HealthChecker struct {
	mutex sync.RWMutex

	sps          map[uint32]*StorageProvider
	unhealthySPs map[uint32]*StorageProvider

	probe func(sp *StorageProvider) bool
}

// NewHealthChecker returns a checker that probes SPs with probe.
func NewHealthChecker(probe func(sp *StorageProvider) bool) *HealthChecker {
	return &HealthChecker{
		sps:          make(map[uint32]*StorageProvider),
		unhealthySPs: make(map[uint32]*StorageProvider),
		probe:        probe,
	}
}

func (checker *HealthChecker) addSP(sp *StorageProvider) {
	checker.mutex.Lock() // heldout:site
	defer checker.mutex.Unlock()
	if _, ok := checker.sps[sp.ID]; !ok {
		checker.sps[sp.ID] = sp
	}
}

func (checker *HealthChecker) isSPHealthy(spID uint32) bool {
	checker.mutex.RLock() // heldout:site
	defer checker.mutex.RUnlock()

	if _, ok := checker.sps[spID]; ok {
		_, bad := checker.unhealthySPs[spID]
		return !bad
	}
	return false
}

// isGVGHealthy says whether the group's primary and every secondary are
// healthy.
func (checker *HealthChecker) isGVGHealthy(gvg *GlobalVirtualGroupMeta) bool {
	checker.mutex.RLock() // heldout:site
	defer checker.mutex.RUnlock()

	if !checker.isSPHealthy(gvg.PrimarySPID) {
		return false
	}
	for _, spID := range gvg.SecondarySPIDs {
		if !checker.isSPHealthy(spID) {
			return false
		}
	}
	return true
}

// isVGFHealthy says whether at least one group of the family is healthy.
func (checker *HealthChecker) isVGFHealthy(vgf *VirtualGroupFamilyMeta) bool {
	checker.mutex.RLock() // heldout:site
	defer checker.mutex.RUnlock()

	if len(vgf.GVGMap) == 0 {
		return true
	}
	healthy := len(vgf.GVGMap)
	for _, gvg := range vgf.GVGMap {
		if !checker.isGVGHealthy(gvg) {
			healthy--
		}
	}
	return healthy > 0
}

func (checker *HealthChecker) checkAllSPHealth() {
	spTemp := make(map[uint32]*StorageProvider)
	unhealthyTemp := make(map[uint32]*StorageProvider)
	checker.mutex.RLock()
	for id, sp := range checker.sps {
		spTemp[id] = sp
	}
	checker.mutex.RUnlock()

	unhealthy := 0
	for id, sp := range spTemp {
		if !checker.probe(sp) {
			unhealthy++
			unhealthyTemp[id] = sp
		}
	}
	if len(spTemp)-unhealthy >= minAvailableSPs {
		checker.mutex.Lock() // heldout:site
		checker.sps = spTemp
		checker.unhealthySPs = unhealthyTemp
		checker.mutex.Unlock()
	}
}

// Start probes every SP on each tick until stop is closed.
func (checker *HealthChecker) Start(interval time.Duration, stop <-chan struct{}) {
	go func() {
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ticker.C:
				checker.checkAllSPHealth()
			}
		}
	}()
}

type virtualGroupManager struct {
	mutex         sync.RWMutex
	families      map[uint32]*VirtualGroupFamilyMeta
	healthChecker *HealthChecker
}

// refresh records the SPs listed on chain.
func (vgm *virtualGroupManager) refresh(sps []*StorageProvider) {
	for _, sp := range sps {
		vgm.healthChecker.addSP(sp)
	}
}

// pickFamily returns a family with a healthy group, for a new bucket.
func (vgm *virtualGroupManager) pickFamily() *VirtualGroupFamilyMeta {
	vgm.mutex.RLock()
	defer vgm.mutex.RUnlock()
	for _, vgf := range vgm.families {
		if vgm.healthChecker.isVGFHealthy(vgf) {
			return vgf
		}
	}
	return nil
}

// Run starts the checker and serves picks while the chain is refreshed.
func Run(sps []*StorageProvider, families map[uint32]*VirtualGroupFamilyMeta) *VirtualGroupFamilyMeta {
	vgm := &virtualGroupManager{
		families:      families,
		healthChecker: NewHealthChecker(func(*StorageProvider) bool { return true }),
	}
	vgm.refresh(sps)
	stop := make(chan struct{})
	defer close(stop)
	vgm.healthChecker.Start(time.Millisecond, stop)
	go func() {
		for i := 0; i < 100; i++ {
			vgm.refresh(sps)
		}
	}()
	return vgm.pickFamily()
}
