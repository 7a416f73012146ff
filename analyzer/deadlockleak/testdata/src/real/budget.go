package real

import "sync"

// A bounded channel whose receivers each take one value at most, and a
// sender that goes round its loop to the same send: once it has sent the
// buffer's room plus one value per receiver, it blocks forever.

type wsConn interface {
	Write([]byte) error
	Read() ([]byte, error)
}

// Upstream: qlik-oss/enigma-go#132. The session loop starts a writer that
// selects on the socket-error channel (room for 5) and on the outgoing
// queue, and reports each failed write on the error channel before going
// back to its select, which may pick the queue again; the reader reports
// its own failure and returns. Each of them receives the error channel
// once, in a case that returns. After 5 + 2 errors the writer blocks on
// its send, and the loop's Wait never returns. Fix: the writer returns
// right after reporting its error.
type wsSession struct {
	conn     wsConn
	outgoing chan []byte
	onMsg    func([]byte)
}

func (q *wsSession) loop() {
	var wg sync.WaitGroup
	sockErr := make(chan error, 5)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-sockErr:
				return
			case m := <-q.outgoing:
				if err := q.conn.Write(m); err != nil {
					sockErr <- err // want `this send is in a loop no count bounds and goes round to it again, but the channel has room for 5 and its 2 receiving goroutine\(s\) each take one value at most`
				}
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-sockErr:
				return
			default:
				m, err := q.conn.Read()
				if err != nil {
					sockErr <- err
					return
				}
				q.onMsg(m)
			}
		}
	}()
	wg.Wait()
}

// The fix: the writer returns after its report, so each side sends once.
func (q *wsSession) loopFixed() {
	var wg sync.WaitGroup
	sockErr := make(chan error, 5)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-sockErr:
				return
			case m := <-q.outgoing:
				if err := q.conn.Write(m); err != nil {
					sockErr <- err
					return
				}
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-sockErr:
				return
			default:
				m, err := q.conn.Read()
				if err != nil {
					sockErr <- err
					return
				}
				q.onMsg(m)
			}
		}
	}()
	wg.Wait()
}

// Look-alike: the sender's loop also stops on a done channel the receiver
// closes after its one value; at most one more value follows, and the
// buffer holds it. Silent.
func (q *wsSession) firstError() error {
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case m := <-q.outgoing:
				if err := q.conn.Write(m); err != nil {
					errc <- err
				}
			}
		}
	}()
	err := <-errc
	close(done)
	return err
}

// Look-alike: the sender's loop ends when its input does, and the
// receiver ranges over the channel until it is closed. Silent.
func (q *wsSession) allErrors() []error {
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		for m := range q.outgoing {
			if err := q.conn.Write(m); err != nil {
				errc <- err
			}
		}
	}()
	var out []error
	for err := range errc {
		out = append(out, err)
	}
	return out
}
