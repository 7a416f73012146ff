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
	m := build(joint)
	if m == nil {
		dbg("%s: no lifecycle harness model", joint.Make.Parent().Name())
		return nil
	}
	if obj != nil && len(obj.Fields) > 0 {
		m.hobj = obj
		m.sy = m.buildSync()
	}
	m.then, m.also = first, second
	m.late = late
	m.rets = map[*ssa.Return]bool{}
	for _, r := range rets {
		m.rets[r] = true
	}
	m.findFlags()
	return m.explore(budget)
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
	for _, k := range e.m.late {
		e.spawn(&c, k)
		c.gs[len(c.gs)-1].late = true
	}
	e.next(&c, s)
	return true
}

// lateWitness reports whether goroutine i of s, blocked where nothing can
// move, is a witness of a harness with late clients (CheckLifecycle).
func (e *explorer) lateWitness(s *state, i int) bool {
	if len(e.m.late) == 0 {
		return true
	}
	if !s.lateOn || !s.gs[i].waiting || s.gs[i].late {
		return false
	}
	did := false
	for _, g := range s.gs {
		if !g.late {
			continue
		}
		if !g.done {
			return false
		}
		if g.did {
			did = true
		} else if g.guessed {
			return false
		}
	}
	return did
}
