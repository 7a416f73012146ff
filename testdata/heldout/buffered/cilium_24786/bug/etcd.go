// Package bug is a held-out kernel (issue 14): Cilium's etcd client runs a
// status checker that reports every failed quorum check on a channel
// buffered to 128, for clustermesh to recreate its connection; an agent
// or operator that does not use clustermesh never reads that channel, so
// after 128 failed checks during an etcd outage the checker blocks for
// ever on its send and keeps reporting the last failure, failing health
// checks until the process is restarted (seen blocked for 13456 minutes).
//
// Upstream: cilium/cilium#24786 ("pkg/kvstore: Fix for deadlock in etcd status checker")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: connectEtcdClient makes statusCheckErrors with a buffer of 128 and
// starts statusChecker, which on every tick checks connectivity and
// quorum, records the status message, and on failure stores the error in
// latestErrorStatus and sends it on statusCheckErrors. Only clustermesh's
// remote-cluster watcher receives from StatusCheckErrors(); without
// clustermesh the 129th failure blocks the checker, so Status() keeps
// returning the stale failure even after etcd is back. The quorum check
// (which itself waits on the init lock) is reduced to a QuorumChecker
// interface and the remote cluster to a small type.
//
// Fix (cilium/cilium#24786; the exact change is our reading of the PR's
// description): the checker no longer blocks on the report: when nobody
// has room for it, the error is dropped and the checker goes on.
package bug

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// QuorumChecker checks the etcd connection and quorum.
type QuorumChecker interface {
	IsConnectedAndHasQuorum() error
}

type etcdClient struct {
	checker QuorumChecker

	statusLock        sync.RWMutex
	latestStatus      string
	latestErrorStatus error

	statusCheckErrors chan error
	stopStatusChecker chan struct{}
	interval          time.Duration
}

func connectEtcdClient(checker QuorumChecker, interval time.Duration) *etcdClient {
	ec := &etcdClient{
		checker:           checker,
		statusCheckErrors: make(chan error, 128),
		stopStatusChecker: make(chan struct{}),
		interval:          interval,
	}
	go ec.statusChecker()
	return ec
}

func (e *etcdClient) statusChecker() {
	ticker := time.NewTicker(e.interval)
	defer ticker.Stop()
	for {
		err := e.checker.IsConnectedAndHasQuorum()

		e.statusLock.Lock()
		if err != nil {
			e.latestStatus = fmt.Sprintf("not able to connect to any etcd endpoints: %v", err)
			e.latestErrorStatus = err
		} else {
			e.latestStatus = "etcd: connected, has quorum"
			e.latestErrorStatus = nil
		}
		latest := e.latestErrorStatus
		e.statusLock.Unlock()

		if latest != nil {
			e.statusCheckErrors <- latest // heldout:site
		}

		select {
		case <-e.stopStatusChecker:
			return
		case <-ticker.C:
		}
	}
}

// Status returns the latest status of the etcd connection.
func (e *etcdClient) Status() (string, error) {
	e.statusLock.RLock()
	defer e.statusLock.RUnlock()
	return e.latestStatus, e.latestErrorStatus
}

// StatusCheckErrors returns the channel the status checker reports
// failures on.
func (e *etcdClient) StatusCheckErrors() <-chan error {
	return e.statusCheckErrors
}

// Close stops the status checker.
func (e *etcdClient) Close() {
	close(e.stopStatusChecker)
}

// ErrRemoteClusterClosed is returned by Watch once the cluster is closed.
var ErrRemoteClusterClosed = errors.New("remote cluster closed")

// remoteCluster is clustermesh's view of another cluster's etcd: it
// restarts its connection whenever the status checker reports a failure.
type remoteCluster struct {
	backend   *etcdClient
	restart   func()
	closed    chan struct{}
	closeOnce sync.Once
}

// watchStatus restarts the connection on every reported failure.
func (rc *remoteCluster) watchStatus() error {
	for {
		select {
		case err := <-rc.backend.StatusCheckErrors():
			if err != nil {
				rc.restart()
			}
		case <-rc.closed:
			return ErrRemoteClusterClosed
		}
	}
}

// Close stops watchStatus.
func (rc *remoteCluster) Close() {
	rc.closeOnce.Do(func() { close(rc.closed) })
}
