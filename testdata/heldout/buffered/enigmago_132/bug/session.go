// Package bug is a held-out kernel (issue 14): a websocket session's
// writer goroutine reports a failed write on a socket-error channel
// buffered to five and goes back to its select, where it may pick further
// queued messages instead of the error case; every further failed write
// adds another error, and once the buffer is full the writer, and the
// reader reporting its own failure, block on the send for ever, so the
// session loop's Wait never returns and Disconnected is never closed.
//
// Upstream: qlik-oss/enigma-go#132 ("Avoid deadlocking mainSessionLoop")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: mainSessionLoop starts a writer that selects on socketError and
// q.outgoingMessages and, when WriteMessage fails, sends the error on
// socketError (capacity 5) and loops, and a reader that checks
// socketError in a select with a default that reads the socket. The PR:
// "Since order of case select is not guaranteed we got deadlock in a small
// percentage of cases due to socketError channel filling up when having
// multiple parallel write requests and the heartbeat picked the
// <-q.outgoingMessages instead of <-socketError case multiple subsequent
// times." Pending calls and object registries are reduced to one
// callback; Send's select on the disconnected channel is our reduction of
// invokeRPC's closed check.
//
// Fix: the writer returns right after reporting its error.
package bug

import (
	"errors"
	"sync"
)

// ErrClosed is returned by Send once the session is gone.
var ErrClosed = errors.New("session closed")

// Socket is the websocket connection.
type Socket interface {
	WriteMessage(messageType int, data []byte) error
	ReadMessage() (messageType int, p []byte, err error)
	Close() error
}

type session struct {
	socket                   Socket
	outgoingMessages         chan []byte
	disconnectedFromServerCh chan struct{}
	onMessage                func([]byte)
	closeAllPendingCalls     func(error)
}

func newSession(socket Socket, onMessage func([]byte), closeAll func(error)) *session {
	q := &session{
		socket:                   socket,
		outgoingMessages:         make(chan []byte, 50),
		disconnectedFromServerCh: make(chan struct{}),
		onMessage:                onMessage,
		closeAllPendingCalls:     closeAll,
	}
	go q.mainSessionLoop()
	return q
}

// Send queues a message for the writer.
func (q *session) Send(message []byte) error {
	select {
	case q.outgoingMessages <- message:
		return nil
	case <-q.disconnectedFromServerCh:
		return ErrClosed
	}
}

func (q *session) mainSessionLoop() {
	socket := q.socket
	var wg sync.WaitGroup
	socketError := make(chan error, 5) // heldout:site

	// Socket writer thread
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select { // heldout:site
			case <-socketError: // A socket error happened on the reader side
				return
			case outgoingMessage := <-q.outgoingMessages:
				err := socket.WriteMessage(1, outgoingMessage)
				if err != nil {
					socketError <- err // heldout:site
				}
			}
		}
	}()
	// Socket reader thread
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case err := <-socketError: // A socket error happened on the writer side
				q.closeAllPendingCalls(err)
				return
			default:
				_, message, err := socket.ReadMessage()
				if err != nil {
					socketError <- err // heldout:site
					q.closeAllPendingCalls(err)
					return
				}
				q.onMessage(message)
			}
		}
	}()
	wg.Wait() // heldout:site
	q.socket.Close()
	close(q.disconnectedFromServerCh)
}

// DisconnectFromServer closes the socket and waits for the loops.
func (q *session) DisconnectFromServer() {
	q.socket.Close()
	<-q.disconnectedFromServerCh // heldout:site
}
