// Package bug is a held-out kernel (issue 14): borrowers waiting on the
// idle deque's condition of an exhausted pool are never woken when a
// returned object is destroyed, because ensureIdle never creates the
// replacement that would signal them.
//
// Upstream: jolestar/go-commons-pool#27 ("Fix for incorrectly blocking callers to BorrowObject in some conditions")
// Round: 19
//
// Bug: with MaxTotal objects all borrowed, BorrowObject cannot create
// another and waits in idleObjects.TakeFirst on the deque's notEmpty
// condition (a TimeoutCond). ReturnObject
// passivates the object; when PassivateObject fails it destroys the object
// (freeing a slot) and calls ensureIdle(1, false) so that a waiting
// borrower gets a fresh one. But ensureIdle, which could not yet ask the
// deque whether anyone waits ("TODO how to implement hasTakeWaiters?"),
// returns at once whenever always is false: no object is created, nothing
// is linked into the deque, notEmpty is never signalled, and every waiting
// BorrowObject blocks forever although the pool has room (issue #25:
// "BorrowObject will block forever even if all previous callers returned
// their objects to the pool"). Reduced from pool.go, collections/queue.go
// and concurrent/cond.go; eviction, abandonment, validation, statistics
// and the timeout variants are left out, and TimeoutCond, which upstream
// builds on an unbuffered channel with a non-blocking send (so that a
// Signal sent before the waiter receives is dropped), is built here on a
// sync.Cond in both versions (our reduction).
//
// Fix: ensureIdle no longer gives up when always is false: upstream makes
// the replacement when the deque reports take waiters (HasTakeWaiters,
// with TimeoutCond counting its waiters). Our fixed version makes the
// replacement whenever a returned object is destroyed, which also closes
// the window between a borrower's failed create and its wait, where
// upstream's waiter check still sees no one (our addition).
package bug

import (
	"errors"
	"sync"
)

// TimeoutCond is a condition variable on L that can be interrupted.
type TimeoutCond struct {
	L           sync.Locker
	cond        *sync.Cond
	interrupted uint64 // generation, bumped by Interrupt
	hasWaiters  bool
}

// NewTimeoutCond returns a condition on l.
func NewTimeoutCond(l sync.Locker) *TimeoutCond {
	return &TimeoutCond{L: l, cond: sync.NewCond(l)}
}

// HasWaiters reports whether a goroutine waits on the condition; L is held.
func (c *TimeoutCond) HasWaiters() bool {
	return c.hasWaiters
}

// Wait waits for a Signal or an Interrupt; L is held. It reports whether
// the wait was interrupted.
func (c *TimeoutCond) Wait() bool {
	c.hasWaiters = true
	gen := c.interrupted
	c.cond.Wait() // heldout:site
	c.hasWaiters = false
	return c.interrupted != gen
}

// Signal wakes one waiter; L is held.
func (c *TimeoutCond) Signal() {
	c.cond.Signal()
}

// Interrupt wakes every waiter.
func (c *TimeoutCond) Interrupt() {
	c.L.Lock()
	defer c.L.Unlock()
	c.interrupted++
	c.cond.Broadcast()
}

// LinkedBlockingDeque is a bounded deque whose takes wait for an element.
type LinkedBlockingDeque struct {
	items    []any
	capacity int
	lock     *sync.Mutex
	notEmpty *TimeoutCond
}

// NewDeque returns an empty deque.
func NewDeque(capacity int) *LinkedBlockingDeque {
	lock := new(sync.Mutex)
	return &LinkedBlockingDeque{capacity: capacity, lock: lock, notEmpty: NewTimeoutCond(lock)}
}

func (q *LinkedBlockingDeque) linkLast(e any) bool {
	if len(q.items) >= q.capacity {
		return false
	}
	q.items = append(q.items, e)
	q.notEmpty.Signal()
	return true
}

func (q *LinkedBlockingDeque) unlinkFirst() any {
	if len(q.items) == 0 {
		return nil
	}
	e := q.items[0]
	q.items = q.items[1:]
	return e
}

// AddLast appends e.
func (q *LinkedBlockingDeque) AddLast(e any) error {
	q.lock.Lock()
	defer q.lock.Unlock()
	if !q.linkLast(e) {
		return errors.New("deque full")
	}
	return nil
}

// PollFirst removes the first element, or returns nil.
func (q *LinkedBlockingDeque) PollFirst() any {
	q.lock.Lock()
	defer q.lock.Unlock()
	return q.unlinkFirst()
}

// TakeFirst removes the first element, waiting for one.
func (q *LinkedBlockingDeque) TakeFirst() any {
	q.lock.Lock()
	defer q.lock.Unlock()
	var x any
	interrupt := false
	for x = q.unlinkFirst(); x == nil; x = q.unlinkFirst() {
		if interrupt {
			break
		}
		interrupt = q.notEmpty.Wait()
	}
	return x
}

// HasTakeWaiters reports whether a TakeFirst waits.
func (q *LinkedBlockingDeque) HasTakeWaiters() bool {
	q.lock.Lock()
	defer q.lock.Unlock()
	return q.notEmpty.HasWaiters()
}

// InterruptTakeWaiters wakes every TakeFirst.
func (q *LinkedBlockingDeque) InterruptTakeWaiters() {
	q.notEmpty.Interrupt()
}

// PooledObject wraps an object of the pool.
type PooledObject struct {
	Object any
}

// PooledObjectFactory makes and recycles the pool's objects.
type PooledObjectFactory interface {
	MakeObject() (*PooledObject, error)
	DestroyObject(p *PooledObject) error
	PassivateObject(p *PooledObject) error
}

// ObjectPool lends objects made by a factory, at most MaxTotal at a time.
type ObjectPool struct {
	MaxTotal int

	factory     PooledObjectFactory
	idleObjects *LinkedBlockingDeque

	mu          sync.Mutex
	allObjects  map[any]*PooledObject
	createCount int
	closed      bool
}

// NewObjectPool returns a pool of at most maxTotal objects.
func NewObjectPool(factory PooledObjectFactory, maxTotal int) *ObjectPool {
	return &ObjectPool{
		MaxTotal:    maxTotal,
		factory:     factory,
		idleObjects: NewDeque(maxTotal),
		allObjects:  map[any]*PooledObject{},
	}
}

// ErrClosed is returned by a closed pool.
var ErrClosed = errors.New("pool not open")

func (p *ObjectPool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *ObjectPool) create() *PooledObject {
	p.mu.Lock()
	if p.createCount >= p.MaxTotal {
		p.mu.Unlock()
		return nil
	}
	p.createCount++
	p.mu.Unlock()

	obj, err := p.factory.MakeObject()
	if err != nil {
		p.mu.Lock()
		p.createCount--
		p.mu.Unlock()
		return nil
	}
	p.mu.Lock()
	p.allObjects[obj.Object] = obj
	p.mu.Unlock()
	return obj
}

func (p *ObjectPool) destroy(obj *PooledObject) {
	p.mu.Lock()
	delete(p.allObjects, obj.Object)
	p.createCount--
	p.mu.Unlock()
	_ = p.factory.DestroyObject(obj)
}

// BorrowObject lends an idle object, makes one, or waits for one.
func (p *ObjectPool) BorrowObject() (any, error) {
	if p.isClosed() {
		return nil, ErrClosed
	}
	var obj *PooledObject
	for obj == nil {
		if o, ok := p.idleObjects.PollFirst().(*PooledObject); ok {
			obj = o
			break
		}
		if obj = p.create(); obj != nil {
			break
		}
		o, ok := p.idleObjects.TakeFirst().(*PooledObject)
		if !ok {
			return nil, ErrClosed
		}
		obj = o
	}
	return obj.Object, nil
}

// ReturnObject gives a borrowed object back to the pool.
func (p *ObjectPool) ReturnObject(object any) error {
	p.mu.Lock()
	obj, ok := p.allObjects[object]
	p.mu.Unlock()
	if !ok {
		return errors.New("returned object not currently part of this pool")
	}
	if err := p.factory.PassivateObject(obj); err != nil {
		p.destroy(obj)
		p.ensureIdle(1, false) // heldout:site
		return nil
	}
	if p.isClosed() {
		p.destroy(obj)
		return nil
	}
	return p.idleObjects.AddLast(obj)
}

func (p *ObjectPool) ensureIdle(idleCount int, always bool) {
	//TODO how to implement this.idleObjects.hasTakeWaiters()?
	if idleCount < 1 || p.isClosed() || !always {
		return // heldout:site
	}
	for p.idleObjects.size() < idleCount {
		obj := p.create()
		if obj == nil {
			break
		}
		_ = p.idleObjects.AddLast(obj)
	}
}

func (q *LinkedBlockingDeque) size() int {
	q.lock.Lock()
	defer q.lock.Unlock()
	return len(q.items)
}

// Close destroys the idle objects and wakes every waiting borrower.
func (p *ObjectPool) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	for {
		obj, ok := p.idleObjects.PollFirst().(*PooledObject)
		if !ok {
			break
		}
		p.destroy(obj)
	}
	p.idleObjects.InterruptTakeWaiters()
}
