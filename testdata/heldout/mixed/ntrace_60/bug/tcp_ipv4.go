// Package bug is a held-out kernel (issue 14): NextTrace's TCP tracer,
// whose send goroutine registers an unbuffered channel for its probe's
// sequence number and gives up after Timeout; an ICMP reply arriving
// after that is handed over by the listener under inflightRequestLock,
// and the send on the channel nobody reads blocks with the lock held.
// Every later probe then blocks on the lock before it can call wg.Done,
// and Execute waits on the WaitGroup for ever.
//
// Upstream: nxtrace/NTrace-dev#60 ("[bugfix] fix inflightRequestLock deadlock in tcp/udp tracing", also nxtrace/NTrace-core#248)
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: the PR: "TCPTracer.send() make a channel without buffer which is
// used to receive the result hop. However, when send() is timeout, the
// func returns. So there will be no receivers to receive the channel ...
// The result hop sended to the channel after timeout will block forever
// too. And the inflightRequestLock never unlocks, causing all the send()
// goroutines blocked forever and the waitgroup will never done." The
// tracer (inflightRequest map and lock, WaitGroup, semaphore, final hop),
// Execute, listenICMP/handleICMPMessage and send follow
// trace/tcp_ipv4.go; raw sockets and packet parsing are reduced to a
// channel of replies carrying the probe's sequence number, and the
// semaphore to a buffered channel.
//
// Fix: the per-probe channel gets a buffer of one, so a late reply is
// left in it and the listener goes on.
package bug

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrHopLimitTimeout is recorded for a hop that did not answer in time.
var ErrHopLimitTimeout = errors.New("hop timeout")

// Hop is one hop's answer.
type Hop struct {
	Success bool
	Address string
	TTL     int
	RTT     time.Duration
	Error   error
}

// Result collects the hops.
type Result struct {
	mu   sync.Mutex
	Hops []Hop
}

func (r *Result) add(h Hop) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Hops = append(r.Hops, h)
}

// ReceivedMessage is an ICMP reply quoting a probe's TCP sequence number.
type ReceivedMessage struct {
	Peer string
	Seq  int
}

// Network sends probes and delivers replies.
type Network interface {
	Probe(ctx context.Context, ttl, seq int)
	Messages() <-chan ReceivedMessage
}

// Config is the tracer's configuration.
type Config struct {
	BeginHop, MaxHops, NumMeasurements, ParallelRequests int
	Timeout                                              time.Duration
	Net                                                  Network
}

// TCPTracer traces the route with TCP SYN probes.
type TCPTracer struct {
	Config
	wg                  sync.WaitGroup
	res                 Result
	ctx                 context.Context
	inflightRequest     map[int]chan Hop
	inflightRequestLock sync.Mutex
	final               int
	finalLock           sync.Mutex
	sem                 chan struct{}
	nextSeq             int
}

// Execute probes every hop and waits for the answers.
func (t *TCPTracer) Execute() (*Result, error) {
	var cancel context.CancelFunc
	t.ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	t.inflightRequestLock.Lock()
	t.inflightRequest = make(map[int]chan Hop)
	t.inflightRequestLock.Unlock()
	t.final = -1

	go t.listenICMP()

	t.sem = make(chan struct{}, t.ParallelRequests)
	for ttl := t.BeginHop; ttl <= t.MaxHops; ttl++ {
		for i := 0; i < t.NumMeasurements; i++ {
			t.wg.Add(1)
			t.nextSeq++
			go t.send(ttl, t.nextSeq)
		}
		time.Sleep(time.Millisecond)
	}
	t.wg.Wait() // heldout:site
	return &t.res, nil
}

func (t *TCPTracer) listenICMP() {
	for {
		select {
		case <-t.ctx.Done():
			return
		case msg := <-t.Net.Messages():
			t.handleICMPMessage(msg)
		}
	}
}

func (t *TCPTracer) handleICMPMessage(msg ReceivedMessage) {
	t.inflightRequestLock.Lock()
	defer t.inflightRequestLock.Unlock()
	ch, ok := t.inflightRequest[msg.Seq]
	if !ok {
		return
	}
	ch <- Hop{Success: true, Address: msg.Peer} // heldout:site
}

func (t *TCPTracer) send(ttl, seq int) error {
	t.sem <- struct{}{}
	defer func() { <-t.sem }()
	defer t.wg.Done()

	start := time.Now()
	t.Net.Probe(t.ctx, ttl, seq)

	t.inflightRequestLock.Lock() // heldout:site
	hopCh := make(chan Hop)      // heldout:site
	t.inflightRequest[seq] = hopCh
	t.inflightRequestLock.Unlock()

	select {
	case <-t.ctx.Done():
		return nil
	case h := <-hopCh:
		t.finalLock.Lock()
		if h.Address == "dest" && (t.final == -1 || ttl < t.final) {
			t.final = ttl
		}
		t.finalLock.Unlock()
		h.TTL = ttl
		h.RTT = time.Since(start)
		t.res.add(h)
	case <-time.After(t.Timeout):
		t.res.add(Hop{TTL: ttl, Error: ErrHopLimitTimeout})
	}
	return nil
}

// slowRouter answers every probe after a delay.
type slowRouter struct {
	delay time.Duration
	msgs  chan ReceivedMessage
}

func (r *slowRouter) Probe(ctx context.Context, ttl, seq int) {
	go func() {
		select {
		case <-time.After(r.delay):
		case <-ctx.Done():
			return
		}
		select {
		case r.msgs <- ReceivedMessage{Peer: "router", Seq: seq}:
		case <-ctx.Done():
		}
	}()
}

func (r *slowRouter) Messages() <-chan ReceivedMessage { return r.msgs }

// Trace runs a trace through a router slower than the timeout.
func Trace() (*Result, error) {
	t := &TCPTracer{Config: Config{
		BeginHop: 1, MaxHops: 3, NumMeasurements: 1, ParallelRequests: 1,
		Timeout: 10 * time.Millisecond,
		Net:     &slowRouter{delay: 15 * time.Millisecond, msgs: make(chan ReceivedMessage)},
	}}
	return t.Execute()
}
