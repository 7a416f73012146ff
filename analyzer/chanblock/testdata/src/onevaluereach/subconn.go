package onevaluereach

// conn is reached from a Session through a pointer field: both loops wait
// on s.conn.closing. Close sends one value: the other loop waits forever.
type conn struct {
	closing chan struct{}
	in      chan []byte
}

type Session struct {
	conn *conn
	out  chan []byte
}

func NewSession() *Session {
	return &Session{conn: &conn{closing: make(chan struct{}), in: make(chan []byte)}, out: make(chan []byte)}
}

func (s *Session) Serve() {
	go func() {
		for {
			select {
			case b := <-s.conn.in:
				_ = b
			case <-s.conn.closing:
				return
			}
		}
	}()
	go func() {
		for {
			select {
			case b := <-s.out:
				_ = b
			case <-s.conn.closing:
				return
			}
		}
	}()
}

func (s *Session) Close() {
	s.conn.closing <- struct{}{} // want `one value is sent on field closing of conn, but 2 or more goroutines wait for it`
}

// fixedConn and FixedSession: Close closes the channel.
type fixedConn struct {
	closing chan struct{}
	in      chan []byte
}

type FixedSession struct {
	conn *fixedConn
	out  chan []byte
}

func NewFixedSession() *FixedSession {
	return &FixedSession{conn: &fixedConn{closing: make(chan struct{}), in: make(chan []byte)}, out: make(chan []byte)}
}

func (s *FixedSession) Serve() {
	go func() {
		for {
			select {
			case b := <-s.conn.in:
				_ = b
			case <-s.conn.closing:
				return
			}
		}
	}()
	go func() {
		for {
			select {
			case b := <-s.out:
				_ = b
			case <-s.conn.closing:
				return
			}
		}
	}()
}

func (s *FixedSession) Close() {
	close(s.conn.closing)
}
