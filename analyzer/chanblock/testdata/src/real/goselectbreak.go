package real

import (
	"sync"
	"time"
)

// Upstream: ontio/ontology#1106. Stop sends one quit signal to the
// heartbeat goroutine, whose quit case stops the ticker and breaks: the
// break leaves only the select, so the goroutine selects again, on a
// stopped ticker and a signal sent once, and never exits. Fix: return.
type p2pServer struct {
	quitHeartBeat chan bool
	peers         int
}

func newP2PServer() *p2pServer {
	s := &p2pServer{quitHeartBeat: make(chan bool)}
	go s.heartBeatService()
	return s
}

func (s *p2pServer) Stop() {
	s.quitHeartBeat <- true
}

func (s *p2pServer) heartBeatService() {
	t := time.NewTicker(time.Second)
	for {
		select { // want `the goroutine started at line \d+ never exits: no path leaves its loop; a break inside a select or switch ends only that statement; after the stop signal Stop sends on quitHeartBeat, it selects here again, forever \(the break at line \d+ leaves only this select\)`
		case <-t.C:
			s.peers++
		case <-s.quitHeartBeat:
			t.Stop()
			break
		}
	}
}

type p2pServerFixed struct {
	quitHeartBeat chan bool
	peers         int
}

func newP2PServerFixed() *p2pServerFixed {
	s := &p2pServerFixed{quitHeartBeat: make(chan bool)}
	go s.heartBeatService()
	return s
}

func (s *p2pServerFixed) Stop() { s.quitHeartBeat <- true }

func (s *p2pServerFixed) heartBeatService() {
	t := time.NewTicker(time.Second)
	for {
		select {
		case <-t.C:
			s.peers++
		case <-s.quitHeartBeat:
			t.Stop()
			return
		}
	}
}

// The same mistake in a function literal on a package variable that a
// shutdown closes.
var (
	flushQuit = make(chan struct{})
	flushMu   sync.Mutex
	flushed   int
)

func startQuitFlusher(work <-chan int) {
	go func() {
		for {
			select { // want `the goroutine started at line \d+ never exits: .* after the stop signal shutdownQuitFlusher sends on flushQuit`
			case n := <-work:
				flushMu.Lock()
				flushed += n
				flushMu.Unlock()
			case <-flushQuit:
				flushMu.Lock()
				flushed = 0
				flushMu.Unlock()
				break
			}
		}
	}()
}

func shutdownQuitFlusher() { close(flushQuit) }

// Look-alike: the loop is labelled and the break leaves it.
type labelled struct{ quit chan struct{} }

func newLabelled() *labelled { return &labelled{quit: make(chan struct{})} }

func (l *labelled) Start() {
	go func() {
	loop:
		for {
			select {
			case <-l.quit:
				break loop
			case <-time.After(time.Second):
			}
		}
	}()
}

func (l *labelled) Stop() { close(l.quit) }

// Look-alike: a redundant break on a channel nothing in the package
// signals (a tick source handed in); the goroutine serves for ever on
// purpose.
type ticking struct {
	tick  chan struct{}
	count int
}

func newTicking(tick chan struct{}) *ticking { return &ticking{tick: tick} }

func (t *ticking) Start() {
	go func() {
		for {
			select {
			case <-t.tick:
				t.count++
				break
			}
		}
	}()
}

// Look-alike: another case returns, so the loop has a way out.
type withExit struct {
	quit, done chan struct{}
}

func newWithExit() *withExit {
	return &withExit{quit: make(chan struct{}), done: make(chan struct{})}
}

func (w *withExit) Start() {
	go func() {
		for {
			select {
			case <-w.quit:
				break
			case <-w.done:
				return
			}
		}
	}()
}

func (w *withExit) Stop() { close(w.quit); close(w.done) }
