// Package fixed is the fixed version of lockorder/natsserver_3092: the
// account's usage is updated under a dedicated usageMu, so storing a
// message no longer takes the jsAccount lock under the stream's.
//
// Upstream: nats-io/nats-server#3092 ("[FIXED] JetStream: possible lock inversion")
// Round: 19
package fixed

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

	// usageMu guards the usage fields; no other lock is taken under it.
	usageMu    sync.RWMutex
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
	jsa.usageMu.Lock()
	defer jsa.usageMu.Unlock()
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
	mset.mu.RLock()
	defer mset.mu.RUnlock()
	return len(mset.consumers)
}

// JetStreamUsage reports the account's usage.
func (jsa *jsAccount) JetStreamUsage() JetStreamUsage {
	var stats JetStreamUsage
	jsa.usageMu.RLock()
	stats.Memory = uint64(jsa.memTotal)
	stats.Store = uint64(jsa.storeTotal)
	jsa.usageMu.RUnlock()

	jsa.mu.RLock()
	defer jsa.mu.RUnlock()
	stats.Streams = len(jsa.streams)
	for _, mset := range jsa.streams {
		stats.Consumers += mset.numConsumers()
	}
	return stats
}
