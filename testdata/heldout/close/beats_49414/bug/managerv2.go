// Package bug is a held-out kernel (issue 14): libbeat's BeatV2Manager
// signals shutdown by sending one value on stopChan, but two goroutines
// listen on it (the main unitListen loop and the watchErrChan helper);
// when the helper takes the value, unitListen keeps running, never calls
// the stop callback, and the beater waits for a stop that never comes.
//
// Upstream: elastic/beats#49414 ("Fix race that can block managerV2 shutdown")
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: Start runs `go cm.unitListen()`, which starts watchErrChan with a
// cancellable context and loops selecting on stopChan (on which it
// cancels the helper, calls the stop callback and returns) and on unit
// changes. watchErrChan selects on its context, on stopChan and on the
// client's errors. Stop does `cm.stopChan <- struct{}{}`. The issue
// (elastic/beats#49388): "if `watchErrChan` receives the shutdown signal
// it will return with no further action and `unitListen` (the main
// manager run loop) will continue, potentially until process
// termination", so "the callback set via the manager's `SetStopCallback`
// method will never be called". Our reduction: the Elastic Agent client
// becomes an interface; the beater's Run, which waits for its Stop (the
// stop callback), stands for the pipeline and beater shutdown.
//
// Fix: Stop closes stopChan (once, through stopOnce), and watchErrChan no
// longer listens on stopChan: the main loop cancels it.
package bug

import (
	"context"
	"sync"
)

// UnitChange is a change of a unit pushed by Elastic Agent.
type UnitChange struct {
	Type   string
	UnitID string
}

// agentClient is the Elastic Agent V2 client.
type agentClient interface {
	Start(ctx context.Context) error
	Stop()
	UnitChanges() <-chan UnitChange
	Errors() <-chan error
}

// BeatV2Manager connects a beat to Elastic Agent.
type BeatV2Manager struct {
	client   agentClient
	logf     func(format string, args ...any)
	stopChan chan struct{}

	mx           sync.Mutex
	stopCallback func()
	units        map[string]UnitChange
}

// NewV2AgentManager returns a manager for client.
func NewV2AgentManager(client agentClient, logf func(format string, args ...any)) *BeatV2Manager {
	return &BeatV2Manager{
		client:   client,
		logf:     logf,
		stopChan: make(chan struct{}, 1),
		units:    make(map[string]UnitChange),
	}
}

// SetStopCallback sets the function called when the manager stops.
func (cm *BeatV2Manager) SetStopCallback(stopFunc func()) {
	cm.mx.Lock()
	defer cm.mx.Unlock()
	cm.stopCallback = stopFunc
}

// Start connects to Elastic Agent and starts the manager's loop.
func (cm *BeatV2Manager) Start() error {
	if err := cm.client.Start(context.Background()); err != nil {
		return err
	}
	go cm.unitListen()
	return nil
}

// Stop stops the manager.
func (cm *BeatV2Manager) Stop() {
	cm.stopChan <- struct{}{} // heldout:site
}

func (cm *BeatV2Manager) watchErrChan(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-cm.stopChan: // heldout:site
			return
		case err := <-cm.client.Errors():
			cm.logf("elastic-agent-client error: %v", err)
		}
	}
}

func (cm *BeatV2Manager) unitListen() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go cm.watchErrChan(ctx)

	for {
		select {
		case <-cm.stopChan:
			cancel()
			cm.client.Stop()
			cm.mx.Lock()
			stop := cm.stopCallback
			cm.mx.Unlock()
			if stop != nil {
				stop()
			}
			return
		case change := <-cm.client.UnitChanges():
			cm.mx.Lock()
			if change.Type == "removed" {
				delete(cm.units, change.UnitID)
			} else {
				cm.units[change.UnitID] = change
			}
			cm.mx.Unlock()
		}
	}
}

// beater is a beat's event loop.
type beater struct {
	done     chan struct{}
	stopOnce sync.Once
}

func newBeater() *beater {
	return &beater{done: make(chan struct{})}
}

// Run publishes events until the beat is stopped.
func (bt *beater) Run() {
	<-bt.done // heldout:site
}

// Stop ends Run; it is the manager's stop callback.
func (bt *beater) Stop() {
	bt.stopOnce.Do(func() { close(bt.done) })
}

// runBeat runs a beat under Elastic Agent; a SIGTERM calls manager.Stop.
func runBeat(client agentClient, sigterm <-chan struct{}, logf func(string, ...any)) error {
	manager := NewV2AgentManager(client, logf)
	bt := newBeater()
	manager.SetStopCallback(bt.Stop)
	if err := manager.Start(); err != nil {
		return err
	}
	go func() {
		<-sigterm
		manager.Stop()
	}()
	bt.Run()
	return nil
}
