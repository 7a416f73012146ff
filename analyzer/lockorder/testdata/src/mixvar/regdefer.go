// Package mixvar holds locks held across waits whose waker is spelled
// the way other code spells it (session 25, mixvar): a deferred close of
// a channel kept in a slice field, a channel got through an interface
// method, a component closed through io.Closer, a goroutine a starter
// runs that drops its count through a helper. Each beside its fix and
// look-alikes.
package mixvar

import "sync"

// Shards each close their done channel, kept in a slice field, when
// their queue is drained; a shard that flushes a full batch locks s.mtx
// first. stop holds s.mtx while it waits on every done channel: a shard
// in its flush never closes its channel (mixed/prometheus_10279, the
// channels in a slice and the goroutine a named function).
type shards struct {
	mtx    sync.Mutex
	queues []chan int
	done   []chan struct{}
	sent   int
}

func runShard(s *shards, i int) {
	defer close(s.done[i])
	n := 0
	for range s.queues[i] {
		n++
		if n == 10 {
			s.mtx.Lock()
			s.sent += n
			s.mtx.Unlock()
			n = 0
		}
	}
}

func (s *shards) start(n int) {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	s.queues = make([]chan int, n)
	s.done = make([]chan struct{}, n)
	for i := 0; i < n; i++ {
		s.queues[i] = make(chan int, 100)
		s.done[i] = make(chan struct{})
		go runShard(s, i)
	}
}

func (s *shards) stop() {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	for _, q := range s.queues {
		close(q)
	}
	for _, d := range s.done {
		<-d // want `this goroutine receives from s.done\[…\] while holding s.mtx .*but runShard, which sends on or closes it .*first locks s.mtx`
	}
}

// The fix: the lock is released before the waits.
type shardsOK struct {
	mtx    sync.Mutex
	queues []chan int
	done   []chan struct{}
	sent   int
}

func runShardOK(s *shardsOK, i int) {
	defer close(s.done[i])
	for v := range s.queues[i] {
		s.mtx.Lock()
		s.sent += v
		s.mtx.Unlock()
	}
}

func (s *shardsOK) start(n int) {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	s.queues = make([]chan int, n)
	s.done = make([]chan struct{}, n)
	for i := 0; i < n; i++ {
		s.queues[i] = make(chan int, 100)
		s.done[i] = make(chan struct{})
		go runShardOK(s, i)
	}
}

func (s *shardsOK) stop() {
	s.mtx.Lock()
	for _, q := range s.queues {
		close(q)
	}
	done := s.done
	s.mtx.Unlock()
	for _, d := range done {
		<-d
	}
}

// Look-alike: the shards count under a lock of their own, not the one
// held while stop waits.
type shardsOwn struct {
	mtx    sync.Mutex
	cmu    sync.Mutex
	queues []chan int
	done   []chan struct{}
	sent   int
}

func runShardOwn(s *shardsOwn, i int) {
	defer close(s.done[i])
	for v := range s.queues[i] {
		s.cmu.Lock()
		s.sent += v
		s.cmu.Unlock()
	}
}

func (s *shardsOwn) start(n int) {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	s.queues = make([]chan int, n)
	s.done = make([]chan struct{}, n)
	for i := 0; i < n; i++ {
		s.queues[i] = make(chan int, 100)
		s.done[i] = make(chan struct{})
		go runShardOwn(s, i)
	}
}

func (s *shardsOwn) stop() {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	for _, q := range s.queues {
		close(q)
	}
	for _, d := range s.done {
		<-d
	}
}
