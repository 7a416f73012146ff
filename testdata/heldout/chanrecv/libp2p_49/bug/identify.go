// Package bug is a held-out kernel (issue 14): a wait channel closed only on
// the success path, with other callers waiting for it.
//
// Upstream: libp2p/go-libp2p#49 ("close wait channel in all cases, not just success")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: IdentifyConn registers a wait channel for the connection; a second
// IdentifyConn on the same connection waits on it. The first returns early
// when NewStream or SelectProtoOrFail fails, without deleting or closing
// the channel, so every later caller for that connection waits forever.
//
// Fix: "defer close(ch)" right after the channel is registered, so it is
// closed on every path (the entry itself is still deleted only after a
// successful identify; later callers find it closed).
package bug

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
		<-wait // heldout:site
		return
	}
	ch := make(chan struct{})
	ids.currid[c] = ch
	ids.currmu.Unlock()

	s, err := c.NewStream()
	if err != nil {
		log.Printf("error opening initial stream for %s: %s", ID, err)
		c.Close()
		return // heldout:site
	}

	// ok give the response to our handler.
	if err := ids.selectProtoOrFail(ID, s); err != nil {
		log.Printf("error writing stream header for %s", ID)
		s.Close()
		return // heldout:site
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

	close(ch) // release everyone waiting.
}
