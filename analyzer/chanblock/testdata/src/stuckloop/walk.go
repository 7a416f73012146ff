package stuckloop

// Walks over a list whose length the checker does not know (gathered by
// an earlier loop): it runs them 0, 1 or 2 times, each a length the list
// may have.

type item struct {
	name string
	live bool
}

// One goroutine per live item, and the caller takes one signal: with no
// live item it waits for ever, with two the second signal is never taken.
func pingLive(items map[string]*item, ping func(*item)) {
	var live []*item
	for _, it := range items {
		if it.live {
			live = append(live, it)
		}
	}
	done := make(chan struct{})
	for _, it := range live {
		go func(it *item) {
			ping(it)
			done <- struct{}{} // want `this send can block forever`
		}(it)
	}
	<-done // want `this receive can block forever`
}

// Fixed: one receive per goroutine started, walking the same list; the
// two walks' counts must match, which the checker does not guess.
func pingLiveFixed(items map[string]*item, ping func(*item)) {
	var live []*item
	for _, it := range items {
		if it.live {
			live = append(live, it)
		}
	}
	done := make(chan struct{})
	for _, it := range live {
		go func(it *item) {
			ping(it)
			done <- struct{}{}
		}(it)
	}
	for range live {
		<-done
	}
}

// Fixed otherwise: a buffer as long as the list, nobody waits.
func pingLiveBuffered(items map[string]*item, ping func(*item)) chan struct{} {
	var live []*item
	for _, it := range items {
		if it.live {
			live = append(live, it)
		}
	}
	done := make(chan struct{}, len(live))
	for _, it := range live {
		go func(it *item) {
			ping(it)
			done <- struct{}{}
		}(it)
	}
	return done
}

// Look-alike: an index loop over the gathered list, the receiver counting
// with its own index to the same length.
func pingLiveIndexed(items map[string]*item, ping func(*item)) {
	var live []*item
	for _, it := range items {
		if it.live {
			live = append(live, it)
		}
	}
	done := make(chan string)
	for i := 0; i < len(live); i++ {
		it := live[i]
		go func() {
			ping(it)
			done <- it.name
		}()
	}
	for i := 0; i < len(live); i++ {
		_ = <-done
	}
}

// Look-alike: a pair is checked before the walk, and the collector
// counts its way out at two. The walk's count must match the counting
// loop's, which the checker does not relate to the check: it gives up.
func pingPair(items map[string]*item, ping func(*item)) {
	var live []*item
	for _, it := range items {
		if it.live {
			live = append(live, it)
		}
	}
	if len(live) != 2 {
		return
	}
	done := make(chan struct{})
	for _, it := range live {
		go func(it *item) {
			ping(it)
			done <- struct{}{}
		}(it)
	}
	got := 0
	for range done {
		got++
		if got == 2 {
			break
		}
	}
}

// Look-alike: the list comes from an enclosing loop's element, and each
// group's results are taken by a walk over the same group.
func pingGroups(groups [][]*item, ping func(*item)) {
	for _, g := range groups {
		done := make(chan struct{})
		for i := 0; i < len(g); i++ {
			it := g[i]
			go func() {
				ping(it)
				done <- struct{}{}
			}()
		}
		for range g {
			<-done
		}
	}
}
