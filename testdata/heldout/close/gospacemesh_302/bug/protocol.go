// Package bug is a held-out kernel (issue 14): a p2p protocol server whose
// Close sends one value on the exit channel that several loops wait on,
// so only one loop stops and Close waits for the others for ever.
//
// Upstream: spacemeshos/go-spacemesh#302 ("add close() to protocol server")
// Round: 15
//
// Bug: the protocol server runs a read loop over incoming messages, and
// each loop selects on p.exit to stop. Close, as first written in the PR,
// did p.exit <- struct{}{}; the reviewer: "you can read from the channel
// once. so all the other loops waiting on <-p.exit will just block
// forever. you should use close(p.exit)". The author added a WaitGroup
// so Close waits for the read loops before freeing resources, which turns
// the stranded loop into a Close that never returns. The second loop (the
// request timeout sweeper) and the message types are our reduction.
//
// Fix: Close closes p.exit, then waits for the loops.
package bug

import (
	"sync"
	"time"
)

// MessageType is a protocol message kind.
type MessageType uint32

// Message is one incoming protocol message.
type Message struct {
	ReqID   uint64
	Type    MessageType
	IsReq   bool
	Payload []byte
}

// Protocol serves requests and matches responses.
type Protocol struct {
	ingressChannel     chan Message
	mu                 sync.Mutex
	resHandlers        map[uint64]func(msg []byte)
	deadlines          map[uint64]time.Time
	msgRequestHandlers map[MessageType]func(msg []byte) []byte
	send               func(reqID uint64, payload []byte)

	exit chan struct{}
	wg   sync.WaitGroup
}

// NewProtocol starts the protocol's loops.
func NewProtocol(ingress chan Message, send func(uint64, []byte)) *Protocol {
	p := &Protocol{
		ingressChannel:     ingress,
		resHandlers:        make(map[uint64]func(msg []byte)),
		deadlines:          make(map[uint64]time.Time),
		msgRequestHandlers: make(map[MessageType]func(msg []byte) []byte),
		send:               send,
		exit:               make(chan struct{}),
	}
	p.wg.Add(2)
	go p.readLoop()
	go p.sweepLoop()
	return p
}

func (p *Protocol) readLoop() {
	defer p.wg.Done()
	for {
		select {
		case msg := <-p.ingressChannel:
			p.handle(msg)
		case <-p.exit:
			return
		}
	}
}

func (p *Protocol) sweepLoop() {
	defer p.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			p.mu.Lock()
			for id, d := range p.deadlines {
				if now.After(d) {
					delete(p.deadlines, id)
					delete(p.resHandlers, id)
				}
			}
			p.mu.Unlock()
		case <-p.exit:
			return
		}
	}
}

func (p *Protocol) handle(msg Message) {
	p.mu.Lock()
	if msg.IsReq {
		h := p.msgRequestHandlers[msg.Type]
		p.mu.Unlock()
		if h != nil {
			p.send(msg.ReqID, h(msg.Payload))
		}
		return
	}
	h := p.resHandlers[msg.ReqID]
	delete(p.resHandlers, msg.ReqID)
	delete(p.deadlines, msg.ReqID)
	p.mu.Unlock()
	if h != nil {
		h(msg.Payload)
	}
}

// Close stops the loops and waits for them.
func (p *Protocol) Close() {
	p.exit <- struct{}{} // heldout:site
	p.wg.Wait()          // heldout:site
}
