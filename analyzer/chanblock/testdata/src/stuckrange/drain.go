package stuckrange

import "sync"

// Mailbox delivers queued letters from a goroutine ranging over the
// queue; Shutdown hands back what is still queued with a receive loop
// that stops when the queue reports closed, and closes it after that
// loop. Every close waits for a receive to find the queue closed, so none
// runs: the delivery goroutine's range never ends (nor does Shutdown).
type Mailbox struct {
	mu     sync.Mutex
	closed bool
	queue  chan string
	out    func(string)
}

// NewMailbox starts the delivery.
func NewMailbox(out func(string)) *Mailbox {
	m := &Mailbox{queue: make(chan string, 8), out: out}
	go m.deliver()
	return m
}

func (m *Mailbox) deliver() {
	for s := range m.queue { // want `only a close of field queue ends this loop`
		m.out(s)
	}
}

// Post queues a letter.
func (m *Mailbox) Post(s string) { m.queue <- s }

// Shutdown returns the letters still queued.
func (m *Mailbox) Shutdown() []string {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	m.mu.Unlock()
	var left []string
drain:
	for {
		select {
		case s, ok := <-m.queue:
			if !ok {
				break drain
			}
			left = append(left, s)
		}
	}
	close(m.queue)
	return left
}

// SafeMailbox takes what is queued without waiting for more (a select
// with a default) and closes the queue for the delivery goroutine: both
// return.
type SafeMailbox struct {
	queue chan string
	out   func(string)
}

// NewSafeMailbox starts the delivery.
func NewSafeMailbox(out func(string)) *SafeMailbox {
	m := &SafeMailbox{queue: make(chan string, 8), out: out}
	go m.deliver()
	return m
}

func (m *SafeMailbox) deliver() {
	for s := range m.queue {
		m.out(s)
	}
}

// Post queues a letter.
func (m *SafeMailbox) Post(s string) { m.queue <- s }

// Shutdown returns the letters still queued.
func (m *SafeMailbox) Shutdown() []string {
	var left []string
	for {
		select {
		case s := <-m.queue:
			left = append(left, s)
		default:
			close(m.queue)
			return left
		}
	}
}
