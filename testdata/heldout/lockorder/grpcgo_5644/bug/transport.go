// Package bug is a held-out kernel (issue 14): lock-order inversion between
// a transport's mutex and its control buffer's mutex, one side through a
// callback the control buffer runs under its own lock.
//
// Upstream: grpc/grpc-go#5644 ("Deadlock on grpc transport"), fixed by grpc/grpc-go#5652 ("transport: Fix deadlock in transport caused by GOAWAY race with new stream creation")
// Round: 2
//
// Bug: handleGoAway holds t.mu while it calls closeStream for each stream
// above the GOAWAY id, and closeStream puts a cleanup item through
// controlBuf.executeAndPut, which takes controlBuf.mu. NewStream calls
// controlBuf.executeAndPut with a quota check that takes t.mu, and
// executeAndPut runs the check holding controlBuf.mu. The field comment on
// t.mu ("Do not access controlBuf with mu held") was violated.
//
// Fix: handleGoAway collects the streams to close under t.mu, unlocks, and
// closes them afterwards.
package bug

import (
	"errors"
	"sync"
)

type cleanupStream struct {
	streamID uint32
}

type controlBuffer struct {
	mu   sync.Mutex
	list []any
}

// executeAndPut runs f under c.mu and, if it returns true, queues it.
func (c *controlBuffer) executeAndPut(f func(it any) bool, it any) (bool, error) {
	c.mu.Lock() // heldout:site
	defer c.mu.Unlock()
	if f != nil && !f(it) {
		return false, nil
	}
	c.list = append(c.list, it)
	return true, nil
}

// Stream is one RPC on the transport.
type Stream struct {
	id    uint32
	state uint32
}

type http2Client struct {
	// Do not access controlBuf with mu held.
	mu            sync.Mutex
	activeStreams map[uint32]*Stream
	draining      bool
	nextID        uint32
	controlBuf    *controlBuffer
}

var errStreamDrain = errors.New("the connection is draining")

// NewStream creates a stream and registers it on the transport.
func (t *http2Client) NewStream() (*Stream, error) {
	s := &Stream{}
	checkForStreamQuota := func(it any) bool {
		t.mu.Lock() // heldout:site
		defer t.mu.Unlock()
		if t.draining {
			return false
		}
		s.id = t.nextID
		t.nextID += 2
		t.activeStreams[s.id] = s
		return true
	}
	ok, err := t.controlBuf.executeAndPut(checkForStreamQuota, s)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errStreamDrain
	}
	return s, nil
}

func (t *http2Client) closeStream(s *Stream) {
	t.controlBuf.executeAndPut(nil, &cleanupStream{streamID: s.id}) // heldout:site
}

// handleGoAway closes the streams the server will not process.
func (t *http2Client) handleGoAway(id uint32) {
	t.mu.Lock()
	t.draining = true
	for streamID, stream := range t.activeStreams {
		if streamID > id {
			stream.state = 1
			t.closeStream(stream) // heldout:site
		}
	}
	t.mu.Unlock()
}
