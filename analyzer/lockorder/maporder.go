package lockorder

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Locking the elements of a map in its iteration order (issue 14;
// milvus-io/milvus#29246).
//
// A loop over a map that locks each element's mutex (directly, or through
// a method that returns with it held) and keeps it locked into the next
// iteration takes the elements' locks in the map's iteration order, which
// Go randomizes on every range: two goroutines running such a loop over
// the same map (the same function called twice, or two such loops) can
// each hold one element's lock and wait forever for the other's. Not
// reported: read locks (two readers do not block each other), a loop
// that releases the element's lock somewhere in its body (on some path),
// a loop run while the function holds another lock for writing (that
// lock lets one goroutine at a time run it, also when the function is
// only called by the package, always with such a lock held), and a loop
// over a slice or over sorted keys (a fixed order).

// mapElem returns the range statement a value was taken from when v is
// the value of a range over a map (for _, v := range m), or nil.
func mapElem(v ssa.Value) *ssa.Next {
	if l, ok := lookupOf(v); ok {
		// m[k] with k the key of a range over the same map
		k, ok := l.Index.(*ssa.Extract)
		if !ok || k.Index != 1 {
			return nil
		}
		n := rangeNext(k.Tuple)
		if n == nil || !sameMap(n.Iter.(*ssa.Range).X, l.X) {
			return nil
		}
		return n
	}
	x, ok := v.(*ssa.Extract)
	if !ok || x.Index != 2 {
		return nil
	}
	return rangeNext(x.Tuple)
}

// lookupOf returns the map lookup v is the value of (m[k], or the value
// of v, ok := m[k]).
func lookupOf(v ssa.Value) (*ssa.Lookup, bool) {
	if x, ok := v.(*ssa.Extract); ok && x.Index == 0 {
		v = x.Tuple
	}
	l, ok := v.(*ssa.Lookup)
	if !ok {
		return nil, false
	}
	if _, ok := l.X.Type().Underlying().(*types.Map); !ok {
		return nil, false
	}
	return l, true
}

// sameMap reports whether a and b are the same map: one value, or loads
// of the same field of the same value.
func sameMap(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	ua, ok1 := a.(*ssa.UnOp)
	ub, ok2 := b.(*ssa.UnOp)
	if !ok1 || !ok2 || ua.Op != token.MUL || ub.Op != token.MUL {
		return false
	}
	fa, ok1 := ua.X.(*ssa.FieldAddr)
	fb, ok2 := ub.X.(*ssa.FieldAddr)
	return ok1 && ok2 && fa.X == fb.X && fa.Field == fb.Field
}

// sameElem reports whether a and b are the same element: one value, or
// lookups of the same map with the same key.
func sameElem(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	la, ok1 := lookupOf(a)
	lb, ok2 := lookupOf(b)
	return ok1 && ok2 && la.Index == lb.Index && sameMap(la.X, lb.X)
}

// rangeNext returns t when it is the Next of a range over a map.
func rangeNext(t ssa.Value) *ssa.Next {
	n, ok := t.(*ssa.Next)
	if !ok || n.IsString {
		return nil
	}
	r, ok := n.Iter.(*ssa.Range)
	if !ok {
		return nil
	}
	if _, ok := r.X.Type().Underlying().(*types.Map); !ok {
		return nil
	}
	return n
}

// mutexRoot returns the value a mutex address is a field path of (v.mu,
// v.a.mu, v.a^.mu), or nil for a path too long.
func mutexRoot(v ssa.Value) ssa.Value {
	for i := 0; i < 8; i++ {
		switch x := v.(type) {
		case *ssa.FieldAddr:
			v = x.X
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return v
			}
			v = x.X
		default:
			return v
		}
	}
	return nil
}

// loopOf returns the blocks of the loop whose header is h: those reached
// from h that reach h again.
func loopOf(h *ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	body := map[*ssa.BasicBlock]bool{h: true}
	for _, b := range h.Parent().Blocks {
		if b != h && reaches(h, b) && reaches(b, h) {
			body[b] = true
		}
	}
	return body
}

// noteMapElemLock records an acquire (not a read lock) of the mutex fkey
// of elem, the value of a range over a map, on the path s, at pos. A
// write lock held on s besides keeps the loop to one goroutine.
func (f *fnChecker) noteMapElemLock(elem ssa.Value, fkey, d string, read bool, pos token.Pos, s *state) {
	if !f.final || f.indirect > 0 || read || fkey == "" || genericClass(fkey) {
		return
	}
	n := mapElem(elem)
	if n == nil || f.block == nil {
		return
	}
	body := loopOf(n.Block())
	if !body[f.block] {
		return
	}
	for _, h := range s.held {
		if !h.read && !byClass(h.inst) && h.once == "" {
			return // a gate: one goroutine at a time
		}
	}
	if f.releasesIn(body, elem, fkey) {
		return
	}
	r := n.Iter.(*ssa.Range)
	at := r.Pos()
	if !at.IsValid() {
		at = pos
	}
	f.c.mapOrders = append(f.c.mapOrders, &mapOrder{fn: f.fn, pos: pos, rng: at, msg: fmt.Sprintf("%s is locked for each element of %s in the map's iteration order and kept locked into the next iteration: Go randomizes the order of every range over a map, so two goroutines running this loop at once can each hold one element's lock and wait forever for the other's (lock the elements in a fixed order, such as sorted keys)", d, desc(r.X))})
}

// mapOrder is a loop found by noteMapElemLock, reported at the end unless
// every caller of its function holds a write lock at the call.
type mapOrder struct {
	fn       *ssa.Function
	pos, rng token.Pos
	msg      string
}

// noteCallGate records whether a static call of callee is made holding a
// mutex for writing.
func (f *fnChecker) noteCallGate(callee *ssa.Function, s *state) {
	if !f.final || f.indirect > 0 {
		return
	}
	for _, h := range s.held {
		if !h.read && !byClass(h.inst) && h.once == "" {
			return
		}
	}
	if f.c.ungatedCalls == nil {
		f.c.ungatedCalls = map[*ssa.Function]bool{}
	}
	f.c.ungatedCalls[callee] = true
}

// reportMapOrders reports the loops of noteMapElemLock, except in a
// function only the package calls (see internal) and only while holding a
// write lock: that lock lets one goroutine at a time run the loop.
func (c *checker) reportMapOrders() {
	for _, m := range c.mapOrders {
		if c.internal(m.fn) && !c.ungatedCalls[m.fn] {
			continue
		}
		c.report(m.pos, m.msg, analysis.RelatedInformation{Pos: m.rng, Message: "the range over the map"})
	}
}

// releasesIn reports whether a block of body unlocks the mutex fkey of
// elem: an Unlock or RUnlock of it, or a call whose summary releases it.
// Deferred unlocks run after the loop and do not count.
func (f *fnChecker) releasesIn(body map[*ssa.BasicBlock]bool, elem ssa.Value, fkey string) bool {
	for b := range body {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			if call.Call.IsInvoke() {
				if m := call.Call.Method.Name(); m == "Unlock" || m == "RUnlock" {
					return true // through a Locker: maybe this one
				}
				continue
			}
			callee := call.Call.StaticCallee()
			if callee == nil {
				continue
			}
			if unlockFuncs[funcName(callee)] {
				if fk, _ := f.c.lockField(call.Call.Args[0]); fk == fkey && sameElem(mutexRoot(call.Call.Args[0]), elem) {
					return true
				}
				continue
			}
			if f.c.inProgress[callee] {
				continue
			}
			for _, a := range f.c.summaryOf(callee).Releases {
				if a.Lock != fkey {
					continue
				}
				var i int
				if _, err := fmt.Sscanf(a.Root, "{p%d}", &i); err == nil && i < len(call.Call.Args) && sameElem(call.Call.Args[i], elem) {
					return true
				}
			}
		}
	}
	return false
}
