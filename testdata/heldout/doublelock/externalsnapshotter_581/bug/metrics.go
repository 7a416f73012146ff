// Package bug is a held-out kernel (issue 14): a helper that takes the
// mutex its only caller already holds.
//
// Upstream: kubernetes-csi/external-snapshotter#581 ("Fix deadlock in recursive metric locks", fixes kubernetes-csi/external-snapshotter#580)
// Round: 2
//
// Bug: #519 replaced the cache's sync.Map by a map under opMgr.mu and made
// recordCancelMetric lock opMgr.mu too; RecordMetrics holds opMgr.mu when it
// finds the create operation of a deleted snapshot unfinished and calls
// recordCancelMetric, which blocks forever on the same mutex. Every
// snapshotWorker then stops on RecordMetrics (issue #580: the snapshot
// controller stops processing VolumeSnapshots).
//
// Fix: recordCancelMetric does not lock; all its callers hold the mutex.
package bug

import (
	"sync"
	"time"
)

// OperationKey identifies one operation on one snapshot.
type OperationKey struct {
	Name       string
	ResourceID string
}

// OperationValue is a started operation.
type OperationValue struct {
	Driver       string
	SnapshotType string
	startTime    time.Time
}

// OperationStatus is an operation's outcome.
type OperationStatus interface {
	IsSuccess() bool
}

// Observer is the part of a Prometheus histogram the manager uses.
type Observer interface {
	Observe(float64)
}

type operationMetricsManager struct {
	mu          sync.Mutex
	cache       map[OperationKey]OperationValue
	opLatency   Observer
	opInFlight  func(float64)
	cancelCount int
}

// RecordMetrics records the end of the operation op.
func (opMgr *operationMetricsManager) RecordMetrics(opKey OperationKey, opStatus OperationStatus, driverName string) {
	opMgr.mu.Lock()
	defer opMgr.mu.Unlock()
	obj, exists := opMgr.cache[opKey]
	if !exists {
		return
	}
	duration := time.Since(obj.startTime).Seconds()
	opMgr.opLatency.Observe(duration)
	if opKey.Name == "DeleteSnapshot" {
		createKey := OperationKey{Name: "CreateSnapshot", ResourceID: opKey.ResourceID}
		if obj, exists := opMgr.cache[createKey]; exists {
			// record a cancel metric if found
			opMgr.recordCancelMetric(obj, createKey, duration) // heldout:site
		}
	}
	delete(opMgr.cache, opKey)
	opMgr.opInFlight(float64(len(opMgr.cache)))
}

// recordCancelMetric records a metric for a create operation that hasn't finished.
func (opMgr *operationMetricsManager) recordCancelMetric(obj OperationValue, key OperationKey, duration float64) {
	opMgr.mu.Lock() // heldout:site
	defer opMgr.mu.Unlock()
	opMgr.cancelCount++
	opMgr.opLatency.Observe(duration)
	delete(opMgr.cache, key)
	opMgr.opInFlight(float64(len(opMgr.cache)))
}
