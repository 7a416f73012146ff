// Package fixed is the fixed version of lockorder/oxia_350: the director's
// gauges read atomics and never take its lock.
package fixed

import (
	"errors"
	"sync"
	"sync/atomic"
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

	// updated under the lock, read by the gauges without it
	leadersCount   atomic.Int64
	followersCount atomic.Int64
}

// NewShardsDirector registers the director's gauges.
func NewShardsDirector(reg *Registry) *ShardsDirector {
	sd := &ShardsDirector{
		leaders:   make(map[int64]*leaderController),
		followers: make(map[int64]*followerController),
		reg:       reg,
	}
	sd.leadersCounter = reg.NewGauge("oxia_server_leaders_count", func() int64 {
		return sd.leadersCount.Load()
	})
	sd.followersCounter = reg.NewGauge("oxia_server_followers_count", func() int64 {
		return sd.followersCount.Load()
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
	lc := newLeaderController(shard, s.reg)
	s.leaders[shard] = lc
	s.leadersCount.Store(int64(len(s.leaders)))
	s.followersCount.Store(int64(len(s.followers)))
	return lc, nil
}
