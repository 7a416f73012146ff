package shapes

import "sync"

// A precision look-alike from nats-server (its stream's signalConsumers
// and swapSigSubs): a sublist runs a callback under its own read lock, the
// callback locks a consumer, and elsewhere the consumer's lock is held
// while the sublist is written. Both sides hold the stream's clsMu, one
// of them for writing, so they never run at once: no inversion.
type gateSublist struct {
	mu   sync.RWMutex
	subs map[string][]*gateConsumer
}

func (l *gateSublist) Match(subj string, cb func(*gateConsumer)) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, c := range l.subs[subj] {
		cb(c)
	}
}

func (l *gateSublist) Remove(subj string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.subs, subj)
}

type gateConsumer struct {
	mu  sync.Mutex
	seq uint64
}

func (c *gateConsumer) signal(seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq = seq
}

type gateStream struct {
	clsMu sync.RWMutex
	csl   *gateSublist
}

func (s *gateStream) signalConsumers(subj string, seq uint64) {
	s.clsMu.RLock()
	defer s.clsMu.RUnlock()
	s.csl.Match(subj, func(c *gateConsumer) { c.signal(seq) })
}

func (s *gateStream) swapSigSubs(c *gateConsumer, subj string) {
	s.clsMu.Lock()
	defer s.clsMu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	s.csl.Remove(subj)
}

// Without the gate on one side the same orders do deadlock.
type gateStream2 struct {
	clsMu sync.RWMutex
	csl   *gateSublist2
}

type gateSublist2 struct {
	mu   sync.RWMutex
	subs map[string][]*gateConsumer2
}

func (l *gateSublist2) Match(subj string, cb func(*gateConsumer2)) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, c := range l.subs[subj] {
		cb(c)
	}
}

func (l *gateSublist2) Remove(subj string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.subs, subj)
}

type gateConsumer2 struct {
	mu  sync.Mutex
	seq uint64
}

func (c *gateConsumer2) signal(seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq = seq
}

func (s *gateStream2) signalConsumers(subj string, seq uint64) {
	s.csl.Match(subj, func(c *gateConsumer2) { c.signal(seq) }) // want `lock order inversion by lock class: signalConsumers locks s.csl.mu \(line \d+\) then c.mu inside the function literal \(passed to Match, which calls it holding its locks\)`
}

func (s *gateStream2) swapSigSubs(c *gateConsumer2, subj string) {
	s.clsMu.Lock()
	defer s.clsMu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	s.csl.Remove(subj)
}

// A precision look-alike from nats-server (updateConfig against
// signalConsumers): two lists of one generic type with different type
// arguments are different objects (and types); a callback that locks a
// consumer under one list's lock orders nothing against the consumer
// locking its own filter list.
type gateList[T any] struct {
	mu    sync.RWMutex
	items []T
}

func (l *gateList[T]) Each(cb func(T)) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, it := range l.items {
		cb(it)
	}
}

func (l *gateList[T]) Add(it T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, it)
}

type gateConsumer3 struct {
	mu      sync.Mutex
	filters *gateList[string]
	seq     uint64
}

func (c *gateConsumer3) signal(seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq = seq
}

func (c *gateConsumer3) addFilter(f string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.filters.Add(f)
}

type gateStream3 struct {
	csl *gateList[*gateConsumer3]
}

func (s *gateStream3) signalConsumers(seq uint64) {
	s.csl.Each(func(c *gateConsumer3) { c.signal(seq) })
}
