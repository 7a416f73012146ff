package real

import "sync"

// A full buffer in a struct nobody else can see yet: the sends that fill
// it and the one that blocks all run before the struct is published.

// Upstream: mit-dci/lit#181 (a payment channel's one-slot ClearToSend
// token was put when the channel was loaded, and put again on the path
// that recovers an interrupted update, before the channel was stored in
// the node's map: the second put blocked forever with the channel's mutex
// held). Fix: the token is put once. Reduced in our own words.
type payChan struct {
	mu    sync.Mutex
	token chan bool
	id    int
	delta int64
}

type payNode struct {
	mu    sync.Mutex
	chans map[int]*payChan
}

func loadPayChan(id int) *payChan {
	c := &payChan{id: id, token: make(chan bool, 1)}
	c.token <- true
	return c
}

func (n *payNode) restore(id int, interrupted bool) *payChan {
	c := loadPayChan(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	if interrupted {
		c.delta = 0
		c.token <- true // want `this send blocks forever: the channel \(field token, room for 1\) is already full from the send\(s\) at line \d+, and no other goroutine can receive yet`
	}
	n.mu.Lock()
	n.chans[id] = c
	n.mu.Unlock()
	return c
}

func loadPayChanFixed(id int) *payChan {
	return &payChan{id: id, token: make(chan bool, 1)}
}

func (n *payNode) restoreFixed(id int, interrupted bool) *payChan {
	c := loadPayChanFixed(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	if interrupted {
		c.delta = 0
	}
	c.token <- true
	n.mu.Lock()
	n.chans[id] = c
	n.mu.Unlock()
	return c
}

// A variant written differently (ours): a bounded queue of two allocated
// and filled in one function, three initial items pushed before the
// worker that drains it is started.
type jobQueue struct {
	jobs chan string
	quit chan struct{}
}

func startQueue(first, second, third string) *jobQueue {
	q := &jobQueue{quit: make(chan struct{})}
	q.jobs = make(chan string, 2)
	q.jobs <- first
	q.jobs <- second
	q.jobs <- third // want `this send blocks forever: the channel \(field jobs, room for 2\) is already full`
	go q.drain()
	return q
}

func (q *jobQueue) drain() {
	for {
		select {
		case <-q.jobs:
		case <-q.quit:
			return
		}
	}
}

func (q *jobQueue) stop() { close(q.quit) }

// Look-alike negatives (ours): the worker is started before the third
// push, so it can make room; and a push made once the struct is stored in
// the node's map (published: another goroutine may take the token).
func startQueueFixed(first, second, third string) *jobQueue {
	q := &jobQueue{quit: make(chan struct{})}
	q.jobs = make(chan string, 2)
	q.jobs <- first
	q.jobs <- second
	go q.drain()
	q.jobs <- third
	return q
}

func (n *payNode) restorePublished(id int) *payChan {
	c := loadPayChan(id)
	n.mu.Lock()
	n.chans[id] = c
	n.mu.Unlock()
	c.token <- true
	return c
}
