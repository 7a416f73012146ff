// Package bug is a held-out kernel (issue 14): lock-order inversion between
// a JetStream consumer's lock and the JetStream lock.
//
// Upstream: nats-io/nats-server#6460 ("[FIXED] Consumer/JS deadlock")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: the consumer, holding its own lock while it becomes leader, asks
// JetStream whether it is clustered, which read-locks js.mu; processing a
// consumer assignment holds js.mu and asks the consumer whether it is the
// leader, which read-locks o.mu. The lock order is js before consumer; the
// first path takes them the other way round.
//
// Fix: the consumer reads the clustered state before taking its lock.
package bug

import "sync"

type jetStreamCluster struct{ leader string }

type jetStream struct {
	mu        sync.RWMutex
	cluster   *jetStreamCluster
	consumers map[string]*consumer
}

func (js *jetStream) isClustered() bool {
	js.mu.RLock() // heldout:site
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
	o.mu.RLock() // heldout:site
	defer o.mu.RUnlock()
	return o.leader
}

// setLeader is called when raft elects or demotes this consumer.
func (o *consumer) setLeader(isLeader bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.leader = isLeader
	if isLeader && o.js.isClustered() { // heldout:site
		o.sent = 0
	}
}

// processConsumerAssignment applies a meta-layer assignment.
func (js *jetStream) processConsumerAssignment(name string) {
	js.mu.Lock()
	defer js.mu.Unlock()
	if o := js.consumers[name]; o != nil && o.isLeader() { // heldout:site
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
