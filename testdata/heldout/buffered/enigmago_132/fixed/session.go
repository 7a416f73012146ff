// Package fixed is the fixed version of buffered/enigmago_132: the writer
// returns right after reporting a failed write, so at most one error from
// each side goes into the socket-error buffer.
package fixed

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
	socketError := make(chan error, 5)

	// Socket writer thread
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-socketError: // A socket error happened on the reader side
				return
			case outgoingMessage := <-q.outgoingMessages:
				err := socket.WriteMessage(1, outgoingMessage)
				if err != nil {
					socketError <- err
					return
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
					socketError <- err
					q.closeAllPendingCalls(err)
					return
				}
				q.onMessage(message)
			}
		}
	}()
	wg.Wait()
	q.socket.Close()
	close(q.disconnectedFromServerCh)
}

// DisconnectFromServer closes the socket and waits for the loops.
func (q *session) DisconnectFromServer() {
	q.socket.Close()
	<-q.disconnectedFromServerCh
}
