package fixed

import "sync"

type raceArm struct {
	index int
	lane  string
	watch *streamWatch
}

// hedgeRace runs the same request on several lanes and keeps the first
// answer.
type hedgeRace struct {
	mu       sync.Mutex
	arms     []*raceArm
	costPerK map[string]float64
}

func (r *hedgeRace) askedLane(arm int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.arms {
		if a.index == arm {
			return a.lane
		}
	}
	return ""
}

func laneOf(a *raceArm) string {
	if a.watch != nil {
		if l := a.watch.lane(); l != "" {
			return l
		}
	}
	return a.lane
}

func (r *hedgeRace) estimateLocked(lane string, written int) float64 {
	return r.costPerK[lane] * float64(written) / 1000
}

// spend reports how many arms ran and what the losing arms cost.
func (r *hedgeRace) spend(arm int) (arms int, waste float64, note string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, other := range r.arms {
		if other.index != arm {
			waste += r.estimateLocked(laneOf(other), other.watch.written())
		}
	}
	if waste > 0 {
		note = "hedged"
	}
	return len(r.arms), waste, note
}
