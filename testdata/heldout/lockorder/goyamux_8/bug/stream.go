// Package bug is a held-out kernel (issue 14): a multiplexed stream whose
// Read sends a window update with the receive-buffer lock held (recvLock
// then stateLock, through sendFlags), while a Read of a remotely closed
// stream checks the buffer with the state lock held (stateLock then
// recvLock).
//
// Upstream: libp2p/go-yamux#8 ("fixes a stream deadlock multiple ways")
// Round: 12
//
// Bug: Read copies out of recvBuf under recvLock and, still holding it,
// calls sendWindowUpdate ("must be invoked with the lock"), which computes
// the window delta from recvBuf and calls sendFlags, which takes stateLock.
// A Read that finds the stream remote-closed holds stateLock while it
// takes recvLock to see whether data is left to drain. Two goroutines
// reading one stream (a second one watching for the remote close, say) as
// the FIN arrives take the two locks in opposite orders (issue #7: one
// goroutine in sendFlags from Read, the other holding stateLock and waiting
// for recvLock).
//
// Fix: the critical sections are tightened so neither lock is taken while
// the other is held: Read releases stateLock before looking at recvBuf, and
// sendWindowUpdate computes the delta under recvLock and releases it before
// sendFlags. That the stateLock-then-recvLock side is Read's closed-stream
// branch is our reading of the code at the time; the session is reduced to
// a channel of outgoing frames drained by its send loop.
package bug

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

type streamState int

const (
	streamInit streamState = iota
	streamSYNSent
	streamSYNReceived
	streamEstablished
	streamLocalClose
	streamRemoteClose
	streamClosed
	streamReset
)

const (
	flagSYN uint16 = 1 << iota
	flagACK
	flagFIN
	flagRST
)

// ErrConnectionReset is returned by Read on a reset stream.
var ErrConnectionReset = errors.New("stream reset")

// ErrSessionShutdown is returned once the session is closed.
var ErrSessionShutdown = errors.New("session shutdown")

type frame struct {
	streamID uint32
	flags    uint16
	delta    uint32
}

// Session sends the frames of its streams.
type Session struct {
	sendCh     chan frame
	shutdownCh chan struct{}
	closeOnce  sync.Once
	maxWindow  uint32
}

// NewSession starts the send loop, which writes frames with write.
func NewSession(maxWindow uint32, write func(frame) error) *Session {
	s := &Session{sendCh: make(chan frame, 64), shutdownCh: make(chan struct{}), maxWindow: maxWindow}
	go func() {
		for {
			select {
			case f := <-s.sendCh:
				if write(f) != nil {
					s.Close()
					return
				}
			case <-s.shutdownCh:
				return
			}
		}
	}()
	return s
}

// Close shuts the session down.
func (s *Session) Close() { s.closeOnce.Do(func() { close(s.shutdownCh) }) }

func (s *Session) sendMsg(f frame) error {
	select {
	case s.sendCh <- f:
		return nil
	case <-s.shutdownCh:
		return ErrSessionShutdown
	}
}

// Stream is a logical stream within a session.
type Stream struct {
	id         uint32
	session    *Session
	recvWindow uint32

	state     streamState
	stateLock sync.Mutex

	recvBuf  bytes.Buffer
	recvLock sync.Mutex

	recvNotifyCh chan struct{}
}

func newStream(s *Session, id uint32, state streamState) *Stream {
	return &Stream{id: id, session: s, state: state, recvWindow: s.maxWindow, recvNotifyCh: make(chan struct{}, 1)}
}

func asyncNotify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Read reads from the stream.
func (s *Stream) Read(b []byte) (n int, err error) {
	defer asyncNotify(s.recvNotifyCh)
START:
	s.stateLock.Lock()
	switch s.state {
	case streamRemoteClose, streamClosed:
		s.recvLock.Lock() // heldout:site
		if s.recvBuf.Len() == 0 {
			s.recvLock.Unlock()
			s.stateLock.Unlock()
			return 0, io.EOF
		}
		s.recvLock.Unlock()
	case streamReset:
		s.stateLock.Unlock()
		return 0, ErrConnectionReset
	}
	s.stateLock.Unlock()

	s.recvLock.Lock()
	if s.recvBuf.Len() == 0 {
		s.recvLock.Unlock()
		select {
		case <-s.recvNotifyCh:
			goto START
		case <-s.session.shutdownCh:
			return 0, ErrSessionShutdown
		}
	}
	n, _ = s.recvBuf.Read(b)
	s.recvWindow -= uint32(n)

	// Send a window update potentially, with the lock held.
	err = s.sendWindowUpdate() // heldout:site
	s.recvLock.Unlock()
	return n, err
}

// sendFlags determines the flags to send from the stream's state.
func (s *Stream) sendFlags() uint16 {
	s.stateLock.Lock() // heldout:site
	defer s.stateLock.Unlock()
	var flags uint16
	switch s.state {
	case streamInit:
		flags |= flagSYN
		s.state = streamSYNSent
	case streamSYNReceived:
		flags |= flagACK
		s.state = streamEstablished
	}
	return flags
}

// sendWindowUpdate potentially sends a window update; it must be invoked
// with recvLock held.
func (s *Stream) sendWindowUpdate() error {
	max := s.session.maxWindow
	delta := (max - uint32(s.recvBuf.Len())) - s.recvWindow
	flags := s.sendFlags()
	if delta < max/2 && flags == 0 {
		return nil
	}
	s.recvWindow += delta
	return s.session.sendMsg(frame{streamID: s.id, flags: flags, delta: delta})
}

// readData handles a data frame from the receive loop.
func (s *Stream) readData(data []byte, flags uint16) {
	s.processFlags(flags)
	s.recvLock.Lock()
	s.recvBuf.Write(data)
	s.recvLock.Unlock()
	asyncNotify(s.recvNotifyCh)
}

// processFlags updates the state from a frame's flags.
func (s *Stream) processFlags(flags uint16) {
	s.stateLock.Lock()
	defer s.stateLock.Unlock()
	if flags&flagACK == flagACK && s.state == streamSYNSent {
		s.state = streamEstablished
	}
	if flags&flagFIN == flagFIN {
		switch s.state {
		case streamSYNSent, streamSYNReceived, streamEstablished:
			s.state = streamRemoteClose
		case streamLocalClose:
			s.state = streamClosed
		}
		asyncNotify(s.recvNotifyCh)
	}
	if flags&flagRST == flagRST {
		s.state = streamReset
		asyncNotify(s.recvNotifyCh)
	}
}
