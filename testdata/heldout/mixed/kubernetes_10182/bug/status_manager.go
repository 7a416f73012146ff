// Package bug is a held-out kernel (issue 14): the kubelet's status
// manager, whose SetPodStatus holds podStatusesLock while it queues the
// new status on the buffered podStatusChannel; the one goroutine that
// drains the channel, syncBatch, calls DeletePodStatus when an update to
// the apiserver fails, which takes the same lock. With the channel full,
// the pod worker waits for room holding the lock and the syncer waits for
// the lock, and every later SyncPods joins them.
//
// Upstream: kubernetes/kubernetes#10182 ("Fix kubelet deadlock")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: deleting many multi-container pods at once made every pod
// send a status update, "Status manager's podStatusChannel fills up", "An
// update fails becuase a pod in the channel has already been deleted from
// the apiserver", and the status manager deadlocks. The manager follows
// the pkg/kubelet/status_manager.go of the time (the lock, the map, the
// 1000-slot channel, syncBatch's Get/UpdateStatus and its
// delete-on-failure); the apiserver client is an interface, and the stop
// channel that ends the syncer loop is ours (upstream ran it with
// util.Forever).
//
// Fix: besides not sending unchanged statuses, syncBatch deletes the
// cached status on failure in a new goroutine ("Doing this synchronously
// will lead to a deadlock if the podStatusChannel is full, and the pod
// worker holding the lock is waiting on this method to clear the
// channel").
package bug

import (
	"errors"
	"fmt"
	"sync"
)

// PodStatus is a pod's phase as the kubelet reports it.
type PodStatus struct {
	Phase string
}

// Pod is a pod bound to this node.
type Pod struct {
	Namespace, Name string
	Status          PodStatus
}

// PodsClient is the part of the apiserver client the manager uses.
type PodsClient interface {
	Get(namespace, name string) (*Pod, error)
	UpdateStatus(pod *Pod) (*Pod, error)
}

// PodStatusSyncRequest is one status to write to the apiserver.
type PodStatusSyncRequest struct {
	Pod    *Pod
	Status PodStatus
}

// statusManager updates pod statuses in the apiserver, only when they
// change.
type statusManager struct {
	kubeClient PodsClient
	// Map from pod full name to sync status of the corresponding pod.
	podStatusesLock  sync.RWMutex
	podStatuses      map[string]PodStatus
	podStatusChannel chan PodStatusSyncRequest
	stop             chan struct{}
}

func newStatusManager(kubeClient PodsClient) *statusManager {
	return &statusManager{
		kubeClient:       kubeClient,
		podStatuses:      make(map[string]PodStatus),
		podStatusChannel: make(chan PodStatusSyncRequest, 1000), // Buffer up to 1000 statuses
		stop:             make(chan struct{}),
	}
}

func podFullName(pod *Pod) string { return pod.Name + "_" + pod.Namespace }

// Start runs the syncer until Stop.
func (s *statusManager) Start() {
	go func() {
		for {
			select {
			case <-s.stop:
				return
			case syncRequest := <-s.podStatusChannel:
				s.syncBatch(syncRequest)
			}
		}
	}()
}

// Stop ends the syncer.
func (s *statusManager) Stop() { close(s.stop) }

// SetPodStatus caches status and queues it for the apiserver.
func (s *statusManager) SetPodStatus(pod *Pod, status PodStatus) {
	name := podFullName(pod)
	s.podStatusesLock.Lock()
	defer s.podStatusesLock.Unlock()
	oldStatus, found := s.podStatuses[name]
	if !found || oldStatus != status {
		s.podStatuses[name] = status
		s.podStatusChannel <- PodStatusSyncRequest{pod, status} // heldout:site
	}
}

// DeletePodStatus forgets the cached status.
func (s *statusManager) DeletePodStatus(podFullName string) {
	s.podStatusesLock.Lock() // heldout:site
	defer s.podStatusesLock.Unlock()
	delete(s.podStatuses, podFullName)
}

// syncBatch writes one status to the apiserver.
func (s *statusManager) syncBatch(syncRequest PodStatusSyncRequest) error {
	pod := syncRequest.Pod
	name := podFullName(pod)

	statusPod, err := s.kubeClient.Get(pod.Namespace, pod.Name)
	if err == nil {
		statusPod.Status = syncRequest.Status
		_, err = s.kubeClient.UpdateStatus(statusPod)
		if err == nil {
			return nil
		}
	}

	// We failed to update status. In order to make sure we retry next
	// time we delete the cached value.
	s.DeletePodStatus(name) // heldout:site
	return fmt.Errorf("error updating status for pod %q: %v", pod.Name, err)
}

// deletedPods answers as an apiserver on which every pod is gone.
type deletedPods struct{}

func (deletedPods) Get(namespace, name string) (*Pod, error) {
	return nil, errors.New("pods " + name + " not found")
}

func (deletedPods) UpdateStatus(pod *Pod) (*Pod, error) { return pod, nil }

// DeleteAll reports the statuses of many pods already deleted upstream.
func DeleteAll() {
	s := newStatusManager(deletedPods{})
	s.Start()
	for i := 0; i < 2000; i++ {
		s.SetPodStatus(&Pod{Namespace: "default", Name: fmt.Sprint("pod-", i)}, PodStatus{Phase: "Failed"})
	}
	s.Stop()
}
