// Package startforms holds leaks whose goroutines or give-up signals are
// spelled another way than the kernels the rules were written from: a
// stop channel field closed by Close instead of a context, and a method
// value handed to a group's Go instead of a go statement. Each beside its
// fixed twin and look-alikes that must stay silent.
package startforms

import (
	"errors"
	"sync"
)

type result struct {
	key string
	val []byte
	err error
}

type request struct {
	keys    []string
	results chan result
}

// Cache fetches keys from a backend; Close stops pending fetches. Once
// Close closes c.quit, a fetch goroutine may take the quit case and return
// without sending; Gather expects one result per key with plain receives
// and waits forever for the missing one (variant of
// tendermint/tendermint#8871 with a quit field for the context).
type Cache struct {
	quit    chan struct{}
	once    sync.Once
	backend func(string) ([]byte, error)
}

// NewCache returns an open cache.
func NewCache(backend func(string) ([]byte, error)) *Cache {
	return &Cache{quit: make(chan struct{}), backend: backend}
}

// Close stops pending fetches.
func (c *Cache) Close() { c.once.Do(func() { close(c.quit) }) }

// Gather fetches every key concurrently.
func (c *Cache) Gather(keys []string) map[string][]byte {
	req := &request{keys: keys, results: make(chan result)}
	for _, k := range keys {
		go func(k string) {
			v, err := c.backend(k)
			select {
			case req.results <- result{k, v, err}:
			case <-c.quit:
			}
		}(k)
	}
	out := make(map[string][]byte, len(keys))
	for i := 0; i < len(req.keys); i++ {
		r := <-req.results // want `this plain receive waits for goroutines that offer their values only in a select that gives up when field quit is closed`
		if r.err != nil {
			continue
		}
		out[r.key] = r.val
	}
	return out
}

var errClosed = errors.New("cache closed")

// FixedCache's collector watches quit too. Silent.
type FixedCache struct {
	quit    chan struct{}
	once    sync.Once
	backend func(string) ([]byte, error)
}

// Close stops pending fetches.
func (c *FixedCache) Close() { c.once.Do(func() { close(c.quit) }) }

// Gather fetches every key concurrently.
func (c *FixedCache) Gather(keys []string) (map[string][]byte, error) {
	req := &request{keys: keys, results: make(chan result)}
	for _, k := range keys {
		go func(k string) {
			v, err := c.backend(k)
			select {
			case req.results <- result{k, v, err}:
			case <-c.quit:
			}
		}(k)
	}
	out := make(map[string][]byte, len(keys))
	for i := 0; i < len(req.keys); i++ {
		var r result
		select {
		case r = <-req.results:
		case <-c.quit:
			return out, errClosed
		}
		if r.err != nil {
			continue
		}
		out[r.key] = r.val
	}
	return out, nil
}

// Batch closes its own stop channel, after its collecting loop: no sender
// can give up before the collector has taken every value. Silent.
type Batch struct {
	stop chan struct{}
	work func(int) int
}

// Run runs n jobs and sums their results.
func (b *Batch) Run(n int) int {
	b.stop = make(chan struct{})
	defer close(b.stop)
	out := make(chan int)
	for i := 0; i < n; i++ {
		go func(i int) {
			select {
			case out <- b.work(i):
			case <-b.stop:
			}
		}(i)
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-out
	}
	return sum
}

// Paused gives up on a pause channel that nothing closes (it is only
// sent on, by the collector after its loop): nothing outside fires the
// case while the collector waits. Silent.
type Paused struct {
	pause chan struct{}
	work  func(int) int
}

// Run runs n jobs and sums their results.
func (p *Paused) Run(n int) int {
	out := make(chan int)
	for i := 0; i < n; i++ {
		go func(i int) {
			select {
			case out <- p.work(i):
			case <-p.pause:
			}
		}(i)
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-out
	}
	select {
	case p.pause <- struct{}{}:
	default:
	}
	return sum
}
