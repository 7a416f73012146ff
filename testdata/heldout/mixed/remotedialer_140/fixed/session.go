// Package fixed is the fixed version of mixed/remotedialer_140: the pings
// are stopped before the session lock is taken.
package fixed

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
				s.Lock()
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
	s.pingWait.Wait()
}

// Close stops the pings and closes every connection.
func (s *Session) Close() {
	s.stopPings()
	s.Lock()
	defer s.Unlock()
	for id := range s.conns {
		delete(s.conns, id)
	}
	_ = s.conn.Close()
}
