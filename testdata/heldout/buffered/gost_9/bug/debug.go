// Package bug is a held-out kernel (issue 14): gost's debug server runs
// one goroutine that both writes each debug message to the connected
// clients and drains the bounded Closed channel of clients whose write
// failed, and it is that same goroutine which queues a failed client on
// Closed; once a couple of clients have disconnected and messages keep
// coming, Closed fills and the goroutine blocks on its own send, and then
// every Print blocks on the full Messages channel.
//
// Upstream: cespare/gost#9 ("Deadlock with debug port")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the issue: "there's a deadlock condition after a couple of debug
// tcp clients connect and disconnect. The dServer goroutine can choose to
// keep accepting messages instead of receiving from the Closed channel,
// and then the channel fills and blocks." The thread gives no code; the
// channel layout below (an accept goroutine feeding Connected, Print
// feeding Messages, the run loop selecting over Connected, Closed and
// Messages and pushing each failed client onto Closed) is our
// reconstruction from that sentence and from the server around it
// (handleMessage prints every incoming statsd line, flush every outgoing
// Graphite message). A disconnected client fails every write, so each
// message queues it on Closed again while the select keeps picking
// Messages.
//
// Fix: dServer became a mutex-guarded client list: Print writes each line
// to the clients itself, with a short write deadline, and removes and
// closes the ones that failed before returning; there is no loop and no
// Closed channel left to fill.
package bug

import (
	"bytes"
	"log"
	"net"
)

const (
	messageQueueSize = 100
	closedQueueSize  = 10
)

// dServer listens on a local TCP port and prints debugging info to
// clients that connect.
type dServer struct {
	Clients   []net.Conn
	Connected chan net.Conn
	Closed    chan net.Conn
	Messages  chan []byte
}

func newDServer() *dServer {
	return &dServer{
		Connected: make(chan net.Conn),
		Closed:    make(chan net.Conn, closedQueueSize),
		Messages:  make(chan []byte, messageQueueSize),
	}
}

// Start accepts debug clients and runs the message loop.
func (s *dServer) Start(listener net.Listener) {
	go func() {
		for {
			c, err := listener.Accept()
			if err != nil {
				continue
			}
			s.Connected <- c
		}
	}()
	go s.run()
}

func (s *dServer) run() {
	for {
		select {
		case c := <-s.Connected:
			s.Clients = append(s.Clients, c)
			log.Printf("Debug client connected. Currently %d connected client(s).", len(s.Clients))
		case c := <-s.Closed:
			s.closeClient(c)
		case msg := <-s.Messages:
			for _, c := range s.Clients {
				if _, err := c.Write(msg); err != nil {
					s.Closed <- c // heldout:site
				}
			}
		}
	}
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

// Print queues each line of msg, prefixed with tag, for the debug clients.
func (s *dServer) Print(tag string, msg []byte) {
	for _, line := range bytes.Split(msg, []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		out := append([]byte(tag), line...)
		out = append(out, '\n')
		s.Messages <- out // heldout:site
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
