// Package fixed is the fixed version of cond/livekit_3625: Close broadcasts
// inside the lock scope.
package fixed

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
		b.readCond.Wait()
	}
}

// Close closes the buffer and wakes its readers.
func (b *Buffer) Close() error {
	b.closeOnce.Do(func() {
		b.closed.Store(true)
		b.RLock()
		if b.onClose != nil {
			b.onClose()
		}
		b.readCond.Broadcast()
		b.RUnlock()
	})
	return nil
}
