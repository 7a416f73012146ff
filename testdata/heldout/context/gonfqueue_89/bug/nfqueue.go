// Package bug is a held-out kernel (issue 14): Close waits on a WaitGroup
// that counts a goroutine blocked on the caller's context, so unless the
// caller cancelled that context first, Close never returns.
//
// Upstream: florianl/go-nfqueue#89 ("Close() avoid deadlock if ctx is not canceled")
// Round: 15
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: RegisterWithErrorFunc starts socketCallback under nfqueue.wg;
// socketCallback adds a second goroutine to the same WaitGroup that blocks
// on <-ctx.Done() and then sets a past read deadline to interrupt Receive.
// Close closes the connection and calls nfqueue.wg.Wait(). Closing the
// connection ends the receive loop, but the context waiter only returns
// when the caller's ctx is done, so Close blocks for ever when it is not
// (go-nfqueue#104: "Close() blocks forever because socketCallback starts a
// background goroutine to wait on the context"). The netlink connection is
// an interface here (our reduction).
//
// Fix: our reading of the PR: Register derives a cancellable context and
// keeps its cancel func; Close calls it before waiting, so the waiter
// returns whether or not the caller's context was cancelled.
package bug

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
}

// Close the connection to the netfilter queue subsystem.
func (nfqueue *Nfqueue) Close() error {
	err := nfqueue.Con.Close()
	nfqueue.wg.Wait() // heldout:site
	return err
}

// RegisterWithErrorFunc attaches fn to the queue until ctx is done.
func (nfqueue *Nfqueue) RegisterWithErrorFunc(ctx context.Context, fn HookFunc, errfn ErrorFunc) error {
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
		<-ctx.Done() // heldout:site
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
