package chanmodel

import (
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// A map class (chanuse.WideMaps) follows one element of a map held in a
// field: the owner's make, from its store on. The state tells whether
// that element is in the map (state.elem): a store of it puts it in, a
// delete or a new map in the field takes it out. Every key is taken to
// be the key it was stored under, a run the program can take when the
// clients pass that key. A lookup then finds the element exactly when it
// is in the map: its ok is known, its channel is the followed one when
// found and nil otherwise. An operation on a nil channel from a lookup
// is not followed (the path is pruned: it only loses witnesses), and a
// nil test of the lookup's channel is decided by the lookup.
//
// The map is shared, so an instruction on it that runs under a lock the
// model follows (the object's mutex: harnesssync.go) is a step of its
// own, like an operation on the channel: another goroutine may run
// between a store and a delete (a waiter looking the element up while
// its owner still works), and the lock keeps out what the program keeps
// out. One under no followed lock runs inside its goroutine's step, as
// before: a program's other accesses to a map are synchronised (or the
// runtime fails on the race), by a lock the model does not follow or by
// the channel, so running it atomically between channel operations is
// one of the orders the program can take. Under CheckRegistry the clients start when the owner's
// goroutine stores the element: they are calls on an object that was
// live before the owner's call, and may run at any time after it.

// A client reaching the make registers an element of its own: the model
// ends it there ("round again"), unless it holds a modelled lock then (a
// registry checking and storing under one lock), which the program would
// release later: that path is pruned, since a lock held forever would
// block the owner and invent a witness.

// mapMove runs the map instruction goroutine i of s (owned) waits at.
func (e *explorer) mapMove(s *state, i int) {
	g := s.gs[i]
	f := g.frames[len(g.frames)-1]
	in := g.mapAt
	g.mapAt = nil
	k := f.node.Map[in]
	mapStep(s, f, in, k)
	dbg("  map %v %v: in the map %v", k, in, s.elem)
	f.idx++
	if k == chanuse.MapStore && e.m.early && !s.started && g.g == e.m.ch.Nodes[0] {
		s.started = true
		e.spawn(s, e.m.then)
		if e.m.also != nil {
			e.spawn(s, e.m.also)
		}
	}
}

// mapStep runs in, a map instruction of kind k of frame f.
func mapStep(s *state, f *frame, in ssa.Instruction, k chanuse.MapKind) {
	switch k {
	case chanuse.MapStore:
		s.elem = true
	case chanuse.MapDelete, chanuse.MapClear:
		s.elem = false
	case chanuse.MapLookup:
		if l, ok := in.(*ssa.Lookup); ok {
			var v int64
			if s.elem {
				v = 1
			}
			f.known[okOf{l}] = v
		}
	}
}

// absentElem reports whether one of ops operates on a lookup's channel
// that f knows the lookup did not find: a nil channel.
func absentElem(f *frame, ops []opInfo) bool {
	for _, o := range ops {
		if l := chanuse.LookupOf(opValue(o.op)); l != nil {
			if v, ok := f.known[okOf{l}]; ok && v == 0 {
				return true
			}
		}
	}
	return false
}

// elemNil decides x, a comparison of a lookup's channel with nil, by
// the lookup.
func elemNil(f *frame, x *ssa.BinOp) (int64, bool) {
	v := x.X
	if !isNil(x.Y) {
		if !isNil(x.X) {
			return 0, false
		}
		v = x.Y
	}
	l := chanuse.LookupOf(v)
	if l == nil {
		return 0, false
	}
	found, ok := f.known[okOf{l}]
	if !ok {
		return 0, false
	}
	isnil := found == 0
	if x.Op == token.NEQ {
		isnil = !isnil
	}
	if isnil {
		return 1, true
	}
	return 0, true
}

// opValue returns the channel value op operates on.
func opValue(op chanuse.Op) ssa.Value {
	switch in := op.Instr.(type) {
	case *ssa.Send:
		return in.Chan
	case *ssa.UnOp:
		return in.X
	case *ssa.Select:
		return in.States[op.State].Chan
	case ssa.CallInstruction:
		if args := in.Common().Args; len(args) > 0 {
			return args[0]
		}
	}
	return nil
}
