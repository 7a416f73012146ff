// Package fixed is the fixed version of chansend/s2sproxy_135: the
// listener's send also watches the shutdown channel.
package fixed

import (
	"io"
	"sync"
)

// Message is a replication message or an ack.
type Message struct {
	Watermark int64
}

// ShutdownOnce is a one-shot shutdown signal.
type ShutdownOnce struct {
	once sync.Once
	ch   chan struct{}
}

// NewShutdownOnce returns an unset signal.
func NewShutdownOnce() *ShutdownOnce {
	return &ShutdownOnce{ch: make(chan struct{})}
}

// Shutdown sets the signal; later calls do nothing.
func (s *ShutdownOnce) Shutdown() {
	s.once.Do(func() { close(s.ch) })
}

// IsShutdown reports whether Shutdown was called.
func (s *ShutdownOnce) IsShutdown() bool {
	select {
	case <-s.ch:
		return true
	default:
		return false
	}
}

// Channel is closed by Shutdown.
func (s *ShutdownOnce) Channel() <-chan struct{} {
	return s.ch
}

type recvable interface {
	Recv() (*Message, error)
}

type stream interface {
	recvable
	Send(*Message) error
}

type clientStream interface {
	stream
	CloseSend() error
}

// ValueWithError is one Recv result.
type ValueWithError struct {
	val *Message
	err error
}

// startListener turns receiver's Recv calls into a channel.
func startListener(receiver recvable, shutdownChan *ShutdownOnce) chan ValueWithError {
	targetStreamServerData := make(chan ValueWithError)
	go func() {
		defer close(targetStreamServerData)
		for !shutdownChan.IsShutdown() {
			req, err := receiver.Recv()
			select {
			case targetStreamServerData <- ValueWithError{val: req, err: err}:
			case <-shutdownChan.Channel():
				return
			}
		}
	}()
	return targetStreamServerData
}

// StreamForwarder forwards one replication stream between two servers.
type StreamForwarder struct {
	targetStreamServer stream
	sourceStreamClient clientStream
	shutdownChan       *ShutdownOnce
}

// Run forwards in both directions until either side ends.
func (f *StreamForwarder) Run() error {
	f.shutdownChan = NewShutdownOnce()
	var wg sync.WaitGroup
	wg.Add(2)
	go f.forwardAcks(&wg)
	go f.forwardReplicationMessages(&wg)
	wg.Wait()
	return nil
}

func (f *StreamForwarder) forwardReplicationMessages(wg *sync.WaitGroup) {
	defer func() {
		f.shutdownChan.Shutdown()
		wg.Done()
	}()

	dataChan := startListener(f.sourceStreamClient, f.shutdownChan)
	for {
		var resp *Message
		var err error
		select {
		case <-f.shutdownChan.Channel():
			return
		case d := <-dataChan:
			resp, err = d.val, d.err
		}
		if err == io.EOF || err != nil {
			return
		}
		if err = f.targetStreamServer.Send(resp); err != nil {
			return
		}
	}
}

func (f *StreamForwarder) forwardAcks(wg *sync.WaitGroup) {
	defer func() {
		f.shutdownChan.Shutdown()
		_ = f.sourceStreamClient.CloseSend()
		wg.Done()
	}()

	dataChan := startListener(f.targetStreamServer, f.shutdownChan)
	for {
		var req *Message
		var err error
		select {
		case <-f.shutdownChan.Channel():
			return
		case d := <-dataChan:
			req, err = d.val, d.err
		}
		if err == io.EOF || err != nil {
			return
		}
		if err = f.sourceStreamClient.Send(req); err != nil {
			return
		}
	}
}
