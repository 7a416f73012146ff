// Package fixed is the fixed version of lockorder/grpcgo_5644: the streams
// are closed after t.mu is released.
package fixed

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
	c.mu.Lock()
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
		t.mu.Lock()
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
	t.controlBuf.executeAndPut(nil, &cleanupStream{streamID: s.id})
}

// handleGoAway closes the streams the server will not process.
func (t *http2Client) handleGoAway(id uint32) {
	t.mu.Lock()
	t.draining = true
	var toClose []*Stream
	for streamID, stream := range t.activeStreams {
		if streamID > id {
			stream.state = 1
			toClose = append(toClose, stream)
		}
	}
	t.mu.Unlock()
	for _, stream := range toClose {
		t.closeStream(stream)
	}
}
