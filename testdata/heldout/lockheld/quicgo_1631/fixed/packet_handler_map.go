// Package fixed is the fixed version of lockheld/quicgo_1631:
// handlePacket releases its read lock with a defer, so the return for a
// late packet releases it too.
package fixed

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
	h.mutex.Lock()
	h.handlers[string(id)] = handler
	h.mutex.Unlock()
}

func (h *packetHandlerMap) Remove(id []byte) {
	h.mutex.Lock()
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
		h.mutex.Lock()
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
	defer h.mutex.RUnlock()
	handler, handlerFound := h.handlers[string(connID)]
	server := h.server

	if handlerFound {
		if handler == nil {
			// Late packet for a retired session.
			return nil
		}
		handler.handlePacket(p)
		return nil
	}
	if server == nil {
		return errors.New("received a packet with an unexpected connection ID")
	}
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
