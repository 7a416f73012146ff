package real

import (
	"errors"
	"fmt"
)

type txData struct {
	to     string
	result chan error
}

// Upstream: ava-labs/icm-services#997
//
// Bug: a signer's worker loop takes a slot of a semaphore channel (the
// mempool limit per account) before each message, and issueTransaction,
// when it succeeds, hands the slot to a goroutine that waits for the
// receipt and releases it. When issueTransaction failed, the loop
// reported the error and went round again without releasing the slot:
// after as many failures as the buffer holds, the worker blocked forever
// on the acquire. Fix: release the slot on the error path.
type signer struct {
	queued   chan struct{}
	messages chan txData
}

func newSigner(n int) *signer {
	return &signer{queued: make(chan struct{}, n), messages: make(chan txData)}
}

// Send queues a transaction and waits for its result.
func (s *signer) Send(to string) error {
	m := txData{to: to, result: make(chan error, 1)}
	s.messages <- m
	return <-m.result
}

func (s *signer) processIncoming() {
	for {
		s.queued <- struct{}{} // want `the token this send takes from field queued of signer \(a semaphore\) is not given back on the path to this send again, in the next iteration of the loop`
		m := <-s.messages
		if err := s.issue(m); err != nil {
			m.result <- err
		}
	}
}

func (s *signer) issue(m txData) error {
	if m.to == "" {
		return errors.New("failed to sign")
	}
	go s.waitForReceipt(m)
	return nil
}

func (s *signer) waitForReceipt(m txData) {
	<-s.queued
	m.result <- nil
}

type signerFixed struct {
	queued   chan struct{}
	messages chan txData
}

func newSignerFixed(n int) *signerFixed {
	return &signerFixed{queued: make(chan struct{}, n), messages: make(chan txData)}
}

// Send queues a transaction and waits for its result.
func (s *signerFixed) Send(to string) error {
	m := txData{to: to, result: make(chan error, 1)}
	s.messages <- m
	return <-m.result
}

func (s *signerFixed) processIncoming() {
	for {
		s.queued <- struct{}{}
		m := <-s.messages
		if err := s.issue(m); err != nil {
			<-s.queued
			m.result <- err
		}
	}
}

func (s *signerFixed) issue(m txData) error {
	if m.to == "" {
		return errors.New("failed to sign")
	}
	go s.waitForReceipt(m)
	return nil
}

func (s *signerFixed) waitForReceipt(m txData) {
	<-s.queued
	m.result <- nil
}

// A variant of the icm-services kernel within one function (ours): a
// handler takes a slot and returns an error before the release.
type slotLimiter struct {
	slots chan struct{}
}

func newSlotLimiter() *slotLimiter { return &slotLimiter{slots: make(chan struct{}, 4)} }

func (l *slotLimiter) Handle(req string) error {
	l.slots <- struct{}{} // want `the token this send takes from field slots of slotLimiter \(a semaphore of 4\) is not given back on the path to the return at line \d+`
	if req == "" {
		return errors.New("empty request")
	}
	fmt.Println(req)
	<-l.slots
	return nil
}

type slotLimiterFixed struct {
	slots chan struct{}
}

func newSlotLimiterFixed() *slotLimiterFixed { return &slotLimiterFixed{slots: make(chan struct{}, 4)} }

func (l *slotLimiterFixed) Handle(req string) error {
	l.slots <- struct{}{}
	defer func() { <-l.slots }()
	if req == "" {
		return errors.New("empty request")
	}
	fmt.Println(req)
	return nil
}

// An acquire helper holds the token on purpose: its callers release it.
type tokenPool struct {
	tokens chan struct{}
}

func newTokenPool() *tokenPool { return &tokenPool{tokens: make(chan struct{}, 2)} }

func (p *tokenPool) acquire() { p.tokens <- struct{}{} }

func (p *tokenPool) release() { <-p.tokens }

// TryAcquire-like: the token is held on the success return by design.
func (p *tokenPool) take(ok bool) bool {
	p.tokens <- struct{}{}
	if !ok {
		<-p.tokens
		return false
	}
	return true
}

// A local semaphore whose slot a skipped item never gives back (ours):
// the goroutine releases it, but "continue" skips the go statement.
func fetchAll(urls []string) {
	sem := make(chan struct{}, 3)
	for _, u := range urls {
		sem <- struct{}{} // want `the token this send takes from this channel \(a semaphore of 3\) is not given back on the path to this send again`
		if u == "" {
			continue
		}
		go func(u string) {
			defer func() { <-sem }()
			fmt.Println(u)
		}(u)
	}
}

func fetchAllFixed(urls []string) {
	sem := make(chan struct{}, 3)
	for _, u := range urls {
		if u == "" {
			continue
		}
		sem <- struct{}{}
		go func(u string) {
			defer func() { <-sem }()
			fmt.Println(u)
		}(u)
	}
}

// runtime's BenchmarkChanUncontended: a counted loop fills the buffer and
// the next loop drains it; no token is lost.
func fillThenDrain(next func() bool) {
	const c = 100
	ch := make(chan int, c)
	for next() {
		for i := 0; i < c; i++ {
			ch <- 0
		}
		for i := 0; i < c; i++ {
			<-ch
		}
	}
}
