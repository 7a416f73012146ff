// Package fixed is the fixed version of close/gouroboros_478: the send
// loop's read of the send queue also returns when doneChan is closed, so
// the WaitGroup the cleanup goroutine waits on reaches zero at shutdown.
// setState still sends the agency token while stateMutex is held, as
// upstream's fixed code does (see the bug version's comment).
package fixed

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
)

// Segment is one muxer frame.
type Segment struct {
	ProtocolID uint16
	Payload    []byte
	IsResponse bool
}

// Muxer multiplexes the mini-protocols over one connection.
type Muxer struct {
	mu       sync.Mutex
	sendChan chan *Segment
	recvChan map[uint16]chan *Segment
	doneChan chan bool
}

// NewMuxer returns a muxer whose connection ends when Stop is called.
func NewMuxer() *Muxer {
	return &Muxer{
		sendChan: make(chan *Segment, 10),
		recvChan: map[uint16]chan *Segment{},
		doneChan: make(chan bool),
	}
}

// RegisterProtocol returns the channels a protocol talks to the muxer on.
func (m *Muxer) RegisterProtocol(id uint16) (chan *Segment, chan *Segment, chan bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	recv := make(chan *Segment, 10)
	m.recvChan[id] = recv
	return m.sendChan, recv, m.doneChan
}

// Stop ends the connection.
func (m *Muxer) Stop() { close(m.doneChan) }

// Message is a decoded mini-protocol message.
type Message interface {
	Type() uint
	Cbor() []byte
}

// Agency says which side may send in a state.
type Agency int

const (
	AgencyNone Agency = iota
	AgencyClient
	AgencyServer
)

// Role is our side of the protocol.
type Role int

const (
	RoleClient Role = iota + 1
	RoleServer
)

// StateEntry is one state of the protocol's state machine.
type StateEntry struct {
	Agency      Agency
	Transitions map[uint]int
}

// Config configures a Protocol.
type Config struct {
	Name           string
	ProtocolID     uint16
	Role           Role
	Muxer          *Muxer
	ErrorChan      chan error
	StateMap       map[int]StateEntry
	InitialState   int
	MessageHandler func(Message) error
}

// Protocol is the shared machinery of every mini-protocol.
type Protocol struct {
	config        Config
	muxerSendChan chan *Segment
	muxerRecvChan chan *Segment
	muxerDoneChan chan bool
	state         int
	stateMutex    sync.Mutex
	sendQueueChan chan Message
	recvReadyChan chan bool
	sendReadyChan chan bool
	doneChan      chan bool
	waitGroup     sync.WaitGroup
	onceStart     sync.Once
}

// New returns a protocol that Start runs.
func New(config Config) *Protocol {
	return &Protocol{config: config, doneChan: make(chan bool)}
}

// Start registers with the muxer and starts the loops.
func (p *Protocol) Start() {
	p.onceStart.Do(func() {
		p.muxerSendChan, p.muxerRecvChan, p.muxerDoneChan = p.config.Muxer.RegisterProtocol(p.config.ProtocolID)
		p.sendQueueChan = make(chan Message, 50)
		p.recvReadyChan = make(chan bool, 1)
		p.sendReadyChan = make(chan bool, 1)
		// Clean up once the protocol is done.
		go func() {
			<-p.doneChan
			p.waitGroup.Wait()
			close(p.sendQueueChan)
			close(p.recvReadyChan)
			close(p.sendReadyChan)
		}()
		p.setState(p.config.InitialState)
		p.waitGroup.Add(2)
		go p.recvLoop()
		go p.sendLoop()
	})
}

// DoneChan is closed when the protocol shuts down.
func (p *Protocol) DoneChan() chan bool { return p.doneChan }

// SendMessage queues msg for the send loop.
func (p *Protocol) SendMessage(msg Message) error {
	p.sendQueueChan <- msg
	return nil
}

// SendError reports err to the connection's owner.
func (p *Protocol) SendError(err error) {
	select {
	case p.config.ErrorChan <- err:
	default:
	}
}

func (p *Protocol) sendLoop() {
	defer p.waitGroup.Done()
	for {
		select {
		case <-p.doneChan:
			return
		case <-p.sendReadyChan:
			// Our role has agency.
		}
		p.stateMutex.Lock()
		payload := bytes.NewBuffer(nil)
		var newState int
		for {
			var msg Message
			select {
			case <-p.doneChan:
				p.stateMutex.Unlock()
				return
			case m, ok := <-p.sendQueueChan:
				if !ok {
					p.stateMutex.Unlock()
					return
				}
				msg = m
			}
			payload.Write(msg.Cbor())
			next, err := p.nextState(msg)
			if err != nil {
				p.stateMutex.Unlock()
				p.SendError(err)
				return
			}
			newState = next
			if len(p.sendQueueChan) == 0 {
				break
			}
		}
		p.muxerSendChan <- &Segment{
			ProtocolID: p.config.ProtocolID,
			Payload:    payload.Bytes(),
			IsResponse: p.config.Role == RoleServer,
		}
		p.setState(newState)
		p.stateMutex.Unlock()
	}
}

func (p *Protocol) recvLoop() {
	defer p.waitGroup.Done()
	for {
		var seg *Segment
		select {
		case <-p.muxerDoneChan:
			close(p.doneChan)
			return
		case s, ok := <-p.muxerRecvChan:
			if !ok {
				close(p.doneChan)
				return
			}
			seg = s
		}
		select {
		case <-p.muxerDoneChan:
			close(p.doneChan)
			return
		case <-p.recvReadyChan:
		}
		if err := p.handleSegment(seg); err != nil {
			p.SendError(err)
			return
		}
	}
}

type rawMessage struct {
	typ  uint
	data []byte
}

func (m rawMessage) Type() uint   { return m.typ }
func (m rawMessage) Cbor() []byte { return m.data }

func (p *Protocol) handleSegment(seg *Segment) error {
	if len(seg.Payload) == 0 {
		return errors.New(p.config.Name + ": empty segment")
	}
	msg := rawMessage{typ: uint(seg.Payload[0]), data: seg.Payload}
	p.stateMutex.Lock()
	next, err := p.nextState(msg)
	if err != nil {
		p.stateMutex.Unlock()
		return err
	}
	p.setState(next)
	p.stateMutex.Unlock()
	return p.config.MessageHandler(msg)
}

func (p *Protocol) nextState(msg Message) (int, error) {
	next, ok := p.config.StateMap[p.state].Transitions[msg.Type()]
	if !ok {
		return 0, fmt.Errorf("%s: message %d not allowed in state %d", p.config.Name, msg.Type(), p.state)
	}
	return next, nil
}

// setState moves to state and hands the agency token to the loop that
// may now act.
func (p *Protocol) setState(state int) {
	p.state = state
	switch p.config.StateMap[state].Agency {
	case AgencyClient:
		if p.config.Role == RoleClient {
			p.sendReadyChan <- true
		} else {
			p.recvReadyChan <- true
		}
	case AgencyServer:
		if p.config.Role == RoleServer {
			p.sendReadyChan <- true
		} else {
			p.recvReadyChan <- true
		}
	}
}

// KeepAlive is a client that pings the peer through a Protocol.
type KeepAlive struct {
	*Protocol
	cookie uint16
}

// NewKeepAlive returns a keep-alive client whose first state gives the
// client agency.
func NewKeepAlive(m *Muxer, errs chan error) *KeepAlive {
	k := &KeepAlive{}
	k.Protocol = New(Config{
		Name:       "keep-alive",
		ProtocolID: 8,
		Role:       RoleClient,
		Muxer:      m,
		ErrorChan:  errs,
		StateMap: map[int]StateEntry{
			0: {Agency: AgencyClient, Transitions: map[uint]int{0: 1}},
			1: {Agency: AgencyServer, Transitions: map[uint]int{1: 0}},
		},
		MessageHandler: func(Message) error { return nil },
	})
	return k
}

// Run starts the client and closes the connection: the send loop holds
// the agency token with nothing queued when the muxer stops.
func Run() {
	m := NewMuxer()
	k := NewKeepAlive(m, make(chan error, 1))
	k.Start()
	m.Stop()
	<-k.DoneChan()
}
