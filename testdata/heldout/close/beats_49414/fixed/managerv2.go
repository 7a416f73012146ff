// Package fixed is the fixed version of close/beats_49414: Stop closes
// stopChan once, and only the main loop listens on it, so the stop
// callback always runs and the beater's Run returns.
package fixed

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
	stopOnce sync.Once

	mx           sync.Mutex
	stopCallback func()
	units        map[string]UnitChange
}

// NewV2AgentManager returns a manager for client.
func NewV2AgentManager(client agentClient, logf func(format string, args ...any)) *BeatV2Manager {
	return &BeatV2Manager{
		client:   client,
		logf:     logf,
		stopChan: make(chan struct{}),
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
	cm.stopOnce.Do(func() {
		close(cm.stopChan)
	})
}

func (cm *BeatV2Manager) watchErrChan(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
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
	<-bt.done
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
