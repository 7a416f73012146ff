// Package bug is a held-out kernel (issue 14): a feed broadcaster whose
// client manager hands messages to its loop through a one-slot channel;
// on shutdown the loop returns as soon as its context is done, and a
// transaction streamer still executing a message blocks for ever sending
// into the full slot, so the streamer's StopAndWait never returns.
//
// Upstream: OffchainLabs/nitro#2991 ("Fix deadlock caused by txStreamer trying to broadcast an executed message during a stopAndWait")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: the PR: "During StopAndWait() invocation of txStreamer there's a
// case of deadlock where ExecuteNextMsg function tries to broadcast the
// corresponding message, which eventually calls Broadcast function of
// clientManager of wsbroadcaster. This function is blocking if the
// single-capacity buffered channel cm.broadcastChan is full". Broadcast
// returns early only if the manager is already stopped, then does
// cm.broadcastChan <- bm; the manager's loop receives from broadcastChan
// in a select that returns on ctx.Done(). Nitro's StopWaiter is reduced
// to a context, a stopped flag and a WaitGroup; client handling to a
// counter.
//
// Fix: on ctx.Done() the loop drains broadcastChan before returning (the
// only sender checks Stopped() first, so the drain ends); the backport
// #2996 describes this fix, and #2991 also stops the broadcast server
// after the streamer.
package bug

import (
	"context"
	"sync"
	"sync/atomic"
)

// StopWaiter runs a component's threads until it is stopped.
type StopWaiter struct {
	ctx     context.Context
	cancel  context.CancelFunc
	stopped atomic.Bool
	wg      sync.WaitGroup
}

// Start derives the component's context.
func (s *StopWaiter) Start(parent context.Context) {
	s.ctx, s.cancel = context.WithCancel(parent)
}

// LaunchThread runs f in a goroutine counted by StopAndWait.
func (s *StopWaiter) LaunchThread(f func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f(s.ctx)
	}()
}

// Stopped reports whether StopAndWait was called.
func (s *StopWaiter) Stopped() bool {
	return s.stopped.Load()
}

// StopAndWait cancels the context and waits for the threads.
func (s *StopWaiter) StopAndWait() {
	s.stopped.Store(true)
	s.cancel()
	s.wg.Wait() // heldout:site
}

// ClientManager sends broadcast messages to the feed's clients.
type ClientManager struct {
	StopWaiter
	broadcastChan chan interface{}
	sent          int
}

// NewClientManager returns a manager with a one-slot broadcast channel.
func NewClientManager() *ClientManager {
	return &ClientManager{broadcastChan: make(chan interface{}, 1)}
}

// Broadcast hands a message to the manager's loop.
func (cm *ClientManager) Broadcast(bm interface{}) {
	if cm.Stopped() {
		return
	}
	cm.broadcastChan <- bm // heldout:site
}

func (cm *ClientManager) doBroadcast(bm interface{}) {
	cm.sent++
}

// Start runs the manager's loop.
func (cm *ClientManager) Start(parent context.Context) {
	cm.StopWaiter.Start(parent)
	cm.LaunchThread(func(ctx context.Context) {
		for {
			select {
			case <-ctx.Done():
				return // heldout:site
			case bm := <-cm.broadcastChan:
				cm.doBroadcast(bm)
			}
		}
	})
}

// Message is one sequenced message.
type Message struct {
	Seq  uint64
	Data []byte
}

// TransactionStreamer executes messages and broadcasts them.
type TransactionStreamer struct {
	StopWaiter
	broadcaster *ClientManager
	queue       chan Message
}

// ExecuteNextMsg executes one message and feeds it to the broadcaster.
func (s *TransactionStreamer) ExecuteNextMsg(msg Message) {
	s.broadcaster.Broadcast(msg)
}

// Start runs the streamer's loop.
func (s *TransactionStreamer) Start(parent context.Context) {
	s.StopWaiter.Start(parent)
	s.LaunchThread(func(ctx context.Context) {
		for {
			select {
			case <-ctx.Done():
				return
			case msg := <-s.queue:
				s.ExecuteNextMsg(msg)
			}
		}
	})
}

// Node owns both components; on shutdown it stops the broadcast server
// before the streamer.
type Node struct {
	broadcaster *ClientManager
	streamer    *TransactionStreamer
}

// StopAndWait shuts the node down.
func (n *Node) StopAndWait() {
	n.broadcaster.StopAndWait()
	n.streamer.StopAndWait()
}
