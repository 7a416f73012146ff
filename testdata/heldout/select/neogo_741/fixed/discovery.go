// Package fixed is the fixed version of select/neogo_741: RequestRemote
// does not hold the lock across the send.
package fixed

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
	haveAddrs := len(d.unconnectedAddrs) > 0
	d.lock.RUnlock()
	if haveAddrs {
		d.requestCh <- n
	}
}

// RegisterBadAddr marks addr as unusable.
func (d *DefaultDiscovery) RegisterBadAddr(addr string) {
	d.lock.Lock()
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
				d.lock.RLock()
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
