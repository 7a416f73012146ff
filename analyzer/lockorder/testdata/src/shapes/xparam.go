package shapes

import "shapes/xmap"

// The nex-go#37 shape across packages: xmap.Map.Each's fact says it calls
// its callback holding the map's read lock, so the callback's Delete on
// the same map is a write lock under this goroutine's read lock.
type xIndex struct {
	byName *xmap.Map
}

func (x *xIndex) Prune(dead func(string) bool) {
	x.byName.Each(func(k string, v int) { // want `x.byName.mu is write-locked inside the function literal \(passed to Each, which calls it holding its locks\)`
		if dead(k) {
			x.byName.Delete(k)
		}
	})
}

// The fix: collect the keys first, delete after the iteration.
func (x *xIndex) PruneFixed(dead func(string) bool) {
	for _, k := range x.byName.Keys() {
		if dead(k) {
			x.byName.Delete(k)
		}
	}
}
