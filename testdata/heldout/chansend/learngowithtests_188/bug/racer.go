// Package bug is a held-out kernel (issue 14): a racer that pings two URLs
// and returns the first to answer, leaving the loser's goroutine blocked
// on an unbuffered send.
//
// Upstream: quii/learn-go-with-tests#188 ("fix: avoid goroutine leak")
// Round: 4
//
// Bug: ping starts a goroutine that fetches the URL and then sends true on
// an unbuffered channel. Racer selects on both pings and a timeout and
// returns on the first case ready; the other ping's goroutine (or both,
// after the timeout) blocks on its send forever, since nothing receives
// from its channel again.
//
// Fix: ping's channel is a chan struct{} that the goroutine closes, which
// never blocks.
package bug

import (
	"fmt"
	"net/http"
	"time"
)

var tenSecondTimeout = 10 * time.Second

// Racer compares the response times of a and b, returning the fastest one,
// erroring if neither responds within 10s.
func Racer(a, b string) (winner string, err error) {
	return ConfigurableRacer(a, b, tenSecondTimeout)
}

// ConfigurableRacer is Racer with a timeout of the caller's choosing.
func ConfigurableRacer(a, b string, timeout time.Duration) (winner string, err error) {
	select {
	case <-ping(a):
		return a, nil // heldout:site
	case <-ping(b):
		return b, nil // heldout:site
	case <-time.After(timeout):
		return "", fmt.Errorf("timed out waiting for %s and %s", a, b) // heldout:site
	}
}

func ping(url string) chan bool {
	ch := make(chan bool)
	go func() {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
		}
		ch <- true // heldout:site
	}()
	return ch
}
