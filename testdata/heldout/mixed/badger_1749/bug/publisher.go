// Package bug is a held-out kernel (issue 14): the publisher sends updates to
// each subscriber's buffered channel while holding its mutex; a subscriber
// whose callback fails stops receiving and asks the publisher, through that
// mutex, to delete it, so once the channel is full both wait for ever.
//
// Upstream: dgraph-io/badger#1749 ("fix: avoid deadlock in publisher and subscriber")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper mixwg to tune the analyzers; not a blind measure)
//
// Bug: publisher.listenForUpdates drains pubCh and calls publishUpdates,
// which locks the publisher and, for every subscriber whose prefixes match,
// sends the matching KVs on the subscriber's sendCh (capacity 1000) with a
// plain send. DB.Subscribe receives from that channel and runs the user's
// callback; when the callback returns an error it marks its closer done and
// calls deleteSubscriber, which locks the publisher. The PR: the subscriber
// spent 15 minutes in its callback, the publisher filled the channel and
// waited to send while holding the lock, then the callback failed and the
// subscriber waited for the lock: neither can move again.
//
// Fix (our reading of the PR): each subscriber carries an active flag;
// publishUpdates sends only to active subscribers, and Subscribe clears the
// flag and drains its channel before it calls deleteSubscriber, so a
// publisher blocked on that channel is let go and then skips it.
//
// y.Closer, the request batching and pb.KVList are reduced to what the
// publisher and the subscriber use.
package bug

import (
	"bytes"
	"context"
	"sync"
)

// KV is one changed key.
type KV struct {
	Key, Value []byte
	Version    uint64
}

// KVList is a batch of changes sent to a subscriber.
type KVList struct {
	Kv []*KV
}

// Entry is one write of a request.
type Entry struct {
	Key, Value []byte
	version    uint64
}

type request struct {
	Entries []*Entry
}

type requests []*request

// Closer signals a goroutine to stop and waits for it.
type Closer struct {
	closed  chan struct{}
	once    sync.Once
	waiting sync.WaitGroup
}

// NewCloser returns a closer waiting for initial goroutines.
func NewCloser(initial int) *Closer {
	c := &Closer{closed: make(chan struct{})}
	c.waiting.Add(initial)
	return c
}

// Signal asks the goroutines to stop.
func (c *Closer) Signal() { c.once.Do(func() { close(c.closed) }) }

// HasBeenClosed is closed by Signal.
func (c *Closer) HasBeenClosed() <-chan struct{} { return c.closed }

// Done marks one goroutine finished.
func (c *Closer) Done() { c.waiting.Done() }

// SignalAndWait signals and waits for the goroutines.
func (c *Closer) SignalAndWait() {
	c.Signal()
	c.waiting.Wait()
}

type subscriber struct {
	prefixes  [][]byte
	sendCh    chan<- *KVList
	subCloser *Closer
}

type publisher struct {
	sync.Mutex
	pubCh       chan requests
	subscribers map[uint64]subscriber
	nextID      uint64
}

func newPublisher() *publisher {
	return &publisher{
		pubCh:       make(chan requests, 1000),
		subscribers: make(map[uint64]subscriber),
	}
}

func (p *publisher) listenForUpdates(c *Closer) {
	defer func() {
		p.cleanSubscribers()
		c.Done()
	}()
	slurp := func(batch requests) {
		for {
			select {
			case reqs := <-p.pubCh:
				batch = append(batch, reqs...)
			default:
				p.publishUpdates(batch)
				return
			}
		}
	}
	for {
		select {
		case <-c.HasBeenClosed():
			return
		case reqs := <-p.pubCh:
			slurp(reqs)
		}
	}
}

func (p *publisher) publishUpdates(reqs requests) {
	p.Lock()
	defer p.Unlock()
	for _, s := range p.subscribers {
		kvs := &KVList{}
		for _, prefix := range s.prefixes {
			for _, req := range reqs {
				for _, e := range req.Entries {
					if bytes.HasPrefix(e.Key, prefix) {
						kvs.Kv = append(kvs.Kv, &KV{Key: e.Key, Value: e.Value, Version: e.version})
					}
				}
			}
		}
		if len(kvs.Kv) > 0 {
			s.sendCh <- kvs // heldout:site
		}
	}
}

func (p *publisher) newSubscriber(c *Closer, prefixes ...[]byte) (<-chan *KVList, uint64) {
	p.Lock()
	defer p.Unlock()
	ch := make(chan *KVList, 1000)
	id := p.nextID
	p.nextID++
	p.subscribers[id] = subscriber{prefixes: prefixes, sendCh: ch, subCloser: c}
	return ch, id
}

// cleanSubscribers stops all the subscribers; called while closing the DB.
func (p *publisher) cleanSubscribers() {
	p.Lock()
	defer p.Unlock()
	for id, s := range p.subscribers {
		delete(p.subscribers, id)
		s.subCloser.SignalAndWait()
	}
}

func (p *publisher) deleteSubscriber(id uint64) {
	p.Lock() // heldout:site
	defer p.Unlock()
	delete(p.subscribers, id)
}

func (p *publisher) sendUpdates(reqs requests) {
	if p.noOfSubscribers() != 0 {
		p.pubCh <- reqs
	}
}

func (p *publisher) noOfSubscribers() int {
	p.Lock()
	defer p.Unlock()
	return len(p.subscribers)
}

// DB is the key-value store; only its change feed is kept.
type DB struct {
	pub      *publisher
	pubClose *Closer
}

// Open starts the publisher.
func Open() *DB {
	db := &DB{pub: newPublisher(), pubClose: NewCloser(1)}
	go db.pub.listenForUpdates(db.pubClose)
	return db
}

// Close stops the publisher and, through it, every subscriber.
func (db *DB) Close() {
	db.pubClose.SignalAndWait()
}

// Write applies entries and publishes them.
func (db *DB) Write(entries ...*Entry) {
	db.pub.sendUpdates(requests{{Entries: entries}})
}

// Subscribe calls cb with every batch of changes under the prefixes until
// ctx is done, the DB closes, or cb fails.
func (db *DB) Subscribe(ctx context.Context, cb func(kv *KVList) error, prefix []byte, prefixes ...[]byte) error {
	prefixes = append(prefixes, prefix)
	c := NewCloser(1)
	recvCh, id := db.pub.newSubscriber(c, prefixes...)
	slurp := func(batch *KVList) error {
		for {
			select {
			case kvs := <-recvCh:
				batch.Kv = append(batch.Kv, kvs.Kv...)
			default:
				if len(batch.Kv) > 0 {
					return cb(batch)
				}
				return nil
			}
		}
	}
	for {
		select {
		case <-c.HasBeenClosed():
			err := slurp(new(KVList))
			c.Done()
			return err
		case <-ctx.Done():
			c.Done()
			db.pub.deleteSubscriber(id)
			return ctx.Err()
		case batch := <-recvCh:
			if err := slurp(batch); err != nil {
				c.Done()
				db.pub.deleteSubscriber(id) // heldout:site
				return err
			}
		}
	}
}
