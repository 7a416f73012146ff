// Package fixed is the fixed version of cond/mangos_245: Close wakes every
// waiting sender.
package fixed

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
		s.cv.Wait()
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
	s.closed = true
	s.cv.Broadcast()
	s.Unlock()
	close(s.closeQ)
	return nil
}
