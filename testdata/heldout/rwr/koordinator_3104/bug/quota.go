// Package bug is a held-out kernel (issue 14): the elastic quota plugin of
// the koordinator scheduler, whose GetQuotaSnapshot read-locks a
// QuotaInfo and then calls DeepCopy, which read-locks the same RWMutex
// again; a pod update that locks the quota for writing in between (to
// add the pod's usage) queues behind the first read lock and blocks the
// second, and both goroutines wait for ever.
//
// Upstream: koordinator-sh/koordinator#3104 ("scheduler: fix potential deadlock caused by double RLock in GetQuotaSnapshot")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: "GetQuotaSnapshot acquires quotaInfo.lock.RLock() before
// calling quotaInfo.DeepCopy(), but DeepCopy() internally acquires
// quotaInfo.lock.RLock() as well", with a goroutine dump of the writer
// (OnPodUpdate → updatePodUsedNoLock → updateGroupDeltaUsedNoLock →
// scopedLockForQuotaInfo → Lock) and the reader (updateQuotaSnapshot →
// GetQuotaSnapshot → DeepCopy → RLock) stuck for 322 minutes. Those
// functions are kept; the quota tree is reduced to a map of quotas with
// their parents, resources to a map of quantities, and the
// manager-level lock to one RWMutex; the bodies are our reduction.
//
// Fix: GetQuotaSnapshot no longer takes the quota's read lock itself:
// DeepCopy takes it.
package bug

import "sync"

// ResourceList is an amount per resource name.
type ResourceList map[string]int64

func (r ResourceList) add(delta ResourceList) {
	for name, q := range delta {
		r[name] += q
	}
}

func (r ResourceList) clone() ResourceList {
	out := make(ResourceList, len(r))
	for name, q := range r {
		out[name] = q
	}
	return out
}

// QuotaInfo is one elastic quota and its runtime usage.
type QuotaInfo struct {
	Name       string
	ParentName string
	Max        ResourceList
	Used       ResourceList

	lock sync.RWMutex
}

// DeepCopy copies the quota under its read lock.
func (q *QuotaInfo) DeepCopy() *QuotaInfo {
	q.lock.RLock() // heldout:site
	defer q.lock.RUnlock()
	return &QuotaInfo{
		Name:       q.Name,
		ParentName: q.ParentName,
		Max:        q.Max.clone(),
		Used:       q.Used.clone(),
	}
}

// GroupQuotaManager keeps the quota tree and the usage of each quota.
type GroupQuotaManager struct {
	hierarchyUpdateLock sync.RWMutex
	quotaInfoMap        map[string]*QuotaInfo
	podQuota            map[string]string
	snapshots           map[string]*QuotaInfo
}

// GetQuotaSnapshot returns a copy of a quota.
func (gqm *GroupQuotaManager) GetQuotaSnapshot(name string) *QuotaInfo {
	gqm.hierarchyUpdateLock.RLock()
	quotaInfo := gqm.quotaInfoMap[name]
	gqm.hierarchyUpdateLock.RUnlock()
	if quotaInfo == nil {
		return nil
	}
	quotaInfo.lock.RLock() // heldout:site
	defer quotaInfo.lock.RUnlock()
	return quotaInfo.DeepCopy() // heldout:site
}

func (gqm *GroupQuotaManager) updateQuotaSnapshot() {
	gqm.hierarchyUpdateLock.RLock()
	names := make([]string, 0, len(gqm.quotaInfoMap))
	for name := range gqm.quotaInfoMap {
		names = append(names, name)
	}
	gqm.hierarchyUpdateLock.RUnlock()

	snapshots := make(map[string]*QuotaInfo, len(names))
	for _, name := range names {
		snapshots[name] = gqm.GetQuotaSnapshot(name)
	}
	gqm.hierarchyUpdateLock.Lock()
	gqm.snapshots = snapshots
	gqm.hierarchyUpdateLock.Unlock()
}

// getCurQuotaInfoListRecursiveNoLock returns the quota and its ancestors,
// leaf first.
func (gqm *GroupQuotaManager) getCurQuotaInfoListRecursiveNoLock(name string) []*QuotaInfo {
	var list []*QuotaInfo
	for q := gqm.quotaInfoMap[name]; q != nil; q = gqm.quotaInfoMap[q.ParentName] {
		list = append(list, q)
	}
	return list
}

// scopedLockForQuotaInfo write-locks the quotas root first and returns
// the unlock.
func (gqm *GroupQuotaManager) scopedLockForQuotaInfo(quotaList []*QuotaInfo) func() {
	for i := len(quotaList) - 1; i >= 0; i-- {
		quotaList[i].lock.Lock() // heldout:site
	}
	return func() {
		for i := 0; i < len(quotaList); i++ {
			quotaList[i].lock.Unlock()
		}
	}
}

func (gqm *GroupQuotaManager) updateGroupDeltaUsedNoLock(quotaName string, delta ResourceList) {
	quotaInfoList := gqm.getCurQuotaInfoListRecursiveNoLock(quotaName)
	defer gqm.scopedLockForQuotaInfo(quotaInfoList)()
	for _, q := range quotaInfoList {
		q.Used.add(delta)
	}
}

func (gqm *GroupQuotaManager) updatePodUsedNoLock(quotaName string, delta ResourceList) {
	gqm.updateGroupDeltaUsedNoLock(quotaName, delta)
}

// OnPodUpdate charges a pod's requests to its quota.
func (gqm *GroupQuotaManager) OnPodUpdate(pod string, requests ResourceList) {
	gqm.hierarchyUpdateLock.RLock()
	defer gqm.hierarchyUpdateLock.RUnlock()
	quotaName, ok := gqm.podQuota[pod]
	if !ok {
		return
	}
	gqm.updatePodUsedNoLock(quotaName, requests)
}

// Schedule snapshots the quotas while a pod's usage is charged.
func Schedule() {
	gqm := &GroupQuotaManager{
		quotaInfoMap: map[string]*QuotaInfo{
			"root": {Name: "root", Max: ResourceList{"cpu": 64}, Used: ResourceList{}},
			"team": {Name: "team", ParentName: "root", Max: ResourceList{"cpu": 8}, Used: ResourceList{}},
		},
		podQuota: map[string]string{"default/web-0": "team"},
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		gqm.updateQuotaSnapshot()
	}()
	go func() {
		defer wg.Done()
		gqm.OnPodUpdate("default/web-0", ResourceList{"cpu": 2})
	}()
	wg.Wait() // heldout:site
}
