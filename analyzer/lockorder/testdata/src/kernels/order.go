package kernels

import "sync"

// K6. codahale/metrics#16: histograms, gauges and counters each had a
// package-level mutex, and two code paths took two of them in opposite
// orders. Fix: one global order (hm, then gm, then cm).
var (
	k6hm       sync.Mutex
	k6gm       sync.Mutex
	histograms = map[string]int{}
	gauges     = map[string]func() int{}
)

func k6Snapshot() map[string]int {
	k6hm.Lock()
	defer k6hm.Unlock()
	k6gm.Lock() // want `lock order inversion: k6Snapshot locks k6hm`
	defer k6gm.Unlock()
	out := map[string]int{}
	for k, v := range histograms {
		out[k] = v
	}
	for k, g := range gauges {
		out[k] = g()
	}
	return out
}

func k6Reset() {
	k6gm.Lock()
	defer k6gm.Unlock()
	k6hm.Lock()
	defer k6hm.Unlock()
	clear(histograms)
	clear(gauges)
}

var (
	k6hmFixed sync.Mutex
	k6gmFixed sync.Mutex
)

func k6SnapshotFixed() {
	k6hmFixed.Lock()
	defer k6hmFixed.Unlock()
	k6gmFixed.Lock()
	defer k6gmFixed.Unlock()
}

func k6ResetFixed() {
	k6hmFixed.Lock()
	defer k6hmFixed.Unlock()
	k6gmFixed.Lock()
	defer k6gmFixed.Unlock()
}

// K7. moby/moby#22732: attaching a container's streams held the
// container's lock and looked it up in the memory store (store lock),
// while image deletion walked the store under its lock and locked each
// container. Fix: the store is no longer consulted under the container
// lock.
type k7Container struct {
	mu sync.Mutex
	id string
}

type k7Store struct {
	mu sync.RWMutex
	m  map[string]*k7Container
}

func (s *k7Store) get(id string) *k7Container {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[id]
}

type k7Daemon struct{ store *k7Store }

func (d *k7Daemon) attach(c *k7Container) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = d.store.get(c.id) // want `lock order inversion by lock class: attach locks c.mu \(line 82\) then d.store.mu inside d.store.get`
}

func (s *k7Store) deleteImage(image string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.m {
		c.mu.Lock()
		_ = c.id == image
		c.mu.Unlock()
	}
}

type k7ContainerFixed struct {
	mu sync.Mutex
	id string
}

type k7StoreFixed struct {
	mu sync.RWMutex
	m  map[string]*k7ContainerFixed
}

func (s *k7StoreFixed) get(id string) *k7ContainerFixed {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[id]
}

func k7AttachFixed(s *k7StoreFixed, c *k7ContainerFixed) {
	_ = s.get(c.id)
	c.mu.Lock()
	defer c.mu.Unlock()
}

func (s *k7StoreFixed) deleteImage(image string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.m {
		c.mu.Lock()
		_ = c.id == image
		c.mu.Unlock()
	}
}

// K8. 0xPolygon/polygon-edge#310: pruning the promoted queue held its lock
// and ran a stored callback that took the gauge's lock, while processSlots
// held the gauge lock and then locked the promoted queue. Fix: the callback
// runs after the queue lock is released.
type k8Pool struct {
	promotedMu sync.Mutex
	gaugeMu    sync.Mutex
	promoted   []int
	gauge      int
	onPrune    func(n int)
}

func k8NewPool() *k8Pool {
	p := &k8Pool{}
	p.onPrune = p.decreaseGauge
	return p
}

func (p *k8Pool) decreaseGauge(n int) {
	p.gaugeMu.Lock()
	p.gauge -= n
	p.gaugeMu.Unlock()
}

func (p *k8Pool) promotedCleanup() {
	p.promotedMu.Lock()
	defer p.promotedMu.Unlock()
	n := len(p.promoted)
	p.promoted = nil
	p.onPrune(n) // want `lock order inversion: promotedCleanup locks p.promotedMu`
}

func (p *k8Pool) processSlots() {
	p.gaugeMu.Lock()
	defer p.gaugeMu.Unlock()
	p.promotedMu.Lock()
	p.promoted = p.promoted[:0]
	p.promotedMu.Unlock()
}

type k8PoolFixed struct {
	promotedMu sync.Mutex
	gaugeMu    sync.Mutex
	promoted   []int
	gauge      int
	onPrune    func(n int)
}

func k8NewPoolFixed() *k8PoolFixed {
	p := &k8PoolFixed{}
	p.onPrune = p.decreaseGauge
	return p
}

func (p *k8PoolFixed) decreaseGauge(n int) {
	p.gaugeMu.Lock()
	p.gauge -= n
	p.gaugeMu.Unlock()
}

func (p *k8PoolFixed) promotedCleanup() {
	p.promotedMu.Lock()
	n := len(p.promoted)
	p.promoted = nil
	p.promotedMu.Unlock()
	p.onPrune(n)
}

func (p *k8PoolFixed) processSlots() {
	p.gaugeMu.Lock()
	defer p.gaugeMu.Unlock()
	p.promotedMu.Lock()
	p.promoted = p.promoted[:0]
	p.promotedMu.Unlock()
}

// K9. containerd/containerd#10085: plugin registration held the NRI
// adaptation lock and called the sync callback, which took the nri lock,
// while StartContainer took the nri lock and then the adaptation lock.
// Fix: lock the adaptation after the callback. Caught by class: the
// callback field is set from a constructor parameter, and the package's
// own call of the constructor passes n.syncPlugin.
type k9Adaptation struct {
	mu     sync.Mutex
	syncFn func()
}

func k9NewAdaptation(syncFn func()) *k9Adaptation { return &k9Adaptation{syncFn: syncFn} }

func (r *k9Adaptation) acceptPlugin() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.syncFn() // want `lock order inversion by lock class: acceptPlugin locks r.mu \(line \d+\) then n.mu inside syncPlugin \(the callback passed to k9NewAdaptation at line \d+\)`
}

type k9NRI struct {
	mu  sync.Mutex
	nri *k9Adaptation
}

func (n *k9NRI) startContainer() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nri.mu.Lock()
	n.nri.mu.Unlock()
}

func (n *k9NRI) syncPlugin() {
	n.mu.Lock()
	n.mu.Unlock()
}

func k9NewNRI() *k9NRI {
	n := &k9NRI{}
	n.nri = k9NewAdaptation(n.syncPlugin)
	return n
}

// The fix: the callback runs before the adaptation is locked.
type k9AdaptationFixed struct {
	mu     sync.Mutex
	syncFn func()
	count  int
}

func k9NewAdaptationFixed(syncFn func()) *k9AdaptationFixed {
	return &k9AdaptationFixed{syncFn: syncFn}
}

func (r *k9AdaptationFixed) acceptPlugin() {
	r.syncFn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count++
}

type k9NRIFixed struct {
	mu  sync.Mutex
	nri *k9AdaptationFixed
}

func (n *k9NRIFixed) startContainer() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nri.mu.Lock()
	n.nri.mu.Unlock()
}

func (n *k9NRIFixed) syncPlugin() {
	n.mu.Lock()
	n.mu.Unlock()
}

func k9NewNRIFixed() *k9NRIFixed {
	n := &k9NRIFixed{}
	n.nri = k9NewAdaptationFixed(n.syncPlugin)
	return n
}

// K10. grpc/grpc-go#4391: switching balancers held cc.mu and closed the old
// balancer through the Balancer interface; its Close removed a SubConn,
// which locked cc.mu again. Fix: reverted, Close runs without cc.mu.
// Caught by class: the lock is reached through the balancer's back-pointer
// (b.cc.mu), which the constructor sets from the ClientConn that stores
// the balancer, not provably the same object.
type k10Balancer interface{ Close() }

type k10ClientConn struct {
	mu       sync.Mutex
	balancer k10Balancer
	conns    map[int]bool
}

type k10ClusterManager struct {
	cc *k10ClientConn
	id int
}

func (b *k10ClusterManager) Close() { b.cc.removeSubConn(b.id) }

func newK10ClusterManager(cc *k10ClientConn, id int) *k10ClusterManager {
	return &k10ClusterManager{cc: cc, id: id}
}

func (cc *k10ClientConn) start(id int) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.balancer = newK10ClusterManager(cc, id)
}

func (cc *k10ClientConn) removeSubConn(id int) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	delete(cc.conns, id)
}

func (cc *k10ClientConn) switchBalancer(nb k10Balancer) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.balancer.Close() // want `cc.balancer.cc.mu is locked inside cc.balancer.Close \(line \d+\) while this goroutine holds cc.mu \(locked at line \d+\), by lock class kernels.k10ClientConn.mu: the path goes back to the owner through the back-pointer kernels.k10ClusterManager.cc`
	cc.balancer = nb
}

// The fix: the old balancer is closed after cc.mu is released.
func (cc *k10ClientConn) switchBalancerFixed(nb k10Balancer) {
	cc.mu.Lock()
	old := cc.balancer
	cc.balancer = nb
	cc.mu.Unlock()
	old.Close()
}
