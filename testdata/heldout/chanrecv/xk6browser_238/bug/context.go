// Package bug is a held-out kernel (issue 14): a helper that derives a
// context cancelled when a done channel closes, whose goroutine waits only
// on that channel, so when the parent context ends first and done is never
// closed the goroutine waits forever.
//
// Upstream: grafana-cold-storage/xk6-browser#238 ("Fix contextWithDoneChan possible goroutine leak")
// Round: 5
// Seen: 2026-11-27, development set (helpers read this round-5 kernel to tune the analyzers, after round 5 was measured; round 6 stays held out)
//
// Bug: contextWithDoneChan wraps ctx in WithCancel and starts a goroutine
// that receives from done and then cancels. The browser session passes its
// own done channel, which is closed only when the session closes normally;
// if the parent context is cancelled first (the test or VU ends) the
// session never closes done and the goroutine blocks on it forever. The PR
// shows the helper; the session type around it is our reduction.
//
// Fix: the goroutine selects on done and on the derived context.
package bug

import "context"

func contextWithDoneChan(ctx context.Context, done chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		<-done // heldout:site
	}()
	return ctx
}

// Connection is the CDP connection.
type Connection interface {
	Send(ctx context.Context, method string) error
}

// Session is a CDP session on a target.
type Session struct {
	ctx  context.Context
	conn Connection
	done chan struct{}
}

// NewSession returns a session whose context ends with parent or Close.
func NewSession(parent context.Context, conn Connection) *Session {
	s := &Session{conn: conn, done: make(chan struct{})}
	s.ctx = contextWithDoneChan(parent, s.done)
	return s
}

// Execute sends a method on the session.
func (s *Session) Execute(method string) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	return s.conn.Send(s.ctx, method)
}

// Close closes the session after the target detaches.
func (s *Session) Close() {
	close(s.done)
}
