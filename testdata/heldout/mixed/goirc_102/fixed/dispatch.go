// Package fixed is the fixed version of mixed/goirc_102: dispatch copies
// the handler list under the read lock and runs the handlers without it.
package fixed

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
func (hn *hNode) Remove() { hn.set.remove(hn) }

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
	hs.Lock()
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

// getHandlers copies the handlers for ev under the read lock.
func (hs *hSet) getHandlers(ev string) []*hNode {
	hs.RLock()
	defer hs.RUnlock()
	list, ok := hs.set[ev]
	if !ok {
		return nil
	}
	handlers := make([]*hNode, 0)
	for hn := list.start; hn != nil; hn = hn.next {
		handlers = append(handlers, hn)
	}
	return handlers
}

func (hs *hSet) dispatch(conn *Conn, line *Line) {
	ev := strings.ToLower(line.Cmd)
	wg := &sync.WaitGroup{}
	for _, hn := range hs.getHandlers(ev) {
		wg.Add(1)
		go func(hn *hNode) {
			hn.Handle(conn, line.Copy())
			wg.Done()
		}(hn)
	}
	wg.Wait()
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
