// Package bug is a held-out kernel (issue 14): Broadcast called after the
// lock is released, so a reader between its check and its Wait misses it.
//
// Upstream: livekit/livekit#3625 ("Call Broadcast in lock scope.")
// Round: 2
// Seen: 970215c (analyzer/condwait's testdata real/livekit.go reduces the same bug, picked at the same time as this kernel)
//
// Bug: Buffer.Close sets closed (atomically, not under the lock) and
// calls readCond.Broadcast without the lock, before it reads the onClose
// callback under the read lock (upstream v1.8.4 took no lock of the buffer
// before its Broadcast when the buffer had no RTP stats). A reader holding
// the lock has checked closed (false) and is about to Wait; if Close
// stores closed and broadcasts in that window, the reader then waits for a
// broadcast that has already happened, forever.
//
// Fix: Broadcast is called while the lock is held, so it cannot fall
// between a reader's check and its Wait.
package bug

import (
	"io"
	"sync"
	"sync/atomic"
)

// Buffer holds the packets of one track for its readers.
type Buffer struct {
	sync.RWMutex
	readCond  *sync.Cond
	closeOnce sync.Once
	closed    atomic.Bool
	packets   [][]byte
	onClose   func()
}

// NewBuffer returns an empty buffer.
func NewBuffer() *Buffer {
	b := &Buffer{}
	b.readCond = sync.NewCond(&b.RWMutex)
	return b
}

// Write appends a packet and wakes the readers.
func (b *Buffer) Write(pkt []byte) {
	b.Lock()
	b.packets = append(b.packets, pkt)
	b.Unlock()
	b.readCond.Broadcast()
}

// Read returns the next packet, waiting for one; io.EOF once closed.
func (b *Buffer) Read() ([]byte, error) {
	b.Lock()
	defer b.Unlock()
	for {
		if b.closed.Load() {
			return nil, io.EOF
		}
		if len(b.packets) > 0 {
			pkt := b.packets[0]
			b.packets = b.packets[1:]
			return pkt, nil
		}
		b.readCond.Wait() // heldout:site
	}
}

// Close closes the buffer and wakes its readers.
func (b *Buffer) Close() error {
	b.closeOnce.Do(func() {
		b.closed.Store(true)
		b.readCond.Broadcast() // heldout:site
		b.RLock()
		onClose := b.onClose
		b.RUnlock()
		if onClose != nil {
			onClose()
		}
	})
	return nil
}
