// Package fixed is the fixed version of doublelock/externalsnapshotter_581:
// recordCancelMetric relies on its callers holding opMgr.mu.
package fixed

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
			opMgr.recordCancelMetric(obj, createKey, duration)
		}
	}
	delete(opMgr.cache, opKey)
	opMgr.opInFlight(float64(len(opMgr.cache)))
}

// recordCancelMetric records a metric for a create operation that hasn't finished.
// The caller holds opMgr.mu.
func (opMgr *operationMetricsManager) recordCancelMetric(obj OperationValue, key OperationKey, duration float64) {
	opMgr.cancelCount++
	opMgr.opLatency.Observe(duration)
	delete(opMgr.cache, key)
	opMgr.opInFlight(float64(len(opMgr.cache)))
}
