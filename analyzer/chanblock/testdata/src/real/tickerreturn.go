package real

import (
	"log"
	"sync"
	"time"
)

// Upstream: showwin/speedtest-go#142. A rateSampler starts a goroutine that
// ranges over a ticker's channel and returns the ticker; the test handler
// gets it through a func parameter bound to method values and stops it
// when the test ends. Stop does not close C, so every test leaves a
// rateSampler goroutine behind. Fix: the handler also closes a stop channel
// the rateSampler selects on.
type rateSampler struct {
	mu      sync.Mutex
	total   int64
	samples []int64
}

func (s *rateSampler) capture(every time.Duration) *time.Ticker {
	t := time.NewTicker(every)
	go func() {
		for range t.C { // want `this goroutine waits on the ticker's channel in a loop it never leaves, and the ticker is stopped at line \d+`
			s.mu.Lock()
			s.samples = append(s.samples, s.total)
			s.mu.Unlock()
		}
	}()
	return t
}

func (s *rateSampler) downloadCapture() *time.Ticker { return s.capture(time.Second) }

func (s *rateSampler) runTest(captureFunc func() *time.Ticker, d time.Duration) {
	ticker := captureFunc()
	time.AfterFunc(d, func() {
		ticker.Stop()
	})
}

func (s *rateSampler) Download(d time.Duration) { s.runTest(s.downloadCapture, d) }

// The fix: the rateSampler also watches a stop channel its caller closes.
func (s *rateSampler) captureFixed(every time.Duration, stop chan struct{}) *time.Ticker {
	t := time.NewTicker(every)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.mu.Lock()
				s.samples = append(s.samples, s.total)
				s.mu.Unlock()
			}
		}
	}()
	return t
}

func (s *rateSampler) DownloadFixed(d time.Duration) {
	stop := make(chan struct{})
	t := s.captureFixed(time.Second, stop)
	time.AfterFunc(d, func() {
		t.Stop()
		close(stop)
	})
}

// A variant: a plain function returns the ticker, a wrapper passes it on,
// and the caller defers the Stop.
func tickHeartbeat(every time.Duration, beat func()) *time.Ticker {
	t := time.NewTicker(every)
	go func(t *time.Ticker) {
		for range t.C { // want `the ticker is stopped at line \d+`
			beat()
		}
	}(t)
	return t
}

func defaultTickHeartbeat() *time.Ticker {
	return tickHeartbeat(time.Second, func() { log.Print("beat") })
}

func serveOnceBeating(work func()) {
	t := defaultTickHeartbeat()
	defer t.Stop()
	work()
}

// Look-alike that must stay silent: a returned ticker nobody stops (the
// goroutine lives as long as the process, by design).
func tickPulse(every time.Duration) *time.Ticker {
	t := time.NewTicker(every)
	go func() {
		for range t.C {
			log.Print("pulse")
		}
	}()
	return t
}

func startTickPulse() { _ = tickPulse(time.Minute) }
