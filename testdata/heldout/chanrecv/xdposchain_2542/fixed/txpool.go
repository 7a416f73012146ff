// Package fixed is the fixed version of chanrecv/xdposchain_2542: the loop
// always delivers the Sync reply with a blocking send, also when the pool
// terminates while a Sync is pending.
package fixed

import "errors"

var errTerminated = errors.New("pool terminated")

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
				resetWaiter <- nil
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
	if resetWaiter != nil {
		resetWaiter <- errTerminated
	}
	errc <- nil
}

// Sync waits for the running reset, then runs one more round on top.
func (p *TxPool) Sync() error {
	sync := make(chan error)
	select {
	case p.sync <- sync:
		return <-sync
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
