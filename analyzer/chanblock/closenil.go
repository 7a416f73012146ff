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

// closedThenNil reports a channel field set to nil right after it is
// closed (close(s.done); s.done = nil, with nothing called between) while
// a loop reads the field afresh on every turn, directly or through an
// accessor method, and selects on it beside other cases, in a function
// that returns only after receiving from it. A turn that starts after the
// store finds nil, a case that never fires: the loop never sees the
// close and never returns, and whoever waits for it (Close, then
// wg.Wait) waits forever (chengshiwen/influxdb-cluster#44). The loop
// should take the channel once, before it starts.
func closedThenNil(st *state, funcs []*ssa.Function) {
	nils := map[*types.Var]*ssa.Store{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for i, instr := range b.Instrs {
				c := closeCall(instr)
				if c == nil {
					continue
				}
				f := loadedField(c.Call.Args[0])
				if f == nil {
					continue
				}
				f = f.Origin()
			scan:
				for _, next := range b.Instrs[i+1:] {
					switch x := next.(type) {
					case ssa.CallInstruction:
						break scan
					case *ssa.Store:
						if sf := chanuse.StructFieldOf(x.Addr); sf != nil && sf.Origin() == f {
							if k, ok := x.Val.(*ssa.Const); ok && k.IsNil() && nils[f] == nil {
								nils[f] = x
							}
							break scan
						}
					}
				}
			}
		}
	}
	if len(nils) == 0 {
		return
	}
	// field returns the field whose channel v is loaded from inside a
	// loop: a load, or the call of an accessor.
	field := func(v ssa.Value) *types.Var {
		instr, ok := v.(ssa.Instruction)
		if !ok || !ssaloop.InLoop(instr.Block()) {
			return nil
		}
		if f := loadedField(v); f != nil {
			return f.Origin()
		}
		if c, ok := v.(*ssa.Call); ok {
			if f := lockedAccessor(c.Call.StaticCallee()); f != nil {
				return f.Origin()
			}
		}
		return nil
	}
	for _, fn := range funcs {
		var f *types.Var
		var ops []chanuse.Op
		var at *ssa.Select
		k := -1
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch x := instr.(type) {
				case *ssa.Select:
					for i, s := range x.States {
						g := field(s.Chan)
						if g == nil || nils[g] == nil || s.Dir != types.RecvOnly || f != nil && g != f {
							continue
						}
						f = g
						ops = append(ops, chanuse.Op{Kind: chanuse.SelectRecv, Instr: x, State: i})
						if x.Blocking && len(x.States) > 1 && at == nil {
							at, k = x, i
						}
					}
				case *ssa.UnOp:
					if g := field(x.X); x.Op == token.ARROW && g != nil && nils[g] != nil && (f == nil || g == f) {
						f = g
						ops = append(ops, chanuse.Op{Kind: chanuse.Recv, Instr: x})
					}
				}
			}
		}
		if at == nil || recovers(fn) || !waits(fn, ops, true) {
			continue
		}
		store := nils[f]
		st.Report(analysis.Diagnostic{
			Pos: store.Pos(),
			Message: fmt.Sprintf("field %s is set to nil right after it is closed, while %s reads it afresh on every turn of its loop "+
				"and returns only after receiving from it: a turn that starts after this store selects on a nil channel, "+
				"never sees the close and never returns (take the channel once, before the loop)", f.Name(), fn.Name()),
			Related: []analysis.RelatedInformation{{Pos: at.States[k].Pos, Message: "the loop re-reads the field here"}},
		})
	}
}

// lockedAccessor returns the field fn returns, when fn is a channel
// accessor (chanuse.Accessor), also one that reads the field under a lock
// it unlocks in a defer: the Recover block go/ssa gives it returns no
// field, and no execution reaches it without a panic.
func lockedAccessor(fn *ssa.Function) *types.Var {
	if f, _ := chanuse.Accessor(fn); f != nil || fn == nil || fn.Recover == nil || fn.Parent() != nil || len(fn.Params) == 0 {
		return f
	}
	if fn.Signature.Results().Len() != 1 {
		return nil
	}
	var field *types.Var
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok || b == fn.Recover {
			continue
		}
		v := ret.Results[0]
		for {
			ct, ok := v.(*ssa.ChangeType)
			if !ok {
				break
			}
			v = ct.X
		}
		u, ok := v.(*ssa.UnOp)
		if !ok || u.Op != token.MUL {
			return nil
		}
		if a, ok := u.X.(*ssa.Alloc); ok {
			// The result's slot, which the deferred calls may read:
			// stored once, with the field's value.
			var val ssa.Value
			for _, r := range *a.Referrers() {
				if st, ok := r.(*ssa.Store); ok && st.Addr == ssa.Value(a) {
					if val != nil {
						return nil
					}
					val = st.Val
				}
			}
			// func (l *x) quitCh() <-chan struct{}: the stored value is
			// the field's, converted to the result's type.
			for {
				ct, ok := val.(*ssa.ChangeType)
				if !ok {
					break
				}
				val = ct.X
			}
			if u, ok = val.(*ssa.UnOp); !ok || u.Op != token.MUL {
				return nil
			}
		}
		fa, ok := u.X.(*ssa.FieldAddr)
		if !ok || fa.X != ssa.Value(fn.Params[0]) {
			return nil
		}
		f := chanuse.StructFieldOf(fa)
		if f == nil || field != nil && f != field {
			return nil
		}
		field = f
	}
	return field
}
