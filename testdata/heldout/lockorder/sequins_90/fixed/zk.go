// Package fixed is the fixed version of lockorder/sequins_90: reconnect takes
// w.lock before w.hooksLock.
package fixed

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
	w.hooksLock.Lock()
	w.hooks = append(w.hooks, func() {
		if children, _, err := w.conn.ChildrenW(node); err == nil {
			cb(children)
		}
	})
	w.hooksLock.Unlock()
}

// reconnect runs the hooks and re-arms every watch after a new session.
func (w *zkWatcher) reconnect() {
	w.lock.Lock()
	defer w.lock.Unlock()

	w.hooksLock.Lock()
	for _, hook := range w.hooks {
		hook()
	}
	w.hooksLock.Unlock()

	for node, wt := range w.watches {
		if _, _, err := w.conn.ChildrenW(node); err != nil {
			delete(w.watches, node)
			continue
		}
		w.watches[node] = wt
	}
}
