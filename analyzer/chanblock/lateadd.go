package chanblock

import (
	"fmt"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// lateAdds reports a function started as a goroutine with a WaitGroup
// pointer (go f(&wg), go s.start(&wg)) whose first operation on that
// WaitGroup is its own Add, while the starter waits on the WaitGroup
// after the go statement: the Wait races with the Add. When the Wait
// runs first it returns at once, before the work it was to wait for;
// when the Add runs first, the Wait waits for the goroutine's Done, and
// if that Done comes only after a call that serves until the process
// ends, the starter never goes on (multiversx/mx-chain-go#704: the
// facade's StartBackgroundServices added itself and called Done after
// starting the REST server; node startup froze whenever the Add won).
// Add before the go statement. (A function literal adding to a captured
// WaitGroup is go vet's waitgroup check.)
func lateAdds(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok || g.Call.IsInvoke() {
					continue
				}
				callee, ok := g.Call.Value.(*ssa.Function)
				if !ok || callee.Blocks == nil || callee.Pkg != fn.Pkg || callee.Parent() != nil {
					continue
				}
				for i, a := range g.Call.Args {
					if i >= len(callee.Params) || !isWaitGroupPtr(a.Type()) {
						continue
					}
					add := firstAdd(callee, callee.Params[i])
					if add == nil {
						continue
					}
					wait := waitAfterStart(g, a)
					if wait == nil {
						continue
					}
					line := func(in ssa.Instruction) int { return st.pass.Fset.Position(in.Pos()).Line }
					st.Report(analysis.Diagnostic{
						Pos:      add.Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("%s adds to the WaitGroup it is handed only once it runs as a goroutine (started at line %d), and %s waits on it at line %d: the Wait may run before this Add and return at once, or after it and wait for this goroutine's Done, for ever if a call before the Done does not return (Add before the go statement)",
							callee.Name(), line(g), fn.Name(), line(wait)),
						Related: []analysis.RelatedInformation{
							{Pos: g.Pos(), Message: "the goroutine is started here, before any Add"},
							{Pos: wait.Pos(), Message: "the Wait that races with the Add"},
						},
					})
				}
			}
		}
	}
}

// firstAdd returns the Add on WaitGroup pointer p that starts fn's entry
// block before any other operation on p, or nil.
func firstAdd(fn *ssa.Function, p *ssa.Parameter) ssa.Instruction {
	if len(fn.Blocks) == 0 {
		return nil
	}
	for _, instr := range fn.Blocks[0].Instrs {
		ci, ok := instr.(ssa.CallInstruction)
		if !ok {
			continue
		}
		for _, a := range ci.Common().Args {
			if a != p {
				continue
			}
			if _, isCall := instr.(*ssa.Call); isCall && wgCall(ci.Common(), "Add") == p {
				return instr
			}
			return nil // another use of the WaitGroup first
		}
	}
	return nil
}

// waitAfterStart returns a Wait on wg in g's function that comes after g, when
// no Add on wg precedes g in that function.
func waitAfterStart(g *ssa.Go, wg ssa.Value) ssa.Instruction {
	base := baseOf(wg)
	var wait ssa.Instruction
	for _, b := range g.Parent().Blocks {
		for _, instr := range b.Instrs {
			ci, ok := instr.(ssa.CallInstruction)
			if !ok || ci == ssa.CallInstruction(g) {
				continue
			}
			if w := wgCall(ci.Common(), "Add"); w != nil && baseOf(w) == base && dominates(instr, g) {
				return nil
			}
			if w := wgCall(ci.Common(), "Wait"); w != nil && baseOf(w) == base && wait == nil && (dominates(g, instr) || ssaloop.Reaches(g.Block(), instr.Block())) {
				wait = instr
			}
		}
	}
	return wait
}
