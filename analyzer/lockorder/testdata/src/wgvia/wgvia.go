// Package wgvia holds WaitGroup waits reached through a wrapper, made
// while holding a lock the goroutine that calls Done takes first, and
// callbacks passed on through wrappers to the field a goroutine calls;
// beside look-alikes that must stay silent.
package wgvia

import (
	"errors"
	"sync"
)

// A: microsoft/hcsshim#49. A service runs each registered callback on a
// goroutine of its own and its unregister waits for the callbacks in
// flight; the callback a wrapper registers takes the map lock, and the
// container unregisters holding that lock.

var (
	callbackMapLock sync.RWMutex
	callbackMap     = map[uintptr]chan error{}
)

func notificationWatcher(n uintptr, status error) {
	callbackMapLock.RLock()
	ch := callbackMap[n]
	callbackMapLock.RUnlock()
	if ch != nil {
		ch <- status
	}
}

type registration struct {
	fn  func(uintptr, error)
	ctx uintptr
}

type service struct {
	mu        sync.Mutex
	next      uintptr
	callbacks map[uintptr]registration
	running   sync.WaitGroup
}

func (s *service) register(fn func(uintptr, error), ctx uintptr) uintptr {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	s.callbacks[s.next] = registration{fn: fn, ctx: ctx}
	return s.next
}

func (s *service) notify(h uintptr, status error) {
	s.mu.Lock()
	r, ok := s.callbacks[h]
	if !ok {
		s.mu.Unlock()
		return
	}
	s.running.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.running.Done()
		r.fn(r.ctx, status)
	}()
}

func (s *service) unregister(h uintptr) {
	s.mu.Lock()
	delete(s.callbacks, h)
	s.mu.Unlock()
	s.running.Wait()
}

var svc = &service{callbacks: map[uintptr]registration{}}

func registerCallback(fn func(uintptr, error), ctx uintptr) uintptr {
	return svc.register(fn, ctx)
}

func unregisterCallback(h uintptr) error {
	svc.unregister(h)
	return nil
}

type container struct {
	handle uintptr
	n      uintptr
}

func (c *container) open() {
	callbackMapLock.Lock()
	c.n++
	callbackMap[c.n] = make(chan error, 1)
	callbackMapLock.Unlock()
	c.handle = registerCallback(notificationWatcher, c.n)
}

func (c *container) close() error {
	callbackMapLock.Lock()
	defer callbackMapLock.Unlock()
	delete(callbackMap, c.n)
	return unregisterCallback(c.handle) // want `waits on svc.running inside unregisterCallback .*while holding callbackMapLock .*first locks callbackMapLock`
}

// The fix: unregister without the lock, then drop the entry.
func (c *container) closeFixed() error {
	if err := unregisterCallback(c.handle); err != nil {
		return err
	}
	callbackMapLock.Lock()
	delete(callbackMap, c.n)
	callbackMapLock.Unlock()
	return nil
}

// B: a pool of workers kept in a package variable; Stop is reached
// through a wrapper that returns an error, while holding the stats lock
// every worker takes before Done.

type stats struct {
	mu   sync.Mutex
	done int
}

var st stats

type pool struct {
	wg   sync.WaitGroup
	jobs chan func()
}

func (p *pool) start(n int) {
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for job := range p.jobs {
				job()
				st.mu.Lock()
				st.done++
				st.mu.Unlock()
			}
		}()
	}
}

func (p *pool) stop() {
	close(p.jobs)
	p.wg.Wait()
}

var workers = &pool{jobs: make(chan func())}

func shutdown() error {
	workers.stop()
	return nil
}

func report() (int, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := shutdown(); err != nil { // want `waits on workers.wg inside shutdown .*while holding st.mu .*first locks st.mu`
		return 0, err
	}
	return st.done, nil
}

// Look-alike: the same wrapper called after the lock is released.
func reportFixed() (int, error) {
	if err := shutdown(); err != nil {
		return 0, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.done, nil
}

// Look-alike: the workers of this pool take another lock than the one
// held around the wrapper.
type quietPool struct {
	wg   sync.WaitGroup
	jobs chan func()
	mu   sync.Mutex
	n    int
}

func (p *quietPool) start() {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for job := range p.jobs {
			job()
			p.mu.Lock()
			p.n++
			p.mu.Unlock()
		}
	}()
}

func (p *quietPool) stop() {
	close(p.jobs)
	p.wg.Wait()
}

var quiet = &quietPool{jobs: make(chan func())}

func quietShutdown() error {
	quiet.stop()
	return nil
}

func reportQuiet() (int, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := quietShutdown(); err != nil {
		return 0, err
	}
	return st.done, nil
}

// Look-alike: a read lock held around the wrapper, and the callback
// forwarded to the goroutine only read-locks: two readers never block
// each other.

var (
	tableMu sync.RWMutex
	table   = map[uintptr]int{}
)

func readWatcher(n uintptr) {
	tableMu.RLock()
	_ = table[n]
	tableMu.RUnlock()
}

type readService struct {
	mu      sync.Mutex
	fns     map[uintptr]func(uintptr)
	running sync.WaitGroup
}

func (s *readService) register(h uintptr, fn func(uintptr)) {
	s.mu.Lock()
	s.fns[h] = fn
	s.mu.Unlock()
}

func (s *readService) notify(h uintptr) {
	s.mu.Lock()
	fn := s.fns[h]
	s.running.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.running.Done()
		fn(h)
	}()
}

func (s *readService) unregister(h uintptr) {
	s.mu.Lock()
	delete(s.fns, h)
	s.mu.Unlock()
	s.running.Wait()
}

var readSvc = &readService{fns: map[uintptr]func(uintptr){}}

func registerRead(h uintptr, fn func(uintptr)) { readSvc.register(h, fn) }

func unregisterRead(h uintptr) { readSvc.unregister(h) }

func watchTable(h uintptr) { registerRead(h, readWatcher) }

func lookupAndStop(h uintptr) int {
	tableMu.RLock()
	defer tableMu.RUnlock()
	unregisterRead(h)
	return table[h]
}

// Look-alike: the wrapper's call site passes a function that takes no
// lock at all.

var plainMu sync.Mutex

func countWatcher(n uintptr) {
	_ = n
}

type countService struct {
	mu      sync.Mutex
	fns     map[uintptr]func(uintptr)
	running sync.WaitGroup
}

func (s *countService) register(h uintptr, fn func(uintptr)) {
	s.mu.Lock()
	s.fns[h] = fn
	s.mu.Unlock()
}

func (s *countService) notify(h uintptr) {
	s.mu.Lock()
	fn := s.fns[h]
	s.running.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.running.Done()
		fn(h)
	}()
}

func (s *countService) unregister(h uintptr) {
	s.mu.Lock()
	delete(s.fns, h)
	s.mu.Unlock()
	s.running.Wait()
}

var countSvc = &countService{fns: map[uintptr]func(uintptr){}}

func registerCount(h uintptr, fn func(uintptr)) { countSvc.register(h, fn) }

func unregisterCount(h uintptr) { countSvc.unregister(h) }

func watchCount(h uintptr) { registerCount(h, countWatcher) }

func stopCount(h uintptr) error {
	plainMu.Lock()
	defer plainMu.Unlock()
	unregisterCount(h)
	return errors.New("stopped")
}

// Look-alike: several functions are forwarded into the same callback
// field, and only one of them takes the lock held around the wrapper:
// the goroutine may run the other, so it is not known to block.

var aMu sync.Mutex

func lockingWatcher(n uintptr) {
	aMu.Lock()
	_ = n
	aMu.Unlock()
}

func otherWatcher(n uintptr) { _ = n }

type mixService struct {
	mu      sync.Mutex
	fns     map[uintptr]func(uintptr)
	running sync.WaitGroup
}

func (s *mixService) register(h uintptr, fn func(uintptr)) {
	s.mu.Lock()
	s.fns[h] = fn
	s.mu.Unlock()
}

func (s *mixService) notify(h uintptr) {
	s.mu.Lock()
	fn := s.fns[h]
	s.running.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.running.Done()
		fn(h)
	}()
}

func (s *mixService) unregister(h uintptr) {
	s.mu.Lock()
	delete(s.fns, h)
	s.mu.Unlock()
	s.running.Wait()
}

var mixSvc = &mixService{fns: map[uintptr]func(uintptr){}}

func registerMix(h uintptr, fn func(uintptr)) { mixSvc.register(h, fn) }

func unregisterMix(h uintptr) { mixSvc.unregister(h) }

func watchMix(h uintptr, locking bool) {
	if locking {
		registerMix(h, lockingWatcher)
	} else {
		registerMix(h, otherWatcher)
	}
}

func stopMix(h uintptr) {
	aMu.Lock()
	defer aMu.Unlock()
	unregisterMix(h)
}
