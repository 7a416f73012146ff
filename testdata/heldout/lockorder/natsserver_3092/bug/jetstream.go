// Package bug is a held-out kernel (issue 14): storing a message holds the
// stream's lock and updates the account's usage under the jsAccount lock,
// while reading the account's usage holds the jsAccount lock and reads each
// stream under the stream's lock.
//
// Upstream: nats-io/nats-server#3092 ("[FIXED] JetStream: possible lock inversion")
// Round: 19
//
// Bug: processJetStreamMsg holds mset.mu while the store writes the message,
// and the store's update callback (storeUpdates) calls
// jsa.updateUsage, which takes jsa.mu: stream then account. JetStreamUsage
// holds jsa.mu (read) while it walks the account's streams and asks each
// for its consumer count under mset.mu (read): account then stream. A
// message stored while the account's usage is read can leave the storing
// goroutine holding mset.mu and waiting for jsa.mu, which the reader holds
// while it waits for mset.mu: both block for good (the PR: "updateUsage was locking the jsAccount
// lock, which again, is not really correct since jsAccount contains
// streams, so it should be jsAccount->stream, not the other way around").
// Reduced from server/stream.go and server/jetstream.go; the PR text
// gives the two orders, and the store, the limits, the clustered path and
// which reader walks the streams (JetStreamUsage here) are our reduction.
//
// Fix: the usage fields get a dedicated mutex, usageMu, which
// updateUsage takes instead of jsa.mu and under which no other lock is
// taken; the PR also stops taking the jetStream lock under the stream's,
// js.clustered being immutable.
package bug

import "sync"

// StorageType says where a stream keeps its messages.
type StorageType int

const (
	MemoryStorage StorageType = iota
	FileStorage
)

// JetStreamUsage is an account's usage.
type JetStreamUsage struct {
	Memory    uint64
	Store     uint64
	Streams   int
	Consumers int
}

// jsAccount is an account's JetStream state; it contains its streams.
type jsAccount struct {
	mu      sync.RWMutex
	streams map[string]*stream

	memTotal   int64
	storeTotal int64
}

// stream is one JetStream stream.
type stream struct {
	mu        sync.RWMutex
	jsa       *jsAccount
	name      string
	stype     StorageType
	msgs      [][]byte
	consumers map[string]struct{}
}

// NewAccount returns an account with no streams.
func NewAccount() *jsAccount {
	return &jsAccount{streams: map[string]*stream{}}
}

// AddStream creates a stream of the account.
func (jsa *jsAccount) AddStream(name string, stype StorageType) *stream {
	mset := &stream{jsa: jsa, name: name, stype: stype, consumers: map[string]struct{}{}}
	jsa.mu.Lock()
	jsa.streams[name] = mset
	jsa.mu.Unlock()
	return mset
}

// updateUsage records a change of the account's stored bytes.
func (jsa *jsAccount) updateUsage(storeType StorageType, delta int64) {
	jsa.mu.Lock() // heldout:site
	defer jsa.mu.Unlock()
	if storeType == MemoryStorage {
		jsa.memTotal += delta
	} else {
		jsa.storeTotal += delta
	}
}

// storeUpdates is the store's callback when a message is added or removed.
func (mset *stream) storeUpdates(md, bd int64) {
	if mset.jsa != nil {
		mset.jsa.updateUsage(mset.stype, bd)
	}
}

// processJetStreamMsg stores a message published to the stream.
func (mset *stream) processJetStreamMsg(msg []byte) {
	mset.mu.Lock()
	defer mset.mu.Unlock()
	mset.msgs = append(mset.msgs, msg)
	mset.storeUpdates(1, int64(len(msg)))
}

// AddConsumer attaches a consumer to the stream.
func (mset *stream) AddConsumer(name string) {
	mset.mu.Lock()
	mset.consumers[name] = struct{}{}
	mset.mu.Unlock()
}

func (mset *stream) numConsumers() int {
	mset.mu.RLock() // heldout:site
	defer mset.mu.RUnlock()
	return len(mset.consumers)
}

// JetStreamUsage reports the account's usage.
func (jsa *jsAccount) JetStreamUsage() JetStreamUsage {
	var stats JetStreamUsage
	jsa.mu.RLock()
	defer jsa.mu.RUnlock()
	stats.Memory = uint64(jsa.memTotal)
	stats.Store = uint64(jsa.storeTotal)
	stats.Streams = len(jsa.streams)
	for _, mset := range jsa.streams {
		stats.Consumers += mset.numConsumers()
	}
	return stats
}
