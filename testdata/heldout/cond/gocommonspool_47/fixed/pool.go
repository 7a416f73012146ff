// Package fixed is the fixed version of cond/gocommonspool_47: the
// TimeoutCond's signal channel has a buffer of one, so a Signal sent
// before the waiter reaches its receive is kept for it, and the channel
// field is guarded by the TimeoutCond's own lock.
package fixed

import (
	"errors"
	"sync"
	"time"
)

// TimeoutCond is a condition variable whose wait can time out or be
// interrupted.
type TimeoutCond struct {
	L          sync.Locker
	condL      sync.RWMutex
	signal     chan int
	hasWaiters bool
}

// NewTimeoutCond returns a TimeoutCond using l.
func NewTimeoutCond(l sync.Locker) *TimeoutCond {
	return &TimeoutCond{L: l, signal: make(chan int, 1)}
}

// WaitWithTimeout waits for a signal for at most timeout; it returns the
// time left and whether the wait was interrupted.
func (cond *TimeoutCond) WaitWithTimeout(timeout time.Duration) (time.Duration, bool) {
	cond.hasWaiters = true
	cond.condL.RLock()
	ch := cond.signal
	cond.condL.RUnlock()
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
	cond.condL.RLock()
	ch := cond.signal
	cond.condL.RUnlock()
	cond.L.Unlock()
	defer func() { cond.hasWaiters = false }()
	defer cond.L.Lock()
	_, ok := <-ch
	return !ok
}

// Signal wakes one goroutine waiting on the condition, if one is receiving.
func (cond *TimeoutCond) Signal() {
	cond.condL.RLock()
	defer cond.condL.RUnlock()
	select {
	case cond.signal <- 1:
	default:
	}
}

// Interrupt wakes every waiter with an interrupted result.
func (cond *TimeoutCond) Interrupt() {
	cond.condL.Lock()
	defer cond.condL.Unlock()
	close(cond.signal)
	cond.signal = make(chan int, 1)
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
