// Package bug is a held-out kernel (issue 14): the CWS activity dump
// manager and its dumps each have a mutex. Resolving a dump's tags locks
// the dump and, when the dump turns out to be finished, removes it from
// the manager, which locks the manager; sending stats locks the manager
// and then each dump. The two paths take the two locks in opposite
// orders, and the event goroutine that resolves tags blocks for ever.
//
// Upstream: DataDog/datadog-agent#24464 ("[CWS] fix deadlock when calling `RemoveDump` from a function where ad is already locked")
// Round: 18
//
// Bug: the PR: "adm.resolveTagsPerAd locks ad and calls adm.RemoveDump
// which locks adm; adm.SendStats locks adm and then calls ad.SendStats
// which locks ad. This different order of locking can mean that we end
// up with a deadlock on ad, and thus we block the whole event goroutine."
// The two lock paths are the PR's; the rest of the manager (the dump
// list, the tick loop, finalize, the tags resolver and the stats client)
// is our reduction of pkg/security/security_profile/dump.
//
// Fix: as the PR describes it, finalizing a dump only moves it to the
// Stopped state; a cleanup step of the manager, run under the manager's
// lock, drops stopped dumps from activeDumps, so no path takes the
// manager's lock while holding a dump's ("adm.Lock -> ad.Lock is fine;
// ad.Lock -> adm.Lock ... should basically never happen").
package bug

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
	ad.Lock() // heldout:site
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
	adm.Lock() // heldout:site
	defer adm.Unlock()
	for i, d := range adm.activeDumps {
		if d == ad {
			adm.activeDumps = append(adm.activeDumps[:i], adm.activeDumps[i+1:]...)
			return
		}
	}
}

func (adm *ActivityDumpManager) resolveTagsPerAd(ad *ActivityDump) {
	ad.Lock() // heldout:site
	defer ad.Unlock()
	if len(ad.Tags) == 0 {
		ad.Tags = adm.tagsResolver.Resolve(ad.ContainerID)
	}
	if ad.state == Running && time.Since(ad.end) > adm.timeout {
		ad.finalize()
		adm.RemoveDump(ad) // heldout:site
	}
}

func (adm *ActivityDumpManager) resolveTags() {
	adm.Lock()
	dumps := make([]*ActivityDump, len(adm.activeDumps))
	copy(dumps, adm.activeDumps)
	adm.Unlock()
	for _, ad := range dumps {
		adm.resolveTagsPerAd(ad)
	}
}

// SendStats reports the stats of every active dump.
func (adm *ActivityDumpManager) SendStats() error {
	adm.Lock() // heldout:site
	defer adm.Unlock()
	for _, ad := range adm.activeDumps {
		if err := ad.SendStats(); err != nil { // heldout:site
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
