// Package fixed is the fixed version of buffered/cilium_24786: the status
// checker drops a failure report when the channel is full instead of
// blocking, so it keeps checking and updating the status.
package fixed

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
			select {
			case e.statusCheckErrors <- latest:
			default:
			}
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
