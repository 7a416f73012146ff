// Package bug is a held-out kernel (issue 14): a health checker whose check
// goroutines range over their tickers' channels, and whose Stop stops the
// tickers, which does not close those channels, so every check goroutine
// waits for ever.
//
// Upstream: InVisionApp/go-health#35 ("fixed goroutine leak after .Stop() is called")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: Start makes a time.Ticker per configured check, keeps it in
// h.tickers and starts a goroutine that runs the check on every tick with
// for range ticker.C. Stop calls ticker.Stop on each; as the PR says,
// "ticker.Stop() does not close the ticker channel", so each goroutine
// blocks in its range for ever, one leak per check per Start/Stop. The
// config and state types are our reduction.
//
// Fix: each goroutine selects on the tick and on a stop channel that Stop
// closes; the goroutine stops its own ticker. Stop also resets the states.
package bug

import (
	"sync"
	"time"
)

// ICheckable is a dependency to check.
type ICheckable interface {
	Status() (interface{}, error)
}

// Config is one check.
type Config struct {
	Name     string
	Checker  ICheckable
	Interval time.Duration
}

// State is a check's last result.
type State struct {
	Name   string
	Status string
	Err    error
}

// Health runs checks periodically.
type Health struct {
	configs   []*Config
	tickers   map[string]*time.Ticker
	statesMtx sync.Mutex
	states    map[string]State
}

// New returns an idle checker.
func New(cfgs ...*Config) *Health {
	return &Health{configs: cfgs, tickers: make(map[string]*time.Ticker), states: make(map[string]State)}
}

func (h *Health) safeUpdateState(s State) {
	h.statesMtx.Lock()
	defer h.statesMtx.Unlock()
	h.states[s.Name] = s
}

func (h *Health) startRunner(cfg *Config, ticker *time.Ticker) {
	go func() {
		for range ticker.C { // heldout:site
			_, err := cfg.Checker.Status()
			st := State{Name: cfg.Name, Status: "ok", Err: err}
			if err != nil {
				st.Status = "failed"
			}
			h.safeUpdateState(st)
		}
	}()
}

// Start begins running every check.
func (h *Health) Start() {
	for _, c := range h.configs {
		ticker := time.NewTicker(c.Interval)
		h.tickers[c.Name] = ticker
		h.startRunner(c, ticker)
	}
}

// Stop stops every check.
func (h *Health) Stop() {
	for name, ticker := range h.tickers {
		ticker.Stop() // heldout:site
		delete(h.tickers, name)
	}
}
