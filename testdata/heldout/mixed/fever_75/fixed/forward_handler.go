// Package fixed is a held-out kernel (issue 14): FEVER's ForwardHandler,
// whose forwarding loop holds fh.Lock (the lock over OutputConn) while it
// asks the reconnect goroutine for a new connection on the unbuffered
// ReconnectNotifyChan. When the reconnect goroutine is still busy with an
// earlier request, it next needs fh.Lock to install the connection it
// dialled: it never gets back to the channel, the forwarder never
// releases the lock, and every Consume that counts an event under
// fh.Lock joins them.
//
// Upstream: DCSO/fever#75 ("unlock earlier to prevent deadlock on reconnect")
// Round: 14
//
// Bug: the PR: "ensures that the mutex protecting the OutputConn in the
// forwarding handler is released before pushing a reconnect request on
// an unbuffered channel". ForwardHandler (OutputConn, Reconnecting and
// ReconnLock, ReconnectNotifyChan, StopReconnectChan, ForwardEventChan,
// StopChan, Lock, PerfStats), reconnectForward, runForward, Consume, Run
// and Stop follow processing/forward_handler.go; the socket is a Conn
// interface with a dial func, the retry loop's sleeps and log.Fatalf are
// dropped, and the stats counter goroutine is left out.
//
// Fix: runForward unlocks fh.Lock before the send. In our fixed version
// the reconnect goroutine also selects on StopReconnectChan and the
// forwarder's send on StopChan, so that Stop ends both (our mend: upstream
// leaves the reconnect goroutine ranging over a channel nobody closes).
package fixed

import (
	"errors"
	"sync"
)

// Conn is the forwarding socket.
type Conn interface {
	Write(b []byte) (int, error)
	Close() error
}

// ForwardHandlerPerfStats are the handler's counters.
type ForwardHandlerPerfStats struct {
	ForwardedPerSec uint64
}

// ForwardHandler writes events to a socket, reconnecting when it fails.
type ForwardHandler struct {
	Dial                func() (Conn, error)
	ForwardEventChan    chan []byte
	OutputConn          Conn
	Reconnecting        bool
	ReconnLock          sync.Mutex
	ReconnectNotifyChan chan bool
	StopReconnectChan   chan bool
	ReconnectTimes      int
	PerfStats           ForwardHandlerPerfStats
	StopChan            chan bool
	StoppedChan         chan bool
	Running             bool
	Lock                sync.Mutex
}

func (fh *ForwardHandler) reconnectForward() {
	for {
		select {
		case <-fh.StopReconnectChan:
			return
		case <-fh.ReconnectNotifyChan:
		}
		var i int
		outputConn, myerror := fh.Dial()
		fh.ReconnLock.Lock()
		if !fh.Reconnecting {
			fh.Reconnecting = true
		} else {
			fh.ReconnLock.Unlock()
			continue
		}
		fh.ReconnLock.Unlock()
		for i = 0; (fh.ReconnectTimes == 0 || i < fh.ReconnectTimes) && myerror != nil; i++ {
			select {
			case <-fh.StopReconnectChan:
				return
			default:
				outputConn, myerror = fh.Dial()
			}
		}
		if myerror != nil {
			return
		}
		fh.Lock.Lock()
		fh.OutputConn = outputConn
		fh.Lock.Unlock()
		fh.ReconnLock.Lock()
		fh.Reconnecting = false
		fh.ReconnLock.Unlock()
	}
}

func (fh *ForwardHandler) runForward() {
	var err error
	for {
		select {
		case <-fh.StopChan:
			close(fh.StoppedChan)
			return
		default:
			for item := range fh.ForwardEventChan {
				select {
				case <-fh.StopChan:
					close(fh.StoppedChan)
					return
				default:
					fh.ReconnLock.Lock()
					if fh.Reconnecting {
						fh.ReconnLock.Unlock()
						continue
					}
					fh.ReconnLock.Unlock()
					fh.Lock.Lock()
					if fh.OutputConn != nil {
						_, err = fh.OutputConn.Write(item)
						if err != nil {
							fh.OutputConn.Close()
							fh.Lock.Unlock()
							select {
							case fh.ReconnectNotifyChan <- true:
							case <-fh.StopChan:
								close(fh.StoppedChan)
								return
							}
							continue
						}
						_, err = fh.OutputConn.Write([]byte("\n"))
						if err != nil {
							fh.OutputConn.Close()
							fh.Lock.Unlock()
							continue
						}
					}
					fh.Lock.Unlock()
				}
			}
			close(fh.StoppedChan)
			return
		}
	}
}

// MakeForwardHandler creates a new forwarding handler.
func MakeForwardHandler(reconnectTimes int, dial func() (Conn, error)) *ForwardHandler {
	return &ForwardHandler{
		Dial:                dial,
		ReconnectTimes:      reconnectTimes,
		ReconnectNotifyChan: make(chan bool),
		StopReconnectChan:   make(chan bool),
	}
}

// Consume queues one event for forwarding.
func (fh *ForwardHandler) Consume(line []byte) {
	fh.ForwardEventChan <- line
	fh.Lock.Lock()
	fh.PerfStats.ForwardedPerSec++
	fh.Lock.Unlock()
}

// Run starts forwarding.
func (fh *ForwardHandler) Run() {
	if !fh.Running {
		fh.StopChan = make(chan bool)
		fh.StoppedChan = make(chan bool)
		fh.ForwardEventChan = make(chan []byte, 10000)
		go fh.reconnectForward()
		fh.ReconnectNotifyChan <- true
		go fh.runForward()
		fh.Running = true
	}
}

// Stop stops forwarding.
func (fh *ForwardHandler) Stop() {
	if fh.Running {
		fh.Lock.Lock()
		if fh.OutputConn != nil {
			fh.OutputConn.Close()
		}
		fh.Lock.Unlock()
		close(fh.StopReconnectChan)
		close(fh.StopChan)
		close(fh.ForwardEventChan)
		<-fh.StoppedChan
		fh.Running = false
	}
}

// flakySocket accepts a few writes, then fails until redialled.
type flakySocket struct {
	mu     sync.Mutex
	writes int
}

func (s *flakySocket) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if s.writes%3 == 0 {
		return 0, errors.New("broken pipe")
	}
	return len(b), nil
}

func (s *flakySocket) Close() error { return nil }

// Forward pushes events through a socket that keeps breaking.
func Forward() {
	fh := MakeForwardHandler(5, func() (Conn, error) { return &flakySocket{}, nil })
	fh.Run()
	for i := 0; i < 100; i++ {
		fh.Consume([]byte(`{"event_type":"alert"}`))
	}
	fh.Stop()
}
