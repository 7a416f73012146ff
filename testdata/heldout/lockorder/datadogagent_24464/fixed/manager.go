// Package fixed is the fixed version of lockorder/datadogagent_24464:
// resolving tags only finalizes a dump (state Stopped) under the dump's
// lock, and the manager's cleanup, under the manager's lock, drops stopped
// dumps; the manager's lock is never taken while a dump's is held.
package fixed

import (
	"context"
	"sync"
	"time"
)

// DumpState is the state of an activity dump.
type DumpState int

// Dump states.
const (
	Running DumpState = iota
	Stopped
)

// TagsResolver resolves container tags.
type TagsResolver interface {
	Resolve(containerID string) []string
}

// StatsdClient sends metrics.
type StatsdClient interface {
	Count(name string, value int64, tags []string) error
}

// ActivityDump records the activity of one workload.
type ActivityDump struct {
	sync.Mutex
	ContainerID string
	Tags        []string
	state       DumpState
	eventsCount int64
	end         time.Time
	statsd      StatsdClient
}

func (ad *ActivityDump) finalize() {
	ad.state = Stopped
	ad.end = time.Now()
}

// SendStats reports the dump's counters.
func (ad *ActivityDump) SendStats() error {
	ad.Lock()
	defer ad.Unlock()
	return ad.statsd.Count("activity_dump.events", ad.eventsCount, ad.Tags)
}

// ActivityDumpManager owns the active dumps.
type ActivityDumpManager struct {
	sync.Mutex
	activeDumps  []*ActivityDump
	tagsResolver TagsResolver
	statsd       StatsdClient
	timeout      time.Duration
}

// RemoveDump drops ad from the active dumps.
func (adm *ActivityDumpManager) RemoveDump(ad *ActivityDump) {
	adm.Lock()
	defer adm.Unlock()
	for i, d := range adm.activeDumps {
		if d == ad {
			adm.activeDumps = append(adm.activeDumps[:i], adm.activeDumps[i+1:]...)
			return
		}
	}
}

func (adm *ActivityDumpManager) resolveTagsPerAd(ad *ActivityDump) {
	ad.Lock()
	defer ad.Unlock()
	if len(ad.Tags) == 0 {
		ad.Tags = adm.tagsResolver.Resolve(ad.ContainerID)
	}
	if ad.state == Running && time.Since(ad.end) > adm.timeout {
		ad.finalize()
	}
}

// cleanup drops the dumps that were stopped. The caller holds adm.
func (adm *ActivityDumpManager) cleanup() {
	kept := adm.activeDumps[:0]
	for _, ad := range adm.activeDumps {
		ad.Lock()
		stopped := ad.state == Stopped
		ad.Unlock()
		if !stopped {
			kept = append(kept, ad)
		}
	}
	adm.activeDumps = kept
}

func (adm *ActivityDumpManager) resolveTags() {
	adm.Lock()
	dumps := make([]*ActivityDump, len(adm.activeDumps))
	copy(dumps, adm.activeDumps)
	adm.Unlock()
	for _, ad := range dumps {
		adm.resolveTagsPerAd(ad)
	}
	adm.Lock()
	adm.cleanup()
	adm.Unlock()
}

// SendStats reports the stats of every active dump.
func (adm *ActivityDumpManager) SendStats() error {
	adm.Lock()
	defer adm.Unlock()
	for _, ad := range adm.activeDumps {
		if err := ad.SendStats(); err != nil {
			return err
		}
	}
	return nil
}

// Start resolves tags on the event goroutine and sends stats on another.
func (adm *ActivityDumpManager) Start(ctx context.Context) {
	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_ = adm.SendStats()
			}
		}
	}()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			adm.resolveTags()
		}
	}
}
