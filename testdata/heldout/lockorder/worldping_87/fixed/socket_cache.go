// Package fixed is the fixed version of lockorder/worldping_87: a
// disconnecting probe releases its lock before removing itself from the
// cache.
package fixed

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
	p.RLock()
	defer p.RUnlock()
	return p.lastRefresh
}

// OnDisconnection marks the probe gone and removes it from the cache.
func (p *ProbeSession) OnDisconnection() {
	p.Lock()
	p.connected = false
	p.Unlock()
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
	s.Lock()
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
			s.RLock()
			for _, p := range s.Sessions {
				if time.Since(p.LastRefresh()) > 10*time.Minute {
					refresh(p)
				}
			}
			s.RUnlock()
		}
	}
}
