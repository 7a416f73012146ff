package real

import (
	"errors"
	"fmt"
	"sync"
)

// go/ssa gives every function with a defer a Recover block. A deferred
// call that cannot recover (wg.Done, a log line) is no other way out: the
// checks below must still see the goroutine or the function (ours).

func prepare(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	return nil
}

// An early return of the only sender, which defers wg.Done.
func startCounted(wg *sync.WaitGroup, s string) {
	done := make(chan bool)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := prepare(s); err != nil {
			return
		}
		done <- true
	}()
	<-done // want `startCounted waits here for the goroutine started at line \d+, but that goroutine can return at line \d+ without sending on or closing the channel`
}

func mustPrepare(s string) {
	if err := prepare(s); err != nil {
		panic(err)
	}
}

// Look-alike: the goroutine really recovers, and its recovering deferred
// call sends on the channel: no path leaves it silent.
func startRecovering(s string) {
	done := make(chan bool)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- false
			}
		}()
		mustPrepare(s)
		done <- true
	}()
	<-done
}

// Look-alike: a deferred close covers the early return.
func startClosing(wg *sync.WaitGroup, s string) {
	done := make(chan bool)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		if err := prepare(s); err != nil {
			return
		}
	}()
	<-done
}

// A semaphore slot not given back on an error return, in a handler that
// defers wg.Done.
type gate struct {
	slots chan struct{}
	wg    sync.WaitGroup
}

func newGate() *gate { return &gate{slots: make(chan struct{}, 2)} }

func (g *gate) Serve(req string) error {
	g.wg.Add(1)
	defer g.wg.Done()
	g.slots <- struct{}{} // want `the token this send takes from field slots of gate \(a semaphore of 2\) is not given back on the path to the return at line \d+`
	if err := prepare(req); err != nil {
		return err
	}
	<-g.slots
	return nil
}

// Look-alike: the release is deferred before the acquire.
type gateEarly struct {
	slots chan struct{}
}

func newGateEarly() *gateEarly { return &gateEarly{slots: make(chan struct{}, 2)} }

func (g *gateEarly) Serve(req string) error {
	acquired := false
	defer func() {
		if acquired {
			<-g.slots
		}
	}()
	g.slots <- struct{}{}
	acquired = true
	if err := prepare(req); err != nil {
		return err
	}
	if req == "quick" {
		// Give the slot back early, before the slow part.
		<-g.slots
		acquired = false
	}
	fmt.Println(req)
	return nil
}

// Look-alike: the handler really recovers, and its recovering deferred
// call gives the slot back on the panic; the normal path releases it.
type gateRecover struct {
	slots chan struct{}
}

func newGateRecover() *gateRecover { return &gateRecover{slots: make(chan struct{}, 2)} }

func (g *gateRecover) Serve(req string) (err error) {
	g.slots <- struct{}{}
	defer func() {
		if r := recover(); r != nil {
			<-g.slots
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	mustPrepare(req)
	<-g.slots
	return nil
}

// The icm-services kernel (semaphore.go) again, with an issue that defers
// wg.Done: its failing return still holds the slot.
type signerCounted struct {
	queued   chan struct{}
	messages chan txData
	wg       sync.WaitGroup
}

func newSignerCounted(n int) *signerCounted {
	return &signerCounted{queued: make(chan struct{}, n), messages: make(chan txData)}
}

func (s *signerCounted) Send(to string) error {
	m := txData{to: to, result: make(chan error, 1)}
	s.messages <- m
	return <-m.result
}

func (s *signerCounted) processIncoming() {
	for {
		s.queued <- struct{}{} // want `the token this send takes from field queued of signerCounted \(a semaphore\) is not given back on the path to this send again, in the next iteration of the loop`
		m := <-s.messages
		if err := s.issue(m); err != nil {
			m.result <- err
		}
	}
}

func (s *signerCounted) issue(m txData) error {
	s.wg.Add(1)
	defer s.wg.Done()
	if m.to == "" {
		return errors.New("failed to sign")
	}
	go s.waitForReceipt(m)
	return nil
}

func (s *signerCounted) waitForReceipt(m txData) {
	<-s.queued
	m.result <- nil
}

// Look-alike: issue really recovers, and its recovering deferred call
// gives the slot back when signing panics.
type signerRecover struct {
	queued   chan struct{}
	messages chan txData
}

func newSignerRecover(n int) *signerRecover {
	return &signerRecover{queued: make(chan struct{}, n), messages: make(chan txData)}
}

func (s *signerRecover) Send(to string) error {
	m := txData{to: to, result: make(chan error, 1)}
	s.messages <- m
	return <-m.result
}

func (s *signerRecover) processIncoming() {
	for {
		s.queued <- struct{}{}
		m := <-s.messages
		if err := s.issue(m); err != nil {
			m.result <- err
		}
	}
}

func (s *signerRecover) issue(m txData) (err error) {
	defer func() {
		if r := recover(); r != nil {
			<-s.queued
			err = fmt.Errorf("sign: %v", r)
		}
	}()
	mustPrepare(m.to)
	go s.waitForReceipt(m)
	return nil
}

func (s *signerRecover) waitForReceipt(m txData) {
	<-s.queued
	m.result <- nil
}
