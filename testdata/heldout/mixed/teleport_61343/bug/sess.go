// Package bug is a held-out kernel (issue 14): Teleport's interactive
// session holds the session mutex across a WaitGroup.Wait whose Done
// calls need that mutex. On termination the session waits for every
// party to leave before it finishes the recording; through a wrong
// condition it took the session lock first and then waited on the
// parties' WaitGroup, while each leaving party takes the same lock to
// remove itself before calling Done.
//
// Upstream: gravitational/teleport#61343 ("deflake `TestSessionRecordingModes` test")
// Round: 15
//
// Bug: the PR: "Due to an incorrect condition, the terminal acquired the
// lock before waiting for all parties to leave and then waited on the
// sync.WaitGroup. This caused the lock to be held indefinitely, as other
// goroutines also needed the same mutex, preventing the session writer
// from closing properly." session, party, leave, the parties WaitGroup
// and the termination path follow lib/srv/sess.go; the terminal, the
// recorder and the audit events are our reduction (the upstream wait was
// additionally bounded by WaitCopyTimeout, left out here).
//
// Fix: our reading of the PR: the terminal waits for the parties to
// leave before it takes the session lock to finish the recording.
package bug

import "sync"

type party struct {
	id string
	s  *session
}

// leave removes the party from its session.
func (p *party) leave() {
	p.s.mu.Lock() // heldout:site
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
	s.mu.Lock()        // heldout:site
	s.partiesWG.Wait() // heldout:site
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
	<-s.done // heldout:site
}
