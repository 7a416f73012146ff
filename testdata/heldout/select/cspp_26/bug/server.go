// Package bug is a held-out kernel (issue 14): a CoinShuffle++ mixing
// server excludes blamed peers and queues a new BeginRun message on each
// remaining peer's one-slot out channel with a plain send while holding
// the session lock; a peer whose connection handler has already returned
// never drains its channel, so the session goroutine blocks for ever in
// the send, and every other peer's handler blocks on the session lock.
//
// Upstream: decred/cspp#26 ("Send BR rerun messages in a multi-case select")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: in server/server.go each client has `out: make(chan interface{},
// 1)` that its serveConn goroutine drains between protocol steps, and a
// done channel closed once the handler's context is cancelled (the
// handler returns on any read or write error). The session goroutine's
// broadcasts in doRun already send with `select { case c.out <- m: case
// <-c.done: }`, but session.exclude, which runs under s.mu after a run
// ends in blame, closes the run's rerunning channel and then does
// `c.out <- s.br` for every remaining client. The PR: "This prevents a
// deadlock if the client has disconnected and the channel can not be
// written." The DiceMix messages, the pairing queue and the net.Conn
// coding are reduced to a Conn interface and two message types.
//
// Fix: exclude sends the BR in the same multi-case select as doRun, also
// receiving from c.done, so a disconnected client is skipped.
package bug

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"
)

const (
	sendTimeout = time.Second
	recvTimeout = 5 * time.Second
)

var errRerun = errors.New("rerun")

// KE is a peer's key exchange message; KEs is the broadcast of all of them.
type KE struct{ Commitment []byte }

// KEs is the broadcast of every peer's KE.
type KEs struct{ KEs []*KE }

// BR begins a run.
type BR struct {
	Run   int
	Peers int
}

// Conn is a peer's connection as the server codes messages on it.
type Conn interface {
	ReadKE(timeout time.Duration) (*KE, error)
	Send(msg interface{}, timeout time.Duration) error
	Close() error
	RemoteAddr() string
}

type runState struct {
	keCount   uint32
	allKEs    chan struct{}
	rerunning chan struct{}
}

func newRunState() runState {
	return runState{allKEs: make(chan struct{}), rerunning: make(chan struct{})}
}

type session struct {
	mu      sync.Mutex
	runs    []runState
	run     int
	br      *BR
	minp    int
	clients []*client
}

type client struct {
	conn   Conn
	sesc   chan *session
	ke     *KE
	out    chan interface{}
	blamed chan struct{}
	done   chan struct{}
	cancel func()
}

type blamePIDs []int

func (pids blamePIDs) Error() string { return "blame assigned" }

// Server pairs clients into sessions.
type Server struct {
	mu      sync.Mutex
	pending []*client
}

// serveConn is the handler of one peer's connection.
func (s *Server) serveConn(ctx context.Context, conn Conn) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &client{
		conn:   conn,
		sesc:   make(chan *session, 1),
		out:    make(chan interface{}, 1),
		blamed: make(chan struct{}),
		done:   make(chan struct{}),
		cancel: cancel,
	}
	go func() {
		<-ctx.Done()
		close(c.done)
	}()

	s.mu.Lock()
	s.pending = append(s.pending, c)
	s.mu.Unlock()

	var ses *session
	select {
	case <-ctx.Done():
		return ctx.Err()
	case ses = <-c.sesc:
		if err := c.conn.Send(ses.br, sendTimeout); err != nil {
			return err
		}
	}

	for run := 0; ; run++ {
		err := c.run(ctx, run, ses)
		if err == nil {
			return nil
		}
		if errors.Is(err, errRerun) {
			log.Printf("client %v: rerunning session", c.conn.RemoteAddr())
			continue
		}
		return err
	}
}

func (c *client) run(ctx context.Context, run int, s *session) error {
	ke, err := c.conn.ReadKE(recvTimeout)
	if err != nil {
		return fmt.Errorf("read KE: %v", err)
	}

	s.mu.Lock() // heldout:site
	st := &s.runs[run]
	c.ke = ke
	st.keCount++
	if st.keCount == uint32(len(s.clients)) {
		close(st.allKEs)
	}
	rerunning := st.rerunning
	s.mu.Unlock()

	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.blamed:
		return errors.New("excluded")
	case m := <-c.out:
		if err := c.conn.Send(m, sendTimeout); err != nil {
			return err
		}
		select {
		case <-rerunning:
			return errRerun
		default:
		}
	}
	return nil
}

// pairSession starts a session for the pending clients.
func (s *Server) pairSession(ctx context.Context, minp int) {
	s.mu.Lock()
	clients := s.pending
	s.pending = nil
	s.mu.Unlock()
	if len(clients) < minp {
		return
	}
	ses := &session{
		runs:    []runState{newRunState()},
		br:      &BR{Run: 0, Peers: len(clients)},
		minp:    minp,
		clients: clients,
	}
	for _, c := range clients {
		c.sesc <- ses
	}
	go ses.start(ctx)
}

func (s *session) start(ctx context.Context) {
	defer func() {
		s.mu.Lock()
		for _, c := range s.clients {
			c.cancel()
		}
		s.mu.Unlock()
	}()
	for {
		err := s.doRun(ctx)
		var b blamePIDs
		if errors.As(err, &b) {
			if err := s.exclude(b); err != nil {
				log.Printf("cannot continue after exclusion: %v", err)
				return
			}
			continue
		}
		return
	}
}

func (s *session) doRun(ctx context.Context) error {
	st := &s.runs[s.run]
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-st.allKEs:
	case <-time.After(recvTimeout):
		log.Printf("KE timeout")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var blamed blamePIDs
	kes := &KEs{}
	for i, c := range s.clients {
		if c.ke == nil {
			blamed = append(blamed, i)
			continue
		}
		kes.KEs = append(kes.KEs, c.ke)
	}
	if len(blamed) != 0 {
		return blamed
	}
	for _, c := range s.clients {
		select {
		case c.out <- kes:
		case <-c.done:
		}
	}
	return nil
}

// exclude removes blamed peers so the next run can proceed. BRs are
// written to each remaining client's out channel to be sent by its handler.
func (s *session) exclude(blamed []int) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	close(s.runs[s.run].rerunning)
	s.run++

	for _, pid := range blamed {
		c := s.clients[pid]
		log.Printf("excluding %v", c.conn.RemoteAddr())
		close(c.blamed)
		c.cancel()
		c.conn.Close()
		s.clients[pid] = nil
	}
	clients := s.clients[:0]
	for _, c := range s.clients {
		if c != nil {
			clients = append(clients, c)
		}
	}
	s.clients = clients
	if len(s.clients) < s.minp {
		return fmt.Errorf("too few peers (%v < %v) to continue session", len(s.clients), s.minp)
	}
	for _, c := range s.clients {
		c.ke = nil
	}
	s.runs = append(s.runs, newRunState())
	s.br = &BR{Run: s.run, Peers: len(s.clients)}

	for _, c := range s.clients {
		c.out <- s.br // heldout:site
	}
	return nil
}
