// Package fixed is the fixed version of mixed/teleport_61343: the
// terminal waits for the parties to leave before it takes the session
// lock to end the session.
package fixed

import "sync"

type party struct {
	id string
	s  *session
}

// leave removes the party from its session.
func (p *party) leave() {
	p.s.mu.Lock()
	delete(p.s.parties, p.id)
	p.s.emitLeave(p.id)
	p.s.mu.Unlock()
	p.s.partiesWG.Done()
}

type session struct {
	mu        sync.Mutex
	parties   map[string]*party
	partiesWG sync.WaitGroup
	events    []string
	recorder  *recorder
	done      chan struct{}
}

type recorder struct {
	closed bool
}

func (r *recorder) Close() { r.closed = true }

func newSession() *session {
	return &session{parties: map[string]*party{}, recorder: &recorder{}, done: make(chan struct{})}
}

func (s *session) emitLeave(id string) {
	s.events = append(s.events, "session.leave "+id)
}

func (s *session) join(id string) *party {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &party{id: id, s: s}
	s.parties[id] = p
	s.partiesWG.Add(1)
	return p
}

// waitOnTerminal runs when the terminal closes: it waits for the parties
// to leave, then ends the session and closes the recorder.
func (s *session) waitOnTerminal() {
	s.partiesWG.Wait()
	s.mu.Lock()
	s.events = append(s.events, "session.end")
	s.recorder.Close()
	s.mu.Unlock()
	close(s.done)
}

// Run terminates a session that two parties are leaving.
func Run() {
	s := newSession()
	a := s.join("alice")
	b := s.join("bob")

	go s.waitOnTerminal()
	go a.leave()
	go b.leave()
	<-s.done
}
