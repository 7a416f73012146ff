package aio_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// runReal runs body on a loop with the real clock: the virtual one stands
// still while a socket operation is in flight.
func runReal(t *testing.T, body func(t *aio.Task) error, opts ...aio.Option) {
	t.Helper()
	var err error
	within(t, func() {
		_, err = aio.Run(aio.Async(func(t *aio.Task) (int, error) { return 0, body(t) }), opts...)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// upper is an echo handler: each line comes back in upper case, until
// EOF, then "bye".
func upper(t *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error {
	defer w.Close()
	for {
		line, err := r.ReadLine(t)
		if err == io.EOF {
			w.WriteString("bye\n")
			return w.Drain(t)
		}
		if err != nil {
			return err
		}
		w.Write(bytes.ToUpper(line))
		if err := w.Drain(t); err != nil {
			return err
		}
	}
}

func TestStreamsEcho(t *testing.T) {
	runReal(t, func(t *aio.Task) error {
		srv, err := aio.StartServer(t, "127.0.0.1:0", upper)
		if err != nil {
			return err
		}
		r, w, err := aio.OpenConnection(t, srv.Addr().String())
		if err != nil {
			return err
		}
		if w.RemoteAddr().String() != srv.Addr().String() || w.LocalAddr() == nil {
			return fmt.Errorf("addresses %v %v", w.RemoteAddr(), w.LocalAddr())
		}
		w.WriteString("hello\nworld\n")
		if err := w.Drain(t); err != nil {
			return err
		}
		if line, err := r.ReadLine(t); string(line) != "HELLO\n" || err != nil {
			return fmt.Errorf("ReadLine = %q, %v", line, err)
		}
		if b, err := r.ReadExactly(t, 3); string(b) != "WOR" || err != nil {
			return fmt.Errorf("ReadExactly = %q, %v", b, err)
		}
		if b, err := r.ReadUntil(t, []byte("D\n")); string(b) != "LD\n" || err != nil {
			return fmt.Errorf("ReadUntil = %q, %v", b, err)
		}
		w.WriteString("abc\n")
		if err := w.WriteEOF(); err != nil {
			return err
		}
		rest, err := r.Read(t, -1)
		if string(rest) != "ABC\nbye\n" || err != nil {
			return fmt.Errorf("Read(-1) = %q, %v", rest, err)
		}
		if !r.AtEOF() {
			return errors.New("not at EOF")
		}
		if b, err := r.Read(t, 10); b != nil || err != io.EOF {
			return fmt.Errorf("Read at EOF = %q, %v", b, err)
		}
		if _, err := w.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("Write after WriteEOF: %v", err)
		}
		w.Close()
		if err := w.WaitClosed(t); err != nil || !w.IsClosing() {
			return fmt.Errorf("WaitClosed: %v", err)
		}
		srv.Close()
		if srv.IsServing() {
			return errors.New("server still serving")
		}
		return srv.WaitClosed(t)
	})
}

// serveBytes starts a server that writes data and closes.
func serveBytes(t *aio.Task, data string) (*aio.Server, error) {
	return aio.StartServer(t, "127.0.0.1:0", func(t *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error {
		w.WriteString(data)
		w.Close()
		return w.WaitClosed(t)
	})
}

func TestStreamsEndOfStream(t *testing.T) {
	runReal(t, func(t *aio.Task) error {
		srv, err := serveBytes(t, "line\npartial")
		if err != nil {
			return err
		}
		defer srv.Close()
		r, w, err := aio.OpenConnection(t, srv.Addr().String())
		if err != nil {
			return err
		}
		defer w.Close()
		_, err = r.ReadExactly(t, 100)
		var inc *aio.IncompleteReadError
		if !errors.As(err, &inc) || string(inc.Partial) != "line\npartial" || inc.Expected != 100 || !errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("ReadExactly past the end: %v", err)
		}
		if err.Error() != "aio: 12 bytes read on a total of 100 expected bytes" {
			return fmt.Errorf("message %q", err)
		}
		// The others, on fresh connections.
		r, w2, _ := aio.OpenConnection(t, srv.Addr().String())
		defer w2.Close()
		if l, err := r.ReadLine(t); string(l) != "line\n" || err != nil {
			return fmt.Errorf("ReadLine = %q %v", l, err)
		}
		if l, err := r.ReadLine(t); string(l) != "partial" || err != io.EOF {
			return fmt.Errorf("last ReadLine = %q %v", l, err)
		}
		if l, err := r.ReadLine(t); len(l) != 0 || err != io.EOF {
			return fmt.Errorf("ReadLine at EOF = %q %v", l, err)
		}
		r, w3, _ := aio.OpenConnection(t, srv.Addr().String())
		defer w3.Close()
		_, err = r.ReadUntil(t, []byte("!"))
		if !errors.As(err, &inc) || string(inc.Partial) != "line\npartial" || inc.Expected != -1 {
			return fmt.Errorf("ReadUntil past the end: %v", err)
		}
		if _, err := r.ReadUntil(t, nil); err == nil {
			return errors.New("ReadUntil with an empty separator")
		}
		if _, err := r.ReadExactly(t, -1); err == nil {
			return errors.New("ReadExactly(-1)")
		}
		if b, err := r.Read(t, 0); b != nil || err != nil {
			return fmt.Errorf("Read(0) = %q %v", b, err)
		}
		if b, err := r.Read(t, -1); len(b) != 0 || err != nil {
			return fmt.Errorf("Read(-1) at EOF = %q %v", b, err)
		}
		return nil
	})
}

func TestStreamsLimit(t *testing.T) {
	runReal(t, func(t *aio.Task) error {
		srv, err := serveBytes(t, strings.Repeat("x", 40)+"\nshort\n"+strings.Repeat("y", 10)+"|"+strings.Repeat("z", 30))
		if err != nil {
			return err
		}
		defer srv.Close()
		r, w, err := aio.OpenConnection(t, srv.Addr().String())
		if err != nil {
			return err
		}
		defer w.Close()
		r.SetLimit(16)
		var over *aio.LimitOverrunError
		if _, err := r.ReadLine(t); !errors.As(err, &over) {
			return fmt.Errorf("long line: %v", err)
		}
		if l, err := r.ReadLine(t); string(l) != "short\n" || err != nil {
			return fmt.Errorf("line after the long one: %q %v", l, err)
		}
		if b, err := r.ReadUntil(t, []byte("|")); string(b) != strings.Repeat("y", 10)+"|" || err != nil {
			return fmt.Errorf("ReadUntil: %q %v", b, err)
		}
		_, err = r.ReadUntil(t, []byte("|"))
		if !errors.As(err, &over) || over.Consumed <= 16 || err.Error() != "aio: separator is not found, and chunk exceeds the limit" {
			return fmt.Errorf("ReadUntil over the limit: %v", err)
		}
		// The data stays: a larger limit reads it.
		r.SetLimit(aio.DefaultLimit)
		if b, err := r.Read(t, -1); string(b) != strings.Repeat("z", 30) || err != nil {
			return fmt.Errorf("rest %q %v", b, err)
		}
		return nil
	})
}

func TestStreamsDrainBackPressure(t *testing.T) {
	const total = 32 << 20 // far more than the sockets' buffers
	runReal(t, func(t *aio.Task) error {
		var reading bool
		srv, err := aio.StartServer(t, "127.0.0.1:0", func(t *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error {
			defer w.Close()
			if err := aio.Sleep(t, 200*time.Millisecond); err != nil { // a slow peer
				return err
			}
			reading = true
			b, err := r.Read(t, -1)
			if len(b) != total {
				return fmt.Errorf("server read %d bytes, %v", len(b), err)
			}
			w.WriteString("ok\n")
			return w.Drain(t)
		})
		if err != nil {
			return err
		}
		defer srv.Close()
		r, w, err := aio.OpenConnection(t, srv.Addr().String())
		if err != nil {
			return err
		}
		chunk := bytes.Repeat([]byte("a"), 1<<20)
		paused := false
		for range total / len(chunk) {
			w.Write(chunk)
			if w.Buffered() > 64<<10 && !reading {
				paused = true
			}
			if err := w.Drain(t); err != nil {
				return err
			}
		}
		if !paused || !reading {
			return fmt.Errorf("Drain returned before the peer read (paused %v, reading %v)", paused, reading)
		}
		w.WriteEOF()
		if l, err := r.ReadLine(t); string(l) != "ok\n" {
			return fmt.Errorf("reply %q %v", l, err)
		}
		w.Close()
		return w.WaitClosed(t)
	})
}

func TestStreamsCancelledReadKeepsData(t *testing.T) {
	runReal(t, func(t *aio.Task) error {
		send := aio.NewFuture[string](t.Loop())
		srv, err := aio.StartServer(t, "127.0.0.1:0", func(t *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error {
			defer w.Close()
			s, err := aio.Await[string](t, send)
			if err != nil {
				return err
			}
			w.WriteString(s)
			return w.Drain(t)
		})
		if err != nil {
			return err
		}
		defer srv.Close()
		r, w, err := aio.OpenConnection(t, srv.Addr().String())
		if err != nil {
			return err
		}
		defer w.Close()
		reader := aio.CreateTask(t, aio.Async(func(t *aio.Task) ([]byte, error) { return r.ReadLine(t) }))
		aio.Sleep(t, 10*time.Millisecond)
		if _, err := r.ReadLine(t); !errors.Is(err, aio.ErrReadInProgress) {
			return fmt.Errorf("second reader: %v", err)
		}
		reader.Cancel()
		if _, err := aio.Await(t, reader); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("cancelled read: %v", err)
		}
		send.SetResult("kept\n")
		if l, err := r.ReadLine(t); string(l) != "kept\n" || err != nil {
			return fmt.Errorf("after the cancelled read: %q %v", l, err)
		}
		return nil
	})
}

func TestStreamsErrors(t *testing.T) {
	var buf syncBuffer
	runReal(t, func(t *aio.Task) error {
		// Nobody listens on a closed listener's port.
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		if _, _, err := aio.OpenConnection(t, addr); err == nil {
			return errors.New("connected to a closed port")
		}
		if _, err := aio.StartServer(t, "256.0.0.1:0", upper); err == nil {
			return errors.New("listened on a bad address")
		}
		// A failing handler is logged and its connection closed.
		srv, err := aio.StartServer(t, "127.0.0.1:0", func(t *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error {
			return errors.New("handler broke")
		})
		if err != nil {
			return err
		}
		r, w, err := aio.OpenConnection(t, srv.Addr().String())
		if err != nil {
			return err
		}
		if b, err := r.Read(t, 1); err != io.EOF {
			return fmt.Errorf("read from a failed handler's connection: %q %v", b, err)
		}
		// Writing to a connection the peer closed fails, sooner or later.
		var werr error
		for range 1000 {
			w.Write(make([]byte, 64<<10))
			if werr = w.Drain(t); werr != nil {
				break
			}
		}
		if werr == nil {
			return errors.New("writes to a closed peer never failed")
		}
		if _, err := w.Write([]byte("x")); err == nil {
			return errors.New("Write after a failed write")
		}
		w.Close()
		// ServeForever ends with Close, or closes the server when cancelled.
		closer := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) {
			aio.Sleep(t, 10*time.Millisecond)
			return 0, srv.Close()
		}))
		if err := srv.ServeForever(t); err != nil {
			return fmt.Errorf("ServeForever: %v", err)
		}
		aio.Await(t, closer)
		srv2, _ := aio.StartServer(t, "127.0.0.1:0", upper)
		sf := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 0, srv2.ServeForever(t) }))
		aio.Sleep(t, 10*time.Millisecond)
		sf.Cancel()
		if _, err := aio.Await(t, sf); !errors.Is(err, aio.ErrCancelled) || srv2.IsServing() {
			return fmt.Errorf("cancelled ServeForever: %v", err)
		}
		// A cancelled WaitClosed leaves the connection's closing alone.
		srv3, _ := aio.StartServer(t, "127.0.0.1:0", upper)
		defer srv3.Close()
		_, w3, _ := aio.OpenConnection(t, srv3.Addr().String())
		wc := aio.CreateTask(t, aio.Async(func(t *aio.Task) (int, error) { return 0, w3.WaitClosed(t) }))
		aio.Sleep(t, 0)
		wc.Cancel()
		if _, err := aio.Await(t, wc); !errors.Is(err, aio.ErrCancelled) {
			return fmt.Errorf("cancelled WaitClosed: %v", err)
		}
		w3.Close()
		return w3.WaitClosed(t)
	}, aio.WithLogger(textLogger(&buf)))
	if !strings.Contains(buf.String(), "handler broke") {
		t.Fatalf("log %q", buf.String())
	}
}

func TestCloseWithOpenConnections(t *testing.T) {
	// The main task returns with a server, a connection and reads in
	// flight: Run cancels and closes everything, and goleak checks that
	// no goroutine is left.
	runReal(t, func(t *aio.Task) error {
		srv, err := aio.StartServer(t, "127.0.0.1:0", func(t *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error {
			_, err := r.ReadLine(t)
			return err
		})
		if err != nil {
			return err
		}
		r, _, err := aio.OpenConnection(t, srv.Addr().String())
		if err != nil {
			return err
		}
		aio.CreateTask(t, aio.Async(func(t *aio.Task) ([]byte, error) { return r.ReadLine(t) }))
		return aio.Sleep(t, 10*time.Millisecond)
	})
}

// openFDs counts the process's open file descriptors, or -1 where /proc
// does not tell.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

func TestCloseLeavesNoSockets(t *testing.T) {
	before := openFDs()
	if before < 0 {
		t.Skip("no /proc/self/fd")
	}
	runReal(t, func(t *aio.Task) error {
		srv, err := aio.StartServer(t, "127.0.0.1:0", func(t *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error {
			return aio.Sleep(t, time.Hour) // never closes its connection
		})
		if err != nil {
			return err
		}
		for range 5 {
			if _, _, err := aio.OpenConnection(t, srv.Addr().String()); err != nil {
				return err
			}
		}
		return aio.Sleep(t, 20*time.Millisecond) // let the server accept
	})
	if after := openFDs(); after != before {
		t.Fatalf("%d file descriptors open before, %d after Close", before, after)
	}
}

func TestServerWaitClosedWaitsForHandlers(t *testing.T) {
	runReal(t, func(t *aio.Task) error {
		release := aio.NewFuture[struct{}](t.Loop())
		handled := false
		srv, err := aio.StartServer(t, "127.0.0.1:0", func(t *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error {
			defer w.Close()
			_, err := aio.Await[struct{}](t, release)
			handled = true
			return err
		})
		if err != nil {
			return err
		}
		_, w, err := aio.OpenConnection(t, srv.Addr().String())
		if err != nil {
			return err
		}
		defer w.Close()
		aio.Sleep(t, 20*time.Millisecond) // accepted
		srv.Close()
		t.Loop().CallLater(10*time.Millisecond, func() { release.SetResult(struct{}{}) })
		if err := srv.WaitClosed(t); err != nil || !handled {
			return fmt.Errorf("WaitClosed returned before the handler: %v", err)
		}
		return nil
	})
}
