package chanmodel

import (
	"go/constant"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/ssa"
)

// Counting exits: a loop around an operation on the channel that leaves
// when a counter reaches a bound (got++; if got == n { break }, or for
// got < n with got stepped on some paths) is followed when the model
// knows the count and the bound. Once a model has such a loop, the
// explorer evaluates integers exactly: a phi from constants stepped by
// constants (a counter), a sum or difference of known integers, a
// parameter of a function the goroutine called (the caller's argument,
// the caller waiting at the call), and a struct field stored once
// before it is read (ErrorGroup{N: started}, through a value or a
// pointer whose callees do not store it). A counting exit whose count or
// bound is not known on a path makes the checker give up on the channel:
// guessing its way is what made these loops false findings. A constant
// bound over 4 (a retry limit) gives up as before.
//
// Exact counts must not outlive a loop the model cuts short: an
// uncounted loop (one not keyed nor counting, relevant or not) runs at
// most bound times, its way out taken both ways whatever its count; when
// that way goes against the count, the loop's counters are forgotten
// (unknown from there on, as every integer was before).

// cntOf keys a phi known by counting in known.
type cntOf struct{ v *ssa.Phi }

// counter reports whether v is, or is a constant step of, a phi of l
// stepped by a constant on some way round; related, whether a step
// follows an operation on the channel or a start in the loop (one of
// ops' blocks dominates it): the loop counts what it takes or starts,
// not retries.
func counter(l *loop, v ssa.Value, ops []*ssa.BasicBlock) (is, related bool) {
	if b, ok := v.(*ssa.BinOp); ok && (b.Op == token.ADD || b.Op == token.SUB) {
		if _, ok := b.Y.(*ssa.Const); ok {
			v = b.X
		}
	}
	phi, ok := v.(*ssa.Phi)
	if !ok || !l.body[phi.Block()] {
		return false, false
	}
	for _, e := range phi.Edges {
		if b, ok := e.(*ssa.BinOp); ok && (b.Op == token.ADD || b.Op == token.SUB) {
			if _, ok := b.Y.(*ssa.Const); ok {
				is = true
				for _, ob := range ops {
					if ob.Dominates(b.Block()) {
						related = true
					}
				}
			}
		}
	}
	return is, related
}

// countingExits returns the ways out of l that test a counter l steps
// against a bound; ok is false when a bound is not one the model can
// follow: a counter stepped on no way that passes an operation on the
// channel or a start in the loop (a retry count, unrelated to the
// senders), or a constant bound over 4. Other bounds are evaluated on
// each path, exactly or not at all.
func (m *model) countingExits(n *chanuse.Node, l *loop) (exits []*ssa.If, ok bool) {
	ok = true
	var ops []*ssa.BasicBlock
	for b := range l.body {
		for _, in := range b.Instrs {
			if len(m.ops[n][in]) > 0 || len(m.children[n][in]) > 0 {
				ops = append(ops, b)
				break
			}
		}
	}
	for b := range l.body {
		iff, isIf := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !isIf || l.body[b.Succs[0]] && l.body[b.Succs[1]] {
			continue
		}
		c, isBin := iff.Cond.(*ssa.BinOp)
		if !isBin {
			continue
		}
		var bnd ssa.Value
		isX, relX := counter(l, c.X, ops)
		isY, relY := counter(l, c.Y, ops)
		switch {
		case isX:
			bnd = c.Y
		case isY:
			bnd = c.X
		default:
			continue
		}
		if !relX && !relY && (m.walkExit(l, iff) || m.retryAlone(n, l)) {
			continue // a free loop after all (loops.go)
		}
		exits = append(exits, iff)
		if !relX && !relY {
			ok = false // a retry count, not the channel's
			m.loopWhy = "counting loop: a count stepped apart from the channel (a retry count)"
			continue
		}
		l.bounds = append(l.bounds, bnd)
		if k, isConst := bnd.(*ssa.Const); isConst {
			v, exact := int64(0), false
			if k.Value != nil && k.Value.Kind() == constant.Int {
				v, exact = constant.Int64Val(k.Value)
			}
			if !exact || v > 4 {
				ok = false
				m.loopWhy = "counting loop: a constant bound over 4"
			} else {
				l.limit = max(l.limit, int(v))
			}
			continue
		}
	}
	return exits, ok
}

// approxExit returns the outermost loop of fn that iff leaves and whose
// count the model does not follow (neither keyed nor counting), or nil.
func (m *model) approxExit(fn *ssa.Function, iff *ssa.If) *loop {
	b := iff.Block()
	var best *loop
	for _, l := range m.loops[fn] {
		if !l.body[b] || l.body[b.Succs[0]] && l.body[b.Succs[1]] {
			continue
		}
		if l.key != "" || l.counting {
			continue
		}
		if best == nil || len(l.body) > len(best.body) {
			best = l
		}
	}
	return best
}

// forgetCounts forgets the counts of l's phis in f.
func forgetCounts(f *frame, l *loop) {
	if l == nil {
		return
	}
	for k := range f.known {
		if c, ok := k.(cntOf); ok && l.body[c.v.Block()] {
			delete(f.known, k)
		}
	}
}

// evalCount evaluates v by counting, when the frame knows it so. A
// counted loop's bound (a key: len(xs), a parameter n of i < n) is its
// trip count, as the model runs that loop.
func (e *explorer) evalCount(f *frame, v ssa.Value) (int64, bool) {
	if e.st != nil && isInt(v.Type()) {
		if _, ok := v.(*ssa.Const); !ok {
			if t, ok := e.st.trips[root(v, f.node, 0)]; ok && t >= 0 {
				return int64(t), true
			}
		}
	}
	switch x := v.(type) {
	case *ssa.Phi:
		r, ok := f.known[cntOf{x}]
		return r, ok
	case *ssa.BinOp:
		if (x.Op != token.ADD && x.Op != token.SUB) || !isInt(x.Type()) {
			return 0, false
		}
		a, ok := e.evalc(f, x.X, true)
		if !ok {
			return 0, false
		}
		b, ok := e.evalc(f, x.Y, true)
		if !ok {
			return 0, false
		}
		if x.Op == token.ADD {
			return a + b, true
		}
		return a - b, true
	case *ssa.Convert:
		if isInt(x.X.Type()) && isInt(x.Type()) {
			return e.evalc(f, x.X, true)
		}
	case *ssa.Parameter:
		if cf, arg := e.argOf(f, x); cf != nil {
			return e.evalc(cf, arg, true)
		}
	case *ssa.Field:
		if isInt(x.Type()) {
			return e.fieldVal(f, x.X, x.Field, x, nil, 0)
		}
	case *ssa.UnOp:
		// A field read through a pointer to a variable stored once.
		if fa, ok := x.X.(*ssa.FieldAddr); ok && x.Op == token.MUL && isInt(x.Type()) {
			return e.fieldPtr(f, fa.X, fa.Field, x, nil, 0)
		}
	}
	return 0, false
}

// fieldVal evaluates field k of the struct value v of frame f, read at
// instruction at of f's function (via: the parameters the read came
// through from a callee).
func (e *explorer) fieldVal(f *frame, v ssa.Value, k int, at ssa.Instruction, via []*ssa.Parameter, depth int) (int64, bool) {
	if depth > maxFrames {
		return 0, false
	}
	switch x := v.(type) {
	case *ssa.Parameter:
		cf, arg := e.argOf(f, x)
		if cf == nil {
			return 0, false
		}
		return e.fieldVal(cf, arg, k, cf.blk.Instrs[cf.idx], nil, depth+1)
	case *ssa.UnOp:
		if x.Op == token.MUL {
			return e.fieldPtr(f, x.X, k, x, via, depth+1)
		}
	}
	return 0, false
}

// fieldPtr evaluates field k of the variable p points to, read at at in
// f's function.
func (e *explorer) fieldPtr(f *frame, p ssa.Value, k int, at ssa.Instruction, via []*ssa.Parameter, depth int) (int64, bool) {
	if depth > maxFrames {
		return 0, false
	}
	switch x := p.(type) {
	case *ssa.Parameter:
		cf, arg := e.argOf(f, x)
		if cf == nil {
			return 0, false
		}
		return e.fieldPtr(cf, arg, k, cf.blk.Instrs[cf.idx], append(via, x), depth+1)
	case *ssa.Alloc:
		st, whole, ok := storedOnce(x, k, at, via)
		switch {
		case !ok:
			return 0, false
		case st == nil:
			return 0, true // never stored: the zero value
		case whole:
			return e.fieldVal(f, st.Val, k, st, nil, depth+1)
		}
		return e.evalc(f, st.Val, true)
	}
	return 0, false
}

// argOf returns the caller's frame and the argument it passed for p, a
// parameter of f's function, when f was called by the goroutine (its
// caller waits at the call), or nil.
func (e *explorer) argOf(f *frame, p *ssa.Parameter) (*frame, ssa.Value) {
	if e.st == nil || p.Parent() != f.node.Fn {
		return nil, nil
	}
	for _, g := range e.st.gs {
		for i, h := range g.frames {
			if h != f {
				continue
			}
			if i == 0 {
				return nil, nil
			}
			c := g.frames[i-1]
			if c.unwinding || c.idx >= len(c.blk.Instrs) {
				return nil, nil // a deferred call: its arguments are older
			}
			call, ok := c.blk.Instrs[c.idx].(*ssa.Call)
			if !ok {
				return nil, nil
			}
			for k, q := range p.Parent().Params {
				if q != p {
					continue
				}
				if call.Call.IsInvoke() {
					k--
				}
				if k < 0 || k >= len(call.Call.Args) {
					return nil, nil
				}
				return c, call.Call.Args[k]
			}
			return nil, nil
		}
	}
	return nil, nil
}

// storedOnce returns the store that sets field k of a, when a, made
// outside loops, has that field stored once (by a store to the field, or
// whole when whole), outside loops, before at (an instruction of a's
// function), and is otherwise only read: loaded, its other fields
// stored, or passed to the call via came through (the parameters the
// read came through), whose function only reads field k. A nil store
// with ok is a field never stored (the zero value).
func storedOnce(a *ssa.Alloc, k int, at ssa.Instruction, via []*ssa.Parameter) (st *ssa.Store, whole, ok bool) {
	if inLoop(a) {
		return nil, false, false
	}
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return nil, false, false
			}
		case *ssa.Store:
			if r.Addr != a || st != nil {
				return nil, false, false
			}
			st, whole = r, true
		case *ssa.FieldAddr:
			for _, rr := range *r.Referrers() {
				switch rr := rr.(type) {
				case *ssa.Store:
					if rr.Addr != r {
						return nil, false, false
					}
					if r.Field == k {
						if st != nil {
							return nil, false, false
						}
						st = rr
					}
				case *ssa.UnOp:
					if rr.Op != token.MUL {
						return nil, false, false
					}
				case *ssa.DebugRef:
				default:
					return nil, false, false
				}
			}
		case *ssa.Call:
			if len(via) == 0 || !readsOnly(r, a, k, via[len(via)-1]) {
				return nil, false, false
			}
		default:
			return nil, false, false
		}
	}
	if st == nil {
		return nil, false, true
	}
	if ssaloopIn(st) || !before(st, at) {
		return nil, false, false
	}
	return st, whole, true
}

// readsOnly reports whether call passes a only as the parameter p, and
// p's function only reads field k through it.
func readsOnly(call *ssa.Call, a *ssa.Alloc, k int, p *ssa.Parameter) bool {
	fn := call.Call.StaticCallee()
	if fn == nil || fn != p.Parent() {
		return false
	}
	for i, x := range call.Call.Args {
		if x == ssa.Value(a) && (i >= len(fn.Params) || fn.Params[i] != p) {
			return false
		}
	}
	for _, r := range *p.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return false
			}
		case *ssa.FieldAddr:
			for _, rr := range *r.Referrers() {
				if s, ok := rr.(*ssa.Store); ok && r.Field == k && s.Addr == r {
					return false
				}
				if _, ok := rr.(*ssa.Call); ok {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// ssaloopIn reports whether in is in a loop of its function.
func ssaloopIn(in ssa.Instruction) bool {
	return in.Block() != nil && ssaloop.InLoop(in.Block())
}

// countLimit is how many times a counting loop may go round in f: its
// bounds' values as f knows them, at most 4 (past which the paths are
// pruned: never a witness).
func (e *explorer) countLimit(f *frame, l *loop) int {
	limit := max(bound, l.limit)
	for _, b := range l.bounds {
		if v, ok := e.evalc(f, b, true); ok && v > int64(limit) {
			limit = int(min(v, 4))
		}
	}
	return limit
}
