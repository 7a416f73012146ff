package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// unclosedServers reports a goroutine that serves requests from a channel
// its starter made and returns when a receive reports the channel closed
// (req, ok := <-reqCh; if !ok { return }), when the starter keeps the
// channel only in a private field of a type with a method that ends the
// object's life (Close, Stop) and nothing in the package closes it, by the
// field or otherwise (minio/minio-go#1687: Object.Close never closed
// reqCh, so every closed object left its goroutine waiting). The
// goroutine's author waits for a close no code performs: once the object
// is closed and dropped, the receive blocks forever.
//
// The channel is followed only where the rule can see all of it: the
// maker may store it (also converted to a send-only type) in the one
// field and hand it to goroutines it starts; the field's class must not
// escape; a goroutine may only receive from it.
func unclosedServers(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				mc, ok := instr.(*ssa.MakeChan)
				if !ok {
					continue
				}
				field, store, waiters := servedChan(st, mc)
				var loads map[ssa.Value]bool // waiters that load the field in a started method
				if field != nil {
					loads = map[ssa.Value]bool{}
					for _, l := range startedFieldLoads(store, field) {
						loads[l] = true
						waiters = append(waiters, l)
					}
				}
				if field == nil || len(waiters) == 0 {
					continue
				}
				owner := st.sealed.Owner(field)
				if owner == nil {
					continue
				}
				stop := stopMethod(owner)
				if stop == nil {
					continue
				}
				if !fieldNeverClosed(funcs, field, store) {
					continue
				}
				for _, w := range waiters {
					recv, exit := closedExit(w)
					if recv == nil || loads[w] && !closeOnlyExit(recv) {
						continue
					}
					st.Report(analysis.Diagnostic{
						Pos:      recv.Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("this goroutine returns when its channel is closed (line %d), but nothing closes it: the channel is kept in field %s of %s, whose %s does not close it, so once the object is closed the receive blocks forever and the goroutine leaks",
							st.pass.Fset.Position(exit.Pos()).Line, field.Name(), owner.Name(), stop.Name()),
						Related: []analysis.RelatedInformation{
							{Pos: store.Pos(), Message: "the channel is stored in field " + field.Name() + " here"},
							{Pos: stop.Pos(), Message: stop.Name() + " ends the object's life without closing the channel"},
						},
					})
				}
			}
		}
	}
}

// servedChan follows mc in its maker: stored (also converted) in one
// private field, and captured by, or handed to, goroutines the maker
// starts. It returns the field, the store and the channel's value in each
// goroutine, or a nil field when the channel goes anywhere else.
func servedChan(st *state, mc *ssa.MakeChan) (*types.Var, *ssa.Store, []ssa.Value) {
	var field *types.Var
	var store *ssa.Store
	var waiters []ssa.Value
	vals := []ssa.Value{mc}
	for i := 0; i < len(vals); i++ {
		v := vals[i]
		_, cell := v.(*ssa.Alloc)
		for _, r := range *v.Referrers() {
			switch r.(type) {
			case *ssa.UnOp, *ssa.Store:
				if cell {
					continue // checked by cellLoads
				}
			}
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.ChangeType:
				vals = append(vals, r)
			case *ssa.Store:
				if a, ok := r.Addr.(*ssa.Alloc); ok && r.Val == v && !a.Heap {
					return nil, nil, nil
				} else if ok && r.Val == v {
					// A local captured by a literal lives in a cell:
					// its loads are the channel, its address is bound.
					if !cellLoads(a, &vals) {
						return nil, nil, nil
					}
					vals = append(vals, a)
					continue
				}
				f := chanuse.StructFieldOf(r.Addr)
				if r.Val != v || f == nil || f.Pkg() != st.pass.Pkg || !st.sealed.Private(f) || (field != nil && field != f) {
					return nil, nil, nil
				}
				field, store = f.Origin(), r
			case *ssa.MakeClosure:
				// The literal must be started as a goroutine, nowhere else.
				refs := *r.Referrers()
				if len(refs) != 1 {
					return nil, nil, nil
				}
				g, ok := refs[0].(*ssa.Go)
				if !ok || g.Call.Value != r {
					return nil, nil, nil
				}
				lit := r.Fn.(*ssa.Function)
				for j, b := range r.Bindings {
					if b != v {
						continue
					}
					if _, ok := v.(*ssa.Alloc); !ok {
						waiters = append(waiters, lit.FreeVars[j])
						continue
					}
					var loads []ssa.Value
					if !cellLoads(lit.FreeVars[j], &loads) {
						return nil, nil, nil
					}
					waiters = append(waiters, loads...)
				}
			case *ssa.Go:
				callee := r.Call.StaticCallee()
				if callee == nil || callee.Blocks == nil || r.Call.IsInvoke() || r.Call.Value == v {
					return nil, nil, nil
				}
				for j, a := range r.Call.Args {
					if a == v && j < len(callee.Params) {
						waiters = append(waiters, callee.Params[j])
					}
				}
			default:
				return nil, nil, nil
			}
		}
	}
	return field, store, waiters
}

// startedFieldLoads returns the loads of field, in methods the maker
// starts as goroutines on the object it stores the channel in (go
// o.loop() right after o.reqCh = reqCh): such a goroutine reads the
// channel from the field itself instead of being handed it.
func startedFieldLoads(store *ssa.Store, field *types.Var) []ssa.Value {
	fa, ok := store.Addr.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	var out []ssa.Value
	for _, b := range store.Parent().Blocks {
		for _, instr := range b.Instrs {
			g, ok := instr.(*ssa.Go)
			if !ok || g.Call.IsInvoke() || len(g.Call.Args) == 0 || g.Call.Args[0] != fa.X {
				continue
			}
			m := g.Call.StaticCallee()
			if m == nil || m.Signature.Recv() == nil || len(m.Params) == 0 || m.Blocks == nil {
				continue
			}
			for _, r := range *m.Params[0].Referrers() {
				rfa, ok := r.(*ssa.FieldAddr)
				if !ok || chanuse.StructFieldOf(rfa) == nil || chanuse.StructFieldOf(rfa).Origin() != field {
					continue
				}
				for _, l := range *rfa.Referrers() {
					if u, ok := l.(*ssa.UnOp); ok && u.Op == token.MUL {
						out = append(out, u)
					}
				}
			}
		}
	}
	return out
}

// cellLoads appends to vals the loads of the cell at addr (a local
// variable captured by a literal, or the literal's free variable) and
// reports whether the cell is otherwise only bound to literals and stored
// to once: a second store would make it another channel.
func cellLoads(addr ssa.Value, vals *[]ssa.Value) bool {
	stores := 0
	for _, r := range *addr.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return false
			}
			*vals = append(*vals, r)
		case *ssa.Store:
			if r.Addr != addr {
				return false
			}
			stores++
		case *ssa.MakeClosure:
		default:
			return false
		}
	}
	_, local := addr.(*ssa.Alloc)
	return stores == 1 || (!local && stores == 0)
}

// fieldNeverClosed reports whether the package's every use of field f
// is understood and none closes its channel: the only store is store (or
// nil), and the loaded channel is only sent on, received from (also in a
// select), compared or measured. The maker's own value is followed by
// servedChan.
func fieldNeverClosed(funcs []*ssa.Function, f *types.Var, store *ssa.Store) bool {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				fa, ok := instr.(*ssa.FieldAddr)
				if !ok || chanuse.StructFieldOf(fa) == nil || chanuse.StructFieldOf(fa).Origin() != f {
					continue
				}
				for _, r := range *fa.Referrers() {
					switch r := r.(type) {
					case *ssa.DebugRef:
					case *ssa.Store:
						c, isConst := r.Val.(*ssa.Const)
						if r != store && (!isConst || !c.IsNil()) {
							return false
						}
					case *ssa.UnOp:
						if r.Op != token.MUL || !plainUses(r) {
							return false
						}
					default:
						return false
					}
				}
			}
		}
	}
	return true
}

// plainUses reports whether v, a channel, is only sent on, received
// from, compared, or measured (never closed, never handed on).
func plainUses(v ssa.Value) bool {
	for _, r := range *v.Referrers() {
		if !plainUse(r, v) {
			return false
		}
	}
	return true
}

// plainUse reports whether r, a referrer of the channel v, only sends
// on, receives from, compares or measures it.
func plainUse(r ssa.Instruction, v ssa.Value) bool {
	switch r := r.(type) {
	case *ssa.DebugRef, *ssa.BinOp:
		return true
	case *ssa.Send:
		return r.Chan == v
	case *ssa.UnOp:
		return r.Op == token.ARROW
	case *ssa.Select:
		for _, s := range r.States {
			if s.Send == v {
				return false
			}
		}
		return true
	case *ssa.Call:
		b, ok := r.Call.Value.(*ssa.Builtin)
		return ok && (b.Name() == "len" || b.Name() == "cap")
	}
	return false
}

// closedExit returns, when every use of w (the channel in a goroutine)
// is a receive, a comma-ok receive in a loop whose closed branch (ok
// false) leads to a return, and that return; otherwise nil.
func closedExit(w ssa.Value) (*ssa.UnOp, *ssa.Return) {
	var found *ssa.UnOp
	var exit *ssa.Return
	for _, r := range *w.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				return nil, nil
			}
			if found != nil || !r.CommaOk {
				continue
			}
			if ret := closedBranchReturn(r); ret != nil {
				found, exit = r, ret
			}
		case *ssa.Select:
			for _, s := range r.States {
				if s.Chan == w && s.Dir != types.RecvOnly {
					return nil, nil
				}
			}
		default:
			return nil, nil
		}
	}
	return found, exit
}

// closedBranchReturn returns the return that the closed branch of the
// comma-ok receive u (in a loop) reaches, or nil.
func closedBranchReturn(u *ssa.UnOp) *ssa.Return {
	if !ssaloop.InLoop(u.Block()) {
		return nil
	}
	for _, closed := range closedBranches(u) {
		if ret := returnFrom(closed, u.Block()); ret != nil {
			return ret
		}
	}
	return nil
}

// closeOnlyExit reports whether u's function can return only through
// the branch u's ok == false takes: that branch is entered from u's test
// alone (no break joins it) and no return is reachable from the entry
// without it (no return on a sentinel value or an error). The goroutine
// then ends only when the channel is closed.
func closeOnlyExit(u *ssa.UnOp) bool {
	fn := u.Parent()
	for _, closed := range closedBranches(u) {
		if len(closed.Preds) != 1 || len(closed.Instrs) == 0 {
			continue
		}
		if openReturn(fn.Blocks[0].Instrs[0], func(*ssa.Return) bool { return true }, map[ssa.Instruction]bool{closed.Instrs[0]: true}) == nil {
			return true
		}
	}
	return false
}

// closedBranches returns the blocks the tests of the comma-ok receive
// u's ok take when the channel is closed.
func closedBranches(u *ssa.UnOp) []*ssa.BasicBlock {
	var out []*ssa.BasicBlock
	for _, r := range *u.Referrers() {
		ex, ok := r.(*ssa.Extract)
		if !ok || ex.Index != 1 {
			continue
		}
		for _, x := range *ex.Referrers() {
			var closed *ssa.BasicBlock
			switch x := x.(type) {
			case *ssa.If:
				closed = x.Block().Succs[1]
			case *ssa.UnOp:
				if x.Op != token.NOT {
					continue
				}
				for _, y := range *x.Referrers() {
					if iff, ok := y.(*ssa.If); ok {
						closed = iff.Block().Succs[0]
					}
				}
			}
			if closed != nil {
				out = append(out, closed)
			}
		}
	}
	return out
}

// returnFrom returns a return reached from b without passing back
// through loop (the receive's block), or nil.
func returnFrom(b, loop *ssa.BasicBlock) *ssa.Return {
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{b}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] || x == loop {
			continue
		}
		seen[x] = true
		if ret, ok := x.Instrs[len(x.Instrs)-1].(*ssa.Return); ok {
			return ret
		}
		stack = append(stack, x.Succs...)
	}
	return nil
}
