package kernels

import (
	"strings"
	"sync"
)

// K27. emitter-io/go#28: a client request held the client's lock while it
// published the request, registered a reply channel in the in-flight store
// (PutCallback makes it, buffered, in the pending packet) and waited on
// it; the reply arrives through the client's message handler, which
// read-locks the client before it hands the reply to the store
// (NotifyResponse sends on the packet's channel). The handler waits for
// the request to unlock and the request waits for the handler's reply.
// Fix: unlock once the callback is registered, then wait.
type k27Response struct{ id uint16 }

type k27Packet struct{ callback chan k27Response }

type k27Store struct {
	sync.RWMutex
	messages map[uint16]*k27Packet
}

func (s *k27Store) Put(id uint16) {
	s.Lock()
	defer s.Unlock()
	s.messages[id] = &k27Packet{}
}

func (s *k27Store) PutCallback(id uint16) <-chan k27Response {
	s.Lock()
	defer s.Unlock()
	if m, ok := s.messages[id]; ok && m != nil {
		m.callback = make(chan k27Response, 1)
		return m.callback
	}
	return nil
}

func (s *k27Store) NotifyResponse(id uint16, r k27Response) bool {
	s.RLock()
	defer s.RUnlock()
	if m, ok := s.messages[id]; ok && m != nil {
		m.callback <- r
		close(m.callback)
		return true
	}
	return false
}

// k27Conn stands for the MQTT connection: it publishes and calls the
// handler it was given with each message that arrives.
type k27Conn interface {
	Publish(topic string) uint16
	SetStore(s k27MQTTStore)
	SetHandler(h func(topic string, id uint16))
}

type k27MQTTStore interface{ Put(id uint16) }

type k27Client struct {
	sync.RWMutex
	conn  k27Conn
	store *k27Store
}

func k27NewClient(conn k27Conn) *k27Client {
	c := &k27Client{conn: conn, store: &k27Store{messages: map[uint16]*k27Packet{}}}
	conn.SetStore(c.store)
	conn.SetHandler(c.onMessage)
	return c
}

func (c *k27Client) onMessage(topic string, id uint16) {
	c.RLock()
	defer c.RUnlock()
	if strings.HasPrefix(topic, "emitter/keygen/") {
		c.onResponse(id)
	}
}

func (c *k27Client) onResponse(id uint16) bool {
	return c.store.NotifyResponse(id, k27Response{id: id})
}

func (c *k27Client) request(op string) k27Response {
	c.Lock()
	defer c.Unlock()
	id := c.conn.Publish("emitter/" + op + "/")
	return <-c.store.PutCallback(id) // want `this goroutine receives from the channel c.store.PutCallback returns while holding c.RWMutex \(locked at line \d+\), but onMessage, which sends on or closes it \(line \d+\), first locks c.RWMutex \(line \d+\): each waits forever for the other`
}

// The fix: the client is unlocked once the callback is registered (so
// the reply cannot be lost), and the request waits unlocked.
type k27PacketFixed struct{ callback chan k27Response }

type k27StoreFixed struct {
	sync.RWMutex
	messages map[uint16]*k27PacketFixed
}

func (s *k27StoreFixed) PutCallback(id uint16) <-chan k27Response {
	s.Lock()
	defer s.Unlock()
	m := &k27PacketFixed{callback: make(chan k27Response, 1)}
	s.messages[id] = m
	return m.callback
}

func (s *k27StoreFixed) NotifyResponse(id uint16, r k27Response) bool {
	s.RLock()
	defer s.RUnlock()
	if m, ok := s.messages[id]; ok && m != nil {
		m.callback <- r
		close(m.callback)
		return true
	}
	return false
}

type k27ClientFixed struct {
	sync.RWMutex
	conn  k27Conn
	store *k27StoreFixed
}

func k27NewClientFixed(conn k27Conn) *k27ClientFixed {
	c := &k27ClientFixed{conn: conn, store: &k27StoreFixed{messages: map[uint16]*k27PacketFixed{}}}
	conn.SetHandler(c.onMessage)
	return c
}

func (c *k27ClientFixed) onMessage(topic string, id uint16) {
	c.RLock()
	defer c.RUnlock()
	if strings.HasPrefix(topic, "emitter/keygen/") {
		c.store.NotifyResponse(id, k27Response{id: id})
	}
}

func (c *k27ClientFixed) request(op string) k27Response {
	c.Lock()
	id := c.conn.Publish("emitter/" + op + "/")
	respChan := c.store.PutCallback(id)
	c.Unlock()
	return <-respChan
}

// A look-alike: the reply channel is made before the lock is taken, and
// is answered by a goroutine that locks only after an earlier answer
// could already sit in its buffer; and a pending map whose answering side
// does not take the waiter's lock.
type k27Pending struct {
	mu      sync.Mutex
	wait    map[uint16]chan int
	replies sync.Mutex
}

func (p *k27Pending) ask(id uint16) int {
	ch := make(chan int, 1)
	p.replies.Lock()
	p.wait[id] = ch
	p.replies.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	return <-ch
}

func (p *k27Pending) Answer(id uint16, v int) {
	p.replies.Lock()
	ch := p.wait[id]
	delete(p.wait, id)
	p.replies.Unlock()
	ch <- v
}

func (p *k27Pending) askLocked(id uint16) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan int, 1)
	p.replies.Lock()
	p.wait[id] = ch
	p.replies.Unlock()
	return <-ch // the answering side never takes p.mu
}

// The same bug written two other common ways. With a map of pending
// reply channels by request id, answered by the connection's read loop:
type k27RPC struct {
	mu      sync.Mutex
	seq     uint64
	pending map[uint64]chan int
	in      chan [2]uint64
}

func k27NewRPC() *k27RPC {
	c := &k27RPC{pending: map[uint64]chan int{}, in: make(chan [2]uint64, 8)}
	go c.readLoop()
	return c
}

func (c *k27RPC) readLoop() {
	for m := range c.in {
		c.mu.Lock()
		ch := c.pending[m[0]]
		delete(c.pending, m[0])
		c.mu.Unlock()
		ch <- int(m[1])
	}
}

func (c *k27RPC) Call() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	ch := make(chan int, 1)
	c.pending[c.seq] = ch
	return <-ch // want `this goroutine receives from the reply channel kept in k27RPC.pending\[…\] while holding c.mu \(locked at line \d+\), but readLoop, which sends on or closes it \(line \d+\), first locks c.mu`
}

// And with the reply channel sent over the loop's request channel:
type k27Loop struct {
	mu   sync.Mutex
	reqs chan chan int
	n    int
}

func k27NewLoop() *k27Loop {
	l := &k27Loop{reqs: make(chan chan int, 16)}
	go l.run()
	return l
}

func (l *k27Loop) run() {
	for r := range l.reqs {
		l.mu.Lock()
		v := l.n
		l.mu.Unlock()
		r <- v
	}
}

func (l *k27Loop) get() int {
	r := make(chan int)
	l.reqs <- r
	return <-r
}

func (l *k27Loop) Bump() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n = l.get() + 1 // want `this goroutine receives from the reply channel sent on k27Loop.reqs inside l.get \(line \d+\) while holding l.mu \(locked at line \d+\), but run, which sends on or closes it \(line \d+\), first locks l.mu`
}

// Their fixed look-alikes: the call waits unlocked, and the loop's
// answer needs no lock the asker holds.
func (c *k27RPC) CallFixed() int {
	c.mu.Lock()
	c.seq++
	ch := make(chan int, 1)
	c.pending[c.seq] = ch
	c.mu.Unlock()
	return <-ch
}

func (l *k27Loop) BumpFixed() {
	v := l.get()
	l.mu.Lock()
	l.n = v + 1
	l.mu.Unlock()
}

// A look-alike that gives up: the reply is awaited with a timeout, so the
// lock is released after it even when the answer never comes.
func (c *k27RPC) CallTimeout(stop <-chan struct{}) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	ch := make(chan int, 1)
	c.pending[c.seq] = ch
	select {
	case v := <-ch:
		return v, true
	case <-stop:
		return 0, false
	}
}
