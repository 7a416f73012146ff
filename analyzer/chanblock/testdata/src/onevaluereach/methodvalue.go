package onevaluereach

import (
	"log"
	"net"
	"sync"
)

// Server hands the method value s.acceptLoop to s.wg.Go n times; each
// loop returns only after a value on s.quit. Stop sends one value and
// waits: n-1 loops never see it and s.wg.Wait blocks forever.
type Server struct {
	quit  chan struct{}
	conns chan net.Conn
	wg    sync.WaitGroup
}

func NewServer() *Server {
	return &Server{quit: make(chan struct{}), conns: make(chan net.Conn)}
}

func (s *Server) Start(n int) {
	for i := 0; i < n; i++ {
		s.wg.Go(s.acceptLoop)
	}
}

func (s *Server) acceptLoop() {
	for {
		select {
		case c := <-s.conns:
			c.Close()
		case <-s.quit:
			return
		}
	}
}

func (s *Server) Stop() {
	s.quit <- struct{}{} // want `one value is sent on field quit of Server, but 2 or more goroutines wait for it`
	s.wg.Wait()
}

// FixedServer closes quit.
type FixedServer struct {
	quit  chan struct{}
	conns chan net.Conn
	wg    sync.WaitGroup
}

func NewFixedServer() *FixedServer {
	return &FixedServer{quit: make(chan struct{}), conns: make(chan net.Conn)}
}

func (s *FixedServer) Start(n int) {
	for i := 0; i < n; i++ {
		s.wg.Go(s.acceptLoop)
	}
}

func (s *FixedServer) acceptLoop() {
	for {
		select {
		case c := <-s.conns:
			c.Close()
		case <-s.quit:
			return
		}
	}
}

func (s *FixedServer) Stop() {
	close(s.quit)
	s.wg.Wait()
}

// Agent starts its two loops through its own starter, a.goFn(a.sendLoop)
// and a.goFn(a.recvLoop); both return only after a value on a.closing.
// Close sends one value and waits: the other loop never returns.
type Agent struct {
	closing chan struct{}
	out     chan []byte
	in      chan []byte
	wg      sync.WaitGroup
}

func NewAgent() *Agent {
	a := &Agent{closing: make(chan struct{}), out: make(chan []byte), in: make(chan []byte)}
	a.goFn(a.sendLoop)
	a.goFn(a.recvLoop)
	return a
}

func (a *Agent) goFn(f func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f()
	}()
}

func (a *Agent) sendLoop() {
	for {
		select {
		case b := <-a.out:
			log.Printf("send %d", len(b))
		case <-a.closing:
			return
		}
	}
}

func (a *Agent) recvLoop() {
	for {
		select {
		case b := <-a.in:
			log.Printf("recv %d", len(b))
		case <-a.closing:
			return
		}
	}
}

func (a *Agent) Close() {
	a.closing <- struct{}{} // want `one value is sent on field closing of Agent, but 2 or more goroutines wait for it`
	a.wg.Wait()
}

// FixedAgent closes closing.
type FixedAgent struct {
	closing chan struct{}
	out     chan []byte
	in      chan []byte
	wg      sync.WaitGroup
}

func NewFixedAgent() *FixedAgent {
	a := &FixedAgent{closing: make(chan struct{}), out: make(chan []byte), in: make(chan []byte)}
	a.goFn(a.sendLoop)
	a.goFn(a.recvLoop)
	return a
}

func (a *FixedAgent) goFn(f func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		f()
	}()
}

func (a *FixedAgent) sendLoop() {
	for {
		select {
		case b := <-a.out:
			log.Printf("send %d", len(b))
		case <-a.closing:
			return
		}
	}
}

func (a *FixedAgent) recvLoop() {
	for {
		select {
		case b := <-a.in:
			log.Printf("recv %d", len(b))
		case <-a.closing:
			return
		}
	}
}

func (a *FixedAgent) Close() {
	close(a.closing)
	a.wg.Wait()
}
