// Package bug is a held-out kernel (issue 14): a metrics collection that
// runs gauge callbacks under the registry's lock, a gauge callback that
// read-locks the shards director, and a leader election that registers
// gauges while holding the director's lock.
//
// Upstream: oxia-db/oxia#350 ("Fixed metrics gauge callback deadlock")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: when a Prometheus scrape and a leader election happen together,
// the scrape holds the metrics pipeline's mutex and calls the shards
// director's gauge callback, which takes the director's read lock; the
// election holds the director's write lock in GetOrCreateLeader and, while
// creating the leader controller, registers its gauges, which takes the
// pipeline's mutex. The PR shows the first goroutine's stack; the
// OpenTelemetry pipeline is reduced to a registry with one mutex, and the
// leader controller to its gauge registration.
//
// Fix: the PR does not say how; in our fixed version the director keeps
// its leader and follower counts in atomics that the gauge callbacks read
// without taking the director's lock.
package bug

import (
	"errors"
	"sync"
)

type leaderController struct {
	shard int64
	term  int64
	gauge *Gauge
}

func newLeaderController(shard int64, reg *Registry) *leaderController {
	lc := &leaderController{shard: shard}
	lc.gauge = reg.NewGauge("oxia_server_leader_head_offset", func() int64 { return lc.term })
	return lc
}

type followerController struct{ shard int64 }

// ShardsDirector tracks which shards this server leads or follows.
type ShardsDirector struct {
	sync.RWMutex

	leaders   map[int64]*leaderController
	followers map[int64]*followerController
	closed    bool
	reg       *Registry

	leadersCounter   *Gauge
	followersCounter *Gauge
}

// NewShardsDirector registers the director's gauges.
func NewShardsDirector(reg *Registry) *ShardsDirector {
	sd := &ShardsDirector{
		leaders:   make(map[int64]*leaderController),
		followers: make(map[int64]*followerController),
		reg:       reg,
	}
	sd.leadersCounter = reg.NewGauge("oxia_server_leaders_count", func() int64 {
		sd.RLock() // heldout:site
		defer sd.RUnlock()
		return int64(len(sd.leaders))
	})
	sd.followersCounter = reg.NewGauge("oxia_server_followers_count", func() int64 {
		sd.RLock()
		defer sd.RUnlock()
		return int64(len(sd.followers))
	})
	return sd
}

// GetOrCreateLeader is called when this server wins a shard's election.
func (s *ShardsDirector) GetOrCreateLeader(shard int64) (*leaderController, error) {
	s.Lock()
	defer s.Unlock()
	if s.closed {
		return nil, errors.New("shards director is closed")
	}
	if lc, ok := s.leaders[shard]; ok {
		return lc, nil
	}
	delete(s.followers, shard)
	lc := newLeaderController(shard, s.reg) // heldout:site
	s.leaders[shard] = lc
	return lc, nil
}
