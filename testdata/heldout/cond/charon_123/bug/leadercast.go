// Package bug is a held-out kernel (issue 14): a naive consensus
// component whose duty resolvers wait on one sync.Cond for their own
// duty's data, and whose receive loop wakes them with Signal; when two
// resolvers wait for different duties, the Signal may wake the one whose
// data did not arrive, and the other sleeps for ever.
//
// Upstream: ObolNetwork/charon#123 ("cluster/leadercast: fix synchronisation bug")
// Round: 7
//
// Bug: the PR: "If multiple goroutines were waiting on the condition,
// only a single one is woken up by sync.Cond.Signal(), if the message that
// arrived was for the other goroutine, then one of the two goroutines will
// get stuck forever. All goroutines should be woken up to check if it was
// their message that arrived, not just one." Start receives each leader
// message from the transport, stores it by duty under mu and calls
// Signal; ResolveDuty (on a non-leader) waits in a loop on the Cond until
// its duty's data is in the map. The Cond-based code is our
// reconstruction from that description; the transport, duty type and
// leader election follow the later leadercast.go; the stopped flag that
// releases resolvers when Start returns is ours.
//
// Fix: upstream replaced the Cond by a map of one-slot channels, one per
// duty. Our fixed version takes the smaller fix the PR states, waking
// every waiter (Broadcast), and keeps the rest unchanged.
package bug

import (
	"context"
	"errors"
	"sync"
)

// DutyType is the kind of a validator duty.
type DutyType int

// Duty is one validator duty at a slot.
type Duty struct {
	Slot int
	Type DutyType
}

// Transport carries the leader's broadcasts.
type Transport interface {
	Broadcast(ctx context.Context, source int, d Duty, data []byte) error
	AwaitNext(ctx context.Context) (source int, d Duty, data []byte, err error)
}

// LeaderCast resolves each duty to the data its leader proposes.
type LeaderCast struct {
	total     int
	index     int
	transport Transport

	mu      sync.Mutex
	cond    *sync.Cond
	data    map[Duty][]byte
	stopped bool
	stop    context.CancelFunc
}

// New returns a LeaderCast for node index of total.
func New(transport Transport, index, total int) *LeaderCast {
	l := &LeaderCast{total: total, index: index, transport: transport, data: make(map[Duty][]byte), stop: func() {}}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// Start receives the leaders' messages until Stop.
func (l *LeaderCast) Start() error {
	ctx, cancel := context.WithCancel(context.Background())
	l.stop = cancel
	for {
		source, duty, data, err := l.transport.AwaitNext(ctx)
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			l.mu.Lock()
			l.stopped = true
			l.cond.Broadcast()
			l.mu.Unlock()
			return nil
		} else if err != nil {
			continue
		}
		if !isLeader(source, l.total, duty) {
			continue
		}
		l.mu.Lock()
		l.data[duty] = data
		l.cond.Signal() // heldout:site
		l.mu.Unlock()
	}
}

// Stop stops Start.
func (l *LeaderCast) Stop() {
	l.stop()
}

// ResolveDuty returns the leader's data for duty, broadcasting it if
// this node is the leader.
func (l *LeaderCast) ResolveDuty(ctx context.Context, duty Duty, data []byte) ([]byte, error) {
	if isLeader(l.index, l.total, duty) {
		if err := l.transport.Broadcast(ctx, l.index, duty, data); err != nil {
			return nil, err
		}
		return data, nil
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		if d, ok := l.data[duty]; ok {
			delete(l.data, duty)
			return d, nil
		}
		if l.stopped {
			return nil, errors.New("leadercast stopped")
		}
		l.cond.Wait() // heldout:site
	}
}

func isLeader(index, total int, d Duty) bool {
	return (d.Slot+int(d.Type))%total == index
}
