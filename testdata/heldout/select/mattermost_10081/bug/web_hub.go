// Package bug is a held-out kernel (issue 14): Mattermost's websocket hub
// closes every connection it owns when it is told to stop, and each
// connection, as it closes, unregisters itself from the hub. Unregister
// selects between sending on the hub's unregister channel, which only the
// hub goroutine receives from, and the hub's didStop channel, which the hub
// goroutine closes only after it has closed every connection. The hub
// goroutine waits for the connection to finish closing, the connection
// waits in a select neither of whose cases can ever proceed, and App
// shutdown hangs.
//
// Upstream: mattermost/mattermost#10081 ("MM-13678: fix web hub deadlock")
// Round: 18
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "The websocket hub, on stopping, closes all associated
// websocket connections, and each connection in turn tries to unregister
// itself with the hub, but this naturally creates a deadlock." An earlier
// change (mattermost/mattermost#9863) had replaced `case <-h.stop:` in
// Unregister by `case <-h.didStop:` ("deny callers only when the web hub
// has actually stopped"). The hub loop (register, unregister, broadcast,
// invalidateUser, stop) and Stop, which closes stop and waits on didStop,
// follow app/web_hub.go of the time; WebConn.Close waiting for the
// connection's pump, whose cleanup calls HubUnregister, is our reduction
// of how the connection reaches Unregister from inside the hub's stop
// branch. Sessions, statuses and the websocket itself are reduced.
//
// Fix: Unregister's second case waits on h.stop again, which is already
// closed while the hub is stopping.
package bug

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
	<-wc.pumpFinished // heldout:site
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
	select { // heldout:site
	case h.unregister <- wc:
	case <-h.didStop: // heldout:site
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
					wc.Close() // heldout:site
				}
				h.ExplicitStop = true
				close(h.didStop)
				return
			}
		}
	}()
}
