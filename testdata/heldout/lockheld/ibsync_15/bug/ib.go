// Package bug is a held-out kernel (issue 14): a client method that locks
// its state mutex and returns early on an error without unlocking it, so
// every later call blocks in Lock forever.
//
// Upstream: scmhub/ibsync#15 ("fix: calling unlock in early returns")
// Round: 5
//
// Bug: the IB client's request methods take ib.mu, look up or register
// the request's state, and unlock at the end. On the error paths (not
// connected, request id already in use) they return with ib.mu still
// held, and the next method or the reader goroutine blocks in Lock. The
// PR says only "there are cases that could cause deadlock when error
// happens"; which method and which error paths is our reduction.
//
// Fix: the early returns unlock first (we use defer).
package bug

import (
	"errors"
	"sync"
)

var (
	errNotConnected = errors.New("not connected")
	errDuplicateReq = errors.New("request id in use")
)

// Sender sends requests to the gateway.
type Sender interface {
	ReqMktData(reqID int64, symbol string) error
}

// IB is the synchronous client.
type IB struct {
	mu        sync.Mutex
	connected bool
	nextID    int64
	subs      map[int64]chan float64
	sender    Sender
}

// NewIB returns a client using sender.
func NewIB(sender Sender) *IB {
	return &IB{subs: make(map[int64]chan float64), sender: sender, connected: true}
}

// ReqMktData subscribes to a symbol's ticks.
func (ib *IB) ReqMktData(symbol string) (<-chan float64, error) {
	ib.mu.Lock()
	if !ib.connected {
		return nil, errNotConnected // heldout:site
	}
	ib.nextID++
	id := ib.nextID
	if _, ok := ib.subs[id]; ok {
		return nil, errDuplicateReq // heldout:site
	}
	ch := make(chan float64, 16)
	ib.subs[id] = ch
	ib.mu.Unlock()
	if err := ib.sender.ReqMktData(id, symbol); err != nil {
		return nil, err
	}
	return ch, nil
}

// Tick delivers a tick from the reader goroutine.
func (ib *IB) Tick(id int64, price float64) {
	ib.mu.Lock() // heldout:site
	ch, ok := ib.subs[id]
	ib.mu.Unlock()
	if ok {
		select {
		case ch <- price:
		default:
		}
	}
}

// Disconnect marks the client disconnected.
func (ib *IB) Disconnect() {
	ib.mu.Lock() // heldout:site
	ib.connected = false
	ib.mu.Unlock()
}
