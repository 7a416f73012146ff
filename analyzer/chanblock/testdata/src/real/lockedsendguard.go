package real

import (
	"context"
	"sync"
)

// Upstream: decred/cspp#26. A mixing session, holding its mutex, queues
// the next round's start message on each remaining peer's one-slot out
// channel with a plain send. Each peer's connection handler drains that
// channel between protocol steps and takes the session mutex before each
// receive; the session's other broadcast already sends in a select with
// the peer's done channel. When a handler is not at its receive (it
// waits for the mutex, or it has left and the slot is still full), the
// send blocks with the mutex held and every handler blocks on it. The
// handler is never called in the package: the server runs it for each
// accepted connection. Fix: send in the same select as the broadcast.
type mixConn interface {
	Read() ([]byte, error)
	Write(v any) error
}

type mixPeer struct {
	conn mixConn
	out  chan any
	done chan struct{}
	ok   bool
}

type mixSession struct {
	mu    sync.Mutex
	peers []*mixPeer
	round int
}

func (s *mixSession) serve(ctx context.Context, conn mixConn) error {
	p := &mixPeer{conn: conn, out: make(chan any, 1), done: make(chan struct{})}
	defer close(p.done)
	s.mu.Lock()
	s.peers = append(s.peers, p)
	s.mu.Unlock()
	for {
		if _, err := conn.Read(); err != nil {
			return err
		}
		s.mu.Lock()
		p.ok = true
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m := <-p.out:
			if err := conn.Write(m); err != nil {
				return err
			}
		}
	}
}

func (s *mixSession) broadcast(m any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.peers {
		select {
		case p.out <- m:
		case <-p.done:
		}
	}
}

func (s *mixSession) rerun(m any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.round++
	for _, p := range s.peers {
		p.out <- m // want `this send on field out holds mutex field mu \(locked at line \d+\), and its receivers can lock mu between two receives`
	}
}

// The fix: the rerun message goes in the same select as the broadcast.
type mixPeerFixed struct {
	out  chan any
	done chan struct{}
	ok   bool
}

type mixSessionFixed struct {
	mu    sync.Mutex
	peers []*mixPeerFixed
}

func (s *mixSessionFixed) serve(ctx context.Context, conn mixConn) error {
	p := &mixPeerFixed{out: make(chan any, 1), done: make(chan struct{})}
	defer close(p.done)
	s.mu.Lock()
	s.peers = append(s.peers, p)
	s.mu.Unlock()
	for {
		s.mu.Lock()
		p.ok = true
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m := <-p.out:
			if err := conn.Write(m); err != nil {
				return err
			}
		}
	}
}

func (s *mixSessionFixed) rerun(m any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.peers {
		select {
		case p.out <- m:
		case <-p.done:
		}
	}
}

// The same mistake written differently: a chat room registers its
// handler as a method value, the handler's receive is in a helper that
// takes the room's mutex first, and Say fills each member's inbox under
// the mutex while Notice uses a guarded select ...
type chatMux struct{ handlers []func(mixConn) }

func (m *chatMux) Handle(f func(mixConn)) { m.handlers = append(m.handlers, f) }

type chatMember struct {
	inbox chan string
	quit  chan struct{}
}

type chatRoom struct {
	mu      sync.Mutex
	members map[int]*chatMember
}

func (r *chatRoom) Register(m *chatMux) { m.Handle(r.serve) }

func (r *chatRoom) serve(c mixConn) {
	mb := &chatMember{inbox: make(chan string, 4), quit: make(chan struct{})}
	r.mu.Lock()
	r.members[len(r.members)] = mb
	r.mu.Unlock()
	for {
		msg, ok := r.next(mb)
		if !ok || c.Write(msg) != nil {
			return
		}
	}
}

func (r *chatRoom) next(mb *chatMember) (string, bool) {
	r.mu.Lock()
	_ = len(r.members)
	r.mu.Unlock()
	select {
	case s := <-mb.inbox:
		return s, true
	case <-mb.quit:
		return "", false
	}
}

func (r *chatRoom) Say(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, mb := range r.members {
		mb.inbox <- s // want `this send on field inbox holds mutex field mu`
	}
}

func (r *chatRoom) Notice(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, mb := range r.members {
		select {
		case mb.inbox <- s:
		case <-mb.quit:
		}
	}
}

// ... and a relay whose consumer is a goroutine literal: the guarded
// TryPush does not hide the plain sends of Push.
type lockedRelay struct {
	mu    sync.Mutex
	queue chan int
	stop  chan struct{}
	seen  int
}

func newLockedRelay() *lockedRelay {
	r := &lockedRelay{queue: make(chan int, 1), stop: make(chan struct{})}
	go func() {
		for {
			r.mu.Lock()
			r.seen++
			r.mu.Unlock()
			select {
			case <-r.queue:
			case <-r.stop:
				return
			}
		}
	}()
	return r
}

func (r *lockedRelay) Push(vs []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range vs {
		r.queue <- v // want `this send on field queue holds mutex field mu`
	}
}

func (r *lockedRelay) TryPush(v int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case r.queue <- v:
	case <-r.stop:
	}
}

// Look-alike that must stay silent: every send on the field is guarded
// by the consumer's stop channel, and the plain send is made after the
// mutex is released.
type guardedRelay struct {
	mu    sync.Mutex
	queue chan int
	stop  chan struct{}
	seen  int
}

func newGuardedRelay() *guardedRelay {
	r := &guardedRelay{queue: make(chan int, 1), stop: make(chan struct{})}
	go func() {
		for {
			r.mu.Lock()
			r.seen++
			r.mu.Unlock()
			select {
			case <-r.queue:
			case <-r.stop:
				return
			}
		}
	}()
	return r
}

func (r *guardedRelay) Push(vs []int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range vs {
		select {
		case r.queue <- v:
		case <-r.stop:
			return
		}
	}
}

func (r *guardedRelay) Put(v int) {
	r.mu.Lock()
	r.seen++
	r.mu.Unlock()
	r.queue <- v
}
