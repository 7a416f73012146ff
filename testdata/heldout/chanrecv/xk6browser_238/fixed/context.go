// Package fixed is the fixed version of chanrecv/xk6browser_238: the
// goroutine also stops when the derived context is done.
package fixed

import "context"

func contextWithDoneChan(ctx context.Context, done chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		select {
		case <-done:
		case <-ctx.Done():
		}
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
