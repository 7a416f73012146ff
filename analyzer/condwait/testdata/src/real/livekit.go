package real

import (
	"io"
	"sync"
	"sync/atomic"
)

// Upstream: livekit/livekit#3625
//
// Bug: the SFU's packet buffer readers wait on readCond (under the
// buffer's lock) until a packet is queued or the buffer is closed. Close
// set the atomic closed flag and broadcast readCond outside the lock's
// scope; the maintainers saw a window in which a reader reaches Wait after
// the lock is released but before the Broadcast, and hangs forever.
// Reduced here to its core: the flag is set and the Broadcast made with no
// Lock between them, so both can fall between a reader's test of closed
// (under the lock) and its Wait.
// Fix: Broadcast inside the lock's scope.

type sfuBuffer struct {
	sync.RWMutex
	readCond *sync.Cond
	closed   atomic.Bool
	packets  [][]byte
	once     sync.Once
}

func newSFUBuffer() *sfuBuffer {
	b := &sfuBuffer{}
	b.readCond = sync.NewCond(&b.RWMutex)
	return b
}

func (b *sfuBuffer) ReadExtended() ([]byte, error) {
	b.Lock()
	defer b.Unlock()
	for {
		if b.closed.Load() {
			return nil, io.EOF
		}
		if len(b.packets) > 0 {
			p := b.packets[0]
			b.packets = b.packets[1:]
			return p, nil
		}
		b.readCond.Wait()
	}
}

func (b *sfuBuffer) Write(p []byte) {
	b.Lock()
	b.packets = append(b.packets, p)
	b.readCond.Broadcast()
	b.Unlock()
}

func (b *sfuBuffer) Close() {
	b.once.Do(func() {
		b.closed.Store(true)
	})
	b.readCond.Broadcast() // want `lost wake-up: Broadcast of readCond without its lock, after a function literal in Close changed closed \(line 60\) also without it: a goroutine in ReadExtended that has tested closed under the lock \(line 39\) but not yet called Wait \(line 47\)`
}

// The fix: the Broadcast is made under the lock.

type fixedSFUBuffer struct {
	sync.RWMutex
	readCond *sync.Cond
	closed   atomic.Bool
	packets  [][]byte
}

func newFixedSFUBuffer() *fixedSFUBuffer {
	b := &fixedSFUBuffer{}
	b.readCond = sync.NewCond(&b.RWMutex)
	return b
}

func (b *fixedSFUBuffer) ReadExtended() ([]byte, error) {
	b.Lock()
	defer b.Unlock()
	for {
		if b.closed.Load() {
			return nil, io.EOF
		}
		if len(b.packets) > 0 {
			p := b.packets[0]
			b.packets = b.packets[1:]
			return p, nil
		}
		b.readCond.Wait()
	}
}

func (b *fixedSFUBuffer) Write(p []byte) {
	b.Lock()
	b.packets = append(b.packets, p)
	b.Unlock()
	b.readCond.Broadcast() // the change was made under the lock: safe
}

func (b *fixedSFUBuffer) Close() {
	b.closed.Store(true)
	b.Lock()
	b.readCond.Broadcast()
	b.Unlock()
}
