// Package fixed is the fixed version of lockorder/vitess_10132: the two
// locks are always taken stream mutex first.
package fixed

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
	mm.getExclusiveLock()
	defer mm.releaseExclusiveLock()
	mm.receivers = append(mm.receivers, r)
	if len(mm.receivers) == 1 {
		mm.unlockedStartVStream()
	}
}

// getExclusiveLock takes both locks, always stream mutex first, so as
// not to deadlock with the places that take them in that order.
func (mm *messageManager) getExclusiveLock() {
	mm.streamMu.Lock()
	mm.mu.Lock()
}

func (mm *messageManager) releaseExclusiveLock() {
	mm.mu.Unlock()
	mm.streamMu.Unlock()
}

// unsubscribe removes a receiver, stopping the stream after the last.
func (mm *messageManager) unsubscribe(r *receiver) {
	mm.getExclusiveLock()
	defer mm.releaseExclusiveLock()
	for i, rcv := range mm.receivers {
		if rcv == r {
			mm.receivers = append(mm.receivers[:i], mm.receivers[i+1:]...)
			break
		}
	}
	if len(mm.receivers) == 0 {
		mm.unlockedStopVStream()
	}
}

// unlockedStartVStream starts the stream; streamMu is held.
func (mm *messageManager) unlockedStartVStream() {
	if mm.streamCancel != nil {
		return
	}
	_, cancel := context.WithCancel(context.Background())
	mm.streamCancel = cancel
}

// unlockedStopVStream stops the stream; streamMu is held.
func (mm *messageManager) unlockedStopVStream() {
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
	mm.getExclusiveLock()
	defer mm.releaseExclusiveLock()
	if len(mm.receivers) == 0 {
		return
	}
	mm.pending = append(mm.pending, mm.readPending()...)
	for len(mm.pending) > 0 && len(mm.receivers) > 0 {
		r := mm.receivers[mm.curIndex%len(mm.receivers)]
		mm.curIndex++
		if err := r.send(mm.pending[0]); err != nil {
			break
		}
		mm.pending = mm.pending[1:]
	}
}
