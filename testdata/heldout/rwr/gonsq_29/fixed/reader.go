// Package fixed is the fixed version of rwr/gonsq_29:
// ConnectionMaxInFlight no longer calls MaxInFlight with the read lock
// held.
package fixed

import (
	"errors"
	"math"
	"sync"
)

// Message is a delivered message.
type Message struct {
	ID   string
	Body []byte
}

// Handler processes messages.
type Handler interface {
	HandleMessage(*Message) error
}

type nsqConn struct {
	addr     string
	frames   chan *Message
	rdyMu    sync.Mutex
	rdyCount int64
}

// Reader consumes a topic/channel from one or more nsqd.
type Reader struct {
	TopicName   string
	ChannelName string

	sync.RWMutex
	maxInFlight      int
	nsqConnections   map[string]*nsqConn
	lookupdHTTPAddrs []string

	incomingMessages chan *Message
	readLoops        sync.WaitGroup
	handlers         sync.WaitGroup
}

// NewReader returns a reader for topic/channel.
func NewReader(topic, channel string) *Reader {
	return &Reader{
		TopicName:        topic,
		ChannelName:      channel,
		maxInFlight:      1,
		nsqConnections:   make(map[string]*nsqConn),
		incomingMessages: make(chan *Message),
	}
}

// MaxInFlight is the most messages the reader lets be in flight.
func (q *Reader) MaxInFlight() int {
	q.RLock()
	defer q.RUnlock()
	return q.maxInFlight
}

// SetMaxInFlight changes the in-flight limit.
func (q *Reader) SetMaxInFlight(maxInFlight int) {
	q.Lock()
	q.maxInFlight = maxInFlight
	q.Unlock()
}

// ConnectionMaxInFlight is the RDY count one connection gets.
func (q *Reader) ConnectionMaxInFlight() int64 {
	b := float64(q.MaxInFlight())

	q.RLock()
	n := len(q.nsqConnections)
	q.RUnlock()

	s := b / float64(n)
	return int64(math.Min(math.Max(1, s), b))
}

// ConnectToLookupd adds a lookupd to poll for producers.
func (q *Reader) ConnectToLookupd(addr string) error {
	q.Lock()
	for _, x := range q.lookupdHTTPAddrs {
		if x == addr {
			q.Unlock()
			return errors.New("lookupd address already exists")
		}
	}
	q.lookupdHTTPAddrs = append(q.lookupdHTTPAddrs, addr)
	q.Unlock()
	return nil
}

// AddHandler starts a goroutine running h on incoming messages.
func (q *Reader) AddHandler(h Handler) {
	q.handlers.Add(1)
	go func() {
		defer q.handlers.Done()
		for m := range q.incomingMessages {
			h.HandleMessage(m)
		}
	}()
}

// ConnectToNSQ starts reading from an nsqd whose frames arrive on frames.
func (q *Reader) ConnectToNSQ(addr string, frames chan *Message) error {
	c := &nsqConn{addr: addr, frames: frames}
	q.Lock()
	if _, ok := q.nsqConnections[addr]; ok {
		q.Unlock()
		return errors.New("already connected")
	}
	q.nsqConnections[addr] = c
	q.Unlock()

	q.updateRDY(c)
	q.readLoops.Add(1)
	go q.readLoop(c)
	return nil
}

func (q *Reader) updateRDY(c *nsqConn) {
	rdy := q.ConnectionMaxInFlight()
	c.rdyMu.Lock()
	c.rdyCount = rdy
	c.rdyMu.Unlock()
}

func (q *Reader) readLoop(c *nsqConn) {
	defer q.readLoops.Done()
	for m := range c.frames {
		q.incomingMessages <- m
		q.updateRDY(c)
	}
	q.Lock()
	delete(q.nsqConnections, c.addr)
	q.Unlock()
}

// Stop waits for the connections to end and the handlers to finish.
func (q *Reader) Stop() {
	q.readLoops.Wait()
	close(q.incomingMessages)
	q.handlers.Wait()
}

type countingHandler struct {
	mu sync.Mutex
	n  int
}

func (h *countingHandler) HandleMessage(*Message) error {
	h.mu.Lock()
	h.n++
	h.mu.Unlock()
	return nil
}

// startup is the reporter's program: connect to an nsqd and to the
// lookupds while messages already flow.
func startup() {
	q := NewReader("events", "archive")
	q.AddHandler(&countingHandler{})

	frames := make(chan *Message)
	q.ConnectToNSQ("127.0.0.1:4150", frames)
	go func() {
		defer close(frames)
		for i := 0; i < 100; i++ {
			frames <- &Message{ID: "m"}
		}
	}()

	q.ConnectToLookupd("127.0.0.1:4161")
	q.ConnectToLookupd("127.0.0.2:4161")
	q.Stop()
}
