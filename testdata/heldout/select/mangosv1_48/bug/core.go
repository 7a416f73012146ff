// Package bug is a held-out kernel (issue 14): a socket's Close lingers in
// a for/select loop whose break statements leave only the select, so once
// the linger timer has fired the loop selects again on two channels that
// will never be ready.
//
// Upstream: nanomsg/mangos-v1#48 ("deadlock on Close()")
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: Close waits for the upper write queue to drain or for the linger
// time to pass. Each case of the select ends with break, meant to leave
// the loop, but a break inside a select only leaves the select. After the
// linger timer fires (or the drained signal arrives) the loop runs the
// select again: the timer channel has delivered its one value and the
// drained signal is sent once, so Close blocks there forever. The issue
// states only that a break meant for the for loop breaks the select; the
// socket, its processor and the drained signal are our reduction of
// core.go.
//
// Fix: the loop is labelled and the cases break out of it (our reading of
// the diagnosis; the fixing commit is not in the thread).
package bug

import (
	"errors"
	"sync"
	"time"
)

// ErrClosed is returned by operations on a closed socket.
var ErrClosed = errors.New("socket closed")

// Message is one message.
type Message struct {
	Body []byte
}

// Pipe is a connection to a peer.
type Pipe interface {
	Send(*Message) error
	Close() error
}

type socket struct {
	sync.Mutex
	uwq     chan *Message // upper write queue
	closeq  chan struct{} // closed when the user requests close
	drainq  chan struct{} // signalled when uwq has drained after close
	closing bool
	linger  time.Duration
	pipes   []Pipe
}

func newSocket(linger time.Duration, pipes []Pipe) *socket {
	sock := &socket{
		uwq:    make(chan *Message, 10),
		closeq: make(chan struct{}),
		drainq: make(chan struct{}, 1),
		linger: linger,
		pipes:  pipes,
	}
	go sock.processor()
	return sock
}

// processor moves messages from the write queue to the pipes.
func (sock *socket) processor() {
	for {
		select {
		case msg := <-sock.uwq:
			sock.Lock()
			for _, p := range sock.pipes {
				_ = p.Send(msg)
			}
			drained := sock.closing && len(sock.uwq) == 0
			sock.Unlock()
			if drained {
				select {
				case sock.drainq <- struct{}{}:
				default:
				}
				return
			}
		case <-sock.closeq:
			if len(sock.uwq) == 0 {
				select {
				case sock.drainq <- struct{}{}:
				default:
				}
				return
			}
		}
	}
}

// Send queues a message.
func (sock *socket) Send(b []byte) error {
	select {
	case <-sock.closeq:
		return ErrClosed
	case sock.uwq <- &Message{Body: b}:
		return nil
	}
}

// lingerWait waits until the write queue has drained or the linger time
// has passed.
func (sock *socket) lingerWait() {
	tq := time.After(sock.linger)
	for {
		select { // heldout:site
		case <-tq:
			break // heldout:site
		case <-sock.drainq:
			break // heldout:site
		}
	}
}

// Close shuts the socket down, lingering to let queued messages out.
func (sock *socket) Close() error {
	sock.Lock()
	if sock.closing {
		sock.Unlock()
		return ErrClosed
	}
	sock.closing = true
	close(sock.closeq)
	sock.Unlock()

	sock.lingerWait()

	sock.Lock()
	defer sock.Unlock()
	for _, p := range sock.pipes {
		p.Close()
	}
	sock.pipes = nil
	return nil
}
