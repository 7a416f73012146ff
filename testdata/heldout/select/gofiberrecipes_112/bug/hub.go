// Package bug is a held-out kernel (issue 14): the Fiber websocket-chat
// recipe runs a hub goroutine whose select loop registers connections,
// broadcasts messages and unregisters connections, each on its own
// unbuffered channel. When writing a broadcast to a client fails, the
// broadcast case sends the connection on unregister, which only the same
// select loop receives from, so the hub blocks for ever in its own case
// body; every connection handler then blocks sending on register,
// broadcast or unregister, and the chat stops.
//
// Upstream: gofiber/recipes#112 ("👷 Fix deadlock in websocket-chat recipe")
// Round: 18
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "unregister = make(chan *websocket.Conn), so it's a blocked
// channel. In the broadcast case, if we fail to send message to a client,
// we can't unregister the client by unregister <- connection, which will
// cause deadlock"; it quotes the hub's broadcast case. The package-level
// clients map and channels, runHub and the connection handler follow the
// recipe; Fiber's websocket.Conn is reduced to an interface.
//
// Fix: the broadcast case deletes the failed connection from clients
// directly instead of sending it on unregister.
package bug

import (
	"log"
)

// Message types.
const (
	TextMessage  = 1
	CloseMessage = 8
)

// Conn is a websocket connection.
type Conn interface {
	ReadMessage() (messageType int, p []byte, err error)
	WriteMessage(messageType int, data []byte) error
	Close() error
}

type client struct{}

var clients = make(map[Conn]client)
var register = make(chan Conn)
var broadcast = make(chan string)
var unregister = make(chan Conn)

func runHub() {
	for {
		select {
		case connection := <-register:
			clients[connection] = client{}
			log.Println("connection registered")

		case message := <-broadcast:
			log.Println("message received:", message)
			for connection := range clients {
				if err := connection.WriteMessage(TextMessage, []byte(message)); err != nil {
					log.Println("write error:", err)

					unregister <- connection // heldout:site
					connection.WriteMessage(CloseMessage, []byte{})
					connection.Close()
				}
			}

		case connection := <-unregister:
			delete(clients, connection)
			log.Println("connection unregistered")
		}
	}
}

// handle serves one websocket connection.
func handle(c Conn) {
	defer func() {
		unregister <- c // heldout:site
		c.Close()
	}()

	register <- c

	for {
		messageType, message, err := c.ReadMessage()
		if err != nil {
			log.Println("read error:", err)
			return
		}
		if messageType == TextMessage {
			broadcast <- string(message) // heldout:site
		} else {
			log.Println("websocket message received of type", messageType)
		}
	}
}

// Serve starts the hub and hands each accepted connection to handle.
func Serve(accept func() (Conn, error)) error {
	go runHub()
	for {
		c, err := accept()
		if err != nil {
			return err
		}
		go handle(c)
	}
}
