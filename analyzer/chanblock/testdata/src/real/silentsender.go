package real

import (
	"errors"
	"net"
	"testing"
)

func handshake(c net.Conn) error { return errors.New("protocol error") }

// Upstream: golang/go#53216 (crypto/tls tests; the fix is the PR's)
//
// Bug: a test ran the server side of a handshake in a goroutine that
// reported to the test on a channel when it was done; on a handshake error
// the goroutine logged the error and returned without sending, and the
// test, blocked in its single receive, hung until the test binary's
// timeout. Fix: the goroutine sends on the channel on the error path too
// (here: sends its error on every path).
func tlsServerDone(t *testing.T, c, s net.Conn) {
	done := make(chan bool)
	go func() {
		if err := handshake(s); err != nil {
			t.Errorf("server: %v", err)
			return
		}
		done <- true
	}()
	if err := handshake(c); err != nil {
		t.Errorf("client: %v", err)
	}
	<-done // want `tlsServerDone waits here for the goroutine started at line \d+, but that goroutine can return at line \d+ without sending on or closing the channel`
}

func tlsServerDoneFixed(t *testing.T, c, s net.Conn) {
	done := make(chan error)
	go func() {
		done <- handshake(s)
	}()
	if err := handshake(c); err != nil {
		t.Errorf("client: %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("server: %v", err)
	}
}

// Closing on the way out (a defer) covers the early return.
func tlsServerDoneClosed(t *testing.T, c, s net.Conn) {
	done := make(chan bool)
	go func() {
		defer close(done)
		if err := handshake(s); err != nil {
			t.Errorf("server: %v", err)
			return
		}
	}()
	<-done
}

// t.Fatal in the goroutine ends it (and is go vet's testinggoroutine
// concern), and a select may take another case: neither is this shape.
func tlsServerDoneSelect(t *testing.T, c, s net.Conn, quit chan struct{}) {
	done := make(chan bool)
	go func() {
		if err := handshake(s); err != nil {
			return
		}
		done <- true // deadlockleak reports this leak (the select leaves by quit), so the checker does not
	}()
	select {
	case <-done:
	case <-quit:
	}
}
