package reach

import "sync"

// A wrapper keeps a back-pointer to its owner, set by its constructor; the
// owner stores the wrapper. Locking the owner through it while the owner
// is locked is a double lock by class.
type owner struct {
	mu sync.Mutex
	w  *wrapper
	n  int
}

type wrapper struct {
	o *owner
}

func newWrapper(o *owner) *wrapper { return &wrapper{o: o} }

func (o *owner) init() { o.w = newWrapper(o) }

func (w *wrapper) touch() {
	w.o.mu.Lock()
	w.o.n++
	w.o.mu.Unlock()
}

func (o *owner) update() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.w.touch() // want `o.w.o.mu is locked inside o.w.touch \(line \d+\) while this goroutine holds o.mu \(locked at line \d+\), by lock class reach.owner.mu: the path goes back to the owner through the back-pointer reach.wrapper.o`
}

// The same back-pointer set in one function: y.f = o and o.back = y.
type hub struct {
	mu    sync.Mutex
	peers []*spoke
	last  *spoke
}

type spoke struct {
	h *hub
}

func (h *hub) add() {
	s := &spoke{}
	s.h = h
	h.last = s
}

func (h *hub) flush() {
	h.mu.Lock()
	h.last.h.mu.Lock() // want `h.last.h.mu is locked while this goroutine holds h.mu \(locked at line \d+\), by lock class reach.hub.mu`
	h.last.h.mu.Unlock()
	h.mu.Unlock()
}

// --- look-alikes that must stay silent ---

// Hand-over-hand along next pointers: two nodes of one type, always
// locked in list order.
type node struct {
	mu   sync.Mutex
	next *node
	prev *node
}

func (n *node) insertAfter(m *node) {
	m.next = n.next
	m.prev = n
	n.next = m
}

func (n *node) step() {
	n.mu.Lock()
	if n.next != nil {
		n.next.mu.Lock() // ok: another node of the list, locked in order
		n.next.mu.Unlock()
	}
	n.mu.Unlock()
}

// A link to another server, set from a server that does not keep the
// link: not a back-pointer to the owner.
type server struct {
	mu    sync.Mutex
	links []*link
	out   *link
}

type link struct {
	remote *server
}

func (s *server) connect(remote *server) {
	l := &link{remote: remote}
	s.out = l
}

func (s *server) ping() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.out.remote.mu.Lock() // ok: the remote server, another object
	s.out.remote.mu.Unlock()
}

// The back-pointer used after the owner's lock is released.
func (o *owner) updateFixed() {
	o.mu.Lock()
	w := o.w
	o.mu.Unlock()
	w.touch()
}
