// Package bug is a held-out kernel (issue 14): a QUIC session whose send
// loop holds the framer's mutex while it pops a frame from each active
// stream (taking the stream's mutex), while a stream's Close holds the
// stream's mutex while it tells the session it has data (the FIN), which
// takes the framer's mutex to queue the stream.
//
// Upstream: quic-go/quic-go#1658 ("Possible deadlock in sendStream and framerI")
// Round: 13
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: framerI.AppendStreamFrames locks f.mutex and, for each stream in
// its queue, calls str.popStreamFrame, which locks the stream's mutex.
// sendStream.Close locked s.mutex (deferred unlock), set finishedWriting
// and called s.sender.onHasStreamData(s.streamID): the uni-stream sender
// wrapper forwards to session.onHasStreamData, which calls
// framer.AddActiveStream, which locks f.mutex. The stacks show
// thirteen goroutines in AddActiveStream under Close and the send loop in
// popStreamFrame under AppendStreamFrames. Flow control, frames and the
// packet packer are reduced.
//
// Fix: Close (like Write) updates the stream's state under its mutex and
// calls onHasStreamData after releasing it ("must be called without
// holding the mutex", as the upstream code says since).
package bug

import (
	"errors"
	"sync"
)

// StreamID identifies a stream.
type StreamID uint64

const minStreamFrameSize = 128

// StreamFrame is a reduced STREAM frame.
type StreamFrame struct {
	StreamID StreamID
	Data     []byte
	Fin      bool
}

// streamSender is what a stream uses to tell the session about itself.
type streamSender interface {
	onHasStreamData(StreamID)
}

// uniStreamSender wraps the session for a send stream.
type uniStreamSender struct {
	streamSender
}

func (s *uniStreamSender) onHasStreamData(id StreamID) {
	s.streamSender.onHasStreamData(id)
}

type sendStream struct {
	mutex sync.Mutex

	streamID        StreamID
	sender          streamSender
	dataForWriting  []byte
	finishedWriting bool
	finSent         bool
	canceledWrite   bool
}

func newSendStream(id StreamID, sender streamSender) *sendStream {
	return &sendStream{streamID: id, sender: sender}
}

// Write queues data on the stream.
func (s *sendStream) Write(p []byte) (int, error) {
	s.mutex.Lock()
	if s.finishedWriting {
		s.mutex.Unlock()
		return 0, errors.New("write on closed stream")
	}
	s.dataForWriting = append(s.dataForWriting, p...)
	s.mutex.Unlock()
	s.sender.onHasStreamData(s.streamID)
	return len(p), nil
}

// popStreamFrame returns the next frame, and whether more data is queued.
func (s *sendStream) popStreamFrame(maxBytes int) (*StreamFrame, bool) {
	s.mutex.Lock() // heldout:site
	defer s.mutex.Unlock()

	if s.finSent || s.canceledWrite {
		return nil, false
	}
	n := len(s.dataForWriting)
	if n > maxBytes {
		n = maxBytes
	}
	f := &StreamFrame{StreamID: s.streamID, Data: s.dataForWriting[:n]}
	s.dataForWriting = s.dataForWriting[n:]
	if len(s.dataForWriting) == 0 && s.finishedWriting {
		f.Fin = true
		s.finSent = true
	}
	return f, len(s.dataForWriting) > 0
}

// Close closes the write direction; the FIN goes with the next frame.
func (s *sendStream) Close() error {
	s.mutex.Lock() // heldout:site
	defer s.mutex.Unlock()

	if s.canceledWrite {
		return errors.New("close called for canceled stream")
	}
	s.finishedWriting = true
	s.sender.onHasStreamData(s.streamID) // heldout:site
	return nil
}

// streamGetter finds a send stream by ID.
type streamGetter interface {
	GetOrOpenSendStream(StreamID) (*sendStream, error)
}

type framerI struct {
	mutex sync.Mutex

	streamGetter  streamGetter
	activeStreams map[StreamID]struct{}
	streamQueue   []StreamID
}

func newFramer(g streamGetter) *framerI {
	return &framerI{streamGetter: g, activeStreams: make(map[StreamID]struct{})}
}

// AddActiveStream queues a stream that has data to send.
func (f *framerI) AddActiveStream(id StreamID) {
	f.mutex.Lock() // heldout:site
	if _, ok := f.activeStreams[id]; !ok {
		f.streamQueue = append(f.streamQueue, id)
		f.activeStreams[id] = struct{}{}
	}
	f.mutex.Unlock()
}

// AppendStreamFrames pops frames from the active streams into a packet.
func (f *framerI) AppendStreamFrames(frames []*StreamFrame, maxLen int) []*StreamFrame {
	var length int
	f.mutex.Lock() // heldout:site
	numActiveStreams := len(f.streamQueue)
	for i := 0; i < numActiveStreams; i++ {
		if maxLen-length < minStreamFrameSize {
			break
		}
		id := f.streamQueue[0]
		f.streamQueue = f.streamQueue[1:]
		str, err := f.streamGetter.GetOrOpenSendStream(id)
		if str == nil || err != nil {
			delete(f.activeStreams, id)
			continue
		}
		frame, hasMoreData := str.popStreamFrame(maxLen - length) // heldout:site
		if hasMoreData {
			f.streamQueue = append(f.streamQueue, id)
		} else {
			delete(f.activeStreams, id)
		}
		if frame == nil {
			continue
		}
		frames = append(frames, frame)
		length += len(frame.Data) + 8
	}
	f.mutex.Unlock()
	return frames
}

// session owns the streams, the framer and the send loop.
type session struct {
	streamsMu sync.Mutex
	streams   map[StreamID]*sendStream
	nextID    StreamID

	framer           *framerI
	sendingScheduled chan struct{}
	closeChan        chan struct{}
	runDone          chan struct{}

	sentMu sync.Mutex
	sent   []*StreamFrame
}

func newSession() *session {
	s := &session{
		streams:          make(map[StreamID]*sendStream),
		sendingScheduled: make(chan struct{}, 1),
		closeChan:        make(chan struct{}),
		runDone:          make(chan struct{}),
	}
	s.framer = newFramer(s)
	go s.run()
	return s
}

func (s *session) GetOrOpenSendStream(id StreamID) (*sendStream, error) {
	s.streamsMu.Lock()
	defer s.streamsMu.Unlock()
	return s.streams[id], nil
}

// OpenUniStream opens a send stream.
func (s *session) OpenUniStream() *sendStream {
	s.streamsMu.Lock()
	defer s.streamsMu.Unlock()
	id := s.nextID
	s.nextID += 4
	str := newSendStream(id, &uniStreamSender{streamSender: s})
	s.streams[id] = str
	return str
}

func (s *session) onHasStreamData(id StreamID) {
	s.framer.AddActiveStream(id)
	s.scheduleSending()
}

func (s *session) scheduleSending() {
	select {
	case s.sendingScheduled <- struct{}{}:
	default:
	}
}

func (s *session) run() {
	defer close(s.runDone)
	for {
		select {
		case <-s.closeChan:
			return
		case <-s.sendingScheduled:
			frames := s.framer.AppendStreamFrames(nil, 1200)
			s.sentMu.Lock()
			s.sent = append(s.sent, frames...)
			s.sentMu.Unlock()
		}
	}
}

// Close stops the send loop.
func (s *session) Close() {
	close(s.closeChan)
	<-s.runDone
}

// writeAndClose is an application writing a response on a stream and
// closing it while the session is sending the previous writes.
func writeAndClose() {
	sess := newSession()
	defer sess.Close()

	str := sess.OpenUniStream()
	str.Write(make([]byte, 4000))
	str.Close()
}
