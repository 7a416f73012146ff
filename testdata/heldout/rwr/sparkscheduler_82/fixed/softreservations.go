// Package fixed is the fixed version of rwr/sparkscheduler_82: the map is
// read directly under the one read lock.
package fixed

import "sync"

// SparkAppIDLabel labels a pod with its application.
const SparkAppIDLabel = "spark-app-id"

// Pod is the part of a Kubernetes pod the store reads.
type Pod struct {
	Name   string
	Labels map[string]string
}

// SoftReservation holds the executors an application may schedule.
type SoftReservation struct {
	Reservations map[string]string
	Status       map[string]bool
}

// SoftReservationStore is the in-memory store of soft reservations.
type SoftReservationStore struct {
	store     map[string]*SoftReservation
	storeLock sync.RWMutex
}

// GetSoftReservation returns the application's reservation.
func (s *SoftReservationStore) GetSoftReservation(appID string) (*SoftReservation, bool) {
	s.storeLock.RLock()
	defer s.storeLock.RUnlock()
	sr, ok := s.store[appID]
	return sr, ok
}

// ExecutorHasSoftReservation reports whether the executor has a reservation.
func (s *SoftReservationStore) ExecutorHasSoftReservation(executor *Pod) bool {
	s.storeLock.RLock()
	defer s.storeLock.RUnlock()
	appID, ok := executor.Labels[SparkAppIDLabel]
	if !ok {
		return false
	}
	if sr, ok := s.store[appID]; ok {
		_, ok := sr.Reservations[executor.Name]
		return ok
	}
	return false
}

// CreateSoftReservationIfNotExists adds an empty reservation.
func (s *SoftReservationStore) CreateSoftReservationIfNotExists(appID string) {
	s.storeLock.Lock()
	defer s.storeLock.Unlock()
	if _, ok := s.store[appID]; !ok {
		s.store[appID] = &SoftReservation{Reservations: map[string]string{}, Status: map[string]bool{}}
	}
}
