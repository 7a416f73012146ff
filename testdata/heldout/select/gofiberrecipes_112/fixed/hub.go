// Package fixed is the fixed version of select/gofiberrecipes_112: the hub
// removes a connection it failed to write to from clients itself instead of
// sending it on its own unregister channel.
package fixed

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

					delete(clients, connection)
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
		unregister <- c
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
			broadcast <- string(message)
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
