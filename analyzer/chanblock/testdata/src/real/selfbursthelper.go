package real

import "net"

// Session 25 (bufvar): cespare/gost#9 with the re-queue in helpers. serve
// is the only receiver of gone; broadcast, which serve calls for each
// message, calls drop for every client whose write failed, and drop
// queues it on gone (room for 8). With a few dead clients and steady
// messages, one broadcast can queue more than gone holds, and drop then
// blocks serve, the only receiver, forever. Fix: broadcast collects the
// dead clients and removes them itself.
type sbHub struct {
	clients []net.Conn
	join    chan net.Conn
	gone    chan net.Conn
	msgs    chan []byte
}

func newSBHub() *sbHub {
	h := &sbHub{join: make(chan net.Conn), gone: make(chan net.Conn, 8), msgs: make(chan []byte, 128)}
	go h.serve()
	return h
}

func (h *sbHub) drop(c net.Conn) {
	h.gone <- c // want `field gone of sbHub is received from only by serve, and this send runs in serve's own goroutine on the same object \(called at line \d+\), inside a loop that takes nothing from it`
}

func (h *sbHub) broadcast(msg []byte) {
	for _, c := range h.clients {
		if _, err := c.Write(msg); err != nil {
			h.drop(c)
		}
	}
}

func (h *sbHub) remove(c net.Conn) {
	for i, x := range h.clients {
		if x == c {
			h.clients = append(h.clients[:i], h.clients[i+1:]...)
			c.Close()
			return
		}
	}
}

func (h *sbHub) serve() {
	for {
		select {
		case c := <-h.join:
			h.clients = append(h.clients, c)
		case c := <-h.gone:
			h.remove(c)
		case m := <-h.msgs:
			h.broadcast(m)
		}
	}
}

func (h *sbHub) Join(c net.Conn)    { h.join <- c }
func (h *sbHub) Publish(msg []byte) { h.msgs <- msg }

// The fix: broadcast removes the dead clients itself.
type sbHubFixed struct {
	clients []net.Conn
	join    chan net.Conn
	msgs    chan []byte
}

func newSBHubFixed() *sbHubFixed {
	h := &sbHubFixed{join: make(chan net.Conn), msgs: make(chan []byte, 128)}
	go h.serve()
	return h
}

func (h *sbHubFixed) broadcast(msg []byte) {
	live := h.clients[:0]
	for _, c := range h.clients {
		if _, err := c.Write(msg); err != nil {
			c.Close()
			continue
		}
		live = append(live, c)
	}
	h.clients = live
}

func (h *sbHubFixed) serve() {
	for {
		select {
		case c := <-h.join:
			h.clients = append(h.clients, c)
		case m := <-h.msgs:
			h.broadcast(m)
		}
	}
}

func (h *sbHubFixed) Join(c net.Conn)    { h.join <- c }
func (h *sbHubFixed) Publish(msg []byte) { h.msgs <- msg }

// Look-alike: broadcast stops at the first failed client, so one message
// queues at most one client on gone, and serve takes it on a later turn;
// silent.
type sbHubFirst struct {
	clients []net.Conn
	gone    chan net.Conn
	msgs    chan []byte
}

func newSBHubFirst() *sbHubFirst {
	h := &sbHubFirst{gone: make(chan net.Conn, 8), msgs: make(chan []byte, 128)}
	go h.serve()
	return h
}

func (h *sbHubFirst) drop(c net.Conn) { h.gone <- c }

func (h *sbHubFirst) broadcast(msg []byte) {
	for _, c := range h.clients {
		if _, err := c.Write(msg); err != nil {
			h.drop(c)
			return
		}
	}
}

func (h *sbHubFirst) serve() {
	for {
		select {
		case c := <-h.gone:
			c.Close()
		case m := <-h.msgs:
			h.broadcast(m)
		}
	}
}

func (h *sbHubFirst) Publish(msg []byte) { h.msgs <- msg }
