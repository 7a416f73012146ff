package real

import (
	"io"
	"sync"
	"time"
)

// Upstream: uw-labs/proximo#32. The deferred Wait is registered after
// the deferred CloseSend, so it runs first, while the receiving goroutine
// is still blocked in Recv, which only the close would end.
type lateStream interface {
	Recv() ([]byte, error)
	CloseSend() error
}

type lateConn interface {
	Open() (lateStream, error)
	Close() error
}

func consumeLate(conn lateConn, handle func([]byte) error) error {
	defer conn.Close()
	stream, err := conn.Open()
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	defer stream.CloseSend()
	defer wg.Wait() // want `this Wait runs before the deferred CloseSend \(at line \d+\), but the goroutine it waits for \(started at line \d+\) calls Recv in a loop`
	errs := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			b, err := stream.Recv()
			if err != nil {
				return
			}
			if err := handle(b); err != nil {
				errs <- err
				return
			}
		}
	}()
	for {
		select {
		case err := <-errs:
			return err
		case <-time.After(time.Second):
		}
	}
}

// A plain Wait before a plain Close of the reader: the function may be
// waiting for the peer to end the reads (left alone).
func readAllLate(r io.ReadCloser, out chan<- []byte) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 512)
		for {
			n, err := r.Read(buf)
			if err != nil {
				return
			}
			out <- buf[:n]
		}
	}()
	wg.Wait()
	r.Close()
}

// The fix: the Wait deferred first, so it runs last.
func consumeLateFixed(conn lateConn, handle func([]byte)) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	defer conn.Close()
	stream, err := conn.Open()
	if err != nil {
		return err
	}
	defer stream.CloseSend()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			b, err := stream.Recv()
			if err != nil {
				return
			}
			handle(b)
		}
	}()
	return nil
}

// Look-alikes: the close before the Wait; a writer goroutine (its Write
// returns by itself); a goroutine another WaitGroup counts; a reader the
// function does not hold.
func readAllClosed(r io.ReadCloser, stop <-chan struct{}) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 512)
		for {
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
	}()
	<-stop
	r.Close()
	wg.Wait()
}

func writeAll(w io.WriteCloser, in <-chan []byte) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := range in {
			if _, err := w.Write(b); err != nil {
				return
			}
		}
	}()
	wg.Wait()
	w.Close()
}

func readOther(r io.ReadCloser, other *sync.WaitGroup) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer other.Done()
		buf := make([]byte, 512)
		for {
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
	}()
	wg.Wait()
	r.Close()
}

func readHanded(open func() io.ReadCloser) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := open()
		defer r.Close()
		buf := make([]byte, 512)
		for {
			if _, err := r.Read(buf); err != nil {
				return
			}
		}
	}()
	wg.Wait()
}

// An object's read loop: Close joins it before closing the connection
// the loop is blocked reading.
type lateClient struct {
	conn io.ReadWriteCloser
	wg   sync.WaitGroup
	in   chan []byte
}

func newLateClient(conn io.ReadWriteCloser) *lateClient {
	c := &lateClient{conn: conn, in: make(chan []byte, 8)}
	c.wg.Add(1)
	go c.readLoop()
	return c
}

func (c *lateClient) readLoop() {
	defer c.wg.Done()
	buf := make([]byte, 512)
	for {
		n, err := c.conn.Read(buf)
		if err != nil {
			return
		}
		select {
		case c.in <- buf[:n]:
		default:
		}
	}
}

func (c *lateClient) Close() error {
	c.wg.Wait() // want `this Wait runs before Close of field conn \(at line \d+\), but the goroutine it waits for \(started at line \d+\) calls Read on that field in a loop`
	return c.conn.Close()
}

// The fix: close, then wait.
type lateClientFixed struct {
	conn io.ReadWriteCloser
	wg   sync.WaitGroup
}

func newLateClientFixed(conn io.ReadWriteCloser) *lateClientFixed {
	c := &lateClientFixed{conn: conn}
	c.wg.Add(1)
	go c.readLoop()
	return c
}

func (c *lateClientFixed) readLoop() {
	defer c.wg.Done()
	buf := make([]byte, 512)
	for {
		if _, err := c.conn.Read(buf); err != nil {
			return
		}
	}
}

func (c *lateClientFixed) Close() error {
	err := c.conn.Close()
	c.wg.Wait()
	return err
}

// Look-alike: a write loop fed by a channel the Close closes first.
type lateWriter struct {
	conn io.WriteCloser
	wg   sync.WaitGroup
	out  chan []byte
}

func newLateWriter(conn io.WriteCloser) *lateWriter {
	w := &lateWriter{conn: conn, out: make(chan []byte)}
	w.wg.Add(1)
	go w.writeLoop()
	return w
}

func (w *lateWriter) writeLoop() {
	defer w.wg.Done()
	for b := range w.out {
		if _, err := w.conn.Write(b); err != nil {
			return
		}
	}
}

func (w *lateWriter) Close() error {
	close(w.out)
	w.wg.Wait()
	return w.conn.Close()
}

// Look-alike (net's timeout tests): a handler that defers the Wait after
// the Close but does nothing else: it waits for the peer to hang up.
func serveUntilHangup(c io.ReadCloser) {
	defer c.Close()
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Add(1)
	go func() {
		defer wg.Done()
		var b [1]byte
		for {
			if _, err := c.Read(b[:]); err != nil {
				return
			}
		}
	}()
}
