// Package bug is a held-out kernel (issue 14): an AB-BA deadlock in fak's
// control plane between Watchdog.mu and Manager.mu. The watchdog ingests
// telemetry under its lock and, on a breach, calls its rollback callback
// synchronously; the callback is the manager's handler, which rolls back
// under the manager's lock. Meanwhile Manager.Apply hot-swaps a
// configuration under the manager's lock and starts the watchdog's
// evaluation, which takes the watchdog's lock.
//
// Upstream: anthony-chaudhary/fak#11714 ("fix(control): eliminate lock inversion deadlock between Watchdog.mu and Manager.mu")
// Round: 15
//
// Bug: the issue: "In Watchdog.IngestTelemetry(): acquires w.mu, detects
// an SLA/error breach, and synchronously invokes w.onRollback()
// (Manager.handleWatchdogRollback -> Manager.Rollback()), which attempts
// to acquire m.mu while holding w.mu. In Manager.Apply(): acquires m.mu,
// performs hot-swap, and invokes m.watchdog.StartEvaluation(), which
// attempts to acquire w.mu while holding m.mu." Watchdog, Manager, the
// onRollback/onPromote callbacks, IngestTelemetry, CheckStabilization,
// StartEvaluation, Apply and Rollback follow internal/control; the
// configuration and telemetry are our reduction to small structs.
//
// Fix: the remedy, our reading of it (the thread does not show
// the diff): the watchdog decides under w.mu and invokes onRollback and
// onPromote after releasing it, so the only order left is m.mu before
// w.mu.
package bug

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
	w.mu.Lock() // heldout:site
	defer w.mu.Unlock()
	w.evaluating = true
	w.epoch = epoch
	w.samples = 0
}

// IngestTelemetry records a sample and rolls back on a breach.
func (w *Watchdog) IngestTelemetry(t Telemetry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.evaluating {
		return
	}
	w.samples++
	if t.ErrorRate > w.maxErrors {
		w.evaluating = false
		w.onRollback(w.epoch) // heldout:site
	}
}

// CheckStabilization promotes the configuration once enough samples
// passed.
func (w *Watchdog) CheckStabilization() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.evaluating && w.samples >= 10 {
		w.evaluating = false
		w.onPromote(w.epoch) // heldout:site
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
	m.watchdog.StartEvaluation(c.Epoch) // heldout:site
}

// Rollback restores the previous configuration.
func (m *Manager) Rollback() {
	m.mu.Lock() // heldout:site
	defer m.mu.Unlock()
	m.current = m.previous
}

func (m *Manager) handleWatchdogRollback(epoch int) {
	m.Rollback()
}

func (m *Manager) handleWatchdogPromote(epoch int) {
	m.mu.Lock() // heldout:site
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
