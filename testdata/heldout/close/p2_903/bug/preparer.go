// Package bug is a held-out kernel (issue 14): a preparer that signals
// shutdown by sending one value on each quit channel, while the finish
// reporter shares its quit channel between two goroutines, so one of them
// never hears it and shutdown waits for it forever.
//
// Upstream: square/p2#903 ("Close quit channels on shutdown rather than send a value")
// Round: 4
// Seen: 2026-11-27, development set (helpers read this round-4 kernel to tune the analyzers, after round 4 was measured; round 5 stays held out)
//
// Bug: on SIGTERM waitForTermination sends a value on every quit channel
// and waits for the preparer's loops to finish. Each loop owns its quit
// channel except the finish reporter, whose Run starts a poller and a
// pruner that both select on the same quit channel: one receives the
// value, the other keeps selecting forever, and the WaitGroup that
// shutdown waits on never reaches zero. The PR describes the shared
// channel; the loops' bodies are our reduction.
//
// Fix: waitForTermination closes the quit channels, which every watcher
// sees.
package bug

import (
	"os"
	"sync"
	"time"
)

// Logger logs.
type Logger interface {
	Infof(format string, args ...any)
}

// Store is the pod store the preparer reads.
type Store interface {
	PodsForNode(node string) ([]string, error)
	Finishes(since uint64) ([]uint64, error)
	PruneFinishes(before time.Time) error
}

// Preparer installs and launches the pods scheduled on its node.
type Preparer struct {
	node   string
	store  Store
	logger Logger
	wg     sync.WaitGroup
}

// WatchForPodManifestsForNode installs the node's pods until quit.
func (p *Preparer) WatchForPodManifestsForNode(quit <-chan struct{}) {
	defer p.wg.Done()
	ticker := time.NewTicker(5 * time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-quit:
			return
		case <-ticker.C:
			if pods, err := p.store.PodsForNode(p.node); err == nil {
				p.logger.Infof("%d pods scheduled", len(pods))
			}
		}
	}
}

// FinishReporter reports process exits and prunes old ones.
type FinishReporter struct {
	store  Store
	logger Logger
}

// Run starts the poller and the pruner; both stop on quit.
func (f *FinishReporter) Run(quit <-chan struct{}, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		var last uint64
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		for {
			select { // heldout:site
			case <-quit:
				return
			case <-ticker.C:
				if ids, err := f.store.Finishes(last); err == nil && len(ids) > 0 {
					last = ids[len(ids)-1]
				}
			}
		}
	}()
	go func() {
		defer wg.Done()
		ticker := time.NewTicker(time.Hour)
		defer ticker.Stop()
		for {
			select { // heldout:site
			case <-quit:
				return
			case <-ticker.C:
				_ = f.store.PruneFinishes(time.Now().Add(-24 * time.Hour))
			}
		}
	}()
}

func (p *Preparer) run(sigs <-chan os.Signal, reporter *FinishReporter) {
	quitMainUpdate := make(chan struct{})
	quitFinishReporter := make(chan struct{})

	p.wg.Add(1)
	go p.WatchForPodManifestsForNode(quitMainUpdate)
	p.wg.Add(1)
	reporter.Run(quitFinishReporter, &p.wg)

	waitForTermination(p.logger, sigs, quitMainUpdate, quitFinishReporter)
	p.wg.Wait() // heldout:site
	p.logger.Infof("terminating")
}

func waitForTermination(logger Logger, sigs <-chan os.Signal, quitChans ...chan struct{}) {
	sig := <-sigs
	logger.Infof("received %v, signalling loops to stop", sig)
	for _, quitCh := range quitChans {
		quitCh <- struct{}{} // heldout:site
	}
}
