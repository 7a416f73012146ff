package a

import "sync"

type Cache struct {
	rw   sync.RWMutex
	m    map[string]int
	mu   sync.Mutex
	ch   chan int
	wg   sync.WaitGroup
	cond *sync.Cond
	ok   bool
	out  chan int
	buf  chan int
}

func (c *Cache) Get(k string) int { // want Get:`^acquires \{p0\}\.rw$`
	c.rw.RLock()
	defer c.rw.RUnlock()
	return c.m[k] + c.len() // want `c.rw is read-locked again inside c.len \(line 24\) while this goroutine already holds a read lock on it \(line 18\): if a writer calls Lock in between \(as at line 30\)`
}

func (c *Cache) len() int { // want len:`^acquires \{p0\}\.rw$`
	c.rw.RLock()
	defer c.rw.RUnlock()
	return len(c.m)
}

func (c *Cache) Put(k string, v int) { // want Put:`^acquires \{p0\}\.rw$`
	c.rw.Lock()
	defer c.rw.Unlock()
	c.m[k] = v
}

func NewCache() *Cache {
	c := &Cache{ch: make(chan int), out: make(chan int), buf: make(chan int, 1)}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// --- waits while holding a lock the waker needs ---

func (c *Cache) consumer() int { // want consumer:`^acquires \{p0\}\.mu, waits\(recv\) \{p0\}\.ch\^, wakes\(send\) \{p0\}\.ch\^$`
	c.mu.Lock()
	defer c.mu.Unlock()
	return <-c.ch // want `this goroutine receives from c.ch while holding c.mu \(locked at line 44\), but producer, which sends on or closes it \(line 53\), first locks c.mu \(line 50\)`
}

func (c *Cache) producer(v int) { // want producer:`^acquires \{p0\}\.mu, waits\(send\) \{p0\}\.ch\^, wakes\(recv\) \{p0\}\.ch\^$`
	c.mu.Lock()
	c.m["x"] = v
	c.mu.Unlock()
	c.ch <- v
}

func (c *Cache) waitAll() { // want waitAll:`^acquires \{p0\}\.mu, waits\(wg\) \{p0\}\.wg$`
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wg.Wait() // want `this goroutine waits on c.wg while holding c.mu`
}

func (c *Cache) worker() { // want worker:`^acquires \{p0\}\.mu$`
	defer c.wg.Done()
	c.mu.Lock()
	c.ok = true
	c.mu.Unlock()
}

func (c *Cache) sendOut() { // want sendOut:`^acquires \{p0\}\.mu, waits\(send\) \{p0\}\.out\^, wakes\(recv\) \{p0\}\.out\^$`
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out <- 1 // want `this goroutine sends on unbuffered c.out while holding c.mu`
}

func (c *Cache) recvOut() int { // want recvOut:`^acquires \{p0\}\.mu, waits\(recv\) \{p0\}\.out\^, wakes\(send\) \{p0\}\.out\^$`
	c.mu.Lock()
	c.ok = false
	c.mu.Unlock()
	return <-c.out
}

// --- safe look-alikes ---

// The Cond's own lock is released by Wait.
func (c *Cache) waitCond() { // want waitCond:`^acquires \{p0\}\.mu, waits\(cond\) \{p0\}\.cond\^$`
	c.mu.Lock()
	for !c.ok {
		c.cond.Wait() // ok: Wait releases c.mu
	}
	c.mu.Unlock()
}

func (c *Cache) signal() { // want signal:`^acquires \{p0\}\.mu, wakes\(cond\) \{p0\}\.cond\^$`
	c.mu.Lock()
	c.ok = true
	c.mu.Unlock()
	c.cond.Signal()
}

// Lock released before the wait.
func (c *Cache) consumer2() int { // want consumer2:`^acquires \{p0\}\.mu, waits\(recv\) \{p0\}\.ch\^, wakes\(send\) \{p0\}\.ch\^$`
	c.mu.Lock()
	ch := c.ch
	c.mu.Unlock()
	return <-ch
}

// Buffered channel with room: the send does not wait.
func (c *Cache) sendBuf() { // want sendBuf:`^acquires \{p0\}\.mu, wakes\(recv\) \{p0\}\.buf\^$`
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf <- 1
}

func (c *Cache) recvBuf() int { // want recvBuf:`^acquires \{p0\}\.mu, wakes\(send\) \{p0\}\.buf\^$`
	c.mu.Lock()
	c.ok = false
	c.mu.Unlock()
	return <-c.buf
}

type Pipe struct {
	mu sync.Mutex
	ch chan int
	n  int
}

// A waker that does not need the lock: no deadlock.
func (p *Pipe) get() int { // want get:`^acquires \{p0\}\.mu, waits\(recv\) \{p0\}\.ch\^, wakes\(send\) \{p0\}\.ch\^$`
	p.mu.Lock()
	defer p.mu.Unlock()
	return <-p.ch
}

func (p *Pipe) put(v int) { p.ch <- v } // want put:`^waits\(send\) \{p0\}\.ch\^, wakes\(recv\) \{p0\}\.ch\^$`

type Reader struct {
	rw sync.RWMutex
	n  int
}

// Recursive RLock with no writer anywhere: cannot block.
func (r *Reader) a() int { // want a:`^acquires \{p0\}\.rw$`
	r.rw.RLock()
	defer r.rw.RUnlock()
	return r.b()
}

func (r *Reader) b() int { // want b:`^acquires \{p0\}\.rw$`
	r.rw.RLock()
	defer r.rw.RUnlock()
	return r.n
}

// A Cond whose lock is taken through a helper (as net/http's connReader).
type CR struct {
	mu   sync.Mutex
	cond *sync.Cond
	busy bool
}

func (cr *CR) lock() { // want lock:`^acquires \{p0\}\.mu, holds \{p0\}\.mu$`
	cr.mu.Lock()
	if cr.cond == nil {
		cr.cond = sync.NewCond(&cr.mu)
	}
}

func (cr *CR) unlock() { cr.mu.Unlock() } // want unlock:`^releases \{p0\}\.mu$`

func (cr *CR) wait() { // want wait:`^acquires \{p0\}\.mu, waits\(cond\) \{p0\}\.cond\^$`
	cr.lock()
	for cr.busy {
		cr.cond.Wait() // ok: Wait releases cr.mu
	}
	cr.unlock()
}

func (cr *CR) done() { // want done:`^acquires \{p0\}\.mu, wakes\(cond\) \{p0\}\.cond\^$`
	cr.lock()
	cr.busy = false
	cr.cond.Broadcast()
	cr.unlock()
}

// Locals shared with a goroutine.
func localWait() {
	var mu sync.Mutex
	ch := make(chan int)
	go func() {
		mu.Lock()
		ch <- 1 // want `this goroutine sends on unbuffered ch while holding mu \(locked at line 191\), but localWait, which receives from it \(line 196\)`
		mu.Unlock()
	}()
	mu.Lock()
	<-ch // want `this goroutine receives from ch while holding mu \(locked at line 195\), but a function literal in localWait, which sends on or closes it \(line 192\), first locks mu \(line 191\)`
	mu.Unlock()
}

func localSend() {
	var mu sync.Mutex
	ch := make(chan int)
	go func() {
		mu.Lock()
		mu.Unlock()
		<-ch
	}()
	mu.Lock()
	ch <- 1 // want `this goroutine sends on unbuffered ch while holding mu`
	mu.Unlock()
}

func localSendBuffered() {
	var mu sync.Mutex
	ch := make(chan int, 1)
	go func() {
		mu.Lock()
		mu.Unlock()
		<-ch
	}()
	mu.Lock()
	ch <- 1 // ok: room in the buffer
	mu.Unlock()
}

// Waits and wakes inside helpers.
type W struct {
	mu   sync.Mutex
	done chan struct{}
	n    int
}

func (w *W) waitDone() { <-w.done } // want waitDone:`^waits\(recv\) \{p0\}\.done\^, wakes\(send\) \{p0\}\.done\^$`

func (w *W) Stop() { // want Stop:`^acquires \{p0\}\.mu, waits\(recv\) \{p0\}\.done\^, wakes\(send\) \{p0\}\.done\^$`
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waitDone() // want `this goroutine receives from w.done inside w.waitDone \(line 233\) while holding w.mu \(locked at line 236\), but Finish, which sends on or closes it \(line 245\), first locks w.mu \(line 242\)`
}

func (w *W) Finish() { // want Finish:`^acquires \{p0\}\.mu, wakes\(recv\) \{p0\}\.done\^$`
	w.mu.Lock()
	w.n++
	w.mu.Unlock()
	w.closeDone()
}

func (w *W) closeDone() { close(w.done) } // want closeDone:`^wakes\(recv\) \{p0\}\.done\^$`

// NewW makes W's channel unbuffered.
func NewW() *W { return &W{done: make(chan struct{})} }

// NewPipe makes Pipe's channel unbuffered.
func NewPipe() *Pipe { return &Pipe{ch: make(chan int)} }

// A receive from a buffered channel that already holds the value (as
// net/http's wantConn.cancel): not a wait.
type Want struct {
	mu     sync.Mutex
	done   bool
	result chan int
}

func NewWant() *Want { return &Want{result: make(chan int, 1)} }

func (w *Want) deliver(v int) { // want deliver:`^acquires \{p0\}\.mu, wakes\(recv\) \{p0\}\.result\^$`
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
	w.result <- v
}

func (w *Want) Deliver(v int) { w.deliver(v) } // want Deliver:`^acquires \{p0\}\.mu, wakes\(recv\) \{p0\}\.result\^$`

func (w *Want) Cancel() int { // want Cancel:`^acquires \{p0\}\.mu, wakes\(send\) \{p0\}\.result\^$`
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return <-w.result // ok: buffered, and delivered already
	}
	return 0
}

// A wake inside a callee needs the locks the callee takes before it, and
// only those.
type Relay struct {
	mu sync.Mutex
	n  int
	ch chan int
}

func NewRelay() *Relay { return &Relay{ch: make(chan int)} }

func (r *Relay) countThenSend() { // want countThenSend:`^acquires \{p0\}\.mu, waits\(send\) \{p0\}\.ch\^, wakes\(recv\) \{p0\}\.ch\^$`
	r.mu.Lock()
	r.n++
	r.mu.Unlock()
	r.ch <- 1
}

func (r *Relay) Send() { r.countThenSend() } // want Send:`^acquires \{p0\}\.mu, waits\(send\) \{p0\}\.ch\^, wakes\(recv\) \{p0\}\.ch\^$`

func (r *Relay) Recv() int { // want Recv:`^acquires \{p0\}\.mu, waits\(recv\) \{p0\}\.ch\^, wakes\(send\) \{p0\}\.ch\^$`
	r.mu.Lock()
	defer r.mu.Unlock()
	return <-r.ch // want `this goroutine receives from r.ch while holding r.mu`
}

type Relay2 struct {
	mu sync.Mutex
	n  int
	ch chan int
}

func NewRelay2() *Relay2 { return &Relay2{ch: make(chan int)} }

func (r *Relay2) sendThenCount() { // want sendThenCount:`^acquires \{p0\}\.mu, waits\(send\) \{p0\}\.ch\^, wakes\(recv\) \{p0\}\.ch\^$`
	r.ch <- 1
	r.mu.Lock()
	r.n++
	r.mu.Unlock()
}

func (r *Relay2) Send() { r.sendThenCount() } // want Send:`^acquires \{p0\}\.mu, waits\(send\) \{p0\}\.ch\^, wakes\(recv\) \{p0\}\.ch\^$`

func (r *Relay2) Recv() int { // want Recv:`^acquires \{p0\}\.mu, waits\(recv\) \{p0\}\.ch\^, wakes\(send\) \{p0\}\.ch\^$`
	r.mu.Lock()
	defer r.mu.Unlock()
	return <-r.ch // ok: Send sends before it locks r.mu
}
