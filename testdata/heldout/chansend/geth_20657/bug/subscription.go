// Package bug is a held-out kernel (issue 14): a helper goroutine's send of
// its result on an unbuffered channel whose receiver selected another case.
//
// Upstream: ethereum/go-ethereum#20657 ("event, p2p/simulations/adapters: use buffered channel to avoid goroutine leak")
// Round: 2
//
// Bug: resubscribeSub.subscribe runs the subscription function in a
// goroutine that reports on the unbuffered subscribed channel, and selects
// between that and s.unsub. When Unsubscribe wins, subscribe returns and
// the goroutine blocks forever on "subscribed <- err".
//
// Fix: the PR's first version gave subscribed a buffer of one (hence its
// title); on review fjl asked to wait on subscribed instead, and
// event/subscription.go since keeps it unbuffered and has the unsub case
// receive the goroutine's result ("<-subscribed // avoid leaking the s.fn
// goroutine.").
package bug

import (
	"context"
	"sync"
	"time"
)

// Subscription is an event subscription.
type Subscription interface {
	Err() <-chan error
	Unsubscribe()
}

// ResubscribeFunc attempts to establish a subscription.
type ResubscribeFunc func(context.Context) (Subscription, error)

type resubscribeSub struct {
	fn                   ResubscribeFunc
	err                  chan error
	unsub                chan struct{}
	unsubOnce            sync.Once
	lastTry              time.Time
	waitTime, backoffMax time.Duration
}

// Resubscribe calls fn repeatedly to keep a subscription established,
// backing off between attempts.
func Resubscribe(backoffMax time.Duration, fn ResubscribeFunc) Subscription {
	s := &resubscribeSub{
		waitTime:   backoffMax / 10,
		backoffMax: backoffMax,
		fn:         fn,
		err:        make(chan error),
		unsub:      make(chan struct{}),
	}
	go s.loop()
	return s
}

// Err is closed when the resubscription loop ends.
func (s *resubscribeSub) Err() <-chan error {
	return s.err
}

func (s *resubscribeSub) loop() {
	defer close(s.err)
	for {
		sub := s.subscribe()
		if sub == nil {
			return
		}
		select {
		case <-sub.Err():
			sub.Unsubscribe()
		case <-s.unsub:
			sub.Unsubscribe()
			return
		}
	}
}

// Unsubscribe stops the resubscription loop.
func (s *resubscribeSub) Unsubscribe() {
	s.unsubOnce.Do(func() {
		s.unsub <- struct{}{}
		<-s.err
	})
}

func (s *resubscribeSub) backoffWait() bool {
	if time.Since(s.lastTry) > s.backoffMax {
		s.waitTime = s.backoffMax / 10
	} else {
		s.waitTime *= 2
		if s.waitTime > s.backoffMax {
			s.waitTime = s.backoffMax
		}
	}
	t := time.NewTimer(s.waitTime)
	defer t.Stop()
	select {
	case <-t.C:
		return false
	case <-s.unsub:
		return true
	}
}

func (s *resubscribeSub) subscribe() Subscription {
	subscribed := make(chan error)
	var sub Subscription
	for {
		s.lastTry = time.Now()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			rsub, err := s.fn(ctx)
			sub = rsub
			subscribed <- err // heldout:site
		}()
		select {
		case err := <-subscribed:
			cancel()
			if err == nil {
				return sub
			}
			if s.backoffWait() {
				return nil
			}
		case <-s.unsub:
			cancel()
			return nil // heldout:site
		}
	}
}
