// Package owners holds kernels whose children point back to the owner
// of the container that holds them (kept apart: their Close methods would
// give the kernels package's one-method interfaces more implementations).
package owners

import (
	"errors"
	"net"
	"sync"
)

// K28. tailscale/tailscale#7542 (fixed by #7559): tsnet's Server.Close
// held the server's mutex while it closed each of its listeners, and a
// listener's Close locks the server it points back to (ln.s.mu) to remove
// itself from the server's listeners map; Listen had set that back-pointer
// to the very server whose map holds the listener. Close locked s.mu
// twice. Fix: take the listeners out under the lock and close them after
// unlocking (or close them without taking the lock again).
type k28ListenKey struct{ network, host string }

type k28Server struct {
	mu        sync.Mutex
	listeners map[k28ListenKey]*k28Listener
}

type k28Listener struct {
	s      *k28Server
	key    k28ListenKey
	conn   chan net.Conn
	closed chan struct{}
}

func (s *k28Server) Listen(network, host string) (net.Listener, error) {
	key := k28ListenKey{network, host}
	ln := &k28Listener{s: s, key: key, conn: make(chan net.Conn), closed: make(chan struct{})}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.listeners[key]; ok {
		return nil, errors.New("tsnet: listener already open")
	}
	s.listeners[key] = ln
	return ln, nil
}

func (ln *k28Listener) Accept() (net.Conn, error) {
	select {
	case c := <-ln.conn:
		return c, nil
	case <-ln.closed:
		return nil, net.ErrClosed
	}
}

func (ln *k28Listener) Addr() net.Addr { return nil }

func (ln *k28Listener) Close() error {
	ln.s.mu.Lock()
	defer ln.s.mu.Unlock()
	if v, ok := ln.s.listeners[ln.key]; ok && v == ln {
		delete(ln.s.listeners, ln.key)
		close(ln.closed)
	}
	return nil
}

func (s *k28Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ln := range s.listeners {
		ln.Close() // want `s.mu is locked again inside s.listeners\[…\].Close through its back-pointer s to the owner of listeners \(line \d+\) while this goroutine already holds it`
	}
	return nil
}

// The fix: the listeners are taken out under the lock and closed after.
type k28ServerFixed struct {
	mu        sync.Mutex
	listeners map[k28ListenKey]*k28ListenerFixed
}

type k28ListenerFixed struct {
	s   *k28ServerFixed
	key k28ListenKey
}

func (s *k28ServerFixed) Listen(network, host string) *k28ListenerFixed {
	key := k28ListenKey{network, host}
	ln := &k28ListenerFixed{s: s, key: key}
	s.mu.Lock()
	s.listeners[key] = ln
	s.mu.Unlock()
	return ln
}

func (ln *k28ListenerFixed) Close() error {
	ln.s.mu.Lock()
	defer ln.s.mu.Unlock()
	delete(ln.s.listeners, ln.key)
	return nil
}

func (s *k28ServerFixed) Close() error {
	s.mu.Lock()
	var lns []*k28ListenerFixed
	for _, ln := range s.listeners {
		lns = append(lns, ln)
	}
	s.mu.Unlock()
	for _, ln := range lns {
		ln.Close()
	}
	return nil
}

// The same bug when the children are of several types behind an
// interface of the package, each of which locks the parent it points
// back to: whichever implementation runs locks s.mu again.
type k28Child interface{ detach() }

type k28Tree struct {
	mu       sync.Mutex
	children []k28Child
}

type k28Leaf struct{ t *k28Tree }

type k28Branch struct {
	t    *k28Tree
	kids int
}

func (l *k28Leaf) detach() {
	l.t.mu.Lock()
	defer l.t.mu.Unlock()
	l.t.children = l.t.children[:0]
}

func (b *k28Branch) detach() {
	b.t.mu.Lock()
	b.kids = 0
	b.t.mu.Unlock()
}

func (t *k28Tree) add(leaf bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if leaf {
		t.children = append(t.children, &k28Leaf{t: t})
	} else {
		t.children = append(t.children, &k28Branch{t: t})
	}
}

func (t *k28Tree) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.children {
		c.detach() // want `t.mu is locked again inside t.children\[…\].detach \(each of its 2 implementations, \(\*k28Branch\).detach, \(\*k28Leaf\).detach, locks it\) through its back-pointer to the owner of children`
	}
}

// Look-alikes: a child whose back-pointer is set to another object than
// the one whose list holds it, and an interface with two implementations
// only one of which locks the parent.
type k28Group struct {
	mu     sync.Mutex
	parent *k28Group
	kids   []*k28Member
}

type k28Member struct{ g *k28Group }

func (g *k28Group) join() {
	m := &k28Member{g: g.parent}
	g.mu.Lock()
	g.kids = append(g.kids, m)
	g.mu.Unlock()
}

func (m *k28Member) leave() {
	m.g.mu.Lock()
	m.g.mu.Unlock()
}

func (g *k28Group) leaveAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, m := range g.kids {
		m.leave() // the parent's lock, not g's
	}
}

type k28Notifier interface{ ping() }

type k28Hub struct {
	mu   sync.Mutex
	subs []k28Notifier
}

type k28Quiet struct{ h *k28Hub }

type k28Loud struct{ h *k28Hub }

func (q *k28Quiet) ping() {}

func (l *k28Loud) ping() {
	l.h.mu.Lock()
	l.h.mu.Unlock()
}

func (h *k28Hub) add() {
	h.mu.Lock()
	h.subs = append(h.subs, &k28Quiet{h: h}, &k28Loud{h: h})
	h.mu.Unlock()
}

func (h *k28Hub) pingAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.subs {
		s.ping() // one implementation of two locks h: not known to run
	}
}

// K29. textileio/go-threads#476: the database's change notifier held its
// lock while it closed every listener, and a listener's Close removes it
// from the notifier it points back to (sl.scn.remove takes scn.lock); the
// database's Listen had set that back-pointer to its notifier and added
// the listener to that notifier's list through addListener. Closing the
// database locked scn.lock twice. Fix: close the listeners' channels
// directly under the lock instead of calling their Close.
type k29Action struct{ id int }

type k29Notifee struct {
	lock      sync.Mutex
	listeners []*k29Listener
}

type k29Listener struct {
	scn *k29Notifee
	c   chan k29Action
}

type k29DB struct{ scn *k29Notifee }

func (scn *k29Notifee) addListener(sl *k29Listener) {
	scn.lock.Lock()
	defer scn.lock.Unlock()
	scn.listeners = append(scn.listeners, sl)
}

func (scn *k29Notifee) remove(sl *k29Listener) bool {
	scn.lock.Lock()
	defer scn.lock.Unlock()
	for i := range scn.listeners {
		if scn.listeners[i] == sl {
			scn.listeners = append(scn.listeners[:i], scn.listeners[i+1:]...)
			return true
		}
	}
	return false
}

func (sl *k29Listener) Close() {
	if ok := sl.scn.remove(sl); ok {
		close(sl.c)
	}
}

func (d *k29DB) Listen() *k29Listener {
	l := &k29Listener{scn: d.scn, c: make(chan k29Action, 1)}
	d.scn.addListener(l)
	return l
}

func (scn *k29Notifee) close() {
	scn.lock.Lock()
	defer scn.lock.Unlock()
	for i := range scn.listeners {
		scn.listeners[i].Close() // want `scn.lock is locked again inside scn.listeners\[…\].Close through its back-pointer scn to the owner of listeners \(line \d+\) while this goroutine already holds it`
	}
}

// The fix: the channels are closed under the lock, without Close.
func (scn *k29Notifee) closeFixed() {
	scn.lock.Lock()
	defer scn.lock.Unlock()
	for i := range scn.listeners {
		close(scn.listeners[i].c)
	}
}
