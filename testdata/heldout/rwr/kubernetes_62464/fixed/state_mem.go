// Package fixed is the fixed version of rwr/kubernetes_62464:
// GetCPUSetOrDefault leaves the locking to the getters it calls.
package fixed

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
	s.RLock()
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
	if res, ok := s.GetCPUSet(containerID); ok {
		return res
	}
	return s.GetDefaultCPUSet()
}

func (s *stateMemory) SetDefaultCPUSet(cset CPUSet) {
	s.Lock()
	defer s.Unlock()
	s.defaultCPUSet = cset
}

// RemoveContainer gives a container's CPUs back to the shared pool while
// the reconcile loop reads the assignments.
func RemoveContainer(s *stateMemory, id string) {
	go s.GetCPUSetOrDefault(id)
	s.SetDefaultCPUSet(CPUSet{0: {}})
}
