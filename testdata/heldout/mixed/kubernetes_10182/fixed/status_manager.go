// Package fixed is the fixed version of mixed/kubernetes_10182: syncBatch
// deletes the cached status on failure from a new goroutine, so the
// syncer never waits for the lock a sender holds while the channel is
// full.
package fixed

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
		s.podStatusChannel <- PodStatusSyncRequest{pod, status}
	}
}

// DeletePodStatus forgets the cached status.
func (s *statusManager) DeletePodStatus(podFullName string) {
	s.podStatusesLock.Lock()
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
	// time we delete the cached value. Doing this synchronously would
	// deadlock if podStatusChannel is full and the pod worker holding
	// the lock is waiting for this loop to drain it.
	go s.DeletePodStatus(name)
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
