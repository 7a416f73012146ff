// Package bug is a held-out kernel (issue 14): the PKI backend's
// tidy-status read takes the tidy status read lock and, to report the
// last auto-tidy time, calls getLastAutoTidyTime, which takes the same
// read lock again; a tidy operation starting in between asks for the
// write lock, the nested RLock queues behind it, and the writer waits for
// the outer RLock.
//
// Upstream: hashicorp/vault#28556 ("Do not acquire a read lock twice on tidyStatusLock during tidy-status")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: the PR lists the steps: pathTidyStatusRead acquires the read lock
// on tidyStatusLock at its top; startTidyOperation performs a blocking
// Lock on tidyStatusLock; the call to b.getLastAutoTidyTime() then tries
// to re-acquire the read lock, which once a write lock request is pending
// deadlocks. Logical requests, responses and storage are reduced to maps
// and a small storage interface; the counters to two of the many.
//
// Fix: pathTidyStatusRead calls getLastAutoTidyTimeWithoutLock, since it
// already holds the lock.
package bug

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

type tidyStatusState int

const (
	tidyStatusInactive tidyStatusState = iota
	tidyStatusStarted
	tidyStatusFinished
	tidyStatusError
)

type tidyStatus struct {
	state        tidyStatusState
	err          error
	timeStarted  time.Time
	timeFinished time.Time

	certStoreDeletedCount   uint
	revokedCertDeletedCount uint
}

// storage persists the auto-tidy time.
type storage interface {
	writeAutoTidyLastRun(t time.Time) error
}

type backend struct {
	store storage

	tidyCASGuard   atomic.Uint32
	tidyStatusLock sync.RWMutex
	tidyStatus     *tidyStatus
	lastAutoTidy   time.Time
}

func newBackend(s storage) *backend {
	return &backend{store: s, tidyStatus: &tidyStatus{state: tidyStatusInactive}}
}

// startTidyOperation records that a tidy has started and runs it.
func (b *backend) startTidyOperation(ctx context.Context, tidy func(context.Context) error) error {
	if !b.tidyCASGuard.CompareAndSwap(0, 1) {
		return errors.New("tidy operation already in progress")
	}
	b.tidyStatusLock.Lock() // heldout:site
	b.tidyStatus = &tidyStatus{state: tidyStatusStarted, timeStarted: time.Now()}
	b.tidyStatusLock.Unlock()

	go func() {
		defer b.tidyCASGuard.Store(0)
		err := tidy(ctx)
		b.tidyStatusStop(err)
	}()
	return nil
}

func (b *backend) tidyStatusStop(err error) {
	b.tidyStatusLock.Lock()
	defer b.tidyStatusLock.Unlock()
	b.tidyStatus.timeFinished = time.Now()
	b.tidyStatus.err = err
	if err == nil {
		b.tidyStatus.state = tidyStatusFinished
	} else {
		b.tidyStatus.state = tidyStatusError
	}
}

func (b *backend) tidyStatusIncCertStoreCount() {
	b.tidyStatusLock.Lock()
	defer b.tidyStatusLock.Unlock()
	b.tidyStatus.certStoreDeletedCount++
}

func (b *backend) tidyStatusIncRevokedCertCount() {
	b.tidyStatusLock.Lock()
	defer b.tidyStatusLock.Unlock()
	b.tidyStatus.revokedCertDeletedCount++
}

// updateLastAutoTidyTime records and persists when auto-tidy last ran.
func (b *backend) updateLastAutoTidyTime(lastRunTime time.Time) error {
	b.tidyStatusLock.Lock()
	defer b.tidyStatusLock.Unlock()
	b.lastAutoTidy = lastRunTime
	return b.store.writeAutoTidyLastRun(lastRunTime)
}

// getLastAutoTidyTime reads lastAutoTidy under the lock.
func (b *backend) getLastAutoTidyTime() time.Time {
	b.tidyStatusLock.RLock() // heldout:site
	defer b.tidyStatusLock.RUnlock()
	return b.getLastAutoTidyTimeWithoutLock()
}

// getLastAutoTidyTimeWithoutLock reads lastAutoTidy; the caller holds
// tidyStatusLock.
func (b *backend) getLastAutoTidyTimeWithoutLock() time.Time {
	return b.lastAutoTidy
}

// pathTidyStatusRead answers the tidy-status endpoint.
func (b *backend) pathTidyStatusRead(ctx context.Context) (map[string]interface{}, error) {
	b.tidyStatusLock.RLock() // heldout:site
	defer b.tidyStatusLock.RUnlock()

	resp := map[string]interface{}{
		"state":                      "Inactive",
		"time_started":               nil,
		"time_finished":              nil,
		"error":                      nil,
		"cert_store_deleted_count":   b.tidyStatus.certStoreDeletedCount,
		"revoked_cert_deleted_count": b.tidyStatus.revokedCertDeletedCount,
		"last_auto_tidy_finished":    b.getLastAutoTidyTime(), // heldout:site
	}
	switch b.tidyStatus.state {
	case tidyStatusStarted:
		resp["state"] = "Running"
		resp["time_started"] = b.tidyStatus.timeStarted
	case tidyStatusFinished:
		resp["state"] = "Finished"
		resp["time_started"] = b.tidyStatus.timeStarted
		resp["time_finished"] = b.tidyStatus.timeFinished
	case tidyStatusError:
		resp["state"] = "Error"
		resp["time_started"] = b.tidyStatus.timeStarted
		resp["time_finished"] = b.tidyStatus.timeFinished
		resp["error"] = b.tidyStatus.err.Error()
	}
	return resp, nil
}
