// Package fixed is the fixed version of context/gonfqueue_89: Register
// derives a cancellable context and Close cancels it before waiting.
package fixed

import (
	"context"
	"sync"
	"time"
)

// Message is one netlink message.
type Message struct {
	Type uint16
	Data []byte
}

// Conn is the netlink socket.
type Conn interface {
	Receive() ([]Message, error)
	SetReadDeadline(t time.Time) error
	Close() error
}

// Attribute is a parsed packet.
type Attribute struct {
	PacketID *uint32
	Payload  *[]byte
}

// HookFunc handles one packet; a non-zero return stops receiving.
type HookFunc func(a Attribute) int

// ErrorFunc handles a receive error; a non-zero return stops receiving.
type ErrorFunc func(err error) int

// Nfqueue is a netfilter queue handle.
type Nfqueue struct {
	Con Conn
	wg  sync.WaitGroup

	mu      sync.Mutex
	cancels []context.CancelFunc
}

// Close the connection to the netfilter queue subsystem.
func (nfqueue *Nfqueue) Close() error {
	nfqueue.mu.Lock()
	for _, cancel := range nfqueue.cancels {
		cancel()
	}
	nfqueue.cancels = nil
	nfqueue.mu.Unlock()
	err := nfqueue.Con.Close()
	nfqueue.wg.Wait()
	return err
}

// RegisterWithErrorFunc attaches fn to the queue until ctx is done or the
// queue is closed.
func (nfqueue *Nfqueue) RegisterWithErrorFunc(ctx context.Context, fn HookFunc, errfn ErrorFunc) error {
	ctx, cancel := context.WithCancel(ctx)
	nfqueue.mu.Lock()
	nfqueue.cancels = append(nfqueue.cancels, cancel)
	nfqueue.mu.Unlock()
	nfqueue.wg.Add(1)
	go func() {
		defer nfqueue.wg.Done()
		nfqueue.socketCallback(ctx, fn, errfn)
	}()
	return nil
}

func (nfqueue *Nfqueue) socketCallback(ctx context.Context, fn HookFunc, errfn ErrorFunc) {
	nfqueue.wg.Add(1)
	go func() {
		defer nfqueue.wg.Done()
		// block until context is done
		<-ctx.Done()
		// interrupt a blocking Receive
		nfqueue.Con.SetReadDeadline(time.Now().Add(-1 * time.Second))
	}()

	for {
		if err := ctx.Err(); err != nil {
			return
		}
		replys, err := nfqueue.Con.Receive()
		if err != nil {
			if ret := errfn(err); ret != 0 {
				return
			}
			continue
		}
		for _, msg := range replys {
			data := msg.Data
			if ret := fn(Attribute{Payload: &data}); ret != 0 {
				return
			}
		}
	}
}
