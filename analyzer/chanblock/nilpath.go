package chanblock

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// nilPaths reports plain sends, receives and ranges on a channel variable
// that is made on some paths only: on the path where it was never
// assigned, the channel is nil and the operation blocks forever. Select
// cases are left alone (a nil channel there disables the case, an idiom).
func nilPaths(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		nilArgs(st, fn)
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				var ch ssa.Value
				what := "a receive from"
				switch in := instr.(type) {
				case *ssa.Send:
					ch, what = in.Chan, "a send on"
				case *ssa.UnOp:
					if in.Op != token.ARROW {
						continue
					}
					ch = in.X
					if in.CommaOk && st.ranges[in.Pos()] {
						what = "a range over"
					}
				default:
					continue
				}
				np := chanuse.MaybeNil(ch, instr)
				if np == nil {
					continue
				}
				rel := []analysis.RelatedInformation{}
				for _, mc := range np.Makes {
					rel = append(rel, analysis.RelatedInformation{Pos: mc.Pos(), Message: "the channel is made here, on some paths only"})
				}
				from := np.From.Instrs[len(np.From.Instrs)-1].Pos()
				if from.IsValid() {
					rel = append(rel, analysis.RelatedInformation{Pos: from, Message: "on this path it is not made"})
				}
				st.Report(analysis.Diagnostic{
					Pos:      instr.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("this channel is made only on some paths (line %d), and on a path that skips the make (from line %d) it is still nil here: %s a nil channel blocks forever",
						st.pass.Fset.Position(np.Makes[0].Pos()).Line, line(st, np.From), what),
					Related: rel,
				})
			}
		}
	}
}

// nilArgs follows a channel that is nil on some paths (chanuse.MaybeNil)
// into the functions called or started with it on such a path, as an
// argument or a goroutine literal's captured variable, two calls deep:
// a plain send, receive or range there, reached without a nil test of the
// parameter, blocks forever (openziti/sdk-golang#84: result channels made
// only when no router was cached, but the connecting goroutines started
// either way). A call that also passes a condition (a bool, or a value the
// caller decided on the way to the nil path) is left alone: the callee may
// use the channel only when told to.
func nilArgs(st *state, fn *ssa.Function) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			var call *ssa.CallCommon
			verb := "calls"
			switch in := instr.(type) {
			case *ssa.Call:
				call = in.Common()
			case *ssa.Go:
				call, verb = in.Common(), "starts"
			default:
				continue
			}
			callee := call.StaticCallee()
			if callee == nil || call.IsInvoke() || callee.Pkg != fn.Pkg || len(callee.Blocks) == 0 {
				continue
			}
			// The channels the callee receives: its arguments, and the
			// variables a literal captures.
			var ins, params []ssa.Value
			for k, a := range call.Args {
				ins, params = append(ins, a), append(params, callee.Params[k])
			}
			if mc, ok := call.Value.(*ssa.MakeClosure); ok {
				for k, v := range mc.Bindings {
					ins, params = append(ins, v), append(params, callee.FreeVars[k])
				}
			}
			for k, a := range ins {
				var np *chanuse.NilPath
				if cell, ok := a.(*ssa.Alloc); ok {
					// A variable the literal captures: its cell.
					np = chanuse.MaybeNilCell(cell, instr)
				} else if _, ok := a.Type().Underlying().(*types.Chan); ok {
					np = chanuse.MaybeNil(a, instr)
				}
				if np == nil || passesCondition(ins, np) {
					continue
				}
				for _, op := range nilOps(params[k], 2) {
					what := "a receive from"
					switch in := op.(type) {
					case *ssa.Send:
						what = "a send on"
					case *ssa.UnOp:
						if in.CommaOk && st.ranges[in.Pos()] {
							what = "a range over"
						}
					}
					from := np.From.Instrs[len(np.From.Instrs)-1].Pos()
					rel := []analysis.RelatedInformation{{Pos: instr.Pos(), Message: fmt.Sprintf("%s %s it here with the channel", fn.Name(), verb)}}
					for _, mc := range np.Makes {
						rel = append(rel, analysis.RelatedInformation{Pos: mc.Pos(), Message: "the channel is made here, on some paths only"})
					}
					if from.IsValid() {
						rel = append(rel, analysis.RelatedInformation{Pos: from, Message: "on this path it is not made"})
					}
					st.Report(analysis.Diagnostic{
						Pos:      op.Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("%s %s %s (line %d) with a channel made only on some paths (line %d): on a path that skips the make (from line %d) it is nil, and here %s a nil channel blocks forever",
							fn.Name(), verb, callee.Name(), st.pass.Fset.Position(instr.Pos()).Line,
							st.pass.Fset.Position(np.Makes[0].Pos()).Line, line(st, np.From), what),
						Related: rel,
					})
				}
			}
		}
	}
}

// passesCondition reports whether the values handed to a callee include a
// bool that is not a constant, or a condition decided on the way to the
// nil path: the callee may then use the channel only when it was made.
func passesCondition(ins []ssa.Value, np *chanuse.NilPath) bool {
	for _, v := range ins {
		if np.Conds != nil {
			if _, ok := np.Conds[v]; ok {
				return true
			}
		}
		if _, ok := v.(*ssa.Const); ok {
			continue
		}
		t := v.Type().Underlying()
		if a, ok := v.(*ssa.Alloc); ok {
			// A captured flag: the literal reads its cell.
			t = a.Type().Underlying().(*types.Pointer).Elem().Underlying()
		}
		if t, ok := t.(*types.Basic); ok && t.Kind() == types.Bool {
			return true
		}
	}
	return false
}

// nilOps returns the plain sends and receives (a range's too) on p, a
// parameter or captured variable of its function, that the function
// reaches from its entry without testing p against nil, following p into
// the calls and goroutines it is handed to there, depth calls deep.
func nilOps(p ssa.Value, depth int) []ssa.Instruction {
	var fn *ssa.Function
	switch p := p.(type) {
	case *ssa.Parameter:
		fn = p.Parent()
	case *ssa.FreeVar:
		fn = p.Parent()
	default:
		return nil
	}
	vals := []ssa.Value{p}
	if ptr, ok := p.Type().Underlying().(*types.Pointer); ok {
		// A captured variable's cell (chanuse.MaybeNilCell): the
		// channel is what each load of it reads.
		if _, ok := ptr.Elem().Underlying().(*types.Chan); !ok {
			return nil
		}
		vals = nil
		for _, r := range *p.Referrers() {
			if u, ok := r.(*ssa.UnOp); ok && u.Op == token.MUL {
				vals = append(vals, u)
			}
		}
	}
	for i := 0; i < len(vals); i++ {
		for _, r := range *vals[i].Referrers() {
			if ct, ok := r.(*ssa.ChangeType); ok {
				vals = append(vals, ct)
			}
		}
	}
	var out []ssa.Instruction
	for _, v := range vals {
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.Send:
				if r.Chan == v && r.X != v && reachesNil(fn, vals, r) {
					out = append(out, r)
				}
			case *ssa.UnOp:
				if r.Op == token.ARROW && reachesNil(fn, vals, r) {
					out = append(out, r)
				}
			case ssa.CallInstruction:
				if depth <= 1 || !reachesNil(fn, vals, r) {
					continue
				}
				call := r.Common()
				callee := call.StaticCallee()
				if callee == nil || call.IsInvoke() || callee.Pkg != fn.Pkg || len(callee.Blocks) == 0 {
					continue
				}
				if _, ok := r.(*ssa.Defer); ok {
					continue
				}
				for k, a := range call.Args {
					if a == v {
						out = append(out, nilOps(callee.Params[k], depth-1)...)
					}
				}
			case *ssa.MakeClosure:
				if depth <= 1 || !reachesNil(fn, vals, r) {
					continue
				}
				callee := r.Fn.(*ssa.Function)
				for k, b := range r.Bindings {
					if b == v {
						out = append(out, nilOps(callee.FreeVars[k], depth-1)...)
					}
				}
			}
		}
	}
	return out
}

// reachesNil reports whether fn reaches target from its entry with the
// channel vals (a parameter and its conversions) nil: a test of it
// against nil takes its nil side, and a block that ends the goroutine
// stops the path.
func reachesNil(fn *ssa.Function, vals []ssa.Value, target ssa.Instruction) bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{fn.Blocks[0]}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if b == target.Block() {
			return true
		}
		stop := false
		for _, instr := range b.Instrs {
			if c, ok := instr.(*ssa.Call); ok && chanuse.NoReturn(c.Common()) {
				stop = true
			}
			if _, ok := instr.(*ssa.Panic); ok {
				stop = true
			}
		}
		if stop {
			continue
		}
		if iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If); ok {
			if k, ok := nilSide(iff.Cond, vals); ok {
				stack = append(stack, b.Succs[k])
				continue
			}
		}
		stack = append(stack, b.Succs...)
	}
	return false
}

// nilSide returns the successor an If on cond takes when vals are nil,
// when cond is a test of them against nil.
func nilSide(cond ssa.Value, vals []ssa.Value) (int, bool) {
	neg := false
	for {
		u, ok := cond.(*ssa.UnOp)
		if !ok || u.Op != token.NOT {
			break
		}
		cond, neg = u.X, !neg
	}
	bin, ok := cond.(*ssa.BinOp)
	if !ok || bin.Op != token.EQL && bin.Op != token.NEQ {
		return 0, false
	}
	isNil := func(v ssa.Value) bool {
		c, ok := v.(*ssa.Const)
		return ok && c.IsNil()
	}
	if !(slices.Contains(vals, bin.X) && isNil(bin.Y) || slices.Contains(vals, bin.Y) && isNil(bin.X)) {
		return 0, false
	}
	if (bin.Op == token.EQL) != neg {
		return 0, true
	}
	return 1, true
}

// line is the line of b's last positioned instruction (its branch), or of
// its first.
func line(st *state, b *ssa.BasicBlock) int {
	for i := len(b.Instrs) - 1; i >= 0; i-- {
		if p := b.Instrs[i].Pos(); p.IsValid() {
			return st.pass.Fset.Position(p).Line
		}
	}
	return st.pass.Fset.Position(b.Parent().Pos()).Line
}
