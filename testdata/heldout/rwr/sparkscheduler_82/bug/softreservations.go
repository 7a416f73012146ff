// Package bug is a held-out kernel (issue 14): a recursive read lock
// through a getter.
//
// Upstream: palantir/k8s-spark-scheduler#82 ("Fixes a probable deadlock condition in the SoftReservationStore")
//
// Bug: ExecutorHasSoftReservation read-locks the store and calls
// GetSoftReservation, which read-locks it again; a CreateSoftReservation
// waiting for the write lock in between deadlocks both.
//
// Fix: ExecutorHasSoftReservation reads the map directly under its lock.
package bug

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
	s.storeLock.RLock() // heldout:site
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
	if sr, ok := s.GetSoftReservation(appID); ok { // heldout:site
		_, ok := sr.Reservations[executor.Name]
		return ok
	}
	return false
}

// CreateSoftReservationIfNotExists adds an empty reservation.
func (s *SoftReservationStore) CreateSoftReservationIfNotExists(appID string) {
	s.storeLock.Lock() // heldout:site
	defer s.storeLock.Unlock()
	if _, ok := s.store[appID]; !ok {
		s.store[appID] = &SoftReservation{Reservations: map[string]string{}, Status: map[string]bool{}}
	}
}
