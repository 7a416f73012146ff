// Package fixed is the fixed version of lockorder/goyamux_98:
// processFlags updates the state under stateLock and marks the stream
// established in the session after releasing it.
package fixed

import (
	"errors"
	"sync"
)

type streamState int

const (
	streamInit streamState = iota
	streamSYNSent
	streamSYNReceived
	streamEstablished
	streamFinished
)

type halfStreamState int

const (
	halfOpen halfStreamState = iota
	halfClosed
	halfReset
)

const (
	flagSYN uint16 = 1 << iota
	flagACK
	flagFIN
	flagRST
)

// ErrSessionShutdown is returned once the session is closed.
var ErrSessionShutdown = errors.New("session shutdown")

// Stream is a logical stream in a session.
type Stream struct {
	id      uint32
	session *Session

	stateLock             sync.Mutex
	state                 streamState
	writeState, readState halfStreamState
	sendWindow            uint32

	recvNotifyCh chan struct{}
	sendNotifyCh chan struct{}
}

func newStream(s *Session, id uint32, state streamState) *Stream {
	return &Stream{
		id:           id,
		session:      s,
		state:        state,
		recvNotifyCh: make(chan struct{}, 1),
		sendNotifyCh: make(chan struct{}, 1),
	}
}

func asyncNotify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

func (s *Stream) notifyWaiting() {
	asyncNotify(s.recvNotifyCh)
	asyncNotify(s.sendNotifyCh)
}

// forceClose is used when the session is exiting.
func (s *Stream) forceClose() {
	s.stateLock.Lock()
	if s.readState == halfOpen {
		s.readState = halfReset
	}
	if s.writeState == halfOpen {
		s.writeState = halfReset
	}
	s.state = streamFinished
	s.notifyWaiting()
	s.stateLock.Unlock()
}

func (s *Stream) cleanup() { s.session.closeStream(s.id) }

// processFlags updates the stream's state from a frame's flags.
func (s *Stream) processFlags(flags uint16) {
	closeStream := false
	defer func() {
		if closeStream {
			s.cleanup()
		}
	}()

	established := false
	defer func() {
		if established {
			s.session.establishStream(s.id)
		}
	}()

	s.stateLock.Lock()
	defer s.stateLock.Unlock()
	if flags&flagACK == flagACK {
		if s.state == streamSYNSent {
			s.state = streamEstablished
		}
		established = true
	}
	if flags&flagFIN == flagFIN && s.readState == halfOpen {
		s.readState = halfClosed
		if s.writeState != halfOpen {
			closeStream = true
			s.state = streamFinished
		}
		s.notifyWaiting()
	}
	if flags&flagRST == flagRST {
		s.readState, s.writeState = halfReset, halfReset
		s.state = streamFinished
		closeStream = true
		s.notifyWaiting()
	}
}

// incrSendWindow handles a window update frame.
func (s *Stream) incrSendWindow(delta uint32, flags uint16) {
	s.processFlags(flags)
	s.stateLock.Lock()
	s.sendWindow += delta
	s.stateLock.Unlock()
	asyncNotify(s.sendNotifyCh)
}

// frame is a decoded frame header.
type frame struct {
	streamID uint32
	flags    uint16
	delta    uint32
}

// Session multiplexes streams over one connection.
type Session struct {
	streamLock sync.Mutex
	streams    map[uint32]*Stream
	inflight   map[uint32]struct{}
	synCh      chan struct{}

	frames     <-chan frame
	shutdownCh chan struct{}
	shutdownMu sync.Mutex
	shutdown   bool
	recvDone   chan struct{}
}

// NewSession starts the receive loop over frames; the transport closes
// frames when the connection ends.
func NewSession(frames <-chan frame, maxInflight int) *Session {
	s := &Session{
		streams:    map[uint32]*Stream{},
		inflight:   map[uint32]struct{}{},
		synCh:      make(chan struct{}, maxInflight),
		frames:     frames,
		shutdownCh: make(chan struct{}),
		recvDone:   make(chan struct{}),
	}
	go s.recvLoop()
	return s
}

// OpenStream opens a stream and sends its SYN.
func (s *Session) OpenStream(id uint32) (*Stream, error) {
	select {
	case s.synCh <- struct{}{}:
	case <-s.shutdownCh:
		return nil, ErrSessionShutdown
	}
	st := newStream(s, id, streamSYNSent)
	s.streamLock.Lock()
	s.streams[id] = st
	s.inflight[id] = struct{}{}
	s.streamLock.Unlock()
	return st, nil
}

// establishStream records that the remote side acknowledged the stream.
func (s *Session) establishStream(id uint32) {
	s.streamLock.Lock()
	delete(s.inflight, id)
	select {
	case <-s.synCh:
	default:
	}
	s.streamLock.Unlock()
}

func (s *Session) closeStream(id uint32) {
	s.streamLock.Lock()
	if _, ok := s.inflight[id]; ok {
		delete(s.inflight, id)
		select {
		case <-s.synCh:
		default:
		}
	}
	delete(s.streams, id)
	s.streamLock.Unlock()
}

func (s *Session) recvLoop() {
	defer close(s.recvDone)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				return
			}
			s.handleStreamMessage(f)
		case <-s.shutdownCh:
			return
		}
	}
}

func (s *Session) handleStreamMessage(f frame) {
	s.streamLock.Lock()
	st := s.streams[f.streamID]
	s.streamLock.Unlock()
	if st == nil {
		return
	}
	st.incrSendWindow(f.delta, f.flags)
}

// Close closes the session and all its streams.
func (s *Session) Close() error {
	s.shutdownMu.Lock()
	defer s.shutdownMu.Unlock()
	if s.shutdown {
		return nil
	}
	s.shutdown = true
	close(s.shutdownCh)

	s.streamLock.Lock()
	defer s.streamLock.Unlock()
	for id, st := range s.streams {
		st.forceClose()
		delete(s.streams, id)
	}
	return nil
}
