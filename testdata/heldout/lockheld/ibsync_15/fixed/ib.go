// Package fixed is the fixed version of lockheld/ibsync_15: every return
// of ReqMktData's locked section releases the mutex.
package fixed

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

func (ib *IB) register() (int64, chan float64, error) {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	if !ib.connected {
		return 0, nil, errNotConnected
	}
	ib.nextID++
	id := ib.nextID
	if _, ok := ib.subs[id]; ok {
		return 0, nil, errDuplicateReq
	}
	ch := make(chan float64, 16)
	ib.subs[id] = ch
	return id, ch, nil
}

// ReqMktData subscribes to a symbol's ticks.
func (ib *IB) ReqMktData(symbol string) (<-chan float64, error) {
	id, ch, err := ib.register()
	if err != nil {
		return nil, err
	}
	if err := ib.sender.ReqMktData(id, symbol); err != nil {
		return nil, err
	}
	return ch, nil
}

// Tick delivers a tick from the reader goroutine.
func (ib *IB) Tick(id int64, price float64) {
	ib.mu.Lock()
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
	ib.mu.Lock()
	ib.connected = false
	ib.mu.Unlock()
}
