// Package bug is a held-out kernel (issue 14): quic-go's packetHandlerMap
// returns from handlePacket with its read lock held when a packet arrives
// for a connection ID whose session has just been retired (the map entry
// is kept as nil for a while to swallow late packets). The next Add,
// Remove or the timer that deletes the retired entry waits for the write
// lock for ever, and every later packet waits behind that writer.
//
// Upstream: quic-go/quic-go#1631 ("Deadlock (missing RUnlock() in packetHandlerMap)")
// Round: 15
//
// Bug: the issue: "there is a case in packetHandlerMap.handlePacket which
// returns while holding a read lock on the packetHandlerMap (other cases
// release the lock before returning)". The map, its handlers/server
// fields, the nil entry for a retired session, the AfterFunc that deletes
// it and Add/Remove follow packet_handler_map.go of the time; header
// parsing is our reduction to a fixed-length prefix.
//
// Fix: the maintainer: "This needs to be fixed with a defer"; handlePacket
// releases the read lock with a deferred RUnlock, so the late-packet
// return releases it too.
package bug

import (
	"errors"
	"sync"
	"time"
)

const connIDLen = 4

type receivedPacket struct {
	data    []byte
	rcvTime time.Time
}

type packetHandler interface {
	handlePacket(*receivedPacket)
	destroy(error)
}

type unknownPacketHandler interface {
	handlePacket(*receivedPacket)
	closeWithError(error) error
}

type packetHandlerMap struct {
	mutex sync.RWMutex

	handlers map[string]packetHandler
	server   unknownPacketHandler
	closed   bool

	deleteRetiredSessionsAfter time.Duration
}

func newPacketHandlerMap() *packetHandlerMap {
	return &packetHandlerMap{
		handlers:                   make(map[string]packetHandler),
		deleteRetiredSessionsAfter: 5 * time.Second,
	}
}

func (h *packetHandlerMap) Add(id []byte, handler packetHandler) {
	h.mutex.Lock() // heldout:site
	h.handlers[string(id)] = handler
	h.mutex.Unlock()
}

func (h *packetHandlerMap) Remove(id []byte) {
	h.mutex.Lock() // heldout:site
	delete(h.handlers, string(id))
	h.mutex.Unlock()
}

// Retire keeps the entry as nil so that late packets are dropped, and
// deletes it later.
func (h *packetHandlerMap) Retire(id []byte) {
	h.mutex.Lock()
	h.handlers[string(id)] = nil
	h.mutex.Unlock()

	time.AfterFunc(h.deleteRetiredSessionsAfter, func() {
		h.mutex.Lock() // heldout:site
		delete(h.handlers, string(id))
		h.mutex.Unlock()
	})
}

func (h *packetHandlerMap) SetServer(s unknownPacketHandler) {
	h.mutex.Lock()
	h.server = s
	h.mutex.Unlock()
}

func (h *packetHandlerMap) handlePacket(data []byte) error {
	if len(data) < connIDLen {
		return errors.New("packet too short")
	}
	connID := data[:connIDLen]
	p := &receivedPacket{data: data, rcvTime: time.Now()}

	h.mutex.RLock()
	handler, handlerFound := h.handlers[string(connID)]
	server := h.server

	if handlerFound {
		if handler == nil {
			// Late packet for a retired session.
			return nil // heldout:site
		}
		h.mutex.RUnlock()
		handler.handlePacket(p)
		return nil
	}
	if server == nil {
		h.mutex.RUnlock()
		return errors.New("received a packet with an unexpected connection ID")
	}
	h.mutex.RUnlock()
	server.handlePacket(p)
	return nil
}

// listen feeds every packet read from the connection to the map.
func (h *packetHandlerMap) listen(packets <-chan []byte) {
	for data := range packets {
		h.handlePacket(data)
	}
}

type session struct {
	mu       sync.Mutex
	received int
}

func (s *session) handlePacket(*receivedPacket) {
	s.mu.Lock()
	s.received++
	s.mu.Unlock()
}

func (s *session) destroy(error) {}

// Serve receives a late packet for a retired session, then adds a new one.
func Serve() {
	h := newPacketHandlerMap()
	h.deleteRetiredSessionsAfter = time.Millisecond
	old := []byte{1, 2, 3, 4}
	h.Add(old, &session{})
	h.Retire(old)

	packets := make(chan []byte)
	done := make(chan struct{})
	go func() {
		h.listen(packets)
		close(done)
	}()
	packets <- []byte{1, 2, 3, 4, 0xff}
	close(packets)
	<-done

	h.Add([]byte{5, 6, 7, 8}, &session{})
	h.Remove(old)
}
