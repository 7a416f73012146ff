// Package bug is a held-out kernel (issue 14): a tunnel session whose
// stopPings holds the session lock while waiting for the ping goroutine to
// finish, and the ping goroutine takes that lock to write each ping.
//
// Upstream: rancher/remotedialer#140 ("Remove mutex lock for stopPings")
// Round: 6
//
// Bug: Close stops the pings with the session lock held: stopPings
// cancels the ping context and waits on pingWait. The ping goroutine
// started by startPings may be past its select, about to write a ping
// under the same lock; it never gets the lock, never calls Done, and
// stopPings never returns (the hang reported as rancher/rancher#51509).
// The PR describes the cycle; the connection and its write deadline are
// our reduction.
//
// Fix: the pings are stopped without the session lock: pingCancel and
// pingWait are set once by startPings and are safe to use from several
// goroutines.
package bug

import (
	"context"
	"sync"
	"time"
)

// Conn is the websocket under the session.
type Conn interface {
	WriteControl(messageType int, data []byte, deadline time.Time) error
	Close() error
}

const pingMessage = 9

// Session multiplexes connections over one websocket.
type Session struct {
	sync.Mutex
	conn       Conn
	conns      map[int64]struct{}
	pingCancel context.CancelFunc
	pingWait   sync.WaitGroup
}

func (s *Session) startPings(rootCtx context.Context) {
	ctx, cancel := context.WithCancel(rootCtx)
	s.pingCancel = cancel
	s.pingWait.Add(1)
	go func() {
		defer s.pingWait.Done()
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.Lock() // heldout:site
				_ = s.conn.WriteControl(pingMessage, []byte(""), time.Now().Add(5*time.Second))
				s.Unlock()
			}
		}
	}()
}

func (s *Session) stopPings() {
	if s.pingCancel == nil {
		return
	}
	s.pingCancel()
	s.pingWait.Wait() // heldout:site
}

// Close stops the pings and closes every connection.
func (s *Session) Close() {
	s.Lock() // heldout:site
	defer s.Unlock()
	s.stopPings()
	for id := range s.conns {
		delete(s.conns, id)
	}
	_ = s.conn.Close()
}
