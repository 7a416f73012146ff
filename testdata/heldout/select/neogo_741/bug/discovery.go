// Package bug is a held-out kernel (issue 14): a select case that takes a
// read lock, in the loop that must receive from a channel another goroutine
// sends on while holding the same lock, with a writer queued between them.
//
// Upstream: nspcc-dev/neo-go#741 ("network: fix possible deadlock in DefaultDiscovery")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug (from the PR): 1. run() loops over requestCh; 2. RequestRemote()
// sends on requestCh while holding the mutex (read); 3. RegisterBadAddr()
// waits for the mutex for write; 4. run's second select case cannot take
// the mutex for read because of (3). RequestRemote waits for run, run for
// the writer, the writer for RequestRemote.
//
// Fix: the PR restructures run so that requests are received by a
// goroutine of their own; our fixed version removes the cycle at its
// origin, RequestRemote no longer holding the lock across the send.
package bug

import (
	"sync"
	"time"
)

// Transporter dials peers.
type Transporter interface {
	Dial(addr string, timeout time.Duration) error
}

// DefaultDiscovery is the default peer discovery.
type DefaultDiscovery struct {
	transporter      Transporter
	lock             sync.RWMutex
	dialTimeout      time.Duration
	badAddrs         map[string]bool
	connectedAddrs   map[string]bool
	unconnectedAddrs map[string]int
	requestCh        chan int
	pool             chan string
}

// NewDefaultDiscovery returns a discovery that dials through ts.
func NewDefaultDiscovery(dt time.Duration, ts Transporter) *DefaultDiscovery {
	d := &DefaultDiscovery{
		transporter:      ts,
		dialTimeout:      dt,
		badAddrs:         make(map[string]bool),
		connectedAddrs:   make(map[string]bool),
		unconnectedAddrs: make(map[string]int),
		requestCh:        make(chan int),
		pool:             make(chan string, 100),
	}
	go d.run()
	return d
}

// RequestRemote asks run to connect to n more peers.
func (d *DefaultDiscovery) RequestRemote(n int) {
	d.lock.RLock()
	if len(d.unconnectedAddrs) > 0 {
		d.requestCh <- n // heldout:site
	}
	d.lock.RUnlock()
}

// RegisterBadAddr marks addr as unusable.
func (d *DefaultDiscovery) RegisterBadAddr(addr string) {
	d.lock.Lock() // heldout:site
	d.badAddrs[addr] = true
	delete(d.unconnectedAddrs, addr)
	d.lock.Unlock()
}

func (d *DefaultDiscovery) tryAddress(addr string) {
	if err := d.transporter.Dial(addr, d.dialTimeout); err != nil {
		d.RegisterBadAddr(addr)
		d.RequestRemote(1)
	}
}

func (d *DefaultDiscovery) run() {
	for requested := range d.requestCh {
		for ; requested > 0; requested-- {
			select {
			case addr := <-d.pool:
				go d.tryAddress(addr)
			case <-time.After(d.dialTimeout):
				d.lock.RLock() // heldout:site
				for addr := range d.unconnectedAddrs {
					if !d.connectedAddrs[addr] {
						select {
						case d.pool <- addr:
						default:
						}
						break
					}
				}
				d.lock.RUnlock()
			}
		}
	}
}
