// Package nilcell holds channel variables made on some paths only and
// captured by the goroutine literals that use them (go/ssa keeps such a
// variable in a cell, not in phis), beside fixed twins and look-alikes.
package nilcell

import (
	"errors"
	"sync"
	"time"
)

// Conn is a connection.
type Conn interface {
	Close() error
}

type probeResult struct {
	addr string
	conn Conn
	err  error
}

// Pool keeps connections by address. Get makes results only when no
// cached connection was found, yet starts a probe for every missing
// address either way: with a cached connection, each probe ends with a
// plain send on the nil channel and blocks forever (variant of
// openziti/sdk-golang#84 with the probes as captured-variable literals).
type Pool struct {
	mu    sync.Mutex
	conns map[string]Conn
	dial  func(addr string) (Conn, error)
}

// Get returns a connection to one of addrs.
func (p *Pool) Get(addrs []string, timeout time.Duration) (Conn, error) {
	var cached Conn
	var missing []string
	p.mu.Lock()
	for _, a := range addrs {
		if c, ok := p.conns[a]; ok {
			cached = c
		} else {
			missing = append(missing, a)
		}
	}
	p.mu.Unlock()

	var results chan probeResult
	if cached == nil {
		results = make(chan probeResult, len(missing))
	}
	for _, a := range missing {
		go func(addr string) {
			c, err := p.dial(addr)
			if err == nil {
				p.mu.Lock()
				p.conns[addr] = c
				p.mu.Unlock()
			}
			results <- probeResult{addr, c, err} // want `Get starts Get\$1 \(line \d+\) with a channel made only on some paths`
		}(a)
	}
	if cached != nil {
		return cached, nil
	}
	deadline := time.After(timeout)
	for range missing {
		select {
		case r := <-results:
			if r.err == nil {
				return r.conn, nil
			}
		case <-deadline:
			return nil, errors.New("timeout")
		}
	}
	return nil, errors.New("no connection")
}

// FixedPool reports with a select and a default, which never blocks on a
// nil channel. Silent.
type FixedPool struct {
	dial func(addr string) (Conn, error)
}

// Get returns a connection to one of addrs.
func (p *FixedPool) Get(cached Conn, missing []string) (Conn, error) {
	var results chan probeResult
	if cached == nil {
		results = make(chan probeResult, len(missing))
	}
	for _, a := range missing {
		go func(addr string) {
			c, err := p.dial(addr)
			select {
			case results <- probeResult{addr, c, err}:
			default:
			}
		}(a)
	}
	if cached != nil {
		return cached, nil
	}
	r := <-results
	return r.conn, r.err
}

// Tested's goroutine tests the variable before it sends. Silent.
func Tested(work func() error, async bool) error {
	var errc chan error
	if async {
		errc = make(chan error, 1)
	}
	go func() {
		err := work()
		if errc != nil {
			errc <- err
		}
	}()
	if errc == nil {
		return nil
	}
	return <-errc
}

// Told's goroutine is told by a captured flag whether the channel exists;
// the caller gets the channel, nil when it is not to wait. Silent.
func Told(work func() error, wait bool) <-chan error {
	var errc chan error
	if wait {
		errc = make(chan error, 1)
	}
	go func() {
		err := work()
		if wait {
			errc <- err
		}
	}()
	return errc
}

// Always makes the channel on every path before the goroutine starts;
// the literal captures it by reference because the function assigns it
// after declaring it. Silent.
func Always(work func() error, size int) error {
	var errc chan error
	if size > 0 {
		errc = make(chan error, size)
	} else {
		errc = make(chan error)
	}
	go func() {
		errc <- work()
	}()
	return <-errc
}

// SelfMade's literal makes the channel itself when it is missing. Silent.
func SelfMade(work func() error, ready bool) {
	var errc chan error
	if ready {
		errc = make(chan error, 1)
	}
	go func() {
		if errc == nil {
			errc = make(chan error, 1)
		}
		errc <- work()
	}()
}
