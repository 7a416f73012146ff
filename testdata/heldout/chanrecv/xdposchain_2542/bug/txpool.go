// Package bug is a held-out kernel (issue 14): TxPool.Sync waits for a
// reply that the pool loop may drop with a non-blocking send.
//
// Upstream: XinFinOrg/XDPoSChain#2542 ("fix(core/txpool): fix Sync deadlock in pool loop #28837")
// Round: 14
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Sync hands a fresh unbuffered waiter channel to the pool loop over
// p.sync and then receives on it. The loop stores it as resetWaiter, forces
// one more background reset, and when that reset is done notifies the
// waiter. An earlier change of the fork had turned that notification into a
// select with a default, followed by clearing resetWaiter unconditionally:
// if the reset finished before Sync had reached its receive (a plain
// scheduling gap between the send on p.sync and "<-sync"), the default case
// dropped the reply and the waiter was forgotten, so Sync blocked on its
// receive for ever while the loop idled (seen as a 45-minute CI hang). The
// header/chain types, the subpools and the reset work itself are our
// reduction; the loop's shape (resetBusy token, resetDone, resetForced,
// resetWaiter, quit and term channels) follows the thread.
//
// Fix: the blocking send used upstream in go-ethereum was restored
// ("resetWaiter <- nil"), and a pool closed while a Sync is pending signals
// the waiter too.
package bug

import "errors"

// Header stands for a chain head.
type Header struct{ Number uint64 }

// SubPool is one transaction sub-pool reset on each new head.
type SubPool interface {
	Reset(oldHead, newHead *Header)
}

// TxPool aggregates the sub-pools and resets them in the background.
type TxPool struct {
	subpools []SubPool
	heads    chan *Header
	quit     chan chan error
	term     chan struct{}
	sync     chan chan error
}

// New starts the pool loop at head.
func New(head *Header, subpools []SubPool) *TxPool {
	p := &TxPool{
		subpools: subpools,
		heads:    make(chan *Header),
		quit:     make(chan chan error),
		term:     make(chan struct{}),
		sync:     make(chan chan error),
	}
	go p.loop(head)
	return p
}

// NewHead feeds a new chain head to the pool.
func (p *TxPool) NewHead(h *Header) {
	select {
	case p.heads <- h:
	case <-p.term:
	}
}

func (p *TxPool) loop(head *Header) {
	defer close(p.term)

	var (
		resetBusy   = make(chan struct{}, 1)
		resetDone   = make(chan *Header)
		resetForced bool
		resetWaiter chan error
		busy        bool

		newHead = head
		oldHead = head
		errc    chan error
	)
	for errc == nil {
		if newHead != oldHead || resetForced {
			select {
			case resetBusy <- struct{}{}:
				busy = true
				go func(oldHead, newHead *Header) {
					for _, sp := range p.subpools {
						sp.Reset(oldHead, newHead)
					}
					resetDone <- newHead
				}(oldHead, newHead)
				resetForced = false
			default:
				// a reset is already running; try again when it is done
			}
		}
		select {
		case h := <-p.heads:
			newHead = h
		case h := <-resetDone:
			oldHead = h
			busy = false
			<-resetBusy
			if resetWaiter != nil && !resetForced {
				select {
				case resetWaiter <- nil:
				default: // heldout:site
				}
				resetWaiter = nil
			}
		case errc = <-p.quit:
		case syncc := <-p.sync:
			resetForced = true
			resetWaiter = syncc
		}
	}
	if busy {
		<-resetDone
	}
	errc <- nil
}

// Sync waits for the running reset, then runs one more round on top.
func (p *TxPool) Sync() error {
	sync := make(chan error)
	select {
	case p.sync <- sync:
		return <-sync // heldout:site
	case <-p.term:
		return errors.New("pool already terminated")
	}
}

// Close stops the pool loop.
func (p *TxPool) Close() error {
	errc := make(chan error)
	select {
	case p.quit <- errc:
		return <-errc
	case <-p.term:
		return errors.New("pool already terminated")
	}
}
