// Package fixed is the fixed version of lockorder/natsserver_6460: the
// consumer does not hold its lock while it takes the JetStream lock.
package fixed

import "sync"

type jetStreamCluster struct{ leader string }

type jetStream struct {
	mu        sync.RWMutex
	cluster   *jetStreamCluster
	consumers map[string]*consumer
}

func (js *jetStream) isClustered() bool {
	js.mu.RLock()
	defer js.mu.RUnlock()
	return js.cluster != nil
}

type consumer struct {
	mu     sync.RWMutex
	js     *jetStream
	name   string
	leader bool
	sent   uint64
}

func (o *consumer) isLeader() bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.leader
}

// setLeader reads the JetStream state first, then takes its own lock.
func (o *consumer) setLeader(isLeader bool) {
	clustered := o.js.isClustered()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.leader = isLeader
	if isLeader && clustered {
		o.sent = 0
	}
}

// processConsumerAssignment applies a meta-layer assignment.
func (js *jetStream) processConsumerAssignment(name string) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if o := js.consumers[name]; o != nil && o.isLeader() {
		js.cluster.leader = name
	}
}

// Run elects a consumer while an assignment is processed.
func Run(js *jetStream) {
	o := &consumer{js: js, name: "C"}
	js.consumers["C"] = o
	go o.setLeader(true)
	go js.processConsumerAssignment("C")
}
