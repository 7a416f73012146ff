// Package bug is a held-out kernel (issue 14): a ZooKeeper watcher with a
// lock for its watches and a lock for its reconnect hooks, taken in
// opposite orders by adding a watch and by reconnecting.
//
// Upstream: stripe-archive/sequins#90 ("If we acquire `w.lock` and `w.hooksLock`, acquire the former first.")
// Round: 4
//
// Bug: watchChildren holds w.lock while it registers a reconnect hook
// under w.hooksLock; reconnect holds w.hooksLock while it runs the hooks
// and then takes w.lock to re-arm the watches. A watch added during a
// reconnect deadlocks the two goroutines. The PR gives the two-lock
// interleaving; the watcher's methods are our reduction.
//
// Fix: whoever takes both locks takes w.lock first: reconnect takes
// w.lock before w.hooksLock.
package bug

import (
	"path"
	"sync"
)

// Conn is the part of the ZooKeeper connection the watcher uses.
type Conn interface {
	ChildrenW(node string) ([]string, <-chan struct{}, error)
}

type watch struct {
	node     string
	callback func(children []string)
}

type zkWatcher struct {
	conn   Conn
	prefix string

	lock    sync.Mutex
	watches map[string]watch

	hooksLock sync.Mutex
	hooks     []func()
}

func newZKWatcher(conn Conn, prefix string) *zkWatcher {
	return &zkWatcher{conn: conn, prefix: prefix, watches: make(map[string]watch)}
}

// watchChildren calls cb with the node's children now and after every
// reconnect.
func (w *zkWatcher) watchChildren(node string, cb func([]string)) {
	node = path.Join(w.prefix, node)
	w.lock.Lock()
	defer w.lock.Unlock()

	w.watches[node] = watch{node: node, callback: cb}
	w.hooksLock.Lock() // heldout:site
	w.hooks = append(w.hooks, func() {
		if children, _, err := w.conn.ChildrenW(node); err == nil {
			cb(children)
		}
	})
	w.hooksLock.Unlock()
}

// reconnect runs the hooks and re-arms every watch after a new session.
func (w *zkWatcher) reconnect() {
	w.hooksLock.Lock()
	defer w.hooksLock.Unlock()
	for _, hook := range w.hooks {
		hook()
	}

	w.lock.Lock() // heldout:site
	defer w.lock.Unlock()
	for node, wt := range w.watches {
		if _, _, err := w.conn.ChildrenW(node); err != nil {
			delete(w.watches, node)
			continue
		}
		w.watches[node] = wt
	}
}
