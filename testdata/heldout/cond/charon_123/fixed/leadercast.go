// Package fixed is the fixed version of cond/charon_123: the receive
// loop wakes every resolver, each of which checks for its own duty.
package fixed

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
		l.cond.Broadcast()
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
		l.cond.Wait()
	}
}

func isLeader(index, total int, d Duty) bool {
	return (d.Slot+int(d.Type))%total == index
}
