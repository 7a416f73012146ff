// Package fixed is the fixed version of close/p2_903: the quit channels are
// closed, so both of the finish reporter's goroutines stop.
package fixed

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
			select {
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
			select {
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
	p.wg.Wait()
	p.logger.Infof("terminating")
}

func waitForTermination(logger Logger, sigs <-chan os.Signal, quitChans ...chan struct{}) {
	sig := <-sigs
	logger.Infof("received %v, signalling loops to stop", sig)
	for _, quitCh := range quitChans {
		close(quitCh)
	}
}
