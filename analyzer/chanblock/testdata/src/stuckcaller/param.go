// Package stuckcaller holds objects whose channel fields the package's own
// code drives: a function that gets the object as a parameter, or from the
// constructor, and calls its methods in sequence. Each leak sits beside a
// fixed twin, and look-alikes (a stop before the start, an object handed
// back or kept, one call only) stay silent.
package stuckcaller

import "errors"

var errJoin = errors.New("join failed")

func join() error { return nil }

// node closes started only once it has joined; Stop waits for it first, so
// a failed Run leaves the Stop after it waiting forever.
type node struct {
	started chan struct{}
	quit    chan struct{}
}

func newNode() *node {
	return &node{started: make(chan struct{}), quit: make(chan struct{})}
}

// Run joins and serves until Stop.
func (n *node) Run() error {
	if err := join(); err != nil {
		return err
	}
	close(n.started)
	<-n.quit
	return nil
}

// Stop waits until Run has started, then ends it.
func (n *node) Stop() {
	<-n.started // want `this receive can block forever`
	close(n.quit)
}

func runNode(n *node) error {
	err := n.Run()
	n.Stop()
	return err
}

// fixedNode closes started on the failed join too.
type fixedNode struct {
	started chan struct{}
	quit    chan struct{}
}

func newFixedNode() *fixedNode {
	return &fixedNode{started: make(chan struct{}), quit: make(chan struct{})}
}

// Run joins and serves until Stop.
func (n *fixedNode) Run() error {
	if err := join(); err != nil {
		close(n.started)
		return err
	}
	close(n.started)
	<-n.quit
	return nil
}

// Stop waits until Run has started, then ends it.
func (n *fixedNode) Stop() {
	<-n.started
	select {
	case <-n.quit:
	default:
		close(n.quit)
	}
}

func runFixedNode(n *fixedNode) error {
	err := n.Run()
	n.Stop()
	return err
}

// store is opened by Open, which marks it ready through a helper only
// when the load works; the deferred Shutdown waits for ready.
type store struct {
	ready chan struct{}
}

func newStore() *store { return &store{ready: make(chan struct{})} }

func (s *store) markReady() { close(s.ready) }

func load() error { return nil }

// Open loads the store.
func (s *store) Open() error {
	if err := load(); err != nil {
		return err
	}
	s.markReady()
	return nil
}

func (s *store) waitReady() {
	<-s.ready // want `this receive can block forever`
}

// Shutdown waits for the store to be ready before it tears it down.
func (s *store) Shutdown() {
	s.waitReady()
}

func useStore(s *store) error {
	defer s.Shutdown()
	if err := s.Open(); err != nil {
		return err
	}
	return nil
}

// session hands its id over a one-slot channel once the handshake works;
// ID waits for it, and a client that goes on after a failed Init waits
// forever.
type session struct {
	ids chan string
}

func newSession() *session { return &session{ids: make(chan string, 1)} }

func handshake() (string, error) { return "id", nil }

// Init performs the handshake.
func (s *session) Init() error {
	id, err := handshake()
	if err != nil {
		return err
	}
	s.ids <- id
	return nil
}

// ID returns the session id.
func (s *session) ID() string {
	select {
	case id := <-s.ids: // want `this receive can block forever`
		return id
	}
}

func openSession(s *session) string {
	if err := s.Init(); err != nil {
		println("init:", err.Error())
	}
	return s.ID()
}

// fixedSession's client gives up when Init fails.
type fixedSession struct {
	ids chan string
}

func newFixedSession() *fixedSession { return &fixedSession{ids: make(chan string, 1)} }

// Init performs the handshake.
func (s *fixedSession) Init() error {
	id, err := handshake()
	if err != nil {
		return err
	}
	s.ids <- id
	return nil
}

// ID returns the session id.
func (s *fixedSession) ID() string {
	select {
	case id := <-s.ids:
		return id
	}
}

func openFixedSession(s *fixedSession) string {
	if err := s.Init(); err != nil {
		return ""
	}
	return s.ID()
}

// fixedStore's client opens before it defers the shutdown.
type fixedStore struct {
	ready chan struct{}
}

func newFixedStore() *fixedStore { return &fixedStore{ready: make(chan struct{})} }

// Open loads the store.
func (s *fixedStore) Open() error {
	if err := load(); err != nil {
		return err
	}
	close(s.ready)
	return nil
}

// Shutdown waits for the store to be ready before it tears it down.
func (s *fixedStore) Shutdown() {
	<-s.ready
}

func useFixedStore(s *fixedStore) error {
	if err := s.Open(); err != nil {
		return err
	}
	defer s.Shutdown()
	return nil
}

// restartNode stops a running node before it runs it again: the node is
// in the middle of its life, not new (silent).
func restartNode(n *node) error {
	n.Stop()
	return n.Run()
}

// stopOnly calls one method: the field harness's business (silent here).
func stopOnly(n *node) {
	n.Stop()
}
