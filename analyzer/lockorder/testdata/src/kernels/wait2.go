package kernels

import (
	"sync"
	"time"
)

// K24. hashicorp/vault#5189: sealing held the core's state lock, closed the
// standby goroutine's stop channel and waited for that goroutine to exit;
// if the goroutine's select had just taken the leader-lost case instead,
// it tried to take the state lock before it could exit, and each waited
// for the other. Fix: every case runs the same stop logic, and the lock is
// taken through a helper that gives up when the stop channel closes
// (grabLockOrStop).
type k24Core struct {
	stateLock  sync.RWMutex
	sealed     bool
	leaderLost chan struct{}
	stopCh     chan struct{}
	doneCh     chan struct{}
}

func k24NewCore() *k24Core {
	return &k24Core{leaderLost: make(chan struct{}), stopCh: make(chan struct{}), doneCh: make(chan struct{})}
}

func (c *k24Core) runStandby() {
	defer close(c.doneCh)
	select {
	case <-c.leaderLost:
		c.stateLock.Lock()
		c.sealed = true
		c.stateLock.Unlock()
	case <-c.stopCh:
	}
}

func (c *k24Core) seal() {
	c.stateLock.Lock()
	defer c.stateLock.Unlock()
	close(c.stopCh)
	<-c.doneCh // want `this goroutine receives from c.doneCh while holding c.stateLock \(locked at line \d+\), but runStandby, which sends on or closes it`
}

// The fix: the standby goroutine takes the lock through grabLockOrStop,
// which locks in a goroutine of its own and gives up when stop closes.
type k24CoreFixed struct {
	stateLock  sync.RWMutex
	sealed     bool
	leaderLost chan struct{}
	stopCh     chan struct{}
	doneCh     chan struct{}
}

func k24NewCoreFixed() *k24CoreFixed {
	return &k24CoreFixed{leaderLost: make(chan struct{}), stopCh: make(chan struct{}), doneCh: make(chan struct{})}
}

func k24GrabLockOrStop(lock, unlock func(), stop chan struct{}) (stopped bool) {
	locked := make(chan struct{})
	go func() {
		lock()
		close(locked)
	}()
	select {
	case <-locked:
		return false
	case <-stop:
		go func() {
			<-locked
			unlock()
		}()
		return true
	}
}

func (c *k24CoreFixed) runStandby() {
	defer close(c.doneCh)
	select {
	case <-c.leaderLost:
	case <-c.stopCh:
	}
	if k24GrabLockOrStop(c.stateLock.Lock, c.stateLock.Unlock, c.stopCh) {
		return
	}
	c.sealed = true
	c.stateLock.Unlock()
}

func (c *k24CoreFixed) seal() {
	c.stateLock.Lock()
	defer c.stateLock.Unlock()
	close(c.stopCh)
	<-c.doneCh
}

// K25. usnistgov/dastard#67: the data sources' blocking reads held the
// source control's mutex while sending on the heartbeats channel, and the
// loop that drains that channel had another select case (the heartbeat
// broadcast on a timer) that locks the same mutex first: while it waited
// for the mutex, nothing drained the channel. Fix (one of the two weighed
// in the issue): broadcast in a goroutine of its own.
type k25SourceControl struct {
	mu         sync.Mutex
	heartbeats chan int
	status     int
}

func k25New() *k25SourceControl { return &k25SourceControl{heartbeats: make(chan int)} }

func (s *k25SourceControl) blockingRead(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = n
	s.heartbeats <- n // want `this goroutine sends on unbuffered s.heartbeats while holding s.mu`
}

func (s *k25SourceControl) broadcastHeartbeat() {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.status
}

func (s *k25SourceControl) run(tick <-chan time.Time) {
	total := 0
	for {
		select {
		case n := <-s.heartbeats:
			total += n
		case <-tick:
			s.broadcastHeartbeat()
		}
	}
}

// The fix.
type k25SourceControlFixed struct {
	mu         sync.Mutex
	heartbeats chan int
	status     int
}

func k25NewFixed() *k25SourceControlFixed {
	return &k25SourceControlFixed{heartbeats: make(chan int)}
}

func (s *k25SourceControlFixed) blockingRead(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = n
	s.heartbeats <- n
}

func (s *k25SourceControlFixed) broadcastHeartbeat() {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.status
}

func (s *k25SourceControlFixed) run(tick <-chan time.Time) {
	total := 0
	for {
		select {
		case n := <-s.heartbeats:
			total += n
		case <-tick:
			go s.broadcastHeartbeat()
		}
	}
}
