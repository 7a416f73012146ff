// Package fixed is the fixed version of select/mattermost_10081:
// Unregister's second case waits on h.stop, which is closed before the hub
// goroutine starts closing connections, so a connection unregistering
// while the hub stops returns at once.
package fixed

import (
	"hash/fnv"
	"sync"
)

// WebSocketEvent is an event broadcast to connections.
type WebSocketEvent struct {
	Event  string
	UserId string
}

// Socket is the underlying websocket.
type Socket interface {
	ReadMessage() ([]byte, error)
	WriteMessage(b []byte) error
	Close() error
}

// App owns the hubs.
type App struct {
	Hubs []*Hub
}

// WebConn is one websocket connection.
type WebConn struct {
	App          *App
	WebSocket    Socket
	UserId       string
	Send         chan *WebSocketEvent
	pumpFinished chan struct{}

	sessionExpired bool
}

// NewWebConn returns a connection for userId over ws.
func (a *App) NewWebConn(ws Socket, userId string) *WebConn {
	return &WebConn{App: a, WebSocket: ws, UserId: userId,
		Send: make(chan *WebSocketEvent, 256), pumpFinished: make(chan struct{})}
}

// Pump reads from the socket until it fails, then unregisters.
func (wc *WebConn) Pump() {
	defer close(wc.pumpFinished)
	defer wc.App.HubUnregister(wc)
	for {
		if _, err := wc.WebSocket.ReadMessage(); err != nil {
			return
		}
	}
}

// Close closes the socket and waits for the pump to finish.
func (wc *WebConn) Close() {
	wc.WebSocket.Close()
	<-wc.pumpFinished
}

// Hub fans events out to the connections of a share of users.
type Hub struct {
	app            *App
	register       chan *WebConn
	unregister     chan *WebConn
	broadcast      chan *WebSocketEvent
	invalidateUser chan string
	stop           chan struct{}
	didStop        chan struct{}
	ExplicitStop   bool
}

// NewWebHub returns a hub that is not started.
func (a *App) NewWebHub() *Hub {
	return &Hub{
		app:            a,
		register:       make(chan *WebConn, 1),
		unregister:     make(chan *WebConn, 1),
		broadcast:      make(chan *WebSocketEvent, 4096),
		invalidateUser: make(chan string),
		stop:           make(chan struct{}),
		didStop:        make(chan struct{}),
	}
}

// GetHubForUserId picks the hub of userId.
func (a *App) GetHubForUserId(userId string) *Hub {
	h := fnv.New32a()
	h.Write([]byte(userId))
	return a.Hubs[h.Sum32()%uint32(len(a.Hubs))]
}

// HubRegister registers wc with its hub.
func (a *App) HubRegister(wc *WebConn) { a.GetHubForUserId(wc.UserId).Register(wc) }

// HubUnregister unregisters wc from its hub.
func (a *App) HubUnregister(wc *WebConn) { a.GetHubForUserId(wc.UserId).Unregister(wc) }

// HubStop stops every hub.
func (a *App) HubStop() {
	var wg sync.WaitGroup
	for _, h := range a.Hubs {
		wg.Add(1)
		go func(h *Hub) {
			defer wg.Done()
			h.Stop()
		}(h)
	}
	wg.Wait()
}

// Register adds wc to the hub unless it has stopped.
func (h *Hub) Register(wc *WebConn) {
	select {
	case h.register <- wc:
	case <-h.didStop:
	}
}

// Unregister removes wc from the hub.
func (h *Hub) Unregister(wc *WebConn) {
	select {
	case h.unregister <- wc:
	case <-h.stop:
	}
}

// Broadcast queues ev for the hub's connections.
func (h *Hub) Broadcast(ev *WebSocketEvent) {
	select {
	case h.broadcast <- ev:
	case <-h.didStop:
	}
}

// Stop stops the hub and waits for it.
func (h *Hub) Stop() {
	close(h.stop)
	<-h.didStop
}

// Start runs the hub loop.
func (h *Hub) Start() {
	go func() {
		connections := map[*WebConn]bool{}
		for {
			select {
			case wc := <-h.register:
				connections[wc] = true
			case wc := <-h.unregister:
				delete(connections, wc)
			case userId := <-h.invalidateUser:
				for wc := range connections {
					if wc.UserId == userId {
						wc.sessionExpired = true
					}
				}
			case ev := <-h.broadcast:
				for wc := range connections {
					select {
					case wc.Send <- ev:
					default:
						close(wc.Send)
						delete(connections, wc)
					}
				}
			case <-h.stop:
				for wc := range connections {
					wc.Close()
				}
				h.ExplicitStop = true
				close(h.didStop)
				return
			}
		}
	}()
}
