// Package fixed is the fixed version of lockheld/grpcgo_8451: the early
// return releases t.mu.
package fixed

import (
	"sync"
	"time"
)

type transportState int

const (
	reachable transportState = iota
	closing
)

type rstStream struct {
	streamID uint32
	code     uint32
}

// ServerStream is one incoming RPC.
type ServerStream struct {
	id       uint32
	method   string
	deadline time.Time
}

type http2Server struct {
	mu            sync.Mutex
	state         transportState
	activeStreams map[uint32]*ServerStream
	maxStreamID   uint32
	controlBuf    chan any
	done          chan struct{}
}

func newHTTP2Server(write func(any) error) *http2Server {
	t := &http2Server{
		activeStreams: make(map[uint32]*ServerStream),
		controlBuf:    make(chan any, 16),
		done:          make(chan struct{}),
	}
	go t.loopyWriter(write)
	return t
}

// loopyWriter writes the control frames.
func (t *http2Server) loopyWriter(write func(any) error) {
	for {
		select {
		case <-t.done:
			return
		case it := <-t.controlBuf:
			if write(it) != nil {
				return
			}
		}
	}
}

type headersFrame struct {
	streamID uint32
	method   string
	timeout  time.Duration
}

// operateHeaders registers the stream a HEADERS frame opens.
func (t *http2Server) operateHeaders(frame *headersFrame, handle func(*ServerStream)) error {
	s := &ServerStream{id: frame.streamID, method: frame.method}
	if frame.timeout > 0 {
		s.deadline = time.Now().Add(frame.timeout)
	}
	t.mu.Lock()
	if t.state != reachable {
		t.mu.Unlock()
		return nil
	}
	if frame.streamID <= t.maxStreamID {
		t.mu.Unlock()
		return nil
	}
	t.maxStreamID = frame.streamID
	if !s.deadline.IsZero() && !time.Now().Before(s.deadline) {
		// The deadline has already expired: reset the stream.
		t.mu.Unlock()
		t.controlBuf <- &rstStream{streamID: s.id, code: 8}
		return nil
	}
	t.activeStreams[s.id] = s
	t.mu.Unlock()
	handle(s)
	return nil
}

// Close closes the transport.
func (t *http2Server) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.state = closing
	t.activeStreams = nil
	close(t.done)
}
