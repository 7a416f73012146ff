package chanmodel

import (
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// CheckLifecycle is CheckHarness with late clients: calls of the
// object's methods that complete operations of the kind the harness left
// blocked (a lifecycle method: Stop, Close, Done), started only once
// nothing else can move, so they begin after every other goroutine of the
// harness is blocked. The convention it checks: a call that releases the
// object's waiters must release every goroutine blocked in the object's
// methods and in its own goroutines when it began. A witness is kept only
// when, after the late clients all returned:
//
//   - a goroutine blocked when they began is still blocked at the same
//     operation, never having moved since (a goroutine that was served and
//     went back to wait, a loop taking the next request, is not one);
//   - at least one late client completed an operation on the channel (the
//     release happened, and did not reach it);
//   - every late client that completed none returned on a path the
//     object's state decided, with no branch taken on a value the model
//     does not know (a second Done finding its done flag set, not a
//     Signal whose condition is unknown).
//
// A call made after the lifecycle call returned (a Wait after Close) is
// misuse under the same convention and is not what this runs: the late
// clients begin last.
func CheckLifecycle(joint *chanuse.Channel, obj *HarnessObject, first, second *chanuse.Node, late []*chanuse.Node, rets []*ssa.Return, budget int) []Stuck {
	return checkHarness(joint, obj, first, second, late, rets, false, budget)
}

// startLate starts the late clients in a copy of s, a state where nothing
// can move: the goroutines blocked there are marked as waiting since
// before them. It reports whether it did (once per path).
func (e *explorer) startLate(s *state) bool {
	if len(e.m.late) == 0 || s.lateOn {
		return false
	}
	c := *s
	c.gs = make([]*gor, len(s.gs))
	for i, g := range s.gs {
		g = g.clone()
		g.waiting = !g.done && (len(g.parked) > 0 || g.sync != nil)
		c.gs[i] = g
	}
	c.lateOn = true
	for j, k := range e.m.late {
		e.spawn(&c, k)
		c.gs[len(c.gs)-1].late, c.gs[len(c.gs)-1].lateRoot = j+1, true
	}
	e.next(&c, s)
	return true
}

// spawnFrom starts k from goroutine i of s: a goroutine a late client
// starts belongs to its call.
func (e *explorer) spawnFrom(s *state, i int, k *chanuse.Node) {
	e.spawn(s, k)
	s.gs[len(s.gs)-1].late = s.gs[i].late
}

// lateWitness reports whether goroutine i of s, blocked where nothing can
// move, is a witness of a harness with late clients (CheckLifecycle): it
// was blocked when they began and has not moved since, every late call
// returned, one completed an operation on the channel, and every other
// completed none on a path with no branch on a value the model does not
// know (in the call or in the goroutines it started).
func (e *explorer) lateWitness(s *state, i int) bool {
	if len(e.m.late) == 0 {
		return true
	}
	if !s.lateOn || !s.gs[i].waiting || s.gs[i].late > 0 {
		return false
	}
	did := make([]bool, len(e.m.late))
	guessed := make([]bool, len(e.m.late))
	for _, g := range s.gs {
		if g.late == 0 {
			continue
		}
		if g.lateRoot && !g.done {
			return false
		}
		did[g.late-1] = did[g.late-1] || g.did
		guessed[g.late-1] = guessed[g.late-1] || g.guessed
	}
	released := false
	for j := range e.m.late {
		switch {
		case did[j]:
			released = true
		case guessed[j]:
			return false
		}
	}
	if released && debug {
		for _, g := range s.gs {
			dbg("  late witness: %s late %d root %t did %t guessed %t waiting %t done %t parked %d exit %v", g.g.Fn, g.late, g.lateRoot, g.did, g.guessed, g.waiting, g.done, len(g.parked), e.m.ch.Make.Parent().Prog.Fset.Position(g.exit))
		}
	}
	return released
}
