// Package fixed is the fixed version of close/piontransport_302: Close
// closes the notify channel, waking every reader.
package fixed

import (
	"errors"
	"io"
	"sync"
)

// ErrFull is returned when the buffer's packet limit is reached.
var ErrFull = errors.New("packetio.Buffer is full, discarding write")

// Buffer queues packets between a writer and its readers.
type Buffer struct {
	mutex sync.Mutex

	packets [][]byte
	notify  chan struct{}
	closed  bool

	limitCount int

	readDeadline chan struct{}
}

// NewBuffer returns an empty buffer.
func NewBuffer() *Buffer {
	return &Buffer{
		notify:       make(chan struct{}, 1),
		readDeadline: make(chan struct{}),
	}
}

// notifyReader wakes one waiting reader, if the slot is free; the mutex
// is held.
func (b *Buffer) notifyReader() {
	select {
	case b.notify <- struct{}{}:
	default:
	}
}

// Write queues a copy of packet.
func (b *Buffer) Write(packet []byte) (int, error) {
	b.mutex.Lock()
	defer b.mutex.Unlock()

	if b.closed {
		return 0, io.ErrClosedPipe
	}
	if b.limitCount > 0 && len(b.packets) >= b.limitCount {
		return 0, ErrFull
	}
	b.packets = append(b.packets, append([]byte(nil), packet...))
	b.notifyReader()
	return len(packet), nil
}

// Read returns the next packet, blocking until one is written or the
// buffer is closed.
func (b *Buffer) Read(packet []byte) (int, error) {
	for {
		b.mutex.Lock()
		if len(b.packets) > 0 {
			p := b.packets[0]
			b.packets = b.packets[1:]
			if len(b.packets) > 0 && !b.closed {
				b.notifyReader()
			}
			b.mutex.Unlock()
			n := copy(packet, p)
			if n < len(p) {
				return n, io.ErrShortBuffer
			}
			return n, nil
		}
		if b.closed {
			b.mutex.Unlock()
			return 0, io.EOF
		}
		b.mutex.Unlock()

		select {
		case <-b.readDeadline:
			return 0, errors.New("i/o timeout")
		case <-b.notify:
		}
	}
}

// Close closes the buffer; queued packets stay readable.
func (b *Buffer) Close() error {
	b.mutex.Lock()
	defer b.mutex.Unlock()

	if !b.closed {
		b.closed = true
		close(b.notify)
	}
	return nil
}

// Count is the number of queued packets.
func (b *Buffer) Count() int {
	b.mutex.Lock()
	defer b.mutex.Unlock()
	return len(b.packets)
}
