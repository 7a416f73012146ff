// Package bug is a held-out kernel (issue 14): a recursive read lock of an
// RWMutex that a writer also takes.
//
// Upstream: kubernetes/kubernetes#62464 ("avoid dobule RLock() in cpumanager")
//
// Bug: stateMemory.GetCPUSetOrDefault read-locks the state and then calls
// GetCPUSet (or GetDefaultCPUSet), which read-locks it again. When the
// static policy's SetDefaultCPUSet queues for the write lock between the two
// RLocks, the second RLock waits behind the writer, which waits for the
// first: kubelet hangs removing a pod.
//
// Fix: GetCPUSetOrDefault takes no lock of its own; the getters it calls do.
package bug

import "sync"

// CPUSet is a set of logical CPUs.
type CPUSet map[int]struct{}

// Clone copies the set.
func (s CPUSet) Clone() CPUSet {
	c := make(CPUSet, len(s))
	for k := range s {
		c[k] = struct{}{}
	}
	return c
}

// ContainerCPUAssignments maps container ids to their CPUs.
type ContainerCPUAssignments map[string]CPUSet

type stateMemory struct {
	sync.RWMutex
	assignments   ContainerCPUAssignments
	defaultCPUSet CPUSet
}

func (s *stateMemory) GetCPUSet(containerID string) (CPUSet, bool) {
	s.RLock() // heldout:site
	defer s.RUnlock()
	res, ok := s.assignments[containerID]
	return res.Clone(), ok
}

func (s *stateMemory) GetDefaultCPUSet() CPUSet {
	s.RLock()
	defer s.RUnlock()
	return s.defaultCPUSet.Clone()
}

func (s *stateMemory) GetCPUSetOrDefault(containerID string) CPUSet {
	s.RLock()
	defer s.RUnlock()
	if res, ok := s.GetCPUSet(containerID); ok { // heldout:site
		return res
	}
	return s.GetDefaultCPUSet()
}

func (s *stateMemory) SetDefaultCPUSet(cset CPUSet) {
	s.Lock() // heldout:site
	defer s.Unlock()
	s.defaultCPUSet = cset
}

// RemoveContainer gives a container's CPUs back to the shared pool while
// the reconcile loop reads the assignments.
func RemoveContainer(s *stateMemory, id string) {
	go s.GetCPUSetOrDefault(id)
	s.SetDefaultCPUSet(CPUSet{0: {}})
}
