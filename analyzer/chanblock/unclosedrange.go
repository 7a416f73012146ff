package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// Waits for a goroutine that ranges over a channel nothing can close.
//
// A range over a channel ends only when the channel is closed. When the
// channel is kept in a private field whose channel the package never
// closes and never hands to code that could (it is only sent on, received
// from, measured, compared, or handed out as a receive-only <-chan, on
// which close does not compile), no range over it ever ends. A goroutine
// whose only way out is the end of such a range never returns, and its
// deferred wg.Done or close(done) never run: a wg.Wait on the WaitGroup it
// was counted on, or a receive from a done channel only it closes,
// blocks forever (smartcontractkit/chainlink#9864: Subscription.Close
// never closed the Events channel, so a listener ranging over Events until
// the subscription closed never finished, and whoever waited for it
// waited forever). A goroutine that ranges over such a channel and nobody
// waits for serves for the program's life by design; only the wait is
// reported.
//
// The ranged channel is followed from the goroutine back to the field: a
// load of the field, a call of a function that returns it (an accessor,
// also through an interface method of the package whose every
// implementation among the package's types is an accessor of such a
// field), through the free variables and parameters the go statement
// binds.

// unclosedRangeWaits reports the waits for goroutines that never return
// because their only way out is a range over a channel nothing can close.
func unclosedRangeWaits(st *state, funcs []*ssa.Function) {
	u := &unclosable{st: st, funcs: funcs, pkg: pkgOf(funcs)}
	fieldWaits := map[*types.Var][]*ssa.Call{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(*ssa.Call); ok {
					if w := wgCall(&c.Call, "Wait"); w != nil {
						if f := chanuse.StructFieldOf(w); f != nil {
							fieldWaits[f] = append(fieldWaits[f], c)
						}
					}
				}
			}
		}
	}
	line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
	endless := map[*ssa.Function]string{} // goroutine functions that never return, and why
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok {
					continue
				}
				gf := goFunc(g)
				if gf == nil || neverReturns(gf) {
					continue // noExit's
				}
				node := &chanuse.Node{Fn: gf, Go: g}
				var rng *ssa.UnOp
				var field *types.Var
				never := neverReturnsEnd(gf, nil, func(recv *ssa.UnOp) bool {
					f := u.rangedField(node, recv.X, 0)
					if f != nil && rng == nil {
						rng, field = recv, f
					}
					return f != nil
				})
				if !never || rng == nil {
					continue
				}
				why := fmt.Sprintf("its range over field %s of %s (line %d) ends only when the channel is closed, and nothing can close it: the package never closes the field's channel nor hands it out except as a receive-only <-chan",
					field.Name(), ownerName(st.sealed, field), line(rng.Pos()))
				endless[gf] = why
				stuckWG(st, g, gf, fieldWaits, why)
			}
		}
	}
	if len(endless) == 0 {
		return
	}
	// Done channels whose only close is deferred in such a goroutine.
	neverWhy := func(fn *ssa.Function) string { return endless[fn] }
	ownedChannels(st, funcs, func(o *ops, name string) { stuckClose(st, o, name, neverWhy) })
}

// unclosable finds the private channel fields nothing can close.
type unclosable struct {
	st    *state
	funcs []*ssa.Function
	pkg   *ssa.Package
	memo  map[*types.Var]bool
}

func pkgOf(funcs []*ssa.Function) *ssa.Package {
	for _, fn := range funcs {
		if fn.Pkg != nil {
			return fn.Pkg
		}
	}
	return nil
}

// rangedField returns the field whose channel v is, when no code can close
// that field's channel; node (nil: none) is the goroutine v is in, whose
// free variables and parameters are followed to the go statement.
func (u *unclosable) rangedField(node *chanuse.Node, v ssa.Value, depth int) *types.Var {
	if depth > 4 {
		return nil
	}
	switch v := v.(type) {
	case *ssa.ChangeType:
		return u.rangedField(node, v.X, depth+1)
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return nil
		}
		switch x := v.X.(type) {
		case *ssa.FieldAddr:
			return u.ok(chanuse.StructFieldOf(x))
		case *ssa.FreeVar:
			// A variable the goroutine's literal captures: go/ssa keeps
			// it in memory, set once by the starter.
			if node != nil {
				if a, ok := outer(node, x).(*ssa.Alloc); ok {
					if val := storedOnce(a); val != nil {
						return u.rangedField(nil, val, depth+1)
					}
				}
			}
		case *ssa.Alloc:
			if val := storedOnce(x); val != nil {
				return u.rangedField(nil, val, depth+1)
			}
		}
	case *ssa.Field:
		return u.ok(chanuse.StructField(v.X.Type(), v.Field, false))
	case *ssa.Call:
		fns := chanuse.Callees(u.pkg, &v.Call)
		if len(fns) == 0 {
			return nil
		}
		var field *types.Var
		for _, fn := range fns {
			f, _ := chanuse.Accessor(fn)
			if f = u.ok(f); f == nil || field != nil && f != field {
				return nil
			}
			field = f
		}
		return field
	case *ssa.FreeVar, *ssa.Parameter:
		if node == nil {
			return nil
		}
		if o := outer(node, v); o != nil {
			return u.rangedField(nil, o, depth+1)
		}
	}
	return nil
}

// storedOnce returns the one value stored in the local variable a, when
// a is otherwise only loaded or captured.
func storedOnce(a *ssa.Alloc) ssa.Value {
	var val ssa.Value
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef, *ssa.MakeClosure:
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return nil
			}
		case *ssa.Store:
			if r.Addr != a || val != nil {
				return nil
			}
			val = r.Val
		default:
			return nil
		}
	}
	return val
}

// ok returns f's origin when it is a private channel field nothing can
// close, else nil.
func (u *unclosable) ok(f *types.Var) *types.Var {
	if f == nil {
		return nil
	}
	f = f.Origin()
	if _, isChan := f.Type().Underlying().(*types.Chan); !isChan || !u.st.sealed.Private(f) {
		return nil
	}
	if u.memo == nil {
		u.memo = map[*types.Var]bool{}
	}
	never, seen := u.memo[f]
	if !seen {
		never = u.neverClosed(f)
		u.memo[f] = never
	}
	if !never {
		return nil
	}
	return f
}

// neverClosed reports whether every use of field f in the package is
// understood and none can close its channel: only makes (kept nowhere
// else) or nil are stored in it, and every channel loaded from it has
// only closeless uses (closeless).
func (u *unclosable) neverClosed(f *types.Var) bool {
	stores := 0
	for _, fn := range u.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.FieldAddr:
					if g := chanuse.StructFieldOf(in); g == nil || g.Origin() != f {
						continue
					}
					for _, r := range *in.Referrers() {
						switch r := r.(type) {
						case *ssa.DebugRef:
						case *ssa.Store:
							if r.Addr != in {
								return false
							}
							switch val := r.Val.(type) {
							case *ssa.Const:
								if !val.IsNil() {
									return false
								}
							case *ssa.MakeChan:
								if !madeFor(val, f) {
									return false
								}
								stores++
							default:
								return false
							}
						case *ssa.UnOp:
							if r.Op != token.MUL || !closeless(r, map[ssa.Value]bool{}) {
								return false
							}
						default:
							return false
						}
					}
				case *ssa.Field:
					if g := chanuse.StructField(in.X.Type(), in.Field, false); g == nil || g.Origin() != f {
						continue
					}
					if !closeless(in, map[ssa.Value]bool{}) {
						return false
					}
				}
			}
		}
	}
	return stores > 0
}

// madeFor reports whether the channel mc makes goes only into field f (a
// make also kept in a variable may be closed through it), or is otherwise
// only used without a close.
func madeFor(mc *ssa.MakeChan, f *types.Var) bool {
	for _, r := range *mc.Referrers() {
		if s, ok := r.(*ssa.Store); ok && s.Val == mc {
			if g := chanuse.StructFieldOf(s.Addr); g != nil && g.Origin() == f {
				continue
			}
			return false
		}
	}
	return closelessRefs(mc, map[ssa.Value]bool{mc: true}, true)
}

// closeless reports whether no use of v, a channel, can close it: a
// receive-only channel cannot be closed, and a bidirectional one is only
// sent on, received from (also in a select), compared, measured, or
// converted (to a receive-only type, or followed further).
func closeless(v ssa.Value, seen map[ssa.Value]bool) bool {
	if seen[v] {
		return true
	}
	seen[v] = true
	if ch, ok := v.Type().Underlying().(*types.Chan); ok && ch.Dir() == types.RecvOnly {
		return true
	}
	return closelessRefs(v, seen, false)
}

func closelessRefs(v ssa.Value, seen map[ssa.Value]bool, storesOK bool) bool {
	for _, r := range *v.Referrers() {
		if plainUse(r, v) {
			continue
		}
		switch r := r.(type) {
		case *ssa.Store:
			if !storesOK || r.Val != v {
				return false
			}
		case *ssa.ChangeType:
			if !closeless(r, seen) {
				return false
			}
		case *ssa.Phi:
			if !closeless(r, seen) {
				return false
			}
		default:
			return false
		}
	}
	return true
}
