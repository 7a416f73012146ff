// Package bug is a held-out kernel (issue 14): a media track whose bind
// holds the track mutex while it builds the RTP reader; building it reads
// one frame from the driver, and a read error goes to the track's onError
// handler, which takes the same mutex.
//
// Upstream: pion/mediadevices#466 ("Fix deadlock in track.Bind()")
// Round: 12
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: newVideoTrackFromReader wraps the driver's reader so that a read
// error calls track.onError, which locks track.mu to record the error and
// fetch the OnEnded handler. bind, called by the peer connection when the
// track is added, holds track.mu (deferred unlock) for its whole body and
// calls NewRTPReader; that builds the encoder, which reads a first frame
// synchronously (detectCurrentVideoProp) to learn the frame size. If the
// driver's first read fails, the wrapped reader calls onError on the
// goroutine that holds track.mu, and Bind never returns.
//
// Fix: the error and its handler get their own mutex (errMu), which bind
// does not hold, and bind checks track.err after building each reader. The
// encoder, codec selection and the peer connection's track context are
// reduced to what the path needs.
package bug

import (
	"errors"
	"fmt"
	"sync"
)

// Frame is a video frame.
type Frame struct{ Width, Height int }

// VideoReader reads frames from a driver.
type VideoReader interface {
	Read() (Frame, func(), error)
}

// ReaderFunc adapts a function to VideoReader.
type ReaderFunc func() (Frame, func(), error)

// Read calls f.
func (f ReaderFunc) Read() (Frame, func(), error) { return f() }

// RTPReadCloser reads encoded packets.
type RTPReadCloser interface {
	Read() ([]byte, error)
	Close() error
}

// TrackLocalContext is what the peer connection passes to Bind.
type TrackLocalContext struct {
	ID     string
	Codecs []string
}

type baseTrack struct {
	mu                    sync.Mutex
	err                   error
	onErrorHandler        func(error)
	endOnce               sync.Once
	activePeerConnections map[string]chan struct{}
}

// OnEnded sets the handler called once when the track fails.
func (track *baseTrack) OnEnded(handler func(error)) {
	track.mu.Lock()
	track.onErrorHandler = handler
	err := track.err
	track.mu.Unlock()

	if err != nil && handler != nil {
		track.endOnce.Do(func() { handler(err) })
	}
}

// onError records err and calls the OnEnded handler.
func (track *baseTrack) onError(err error) {
	track.mu.Lock() // heldout:site
	track.err = err
	handler := track.onErrorHandler
	track.mu.Unlock()

	if handler != nil {
		track.endOnce.Do(func() { handler(err) })
	}
}

// VideoTrack is a track fed by a video driver.
type VideoTrack struct {
	*baseTrack
	source VideoReader
}

func newVideoTrackFromReader(r VideoReader) *VideoTrack {
	track := &VideoTrack{baseTrack: &baseTrack{activePeerConnections: map[string]chan struct{}{}}}
	track.source = ReaderFunc(func() (Frame, func(), error) {
		frame, release, err := r.Read()
		if err != nil {
			track.onError(err) // heldout:site
		}
		return frame, release, err
	})
	return track
}

type encodedReader struct {
	source VideoReader
	prop   Frame
}

func (e *encodedReader) Read() ([]byte, error) {
	frame, release, err := e.source.Read()
	if err != nil {
		return nil, err
	}
	if release != nil {
		defer release()
	}
	return []byte(fmt.Sprintf("%dx%d", frame.Width, frame.Height)), nil
}

func (e *encodedReader) Close() error { return nil }

// detectCurrentVideoProp reads one frame to learn the current size.
func detectCurrentVideoProp(r VideoReader) (Frame, error) {
	frame, release, err := r.Read()
	if err != nil {
		return Frame{}, err
	}
	if release != nil {
		release()
	}
	return frame, nil
}

// NewRTPReader builds an encoder for the codec over the track's source.
func (track *VideoTrack) NewRTPReader(codec string) (RTPReadCloser, error) {
	if codec != "video/VP8" && codec != "video/H264" {
		return nil, fmt.Errorf("unsupported codec %s", codec)
	}
	prop, err := detectCurrentVideoProp(track.source)
	if err != nil {
		return nil, err
	}
	return &encodedReader{source: track.source, prop: prop}, nil
}

// Bind is called by the peer connection when the track is added.
func (track *VideoTrack) Bind(ctx TrackLocalContext) (string, error) {
	return track.bind(ctx, track)
}

type rtpReaderFactory interface {
	NewRTPReader(codec string) (RTPReadCloser, error)
}

func (track *baseTrack) bind(ctx TrackLocalContext, specialized rtpReaderFactory) (string, error) {
	track.mu.Lock()
	defer track.mu.Unlock()

	stop := make(chan struct{})
	track.activePeerConnections[ctx.ID] = stop

	var reader RTPReadCloser
	var selected string
	var err error
	for _, codec := range ctx.Codecs {
		reader, err = specialized.NewRTPReader(codec) // heldout:site
		if err == nil {
			selected = codec
			break
		}
	}
	if reader == nil {
		delete(track.activePeerConnections, ctx.ID)
		return "", errors.New("failed to find a codec")
	}

	go func() {
		defer reader.Close()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := reader.Read(); err != nil {
				return
			}
		}
	}()
	return selected, nil
}

// Unbind stops sending to the peer connection.
func (track *baseTrack) Unbind(ctx TrackLocalContext) {
	track.mu.Lock()
	defer track.mu.Unlock()
	if stop, ok := track.activePeerConnections[ctx.ID]; ok {
		close(stop)
		delete(track.activePeerConnections, ctx.ID)
	}
}
