package chanblock

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// timerDrains reports the timer-drain idiom `if !t.Stop() { <-t.C }`
// written as a plain receive and reached, with no t.Reset on the way,
// from a receive of t.C that took the timer's value (IBM/sarama#734: the
// feeder's select takes `case <-t.C` and continues with the next
// message, whose drain then waits forever). Stop reports false because
// the timer fired, but its one value is gone and nothing re-arms it. With
// the Go 1.23 timer semantics (the file's go version), Stop also returns
// false for a timer already stopped and never leaves a value behind, so a
// path from an earlier Stop is reported too. The timer is made by a call
// in the function and used only through Stop, Reset and C, so no other
// code can re-arm it or take its value; a path through that call makes a
// new timer.
func timerDrains(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if u, ok := instr.(*ssa.UnOp); ok && u.Op == token.ARROW {
					timerDrain(st, u)
				}
			}
		}
	}
}

// timerDrain checks one plain receive.
func timerDrain(st *state, drain *ssa.UnOp) {
	t, made := timerOfC(drain.X).(*ssa.Call) // a timer this function makes (time.NewTimer, or a maker of timers)
	if !made {
		return
	}
	var stops, resets []*ssa.Call
	var recvs []taken // where t's value has been taken
	for _, r := range *t.Referrers() {
		switch in := r.(type) {
		case *ssa.Call:
			fn := in.Call.StaticCallee()
			if fn == nil || fn.Signature.Recv() == nil || len(in.Call.Args) == 0 || in.Call.Args[0] != t {
				return
			}
			switch fn.Name() {
			case "Stop":
				stops = append(stops, in)
			case "Reset":
				resets = append(resets, in)
			default:
				return
			}
		case *ssa.FieldAddr:
			for _, l := range *in.Referrers() {
				load, ok := l.(*ssa.UnOp)
				if !ok || load.Op != token.MUL {
					return
				}
				for _, x := range *load.Referrers() {
					switch op := x.(type) {
					case *ssa.UnOp:
						if op.Op != token.ARROW {
							return
						}
						recvs = append(recvs, taken{op, op.Pos(), false})
					case *ssa.Select:
						for k, s := range op.States {
							if s.Chan == load && s.Dir == types.RecvOnly {
								if test := caseTest(op, k); test != nil {
									recvs = append(recvs, taken{test.Succs[0].Instrs[0], s.Pos, true})
								}
							}
						}
					case *ssa.DebugRef:
					default:
						return // t.C is handed elsewhere
					}
				}
			}
		case *ssa.DebugRef:
		default:
			return // t escapes: code we do not see may Reset it or take its value
		}
	}
	stop := failedStop(drain, stops)
	if stop == nil {
		return
	}
	newSemantics := goVersionAtLeast(st, drain, "go1.23")
	// A path through t's call makes a new timer (one per loop iteration).
	reset := map[ssa.Instruction]bool{t: true}
	for _, r := range resets {
		reset[r] = true
	}
	from := func(start ssa.Instruction, inclusive bool) bool {
		return reachesAvoiding(start, inclusive, stop, reset)
	}
	var why token.Pos
	for _, r := range recvs {
		if r.at != drain && from(r.at, r.inclusive) {
			why = r.pos
			break
		}
	}
	what := "a receive of the timer's value"
	if !why.IsValid() && newSemantics {
		for _, s := range stops {
			if s != stop && from(s, false) {
				why, what = s.Pos(), "an earlier Stop"
				break
			}
		}
	}
	if !why.IsValid() {
		return
	}
	st.Report(analysis.Diagnostic{
		Pos:      drain.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("this drain of the timer's channel runs when Stop reports false, and it is reached from %s (line %d) with no Reset in between: the timer's one value is already gone and nothing re-arms it, so the receive blocks forever (drain with a select and a default case, or skip the drain once the value was received)",
			what, st.pass.Fset.Position(why).Line),
		Related: []analysis.RelatedInformation{{Pos: why, Message: what}},
	})
}

// taken is a point after which the timer's value has been received: a
// plain receive (the path starts after it) or the first instruction of a
// select case's body (the path starts at it), with the receive's position.
type taken struct {
	at        ssa.Instruction
	pos       token.Pos
	inclusive bool
}

// timerOfC returns t when ch is a load of t.C for a *time.Timer t.
func timerOfC(ch ssa.Value) ssa.Value {
	load, ok := ch.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return nil
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	p, ok := fa.X.Type().Underlying().(*types.Pointer)
	if !ok {
		return nil
	}
	n, ok := p.Elem().(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "time" || n.Obj().Name() != "Timer" {
		return nil
	}
	return fa.X
}

// failedStop returns the call among stops whose false outcome guards
// drain: an If on the Stop's result (or its negation) whose false edge
// leads to the drain with no other test on the way (a drain guarded by a
// flag, `!t.Stop() && !fired`, is the fix).
func failedStop(drain *ssa.UnOp, stops []*ssa.Call) *ssa.Call {
	for _, s := range stops {
		for _, r := range *s.Referrers() {
			falseEdge := 1
			if not, ok := r.(*ssa.UnOp); ok && not.Op == token.NOT && len(*not.Referrers()) == 1 {
				r, falseEdge = (*not.Referrers())[0], 0
			}
			iff, ok := r.(*ssa.If)
			if !ok {
				continue
			}
			if f := iff.Block().Succs[falseEdge]; len(f.Preds) == 1 && jumpsTo(f, drain.Block()) {
				return s
			}
		}
	}
	return nil
}

// jumpsTo reports whether from leads to to through unconditional jumps only.
func jumpsTo(from, to *ssa.BasicBlock) bool {
	for b, n := from, 0; n < 8; b, n = b.Succs[0], n+1 {
		if b == to {
			return true
		}
		if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Jump); !ok {
			return false
		}
	}
	return false
}

// reachesAvoiding reports whether a path leads from start (from its own
// position when inclusive, else from just after it) to target that passes
// no instruction in avoid.
func reachesAvoiding(start ssa.Instruction, inclusive bool, target ssa.Instruction, avoid map[ssa.Instruction]bool) bool {
	if inclusive {
		if start == target {
			return true
		}
		if avoid[start] {
			return false
		}
	}
	found := false
	ssawalk.Forward(start, func(in ssa.Instruction) ssawalk.Action {
		switch {
		case in == target:
			found = true
			return ssawalk.Stop
		case avoid[in]:
			return ssawalk.Cut
		}
		return ssawalk.Continue
	})
	return found
}

// goVersionAtLeast reports whether the file holding instr is compiled
// with at least Go version v (its build constraint or the module's go
// line); an unknown version counts as older.
func goVersionAtLeast(st *state, instr ssa.Instruction, v string) bool {
	fv := st.pass.Pkg.GoVersion()
	for _, f := range st.pass.Files {
		if f.FileStart <= instr.Pos() && instr.Pos() <= f.FileEnd {
			if x := fileVersion(st.pass.TypesInfo, f); x != "" {
				fv = x
			}
		}
	}
	return fv != "" && version.Compare(fv, v) >= 0
}

// fileVersion is the Go version types recorded for f.
func fileVersion(info *types.Info, f *ast.File) string {
	if info == nil || info.FileVersions == nil {
		return ""
	}
	return info.FileVersions[f]
}
