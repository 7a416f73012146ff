package bug

import "sync"

// Gauge is an asynchronous gauge read at collection time.
type Gauge struct {
	name     string
	callback func() int64
}

// Registry is the metrics pipeline: collection runs every registered
// callback under its mutex.
type Registry struct {
	mu     sync.Mutex
	gauges []*Gauge
}

// NewGauge registers a gauge.
func (r *Registry) NewGauge(name string, callback func() int64) *Gauge {
	g := &Gauge{name: name, callback: callback}
	r.mu.Lock() // heldout:site
	r.gauges = append(r.gauges, g)
	r.mu.Unlock()
	return g
}

// Collect reads every gauge (a Prometheus scrape).
func (r *Registry) Collect() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int64, len(r.gauges))
	for _, g := range r.gauges {
		out[g.name] = g.callback() // heldout:site
	}
	return out
}
