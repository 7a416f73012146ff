// Package bug is a held-out kernel (issue 14): senders waiting on the
// socket's condition variable for a ready pipe, and a Close that marks
// the socket closed without waking them.
//
// Upstream: nanomsg/mangos#245 ("Fix goroutine leak in socket.sender")
// Round: 3
//
// Bug: in the XPUSH protocol a sender with no ready pipe waits on s.cv
// until a pipe becomes ready or the socket is closed; it rechecks
// s.closed each time it wakes. Close sets s.closed under the lock but
// never signals s.cv, so a sender already waiting stays in s.cv.Wait()
// forever. The pipe bookkeeping is reduced to a ready list and a send
// channel per pipe.
//
// Fix: Close calls s.cv.Broadcast() (Signal in the first version of the
// PR; the review asked for Broadcast since several senders may wait).
package bug

import (
	"errors"
	"sync"
	"time"
)

// ErrClosed is returned on a closed socket.
var ErrClosed = errors.New("object closed")

// ErrSendTimeout is returned when no pipe became ready in time.
var ErrSendTimeout = errors.New("send time out")

// Message is a protocol message.
type Message struct{ Body []byte }

type pipe struct {
	id    uint32
	sendQ chan *Message
	s     *socket
}

type socket struct {
	closed bool
	readyQ []*pipe
	sendQ  chan *Message // pending messages when best-effort is off
	closeQ chan struct{}
	cv     *sync.Cond
	timer  *time.Timer
	sync.Mutex
}

func newSocket() *socket {
	s := &socket{closeQ: make(chan struct{})}
	s.cv = sync.NewCond(s)
	return s
}

// addPipe attaches a pipe with room for depth messages (the transport's
// side of a connection; made here so that the kernel's pipes have a queue).
func (s *socket) addPipe(id uint32, depth int) *pipe {
	return &pipe{id: id, sendQ: make(chan *Message, depth), s: s}
}

// SendMsg hands m to the first ready pipe, waiting for one if needed.
func (s *socket) SendMsg(m *Message) error {
	s.Lock()
	for {
		if s.closed {
			s.Unlock()
			return ErrClosed
		}
		if len(s.readyQ) > 0 {
			p := s.readyQ[0]
			s.readyQ = s.readyQ[1:]
			s.Unlock()
			// the pipe said it was ready: its queue has room
			p.sendQ <- m
			return nil
		}
		s.cv.Wait() // heldout:site
	}
}

// pipeReady is called by a pipe's sender when it can take a message.
func (s *socket) pipeReady(p *pipe) {
	s.Lock()
	defer s.Unlock()
	if s.closed {
		return
	}
	s.readyQ = append(s.readyQ, p)
	s.cv.Signal()
}

// Close closes the socket; blocked senders must return ErrClosed.
func (s *socket) Close() error {
	s.Lock()
	if s.closed {
		s.Unlock()
		return ErrClosed
	}
	s.closed = true // heldout:site
	s.Unlock()
	close(s.closeQ)
	return nil
}
