// Package bug is a held-out kernel (issue 14): a recursive read lock in
// Weave Scope's docker probe. The reporter walks the container registry
// under the registry's read lock and, for each container that shares
// another container's network namespace, looks that container up with
// GetContainerByPrefix, which read-locks the registry again. The docker
// event loop takes the registry's write lock to record a container's new
// state; queued between the two RLocks, it locks up the reporter.
//
// Upstream: weaveworks/scope#889 ("Taking a read lock twice only works most of the time.")
// Round: 15
//
// Bug: the PR: "if we try and take a write lock during this window, we
// lock up the reporter thread" (the cause of #881), and a reviewer
// confirms that "a goroutine acquiring the read-lock will cause a
// deadlock calling RLock again if another gorouting calls Lock between
// the initial read-lock acquisition and the RLock call". Registry,
// WalkContainers, GetContainerByPrefix, the event handler and
// Reporter.containerTopology with its networkInfo helper follow
// probe/docker; containers and report nodes are our reduction to small
// structs.
//
// Fix: our reading of the PR and of the later reporter: containerTopology
// copies the nodes out of WalkContainers first and resolves shared
// network namespaces after the walk, so no lookup runs under the walk's
// read lock.
package bug

import (
	"strings"
	"sync"
)

// Container is a docker container as the registry knows it.
type Container struct {
	ID          string
	State       string
	NetworkMode string
	IPs         []string
}

// Node is a container node in the report.
type Node struct {
	ID  string
	IPs []string
}

// Registry keeps the containers docker told us about.
type Registry struct {
	sync.RWMutex
	containers map[string]Container
}

// NewRegistry makes an empty registry.
func NewRegistry() *Registry {
	return &Registry{containers: map[string]Container{}}
}

// WalkContainers calls f for every container, under the read lock.
func (r *Registry) WalkContainers(f func(Container)) {
	r.RLock()
	defer r.RUnlock()
	for _, c := range r.containers {
		f(c)
	}
}

// GetContainerByPrefix finds a container by an ID prefix.
func (r *Registry) GetContainerByPrefix(prefix string) (Container, bool) {
	r.RLock() // heldout:site
	defer r.RUnlock()
	for id, c := range r.containers {
		if strings.HasPrefix(id, prefix) {
			return c, true
		}
	}
	return Container{}, false
}

// updateContainerState records a docker event for a container.
func (r *Registry) updateContainerState(id, state string) {
	r.Lock() // heldout:site
	defer r.Unlock()
	c := r.containers[id]
	c.ID = id
	c.State = state
	r.containers[id] = c
}

// listen applies docker events to the registry.
func (r *Registry) listen(events <-chan [2]string) {
	for ev := range events {
		r.updateContainerState(ev[0], ev[1])
	}
}

// Reporter generates the container topology.
type Reporter struct {
	registry *Registry
}

func (rep *Reporter) networkInfo(c Container) []string {
	if strings.HasPrefix(c.NetworkMode, "container:") {
		other, ok := rep.registry.GetContainerByPrefix(c.NetworkMode[10:]) // heldout:site
		if !ok {
			return nil
		}
		return rep.networkInfo(other)
	}
	return c.IPs
}

func (rep *Reporter) containerTopology() []Node {
	var nodes []Node
	rep.registry.WalkContainers(func(c Container) {
		nodes = append(nodes, Node{ID: c.ID, IPs: rep.networkInfo(c)})
	})
	return nodes
}

// Run reports while docker events arrive.
func Run() {
	r := NewRegistry()
	r.updateContainerState("pause1", "running")
	r.Lock()
	r.containers["app1"] = Container{ID: "app1", State: "running", NetworkMode: "container:pause1"}
	r.Unlock()

	events := make(chan [2]string)
	done := make(chan struct{})
	go func() {
		r.listen(events)
		close(done)
	}()

	rep := &Reporter{registry: r}
	reported := make(chan struct{})
	go func() {
		for i := 0; i < 100; i++ {
			rep.containerTopology()
		}
		close(reported)
	}()
	for i := 0; i < 100; i++ {
		events <- [2]string{"app1", "running"}
	}
	close(events)
	<-done
	<-reported
}
