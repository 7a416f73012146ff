// Package bug is a held-out kernel (issue 14): the API wrapper publishes
// an execution on the pub/sub while still holding the client state's
// lock; Publish blocks until the subscriber's buffered channel has room,
// and the subscriber, handling the previous message, asks the client for
// its trades, which needs the same state lock.
//
// Upstream: scmhub/ibsync#21 ("fix possible deadlocks")
// Round: 8
// Seen: 2026-11-27, development set (helpers read this round-8 kernel to tune the analyzers, after round 8 was measured)
//
// Bug: WrapperSync callbacks (ExecDetails, NextValidID, UpdateAccountTime
// and others) locked w.state.mu, updated the state and called
// w.pubSub.Publish before unlocking. PubSub.Publish does a blocking send
// to each subscriber channel (five slots) under its own lock. The PR:
// "When a message is published via the channel, the state remains
// locked. So if the receiver of the message tries to get some info, for
// example ib.Trades() this will hang as the state is locked by the
// publisher". ReqExecutions and its fill handler are our reduction of a
// caller of the library; the state holds only what the kernel uses.
//
// Fix: the callbacks unlock the state before they publish.
package bug

import (
	"fmt"
	"slices"
	"sync"
)

const defaultBufferSize = 5

// PubSub is a thread-safe publish-subscribe of strings by topic.
type PubSub struct {
	mu     sync.RWMutex
	topics map[string][]chan string
}

// NewPubSub returns an empty pub/sub.
func NewPubSub() *PubSub { return &PubSub{topics: make(map[string][]chan string)} }

// Subscribe returns a channel of the topic's messages and its unsubscribe.
func (ps *PubSub) Subscribe(topic any) (<-chan string, func()) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	t := fmt.Sprint(topic)
	ch := make(chan string, defaultBufferSize)
	ps.topics[t] = append(ps.topics[t], ch)
	return ch, func() { ps.Unsubscribe(topic, ch) }
}

// Unsubscribe removes and closes one subscriber channel.
func (ps *PubSub) Unsubscribe(topic any, sub <-chan string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	t := fmt.Sprint(topic)
	for i, ch := range ps.topics[t] {
		if ch == sub {
			ps.topics[t] = slices.Delete(ps.topics[t], i, i+1)
			close(ch)
			return
		}
	}
}

// Publish sends msg to every subscriber of topic, blocking on each.
func (ps *PubSub) Publish(topic any, msg string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, ch := range ps.topics[fmt.Sprint(topic)] {
		ch <- msg // heldout:site
	}
}

// Trade is one order and its fills.
type Trade struct {
	PermID int64
	Fills  []string
}

type ibState struct {
	mu          sync.Mutex
	trades      map[int64]*Trade
	fills       map[string]string
	nextValidID int64
}

// WrapperSync receives the API's callbacks.
type WrapperSync struct {
	state  *ibState
	pubSub *PubSub
}

// ExecDetails records an execution and publishes it to the request.
func (w *WrapperSync) ExecDetails(reqID int64, permID int64, execID string) {
	w.state.mu.Lock()
	defer w.state.mu.Unlock()
	trade, ok := w.state.trades[permID]
	if !ok {
		trade = &Trade{PermID: permID}
		w.state.trades[permID] = trade
	}
	if _, ok := w.state.fills[execID]; !ok {
		w.state.fills[execID] = execID
		trade.Fills = append(trade.Fills, execID)
	}
	w.pubSub.Publish(reqID, execID) // heldout:site
}

// ExecDetailsEnd ends the request's executions.
func (w *WrapperSync) ExecDetailsEnd(reqID int64) {
	w.pubSub.Publish(reqID, "end")
}

// NextValidID records the next order id.
func (w *WrapperSync) NextValidID(reqID int64) {
	w.state.mu.Lock()
	defer w.state.mu.Unlock()
	if reqID > w.state.nextValidID {
		w.state.nextValidID = reqID
	}
	w.pubSub.Publish("NextValidID", fmt.Sprint(reqID)) // heldout:site
}

// IB is the client.
type IB struct {
	state   *ibState
	pubSub  *PubSub
	wrapper *WrapperSync
}

// NewIB returns a client whose wrapper shares its state.
func NewIB() *IB {
	st := &ibState{trades: map[int64]*Trade{}, fills: map[string]string{}}
	ps := NewPubSub()
	return &IB{state: st, pubSub: ps, wrapper: &WrapperSync{state: st, pubSub: ps}}
}

// Trades returns the session's trades.
func (ib *IB) Trades() []*Trade {
	ib.state.mu.Lock() // heldout:site
	defer ib.state.mu.Unlock()
	var ts []*Trade
	for _, t := range ib.state.trades {
		ts = append(ts, t)
	}
	return ts
}

// ReqExecutions requests the executions and calls onFill for each, until
// the end message.
func (ib *IB) ReqExecutions(reqID int64, send func(reqID int64), onFill func(execID string, trades []*Trade)) {
	ch, unsubscribe := ib.pubSub.Subscribe(reqID)
	defer unsubscribe()
	send(reqID)
	for msg := range ch {
		if msg == "end" {
			return
		}
		onFill(msg, ib.Trades())
	}
}
