package kernels

import (
	"fmt"
	"log"
	"sync"
)

// K1. apache/yunikorn-core#1138: String() methods took the object's read
// lock; logging an object (fmt/zap call String) while holding its write
// lock deadlocked the goroutine. Fix: String reads only immutable fields.
type k1App struct {
	mu    sync.RWMutex
	id    string
	state string
}

func (a *k1App) String() string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.id + "/" + a.state
}

func (a *k1App) transition(to string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	log.Printf("app %v moves to %s", a, to) // want `a.mu is read-locked inside a.String`
	a.state = to
}

type k1AppFixed struct {
	mu    sync.RWMutex
	id    string
	state string
}

func (a *k1AppFixed) String() string { return a.id }

func (a *k1AppFixed) transition(to string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	log.Printf("app %v moves to %s", a, to)
	a.state = to
}

// K2. prometheus/prometheus#1432: a method holding a target's read lock
// called another that read-locked it again; a scrape updating the target
// (write lock) between the two RLocks deadlocked both. Fix: the inner
// accessor no longer locks.
type k2Target struct {
	mu     sync.RWMutex
	labels map[string]string
	url    string
}

func (t *k2Target) baseLabels() map[string]string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.labels
}

func (t *k2Target) fullLabels() map[string]string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	m := t.baseLabels() // want `t.mu is read-locked again inside t.baseLabels`
	m["url"] = t.url
	return m
}

func (t *k2Target) update(l map[string]string) {
	t.mu.Lock()
	t.labels = l
	t.mu.Unlock()
}

type k2TargetFixed struct {
	mu     sync.RWMutex
	labels map[string]string
	url    string
}

func (t *k2TargetFixed) baseLabelsLocked() map[string]string { return t.labels }

func (t *k2TargetFixed) fullLabels() map[string]string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	m := t.baseLabelsLocked()
	m["url"] = t.url
	return m
}

func (t *k2TargetFixed) update(l map[string]string) {
	t.mu.Lock()
	t.labels = l
	t.mu.Unlock()
}

// K3. milvus-io/milvus#29813: the collection meta read-locked itself, then
// called an exported getter two calls down that read-locked it again, while
// a writer adding a partition queued in between. Fix: a *Locked variant.
type k3Meta struct {
	mu    sync.RWMutex
	parts map[int64][]string
}

func (m *k3Meta) Partitions(id int64) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.parts[id]
}

func (m *k3Meta) describe(id int64) string { return fmt.Sprint(len(m.Partitions(id))) }

func (m *k3Meta) Describe(id int64) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.describe(id) // want `m.mu is read-locked again inside m.describe`
}

func (m *k3Meta) AddPartition(id int64, p string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.parts[id] = append(m.parts[id], p)
}

type k3MetaFixed struct {
	mu    sync.RWMutex
	parts map[int64][]string
}

func (m *k3MetaFixed) partitionsLocked(id int64) []string { return m.parts[id] }

func (m *k3MetaFixed) Describe(id int64) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fmt.Sprint(len(m.partitionsLocked(id)))
}

func (m *k3MetaFixed) AddPartition(id int64, p string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.parts[id] = append(m.parts[id], p)
}

// K4. statsig-io/go-sdk#10: the event logger's internal log method locked
// its mutex and then called a flush helper that locked it again. Fix: the
// second Lock was removed.
type k4Logger struct {
	mu     sync.Mutex
	events []string
}

func (l *k4Logger) flushIfFull() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.events) > 100 {
		l.events = nil
	}
}

func (l *k4Logger) logInternal(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
	l.flushIfFull() // want `l.mu is locked again inside l.flushIfFull`
}

type k4LoggerFixed struct {
	mu     sync.Mutex
	events []string
}

func (l *k4LoggerFixed) flushIfFullLocked() {
	if len(l.events) > 100 {
		l.events = nil
	}
}

func (l *k4LoggerFixed) logInternal(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
	l.flushIfFullLocked()
}

// K5. estuary/flow#3156: buildJoin held the keyspace's read lock and
// called shard.Spec(), which read-locked a pointer to the same RWMutex
// kept by the resolver; a queued keyspace writer deadlocked both. Fix: use
// the spec captured earlier. Caught by class: the resolver's *sync.RWMutex
// field is only ever set to &ks.mu, so it is the keyspace's lock class.
type k5KeySpace struct {
	mu   sync.RWMutex
	spec string
}

type k5Resolved struct {
	mu *sync.RWMutex
	ks *k5KeySpace
}

func (r *k5Resolved) Spec() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.ks.spec
}

func k5BuildJoin(ks *k5KeySpace, r *k5Resolved) string {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	return r.Spec() // want `r.mu is read-locked inside r.Spec \(line \d+\) while this goroutine holds a read lock of ks.mu \(line \d+\), by lock class kernels.k5KeySpace.mu through the alias kernels.k5Resolved.mu`
}

func (ks *k5KeySpace) apply(s string) {
	ks.mu.Lock()
	ks.spec = s
	ks.mu.Unlock()
}

func k5New() *k5Resolved {
	ks := &k5KeySpace{}
	return &k5Resolved{mu: &ks.mu, ks: ks}
}

// The fix: the spec read before the keyspace is locked; the resolver's
// read lock is no longer taken under the keyspace's.
func k5BuildJoinFixed(ks *k5KeySpace, r *k5Resolved) string {
	spec := r.Spec()
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	return spec + ks.spec
}
