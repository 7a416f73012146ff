// Package fixed is the fixed version of lockorder/fak_11714: the
// watchdog decides under its lock and calls onRollback and onPromote
// after releasing it, so m.mu is always taken before w.mu.
package fixed

import "sync"

// Config is a serving configuration.
type Config struct {
	Epoch     int
	SpecDepth int
}

// Telemetry is one telemetry sample.
type Telemetry struct {
	ErrorRate float64
	LatencyMS float64
}

// Watchdog evaluates a freshly applied configuration.
type Watchdog struct {
	mu         sync.Mutex
	evaluating bool
	epoch      int
	samples    int
	maxErrors  float64

	onRollback func(epoch int)
	onPromote  func(epoch int)
}

// StartEvaluation begins evaluating the configuration of the given epoch.
func (w *Watchdog) StartEvaluation(epoch int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.evaluating = true
	w.epoch = epoch
	w.samples = 0
}

// IngestTelemetry records a sample and rolls back on a breach.
func (w *Watchdog) IngestTelemetry(t Telemetry) {
	w.mu.Lock()
	if !w.evaluating {
		w.mu.Unlock()
		return
	}
	w.samples++
	rollback := false
	epoch := w.epoch
	if t.ErrorRate > w.maxErrors {
		w.evaluating = false
		rollback = true
	}
	w.mu.Unlock()

	if rollback {
		w.onRollback(epoch)
	}
}

// CheckStabilization promotes the configuration once enough samples
// passed.
func (w *Watchdog) CheckStabilization() {
	w.mu.Lock()
	promote := false
	epoch := w.epoch
	if w.evaluating && w.samples >= 10 {
		w.evaluating = false
		promote = true
	}
	w.mu.Unlock()

	if promote {
		w.onPromote(epoch)
	}
}

// Manager applies configurations and rolls them back.
type Manager struct {
	mu       sync.Mutex
	current  Config
	previous Config
	stable   int
	watchdog *Watchdog
}

// NewManager wires a manager to its watchdog.
func NewManager(initial Config) *Manager {
	m := &Manager{current: initial}
	m.watchdog = &Watchdog{maxErrors: 0.05}
	m.watchdog.onRollback = m.handleWatchdogRollback
	m.watchdog.onPromote = m.handleWatchdogPromote
	return m
}

// Apply hot-swaps a new configuration and starts evaluating it.
func (m *Manager) Apply(c Config) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.previous = m.current
	c.Epoch = m.current.Epoch + 1
	m.current = c
	m.watchdog.StartEvaluation(c.Epoch)
}

// Rollback restores the previous configuration.
func (m *Manager) Rollback() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.current = m.previous
}

func (m *Manager) handleWatchdogRollback(epoch int) {
	m.Rollback()
}

func (m *Manager) handleWatchdogPromote(epoch int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stable = epoch
}

// Serve streams telemetry while configurations are being applied.
func Serve() {
	m := NewManager(Config{SpecDepth: 4})
	m.Apply(Config{SpecDepth: 6})

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			m.watchdog.IngestTelemetry(Telemetry{ErrorRate: float64(i%10) / 100})
			m.watchdog.CheckStabilization()
		}
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 100; i++ {
			m.Apply(Config{SpecDepth: i % 8})
		}
	}()
	wg.Wait()
}
