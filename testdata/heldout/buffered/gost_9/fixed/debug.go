// Package fixed is the fixed version of buffered/gost_9: the debug server
// is a mutex-guarded client list; Print writes to the clients itself and
// drops the ones whose write failed, so no goroutine feeds a bounded
// channel it alone drains.
package fixed

import (
	"bytes"
	"log"
	"net"
	"sync"
	"time"
)

// dServer listens on a local TCP port and prints debugging info to
// clients that connect.
type dServer struct {
	sync.Mutex
	Clients []net.Conn
}

func newDServer() *dServer {
	return &dServer{}
}

// Start accepts debug clients.
func (s *dServer) Start(listener net.Listener) {
	go func() {
		for {
			c, err := listener.Accept()
			if err != nil {
				continue
			}
			s.Lock()
			s.Clients = append(s.Clients, c)
			log.Printf("Debug client connected. Currently %d connected client(s).", len(s.Clients))
			s.Unlock()
		}
	}()
}

func (s *dServer) closeClient(client net.Conn) {
	for i, c := range s.Clients {
		if c == client {
			s.Clients = append(s.Clients[:i], s.Clients[i+1:]...)
			client.Close()
			log.Printf("Debug client disconnected. Currently %d connected client(s).", len(s.Clients))
			return
		}
	}
}

// Print writes each line of msg, prefixed with tag, to the debug clients.
func (s *dServer) Print(tag string, msg []byte) {
	s.Lock()
	defer s.Unlock()
	if len(s.Clients) == 0 {
		return
	}

	var closed []net.Conn
	for _, line := range bytes.Split(msg, []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		out := append([]byte(tag), line...)
		out = append(out, '\n')
		for _, c := range s.Clients {
			// A slow debug client must not hold up the server.
			c.SetWriteDeadline(time.Now().Add(10 * time.Millisecond))
			if _, err := c.Write(out); err != nil {
				closed = append(closed, c)
			}
		}
		for _, c := range closed {
			s.closeClient(c)
		}
		closed = closed[:0]
	}
}

// Server is the statsd server; only the parts that print to the debug
// server are kept.
type Server struct {
	debugServer *dServer
	aggregate   func(msg []byte)
}

// handleMessage is called for every statsd line received.
func (s *Server) handleMessage(msg []byte) {
	if len(msg) == 0 {
		return
	}
	s.debugServer.Print("[in] ", msg)
	s.aggregate(msg)
}
