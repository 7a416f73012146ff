package real

import (
	"sync"
	"time"
)

// Upstream: nanomsg/mangos-v1#48. Close lingers until the write queue
// has drained or the linger time has passed, in a for/select loop whose
// cases end in break; a break in a select leaves only the select, so the
// loop selects again on a timer that has fired and a signal sent once,
// and Close never returns. Fix: label the loop and break to the label.
type lingerSock struct {
	mu      sync.Mutex
	drained chan struct{}
	linger  time.Duration
}

func (s *lingerSock) waitLinger() {
	tq := time.After(s.linger)
	for {
		select { // want `waitLinger never returns, so its caller at line \d+ waits for it forever: no path leaves its loop; a break inside a select or switch ends only that statement \(the break at line \d+ leaves only this select\)`
		case <-tq:
			break
		case <-s.drained:
			break
		}
	}
}

func (s *lingerSock) Close() {
	s.waitLinger()
	s.mu.Lock()
	defer s.mu.Unlock()
}

type lingerSockFixed struct {
	drained chan struct{}
	linger  time.Duration
}

func (s *lingerSockFixed) waitLinger() {
	tq := time.After(s.linger)
loop:
	for {
		select {
		case <-tq:
			break loop
		case <-s.drained:
			break loop
		}
	}
}

func (s *lingerSockFixed) Close() { s.waitLinger() }

// The same mistake written differently: a function literal run in place
// polls with a timer and a result channel, each case doing work before
// its break.
func awaitReady(ready <-chan bool, timeout time.Duration) bool {
	ok := false
	wait := func() {
		t := time.NewTimer(timeout)
		defer t.Stop()
		for {
			select { // want `never returns, so its caller at line \d+ waits for it forever`
			case ok = <-ready:
				break
			case <-t.C:
				ok = false
				break
			}
		}
	}
	wait()
	return ok
}

// Look-alike that must stay silent: a break ends a case, but another
// case returns, so the loop has a way out.
func (s *lingerSock) pump(in <-chan int, stop <-chan struct{}) {
	for {
		select {
		case v := <-in:
			if v < 0 {
				break
			}
			_ = v
			break
		case <-stop:
			return
		}
	}
}

func (s *lingerSock) Run(in <-chan int, stop <-chan struct{}) { s.pump(in, stop) }

// Look-alike that must stay silent: a forever loop with a redundant
// break, started only as a goroutine (a server loop for the life of the
// process); nothing waits for it to return.
func (s *lingerSock) serveForever(in <-chan int) {
	for {
		select {
		case v := <-in:
			_ = v
			break
		}
	}
}

func (s *lingerSock) Start(in <-chan int) { go s.serveForever(in) }
