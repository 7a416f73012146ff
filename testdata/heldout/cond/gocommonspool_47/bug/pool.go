// Package bug is a held-out kernel (issue 14): an object pool whose idle
// deque waits on a home-made condition variable, a TimeoutCond that wakes
// a waiter by a non-blocking send on an unbuffered channel. A borrower that
// has released the deque's lock but not yet reached its receive misses the
// Signal of the object returned in that window, and then waits for ever
// with an idle object in the deque.
//
// Upstream: jolestar/go-commons-pool#47 ("Fix dead lock")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: LinkedBlockDeque.TakeFirst locks the deque and, while the deque is
// empty, calls notEmpty.Wait, which copies the signal channel, unlocks
// cond.L and then receives on the channel. linkLast (under the lock)
// calls notEmpty.Signal, a select that sends on the unbuffered channel or
// falls to default when no goroutine is receiving at that moment. Between
// Wait's Unlock and its receive nobody is receiving, so a ReturnObject
// that lands there drops the wake-up; the borrower's receive then waits
// for a Signal that no one will send, although the object sits in the
// deque. The pull request fixes issue #44, whose text we did not read: the
// interleaving above is our reading of what the fix changes.
//
// Fix: the signal channel gets a buffer of one, so a Signal with no
// receiver ready leaves a token that the next receive takes, and the
// channel field is guarded by a lock of the TimeoutCond's own (condL)
// that Interrupt now takes instead of the caller's lock. A buffer of one
// can still drop the second of two Signals sent before either of two
// waiters receives; the kernel's driver has a single borrower, so neither
// version has that case.
package bug

import (
	"errors"
	"sync"
	"time"
)

// TimeoutCond is a condition variable whose wait can time out or be
// interrupted.
type TimeoutCond struct {
	L          sync.Locker
	signal     chan int
	hasWaiters bool
}

// NewTimeoutCond returns a TimeoutCond using l.
func NewTimeoutCond(l sync.Locker) *TimeoutCond {
	return &TimeoutCond{L: l, signal: make(chan int)}
}

// WaitWithTimeout waits for a signal for at most timeout; it returns the
// time left and whether the wait was interrupted.
func (cond *TimeoutCond) WaitWithTimeout(timeout time.Duration) (time.Duration, bool) {
	cond.hasWaiters = true
	ch := cond.signal
	cond.L.Unlock()
	defer func() { cond.hasWaiters = false }()
	defer cond.L.Lock()

	begin := time.Now()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case _, ok := <-ch:
		return timeout - time.Since(begin), !ok
	case <-t.C:
		return 0, false
	}
}

// HasWaiters reports whether a goroutine waits on the condition.
func (cond *TimeoutCond) HasWaiters() bool {
	return cond.hasWaiters
}

// Wait waits for a signal; it reports whether it was interrupted.
func (cond *TimeoutCond) Wait() bool {
	cond.hasWaiters = true
	ch := cond.signal
	cond.L.Unlock()
	defer func() { cond.hasWaiters = false }()
	defer cond.L.Lock()
	_, ok := <-ch // heldout:site
	return !ok
}

// Signal wakes one goroutine waiting on the condition, if one is receiving.
func (cond *TimeoutCond) Signal() {
	select {
	case cond.signal <- 1: // heldout:site
	default:
	}
}

// Interrupt wakes every waiter with an interrupted result.
func (cond *TimeoutCond) Interrupt() {
	cond.L.Lock()
	defer cond.L.Unlock()
	close(cond.signal)
	cond.signal = make(chan int)
}

type node struct {
	item       interface{}
	prev, next *node
}

// LinkedBlockDeque is a bounded blocking deque.
type LinkedBlockDeque struct {
	first, last *node
	count       int
	capacity    int

	lock     *sync.Mutex
	notEmpty *TimeoutCond
	notFull  *TimeoutCond
}

// NewDeque returns an empty deque holding at most capacity items.
func NewDeque(capacity int) *LinkedBlockDeque {
	lock := new(sync.Mutex)
	return &LinkedBlockDeque{
		capacity: capacity,
		lock:     lock,
		notEmpty: NewTimeoutCond(lock),
		notFull:  NewTimeoutCond(lock),
	}
}

func (q *LinkedBlockDeque) linkLast(e interface{}) bool {
	if q.count >= q.capacity {
		return false
	}
	l := q.last
	x := &node{item: e, prev: l}
	q.last = x
	if q.first == nil {
		q.first = x
	} else {
		l.next = x
	}
	q.count++
	q.notEmpty.Signal()
	return true
}

func (q *LinkedBlockDeque) unlinkFirst() interface{} {
	f := q.first
	if f == nil {
		return nil
	}
	n := f.next
	item := f.item
	f.item = nil
	f.next = f
	q.first = n
	if n == nil {
		q.last = nil
	} else {
		n.prev = nil
	}
	q.count--
	q.notFull.Signal()
	return item
}

// AddLast links e at the end, failing if the deque is full.
func (q *LinkedBlockDeque) AddLast(e interface{}) error {
	if e == nil {
		return errors.New("e is nil")
	}
	q.lock.Lock()
	ok := q.linkLast(e)
	q.lock.Unlock()
	if !ok {
		return errors.New("deque full")
	}
	return nil
}

// TakeFirst unlinks the first item, waiting while the deque is empty.
func (q *LinkedBlockDeque) TakeFirst() interface{} {
	q.lock.Lock()
	defer q.lock.Unlock()
	var x interface{}
	interrupt := false
	for x = q.unlinkFirst(); x == nil; x = q.unlinkFirst() {
		if interrupt {
			break
		}
		interrupt = q.notEmpty.Wait()
	}
	return x
}

// PollFirstWithTimeout is TakeFirst that gives up after timeout.
func (q *LinkedBlockDeque) PollFirstWithTimeout(timeout time.Duration) interface{} {
	q.lock.Lock()
	defer q.lock.Unlock()
	var x interface{}
	interrupt := false
	for x = q.unlinkFirst(); x == nil; x = q.unlinkFirst() {
		if timeout <= 0 || interrupt {
			break
		}
		timeout, interrupt = q.notEmpty.WaitWithTimeout(timeout)
	}
	return x
}

// InterruptTakeWaiters wakes every goroutine blocked in TakeFirst.
func (q *LinkedBlockDeque) InterruptTakeWaiters() {
	q.notEmpty.Interrupt()
}

// PooledObject wraps one pooled object.
type PooledObject struct {
	Object interface{}
}

// ObjectPool hands out a bounded set of objects.
type ObjectPool struct {
	mu          sync.Mutex
	allObjects  map[interface{}]*PooledObject
	idleObjects *LinkedBlockDeque
	maxTotal    int
	maxWait     time.Duration // <= 0 waits for ever
	closed      bool
	create      func() interface{}
}

// NewObjectPool returns a pool of at most maxTotal objects made by create.
func NewObjectPool(maxTotal int, create func() interface{}) *ObjectPool {
	return &ObjectPool{
		allObjects:  make(map[interface{}]*PooledObject),
		idleObjects: NewDeque(maxTotal),
		maxTotal:    maxTotal,
		create:      create,
	}
}

func (p *ObjectPool) tryCreate() *PooledObject {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.allObjects) >= p.maxTotal {
		return nil
	}
	o := &PooledObject{Object: p.create()}
	p.allObjects[o.Object] = o
	return o
}

// BorrowObject returns an idle object, a new one, or waits for a return.
func (p *ObjectPool) BorrowObject() (interface{}, error) {
	if x := p.idleObjects.PollFirstWithTimeout(0); x != nil {
		return x.(*PooledObject).Object, nil
	}
	if o := p.tryCreate(); o != nil {
		return o.Object, nil
	}
	var x interface{}
	if p.maxWait <= 0 {
		x = p.idleObjects.TakeFirst()
	} else {
		x = p.idleObjects.PollFirstWithTimeout(p.maxWait)
	}
	if x == nil {
		return nil, errors.New("pool closed or timed out waiting for an idle object")
	}
	return x.(*PooledObject).Object, nil
}

// ReturnObject puts a borrowed object back.
func (p *ObjectPool) ReturnObject(obj interface{}) error {
	p.mu.Lock()
	o, ok := p.allObjects[obj]
	p.mu.Unlock()
	if !ok {
		return errors.New("object not part of this pool")
	}
	return p.idleObjects.AddLast(o)
}

// Close interrupts the borrowers still waiting.
func (p *ObjectPool) Close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.idleObjects.InterruptTakeWaiters()
}

// borrowWhileReturning is one borrower waiting for the pool's only object
// while its holder returns it.
func borrowWhileReturning() {
	p := NewObjectPool(1, func() interface{} { return new(int) })
	obj, _ := p.BorrowObject()

	done := make(chan struct{})
	go func() {
		defer close(done)
		o, err := p.BorrowObject()
		if err == nil {
			p.ReturnObject(o)
		}
	}()

	p.ReturnObject(obj)
	<-done
	p.Close()
}
