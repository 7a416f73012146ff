package deadlockleak

import (
	"go/token"
	"go/types"
	"slices"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// flagGuarded reports whether every send is made only after a test of a
// bool field that the functions stopping the receiver write: the
// "running" flag of a scheduler whose Add sends to the loop only while it
// runs and whose Stop, which makes the loop return through the case ex
// left by, clears it (robfig/cron's Start/Add/Stop, gdgvda/cron#57's fixed
// version). The flag, not the select, orders the send before the stop.
func flagGuarded(ex *exit, sends []chanuse.FieldOp, funcs []*ssa.Function) bool {
	stop := stopField(ex)
	if stop == nil {
		return false
	}
	written := map[*types.Var]bool{}
	for _, fn := range funcs {
		if !feeds(fn, stop) {
			continue
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if st, ok := instr.(*ssa.Store); ok {
					if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
						if f := chanuse.StructFieldOf(fa); f != nil && types.Identical(f.Type().Underlying(), types.Typ[types.Bool]) {
							written[f] = true
						}
					}
				}
			}
		}
	}
	if len(written) == 0 {
		return false
	}
	for _, s := range sends {
		if !testedBefore(s.Instr, written) {
			return false
		}
	}
	return true
}

// stopField returns the channel field the select's winning case receives
// from, or nil.
func stopField(ex *exit) *types.Var {
	if ex.sel == nil {
		return nil
	}
	for _, st := range ex.sel.States {
		if st.Pos != ex.via || st.Dir != types.RecvOnly {
			continue
		}
		if k, ok := chanKey(st.Chan).(fieldKey); ok {
			return k.field
		}
	}
	return nil
}

// feeds reports whether fn sends on or closes the channel in field f.
func feeds(fn *ssa.Function, f *types.Var) bool {
	return slices.Contains(fedFields(fn), f)
}

// fedFields returns the fields whose channel fn sends on (plainly or in
// a select) or closes.
func fedFields(fn *ssa.Function) []*types.Var {
	var out []*types.Var
	add := func(ch ssa.Value) {
		if k, ok := chanKey(ch).(fieldKey); ok {
			out = append(out, k.field)
		}
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Send:
				add(in.Chan)
			case *ssa.Call:
				if bi, ok := in.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
					add(in.Call.Args[0])
				}
			case *ssa.Select:
				for _, st := range in.States {
					if st.Dir == types.SendOnly {
						add(st.Chan)
					}
				}
			}
		}
	}
	return out
}

// testedBefore reports whether instr's block is dominated by a branch on
// one of the flags, read from a field in instr's function.
func testedBefore(instr ssa.Instruction, flags map[*types.Var]bool) bool {
	b := instr.Block()
	for _, d := range instr.Parent().Blocks {
		if len(d.Instrs) == 0 || len(d.Succs) != 2 || d == b || !d.Dominates(b) {
			continue
		}
		ifi, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		if f := flagRead(ifi.Cond); f != nil && flags[f] {
			return true
		}
	}
	return false
}

// flagRead returns the bool field v loads, through negations.
func flagRead(v ssa.Value) *types.Var {
	for {
		u, ok := v.(*ssa.UnOp)
		if !ok {
			return nil
		}
		switch u.Op {
		case token.NOT:
			v = u.X
		case token.MUL:
			if fa, ok := u.X.(*ssa.FieldAddr); ok {
				return chanuse.StructFieldOf(fa)
			}
			return nil
		default:
			return nil
		}
	}
}
