package real

import (
	"errors"
	"fmt"
	"log"
	"sync"
)

// Upstream: Michad/tilegroxy#863. A compositing provider starts one
// goroutine per child, each sending an image and an error, and after the
// WaitGroup reads one image and one error per child; a child that fails
// sends only the error, so the image loop takes one value too many and
// blocks forever with the request. Fix: every path sends one image (nil
// on failure) and one error.
type tileImage []byte

type tileSource interface {
	Tile(z, x, y int) (*tileImage, error)
}

var errNoTile = errors.New("no tile")

func renderChild(wg *sync.WaitGroup, imgs chan *tileImage, errs chan error, s tileSource, z, x, y int) {
	defer wg.Done()
	defer func() {
		if r := recover(); r != nil {
			errs <- fmt.Errorf("child panicked: %v", r)
		}
	}()
	img, err := s.Tile(z, x, y)
	if img != nil {
		imgs <- img
	} else if err == nil {
		err = errNoTile
	}
	errs <- err
}

func composite(srcs []tileSource, z, x, y int) ([]*tileImage, error) {
	imgs := make(chan *tileImage, len(srcs))
	errs := make(chan error, len(srcs))
	var wg sync.WaitGroup
	for _, s := range srcs {
		wg.Add(1)
		go renderChild(&wg, imgs, errs, s, z, x, y)
	}
	wg.Wait()
	var all []error
	out := make([]*tileImage, len(srcs))
	for i := range srcs {
		all = append(all, <-errs)
		out[i] = <-imgs // want `this loop receives one value per goroutine started at line \d+, but that goroutine can return at line \d+ without sending on the channel`
	}
	return out, errors.Join(all...)
}

func renderChildFixed(wg *sync.WaitGroup, imgs chan *tileImage, errs chan error, s tileSource, z, x, y int) {
	defer wg.Done()
	defer func() {
		if r := recover(); r != nil {
			imgs <- nil
			errs <- fmt.Errorf("child panicked: %v", r)
		}
	}()
	img, err := s.Tile(z, x, y)
	if img == nil && err == nil {
		err = errNoTile
	}
	imgs <- img
	errs <- err
}

func compositeFixed(srcs []tileSource, z, x, y int) ([]*tileImage, error) {
	imgs := make(chan *tileImage, len(srcs))
	errs := make(chan error, len(srcs))
	var wg sync.WaitGroup
	for _, s := range srcs {
		wg.Add(1)
		go renderChildFixed(&wg, imgs, errs, s, z, x, y)
	}
	wg.Wait()
	var all []error
	out := make([]*tileImage, len(srcs))
	for i := range srcs {
		all = append(all, <-errs)
		out[i] = <-imgs
	}
	return out, errors.Join(all...)
}

// The same mistake written differently: a fetcher's literal goroutines
// log a failure and return without a result, and the collector takes one
// body per URL ...
func fetchBodies(urls []string, get func(string) ([]byte, error)) [][]byte {
	bodies := make(chan []byte)
	for _, u := range urls {
		go func(u string) {
			b, err := get(u)
			if err != nil {
				log.Printf("fetch %s: %v", u, err)
				return
			}
			bodies <- b
		}(u)
	}
	var out [][]byte
	for range urls {
		out = append(out, <-bodies) // want `this loop receives one value per goroutine started at line \d+, but that goroutine can return at line \d+ without sending on the channel`
	}
	return out
}

// ... and a prober counts live hosts with a counted for loop, while its
// probe reports only the hosts that answer.
func probeHost(host string, ping func(string) bool, up chan<- string) {
	if ping(host) {
		up <- host
	}
}

func liveHosts(hosts []string, ping func(string) bool) []string {
	up := make(chan string, len(hosts))
	for _, h := range hosts {
		go probeHost(h, ping, up)
	}
	var live []string
	for i := 0; i < len(hosts); i++ {
		live = append(live, <-up) // want `this loop receives one value per goroutine started at line \d+, but that goroutine can return at line \d+ without sending on the channel`
	}
	return live
}

// Look-alikes that must stay silent: a prober that reports every host
// (with its state), and a collector that ranges until the senders' Wait
// closes the channel.
type hostState struct {
	host string
	up   bool
}

func hostStates(hosts []string, ping func(string) bool) []hostState {
	states := make(chan hostState)
	for _, h := range hosts {
		go func(h string) {
			states <- hostState{h, ping(h)}
		}(h)
	}
	var out []hostState
	for range hosts {
		out = append(out, <-states)
	}
	return out
}

func liveHostsClosed(hosts []string, ping func(string) bool) []string {
	up := make(chan string, len(hosts))
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Add(1)
		go func(h string) {
			defer wg.Done()
			if ping(h) {
				up <- h
			}
		}(h)
	}
	wg.Wait()
	close(up)
	var live []string
	for h := range up {
		live = append(live, h)
	}
	return live
}

// Look-alikes that must stay silent: a failing goroutine reports on an
// error channel that the collector checks before it counts (after the
// Wait, so every failure is there), and workers whose one send is made
// from inside their work loop once a shared count is reached.
func loadAll(names []string, load func(string) (int, error)) ([]int, error) {
	errCh := make(chan error, len(names))
	vals := make(chan int, len(names))
	var wg sync.WaitGroup
	wg.Add(len(names))
	for _, n := range names {
		go func(n string) {
			defer wg.Done()
			v, err := load(n)
			if err != nil {
				errCh <- err
				return
			}
			vals <- v
		}(n)
	}
	wg.Wait()
	select {
	case err := <-errCh:
		return nil, err
	default:
	}
	var out []int
	for range names {
		out = append(out, <-vals)
	}
	return out, nil
}

func drainUntil(work <-chan int, total int64, workers int, count func() int64) {
	done := make(chan struct{}, workers)
	for i := 0; i < workers; i++ {
		go func() {
			for range work {
				if count() >= total {
					done <- struct{}{}
					return
				}
			}
		}()
	}
	for i := 0; i < workers; i++ {
		<-done
	}
}

// A third writing: the workers are function literals handed to a
// WaitGroup's Go, and one that finds no price skips its send.
func quoteAll(symbols []string, quote func(string) (float64, bool)) []float64 {
	prices := make(chan float64, len(symbols))
	var wg sync.WaitGroup
	for _, s := range symbols {
		wg.Go(func() {
			if p, ok := quote(s); ok {
				prices <- p
			}
		})
	}
	wg.Wait()
	out := make([]float64, 0, len(symbols))
	for range symbols {
		out = append(out, <-prices) // want `this loop receives one value per goroutine started at line \d+, but that goroutine can return at line \d+ without sending on the channel`
	}
	return out
}
