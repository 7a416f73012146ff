// Package fixed is the fixed version of close/gohealth_35: the check
// goroutines also wait on a stop channel that Stop closes.
package fixed

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
	runners   map[string]chan struct{}
	statesMtx sync.Mutex
	states    map[string]State
}

// New returns an idle checker.
func New(cfgs ...*Config) *Health {
	return &Health{configs: cfgs, runners: make(map[string]chan struct{}), states: make(map[string]State)}
}

func (h *Health) safeUpdateState(s State) {
	h.statesMtx.Lock()
	defer h.statesMtx.Unlock()
	h.states[s.Name] = s
}

func (h *Health) startRunner(cfg *Config, ticker *time.Ticker, stop <-chan struct{}) {
	go func() {
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				_, err := cfg.Checker.Status()
				st := State{Name: cfg.Name, Status: "ok", Err: err}
				if err != nil {
					st.Status = "failed"
				}
				h.safeUpdateState(st)
			case <-stop:
				return
			}
		}
	}()
}

// Start begins running every check.
func (h *Health) Start() {
	for _, c := range h.configs {
		ticker := time.NewTicker(c.Interval)
		stop := make(chan struct{})
		h.runners[c.Name] = stop
		h.startRunner(c, ticker, stop)
	}
}

// Stop stops every check and forgets their states.
func (h *Health) Stop() {
	for name, stop := range h.runners {
		close(stop)
		delete(h.runners, name)
	}
	h.statesMtx.Lock()
	h.states = make(map[string]State)
	h.statesMtx.Unlock()
}
