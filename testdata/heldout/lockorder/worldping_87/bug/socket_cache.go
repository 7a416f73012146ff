// Package bug is a held-out kernel (issue 14): a probe-session cache whose
// refresh loop read-locks the cache and then each probe, while a
// disconnecting probe write-locks itself and then the cache.
//
// Upstream: raintank/worldping-api#87 ("fix deadlock when refreshing probes. fixes #86")
// Round: 6
//
// Bug: refreshLoop takes the cache's RLock and, iterating the sessions,
// calls probe.LastRefresh, which RLocks the probe. OnDisconnection takes
// the probe's write lock and calls socketCache.Remove, which wants the
// cache's write lock. The PR lists the interleaving: the refresh loop
// holds the cache read lock, the disconnecting probe holds its own write
// lock and waits for the cache, and the refresh loop then waits for the
// probe. The session fields are our reduction.
//
// Fix (our reading of the PR): OnDisconnection updates the probe under its
// lock and calls Remove after releasing it.
package bug

import (
	"sync"
	"time"
)

// ProbeSession is one connected probe.
type ProbeSession struct {
	sync.RWMutex
	ProbeID     int64
	cache       *SocketCache
	connected   bool
	lastRefresh time.Time
}

// LastRefresh returns when the probe's checks were last sent.
func (p *ProbeSession) LastRefresh() time.Time {
	p.RLock() // heldout:site
	defer p.RUnlock()
	return p.lastRefresh
}

// OnDisconnection marks the probe gone and removes it from the cache.
func (p *ProbeSession) OnDisconnection() {
	p.Lock() // heldout:site
	defer p.Unlock()
	p.connected = false
	p.cache.Remove(p.ProbeID)
}

// SocketCache holds the connected probes.
type SocketCache struct {
	sync.RWMutex
	Sessions map[int64]*ProbeSession
	shutdown chan struct{}
}

// Remove forgets a probe.
func (s *SocketCache) Remove(probeID int64) {
	s.Lock() // heldout:site
	defer s.Unlock()
	delete(s.Sessions, probeID)
}

// Close stops the refresh loop.
func (s *SocketCache) Close() {
	close(s.shutdown)
}

func (s *SocketCache) refreshLoop(refresh func(*ProbeSession)) {
	ticker := time.NewTicker(time.Minute)
	defer ticker.Stop()
	for {
		select {
		case <-s.shutdown:
			return
		case <-ticker.C:
			s.RLock() // heldout:site
			for _, p := range s.Sessions {
				if time.Since(p.LastRefresh()) > 10*time.Minute {
					refresh(p)
				}
			}
			s.RUnlock()
		}
	}
}
