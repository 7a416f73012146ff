package kernels

import (
	"sync"
	"time"
)

// K11. sensu/sensu-go#1264 (fix #1265): the keepalive monitor's reset held
// its mutex while sending on an unbuffered channel; the monitor goroutine's
// select could be in its timer case, waiting for the same mutex, and never
// came back to receive. Fix: a buffered reset channel.
type k11Monitor struct {
	mu      sync.Mutex
	resetCh chan time.Duration
	timer   *time.Timer
	failing bool
}

func k11NewMonitor() *k11Monitor {
	return &k11Monitor{resetCh: make(chan time.Duration), timer: time.NewTimer(time.Second)}
}

func (m *k11Monitor) reset(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failing = false
	m.resetCh <- d // want `this goroutine sends on unbuffered m.resetCh while holding m.mu`
}

func (m *k11Monitor) run() {
	for {
		select {
		case d := <-m.resetCh:
			m.timer.Reset(d)
		case <-m.timer.C:
			m.mu.Lock()
			m.failing = true
			m.mu.Unlock()
		}
	}
}

type k11MonitorFixed struct {
	mu      sync.Mutex
	resetCh chan time.Duration
	timer   *time.Timer
	failing bool
}

func k11NewMonitorFixed() *k11MonitorFixed {
	return &k11MonitorFixed{resetCh: make(chan time.Duration, 1), timer: time.NewTimer(time.Second)}
}

func (m *k11MonitorFixed) reset(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failing = false
	m.resetCh <- d
}

func (m *k11MonitorFixed) run() {
	for {
		select {
		case d := <-m.resetCh:
			m.timer.Reset(d)
		case <-m.timer.C:
			m.mu.Lock()
			m.failing = true
			m.mu.Unlock()
		}
	}
}

// K12. hashicorp/consul#3701 (issue #3700): the session timers' expiry held
// the lock while writing the expired index to a channel whose reader took
// the same lock for each index it handled. Fix: unlock before the write.
type k12Timers struct {
	mu       sync.Mutex
	bins     map[uint64][]string
	expireCh chan uint64
}

func k12NewTimers() *k12Timers {
	return &k12Timers{bins: map[uint64][]string{}, expireCh: make(chan uint64)}
}

func (t *k12Timers) expire(idx uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.bins, idx)
	t.expireCh <- idx // want `this goroutine sends on unbuffered t.expireCh while holding t.mu`
}

func (t *k12Timers) reap() {
	for idx := range t.expireCh {
		t.mu.Lock()
		t.bins[idx] = nil
		t.mu.Unlock()
	}
}

type k12TimersFixed struct {
	mu       sync.Mutex
	bins     map[uint64][]string
	expireCh chan uint64
}

func k12NewTimersFixed() *k12TimersFixed {
	return &k12TimersFixed{bins: map[uint64][]string{}, expireCh: make(chan uint64)}
}

func (t *k12TimersFixed) expire(idx uint64) {
	t.mu.Lock()
	delete(t.bins, idx)
	t.mu.Unlock()
	t.expireCh <- idx
}

func (t *k12TimersFixed) reap() {
	for idx := range t.expireCh {
		t.mu.Lock()
		t.bins[idx] = nil
		t.mu.Unlock()
	}
}

// K13. googlearchive/compute-user-accounts#16: a lookup held the cache's
// read lock while pushing a request onto the unbuffered updateWaiters
// channel; the updater goroutine that receives it write-locks the cache
// between requests. Fix: the push no longer blocks (read lock held across
// a wait, RWR with a queued writer).
type k13Cache struct {
	mu            sync.RWMutex
	groups        map[string]int
	updateWaiters chan chan struct{}
}

func k13NewCache() *k13Cache {
	return &k13Cache{groups: map[string]int{}, updateWaiters: make(chan chan struct{})}
}

func (c *k13Cache) groupByName(name string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if g, ok := c.groups[name]; ok {
		return g
	}
	done := make(chan struct{})
	c.updateWaiters <- done // want `this goroutine sends on unbuffered c.updateWaiters while holding c.mu`
	return -1
}

func (c *k13Cache) updater() {
	for w := range c.updateWaiters {
		c.mu.Lock()
		c.groups = map[string]int{}
		c.mu.Unlock()
		close(w)
	}
}

type k13CacheFixed struct {
	mu            sync.RWMutex
	groups        map[string]int
	updateWaiters chan chan struct{}
}

func k13NewCacheFixed() *k13CacheFixed {
	return &k13CacheFixed{groups: map[string]int{}, updateWaiters: make(chan chan struct{})}
}

func (c *k13CacheFixed) groupByName(name string) int {
	c.mu.RLock()
	g, ok := c.groups[name]
	c.mu.RUnlock()
	if ok {
		return g
	}
	done := make(chan struct{})
	c.updateWaiters <- done
	return -1
}

func (c *k13CacheFixed) updater() {
	for w := range c.updateWaiters {
		c.mu.Lock()
		c.groups = map[string]int{}
		c.mu.Unlock()
		close(w)
	}
}

// K14. grpc/grpc-go#1353: the round-robin balancer held rr.mu while
// handing a new address list to the client conn's watcher over an
// unbuffered channel; the watcher tore down removed connections, whose
// down callback locked rr.mu. Fix: the send moved out of the lock.
type k14RoundRobin struct {
	mu     sync.Mutex
	addrCh chan []string
	conns  map[string]bool
}

func k14New() *k14RoundRobin {
	return &k14RoundRobin{addrCh: make(chan []string), conns: map[string]bool{}}
}

func (rr *k14RoundRobin) down(addr string) {
	rr.mu.Lock()
	delete(rr.conns, addr)
	rr.mu.Unlock()
}

func (rr *k14RoundRobin) watchAddrUpdates(addrs []string) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	rr.addrCh <- addrs // want `this goroutine sends on unbuffered rr.addrCh while holding rr.mu`
}

func (rr *k14RoundRobin) lbWatcher() {
	for addrs := range rr.addrCh {
		for _, a := range addrs {
			rr.down(a)
		}
	}
}

type k14RoundRobinFixed struct {
	mu     sync.Mutex
	addrCh chan []string
	conns  map[string]bool
}

func k14NewFixed() *k14RoundRobinFixed {
	return &k14RoundRobinFixed{addrCh: make(chan []string), conns: map[string]bool{}}
}

func (rr *k14RoundRobinFixed) down(addr string) {
	rr.mu.Lock()
	delete(rr.conns, addr)
	rr.mu.Unlock()
}

func (rr *k14RoundRobinFixed) watchAddrUpdates(addrs []string) {
	rr.mu.Lock()
	cp := append([]string(nil), addrs...)
	rr.mu.Unlock()
	rr.addrCh <- cp
}

func (rr *k14RoundRobinFixed) lbWatcher() {
	for addrs := range rr.addrCh {
		for _, a := range addrs {
			rr.down(a)
		}
	}
}

// K15. grpc/grpc-go#4536: switching balancers held cc.mu while waiting for
// the old balancer's goroutine to exit; that goroutine, handling an update,
// was blocked creating a SubConn, which needs cc.mu. Fix: release cc.mu
// before closing the old balancer.
type k15ClientConn struct {
	mu    sync.Mutex
	conns int
	bal   *k15Balancer
}

type k15Balancer struct {
	cc      *k15ClientConn
	updates chan int
	quit    chan struct{}
	done    chan struct{}
}

func k15NewBalancer(cc *k15ClientConn) *k15Balancer {
	b := &k15Balancer{cc: cc, updates: make(chan int), quit: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

func (cc *k15ClientConn) newSubConn() {
	cc.mu.Lock()
	cc.conns++
	cc.mu.Unlock()
}

func (b *k15Balancer) run() {
	defer close(b.done)
	for {
		select {
		case <-b.updates:
			b.cc.newSubConn()
		case <-b.quit:
			return
		}
	}
}

func (cc *k15ClientConn) switchBalancer() {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	close(cc.bal.quit)
	<-cc.bal.done // want `this goroutine receives from cc.bal.done while holding cc.mu \(locked at line \d+\), but run, which sends on or closes it`
}

type k15ClientConnFixed struct {
	mu    sync.Mutex
	conns int
	bal   *k15BalancerFixed
}

type k15BalancerFixed struct {
	cc      *k15ClientConnFixed
	updates chan int
	quit    chan struct{}
	done    chan struct{}
}

func k15NewBalancerFixed(cc *k15ClientConnFixed) *k15BalancerFixed {
	b := &k15BalancerFixed{cc: cc, updates: make(chan int), quit: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

func (cc *k15ClientConnFixed) newSubConn() {
	cc.mu.Lock()
	cc.conns++
	cc.mu.Unlock()
}

func (b *k15BalancerFixed) run() {
	defer close(b.done)
	for {
		select {
		case <-b.updates:
			b.cc.newSubConn()
		case <-b.quit:
			return
		}
	}
}

func (cc *k15ClientConnFixed) switchBalancer(nb *k15BalancerFixed) {
	cc.mu.Lock()
	old := cc.bal
	cc.bal = nb
	cc.mu.Unlock()
	close(old.quit)
	<-old.done
}

// K16. neilotoole/errgroup#6: Group.Wait held the group's mutex across
// wg.Wait, while a running worker starting more work called Group.Go,
// which locks the same mutex before its Done can run (here: a worker
// that fails locks it to record its error, then calls Done). Fix: Wait no
// longer holds the mutex.
type k16Group struct {
	mu  sync.Mutex
	wg  sync.WaitGroup
	err error
}

func (g *k16Group) Wait() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.wg.Wait() // want `this goroutine waits on g.wg while holding g.mu \(locked at line \d+\), but a function literal in Go, which calls Done`
	return g.err
}

func (g *k16Group) Go(f func() error) {
	g.mu.Lock()
	g.wg.Add(1)
	g.mu.Unlock()
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.mu.Lock()
			g.err = err
			g.mu.Unlock()
		}
	}()
}

type k16GroupFixed struct {
	mu  sync.Mutex
	wg  sync.WaitGroup
	err error
}

func (g *k16GroupFixed) Wait() error {
	g.wg.Wait()
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

func (g *k16GroupFixed) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.mu.Lock()
			g.err = err
			g.mu.Unlock()
		}
	}()
}
