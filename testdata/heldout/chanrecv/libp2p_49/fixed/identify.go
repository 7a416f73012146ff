// Package fixed is the fixed version of chanrecv/libp2p_49: the wait
// channel is closed on every path.
package fixed

import (
	"errors"
	"log"
	"sync"
)

// Stream is a stream on a connection.
type Stream interface {
	Close() error
}

// Conn is a connection to a peer.
type Conn interface {
	NewStream() (Stream, error)
	RemotePeer() string
	Close() error
}

// ID is the identify protocol's id.
const ID = "/ipfs/id/1.0.0"

var errProtocolRejected = errors.New("protocol rejected")

// IDService identifies the peers of new connections.
type IDService struct {
	currmu            sync.RWMutex
	currid            map[Conn]chan struct{}
	selectProtoOrFail func(proto string, s Stream) error
	handle            func(s Stream)
}

// IdentifyConn identifies the peer of c, or waits for the identification
// already running.
func (ids *IDService) IdentifyConn(c Conn) {
	ids.currmu.Lock()
	if wait, found := ids.currid[c]; found {
		ids.currmu.Unlock()
		log.Printf("IdentifyConn called twice on: %s", c.RemotePeer())
		<-wait
		return
	}
	ch := make(chan struct{})
	ids.currid[c] = ch
	ids.currmu.Unlock()

	defer close(ch)

	s, err := c.NewStream()
	if err != nil {
		log.Printf("error opening initial stream for %s: %s", ID, err)
		c.Close()
		return
	}

	// ok give the response to our handler.
	if err := ids.selectProtoOrFail(ID, s); err != nil {
		log.Printf("error writing stream header for %s", ID)
		s.Close()
		return
	}

	ids.handle(s)

	ids.currmu.Lock()
	_, found := ids.currid[c]
	delete(ids.currid, c)
	ids.currmu.Unlock()

	if !found {
		log.Printf("IdentifyConn failed to find channel (programmer error) for %s", c.RemotePeer())
		return
	}
}
