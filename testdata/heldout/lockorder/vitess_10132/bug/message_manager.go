// Package bug is a held-out kernel (issue 14): a message manager with a
// main mutex and a stream mutex; unsubscribing the last receiver stops
// the row stream under the main mutex, which takes the stream mutex,
// while the poller holds the stream mutex and takes the main mutex.
//
// Upstream: vitessio/vitess#10132 ("Avoid deadlocks related to 0 receiver behavior")
// Round: 7
//
// Bug: the PR: "The main mutex and the stream mutex locks are used to
// ensure overall consistency. But: 1. The order that those locks are
// taken in was not enforced or consistent". unsubscribe holds mm.mu and,
// when the receiver count drops to 0, calls stopVStream, which takes
// mm.streamMu; the poller, between its check that there are receivers
// and its run, holds mm.streamMu and takes mm.mu. The poller's body
// (read the pending messages under streamMu, hand them out under mu) is
// our reduction of the description; the cache, the database reads and
// the vstreamer are reduced.
//
// Fix: a getExclusiveLock helper takes the locks in stream mutex, main
// mutex order, and unsubscribe uses it (so stopVStream's part runs with
// streamMu already held); the poller re-checks the receiver count under
// the locks. Our fixed version also has Subscribe (which starts the
// stream under mm.mu here) take the locks through the helper.
package bug

import (
	"context"
	"sync"
)

// Message is one queued message.
type Message struct {
	ID      string
	Payload []byte
}

type receiver struct {
	send func(*Message) error
}

// messageManager delivers one message table's rows to its receivers.
type messageManager struct {
	mu        sync.Mutex
	receivers []*receiver
	curIndex  int

	streamMu     sync.Mutex
	streamCancel context.CancelFunc
	pending      []*Message

	readPending func() []*Message
}

// Subscribe adds a receiver, starting the row stream for the first one.
func (mm *messageManager) Subscribe(r *receiver) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	mm.receivers = append(mm.receivers, r)
	if len(mm.receivers) == 1 {
		mm.startVStream()
	}
}

// unsubscribe removes a receiver, stopping the stream after the last.
func (mm *messageManager) unsubscribe(r *receiver) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	for i, rcv := range mm.receivers {
		if rcv == r {
			mm.receivers = append(mm.receivers[:i], mm.receivers[i+1:]...)
			break
		}
	}
	if len(mm.receivers) == 0 {
		mm.stopVStream() // heldout:site
	}
}

func (mm *messageManager) startVStream() {
	mm.streamMu.Lock() // heldout:site
	defer mm.streamMu.Unlock()
	if mm.streamCancel != nil {
		return
	}
	_, cancel := context.WithCancel(context.Background())
	mm.streamCancel = cancel
}

func (mm *messageManager) stopVStream() {
	mm.streamMu.Lock() // heldout:site
	defer mm.streamMu.Unlock()
	if mm.streamCancel != nil {
		mm.streamCancel()
		mm.streamCancel = nil
	}
}

func (mm *messageManager) receiverCount() int {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	return len(mm.receivers)
}

// runPoller reads the due messages and hands them to the receivers.
func (mm *messageManager) runPoller() {
	if mm.receiverCount() == 0 {
		return
	}
	mm.streamMu.Lock()
	defer mm.streamMu.Unlock()
	mm.pending = append(mm.pending, mm.readPending()...)

	mm.mu.Lock() // heldout:site
	defer mm.mu.Unlock()
	for len(mm.pending) > 0 && len(mm.receivers) > 0 {
		r := mm.receivers[mm.curIndex%len(mm.receivers)]
		mm.curIndex++
		if err := r.send(mm.pending[0]); err != nil {
			break
		}
		mm.pending = mm.pending[1:]
	}
}
