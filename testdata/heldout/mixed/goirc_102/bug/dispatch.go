// Package bug is a held-out kernel (issue 14): an IRC client's handler set
// dispatches a line by starting every matching handler in its own
// goroutine and waiting for all of them, holding the set's read lock the
// whole time; a handler that removes itself (through the Remover it was
// given) asks for the write lock, which waits for the dispatcher's read
// lock, while the dispatcher waits for the handler in wg.Wait.
//
// Upstream: fluffle/goirc#102 ("Dispatch runLoop deadlock when removing a handler from within a handler")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: the issue: "when you try to call a returned Remover's Remove
// method from within an event handler, it deadlocks because dispatch
// holds a read lock until it finishes dispatching". hSet.dispatch RLocks
// the set, starts a goroutine per handler node and waits for them with a
// WaitGroup before the deferred RUnlock; hNode.Remove calls hSet.remove,
// which Locks the set. Lines, the connection and logging are reduced to
// small stand-ins; the one-shot handler is our example of a handler that
// removes itself.
//
// Fix (commit c981f8f): getHandlers copies the event's handler list under
// the read lock and releases it; dispatch then starts and waits for the
// handlers with no lock held.
package bug

import (
	"strings"
	"sync"
)

// Line is one parsed line from the server.
type Line struct {
	Nick, Cmd string
	Args      []string
}

// Copy returns a copy of l for a handler to own.
func (l *Line) Copy() *Line {
	nl := *l
	nl.Args = append([]string(nil), l.Args...)
	return &nl
}

// Conn is the client connection.
type Conn struct {
	fgHandlers *hSet
	out        chan string
}

// Handler handles one kind of line.
type Handler interface {
	Handle(conn *Conn, line *Line)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(conn *Conn, line *Line)

// Handle calls f.
func (f HandlerFunc) Handle(conn *Conn, line *Line) { f(conn, line) }

// Remover removes a handler that was added.
type Remover interface {
	Remove()
}

type hList struct {
	start, end *hNode
}

type hNode struct {
	next, prev *hNode
	set        *hSet
	event      string
	handler    Handler
}

func (hn *hNode) Handle(conn *Conn, line *Line) { hn.handler.Handle(conn, line) }

// Remove removes the handler from its set.
func (hn *hNode) Remove() { hn.set.remove(hn) } // heldout:site

type hSet struct {
	set map[string]*hList
	sync.RWMutex
}

func handlerSet() *hSet { return &hSet{set: make(map[string]*hList)} }

func (hs *hSet) add(ev string, h Handler) Remover {
	hs.Lock()
	defer hs.Unlock()
	ev = strings.ToLower(ev)
	l, ok := hs.set[ev]
	if !ok {
		l = &hList{}
	}
	hn := &hNode{set: hs, event: ev, handler: h}
	if !ok {
		l.start = hn
	} else {
		hn.prev = l.end
		l.end.next = hn
	}
	l.end = hn
	hs.set[ev] = l
	return hn
}

func (hs *hSet) remove(hn *hNode) {
	hs.Lock() // heldout:site
	defer hs.Unlock()
	l, ok := hs.set[hn.event]
	if !ok {
		return
	}
	if hn.next == nil {
		l.end = hn.prev
	} else {
		hn.next.prev = hn.prev
	}
	if hn.prev == nil {
		l.start = hn.next
	} else {
		hn.prev.next = hn.next
	}
	hn.next, hn.prev, hn.set = nil, nil, nil
	if l.start == nil || l.end == nil {
		delete(hs.set, hn.event)
	}
}

func (hs *hSet) dispatch(conn *Conn, line *Line) {
	hs.RLock() // heldout:site
	defer hs.RUnlock()
	ev := strings.ToLower(line.Cmd)
	list, ok := hs.set[ev]
	if !ok {
		return
	}
	wg := &sync.WaitGroup{}
	for hn := list.start; hn != nil; hn = hn.next {
		wg.Add(1)
		go func(hn *hNode) {
			hn.Handle(conn, line.Copy())
			wg.Done()
		}(hn)
	}
	wg.Wait() // heldout:site
}

// Handle adds h for the named event.
func (conn *Conn) Handle(name string, h Handler) Remover {
	return conn.fgHandlers.add(name, h)
}

// dispatch runs the handlers for line.
func (conn *Conn) dispatch(line *Line) {
	conn.fgHandlers.dispatch(conn, line)
}

// runLoop dispatches incoming lines until in is closed.
func (conn *Conn) runLoop(in <-chan *Line) {
	for line := range in {
		conn.dispatch(line)
	}
}

// Once adds a handler for name that removes itself after its first line.
func (conn *Conn) Once(name string, f HandlerFunc) {
	var r Remover
	var mu sync.Mutex
	mu.Lock()
	r = conn.Handle(name, HandlerFunc(func(c *Conn, l *Line) {
		mu.Lock()
		rm := r
		mu.Unlock()
		f(c, l)
		rm.Remove()
	}))
	mu.Unlock()
}
