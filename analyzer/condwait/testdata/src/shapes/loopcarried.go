package shapes

import "sync"

// loopGate's waiters keep their own "done" across iterations: the wait
// condition is a φ-node that flows back into itself, which the predicate
// walk must follow once and stop (it used to recurse until the stack
// overflowed).
type loopGate struct {
	mu    sync.Mutex
	cond  *sync.Cond
	ready bool
}

func (g *loopGate) wait() {
	g.mu.Lock()
	done := false
	for !done {
		g.cond.Wait()
		done = g.ready || done
	}
	g.mu.Unlock()
}

func (g *loopGate) open() {
	g.mu.Lock()
	g.ready = true
	g.cond.Broadcast()
	g.mu.Unlock()
}

func newLoopGate() *loopGate {
	g := &loopGate{}
	g.cond = sync.NewCond(&g.mu)
	return g
}
