// Package bug is a held-out kernel (issue 14): a packet buffer whose
// readers wait on a one-slot notify channel; Close wakes readers the same
// way a write does, with one non-blocking send, so when two reads are
// waiting at Close only one wakes and the other waits for ever.
//
// Upstream: pion/transport#302 ("Broadcast notify on Buffer.Close")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: Buffer.Read loops: under the mutex it returns a queued packet, or
// io.EOF once the buffer is closed and empty; otherwise it unlocks and
// selects on the read deadline and on b.notify. Write queues a packet
// and calls notifyReader, a select that sends on notify (capacity one)
// or does nothing. The PR: Close was a "signaler" rather than a
// "broadcaster" of the notify condition, so with concurrent reads
// between the Unlock and the select (an SRTP and an SRTCP reader of the
// same buffer) "one or more reads will be blocked". That Close called
// the same one-slot notify as Write is our reading of the PR's words;
// the ring buffer is reduced to a slice of packets and the deadline to a
// channel.
//
// Fix: Close closes notify, which wakes every reader, now and later.
package bug

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
			if len(b.packets) > 0 {
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
		case <-b.notify: // heldout:site
		}
	}
}

// Close closes the buffer; queued packets stay readable.
func (b *Buffer) Close() error {
	b.mutex.Lock()
	defer b.mutex.Unlock()

	if !b.closed {
		b.closed = true
		b.notifyReader() // heldout:site
	}
	return nil
}

// Count is the number of queued packets.
func (b *Buffer) Count() int {
	b.mutex.Lock()
	defer b.mutex.Unlock()
	return len(b.packets)
}
