package deadlockleak

import (
	"fmt"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The group whose end does not cancel the context it hands its tasks
// (sourcegraph/conc#91): a constructor derives a context with a cancel
// (WithCancel, WithCancelCause) and keeps both in fields of the group it
// makes; a method of the group starts goroutines that call the tasks
// they are given (a func value) with the field's context; the group has
// a Wait (on a WaitGroup) and no method ending its life (Wait, Close,
// Stop, ...) calls the stored cancel, which only some other path calls
// (a failing task with cancel-on-error set) or nothing does. After Wait
// returns, the context the tasks were handed stays live until the parent
// is canceled, and whatever a task left waiting on its Done (a watcher
// closing a connection on cancellation) waits until then, forever under
// a parent that is never canceled. errgroup's Wait cancels its context;
// the fix does the same. Reported at the context's making.

// groupCancels reports the rule in the package.
func groupCancels(pass *analysis.Pass, funcs []*ssa.Function) {
	var callsField map[*types.Var][]*ssa.Function
	cancelMakers(funcs, func(fn *ssa.Function, call *ssa.Call, ctx, cancel ssa.Value) {
		st, fk := onlyStored(cancel)
		if st == nil {
			return
		}
		base := st.Addr.(*ssa.FieldAddr).X
		var fc *types.Var
		for _, r := range *ctx.Referrers() {
			if s, ok := r.(*ssa.Store); ok && s.Val == ctx {
				if fa, ok := s.Addr.(*ssa.FieldAddr); ok && fa.X == base {
					fc = chanuse.StructFieldOf(fa)
				}
			}
		}
		if fc == nil {
			return
		}
		// The group's methods: a Wait on a WaitGroup, the ones
		// ending its life, and one handing the context to tasks.
		var ends []*ssa.Function
		var wait *ssa.Function
		var hands ssa.Instruction
		for _, m := range funcs {
			if m.Signature.Recv() == nil || m.Parent() != nil || !types.Identical(m.Signature.Recv().Type(), base.Type()) {
				continue
			}
			if m.Name() == "Wait" && waitsOnGroup(m) {
				wait = m
			}
			if m.Name() == "Wait" || endsLife(m.Name()) {
				ends = append(ends, m)
			}
			if hands == nil {
				hands = handsToTasks(m, fc)
			}
		}
		if wait == nil || hands == nil {
			return
		}
		if callsField == nil {
			callsField = fieldCallers(funcs)
		}
		cancelled := false
		for _, e := range ends {
			cancelled = cancelled || cancelledBy(e, callsField[fk])
		}
		if cancelled {
			return
		}
		who := "nothing in the package calls it"
		if cs := callsField[fk]; len(cs) > 0 {
			who = "only " + rootName(cs[0]) + " calls it"
		}
		pass.Report(analysis.Diagnostic{
			Pos:      call.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("the cancel of the context this group hands its tasks (field %s) is kept in field %s, and %s: %s, which ends the group's life, never cancels it, so after Wait returns the context stays live until its parent is canceled and anything a task left waiting on its Done waits until then (call the cancel in Wait once the tasks are done)",
				fc.Name(), fk.Name(), who, wait.Name()),
			Related: []analysis.RelatedInformation{
				{Pos: st.Pos(), Message: "the cancel is stored here"},
				{Pos: hands.Pos(), Message: "a task is handed the context here"},
				{Pos: wait.Pos(), Message: "Wait returns without canceling"},
			},
		})
	})
}

// waitsOnGroup reports whether m calls Wait on a sync.WaitGroup.
func waitsOnGroup(m *ssa.Function) bool {
	for _, b := range m.Blocks {
		for _, instr := range b.Instrs {
			if ci, ok := instr.(ssa.CallInstruction); ok && wgCall(ci.Common(), "Wait") != nil {
				return true
			}
		}
	}
	return false
}

// handsToTasks returns a call, in a goroutine method m starts, of a func
// value (a task it was given) with the context loaded from field fc.
func handsToTasks(m *ssa.Function, fc *types.Var) ssa.Instruction {
	for _, b := range m.Blocks {
		for _, instr := range b.Instrs {
			g, ok := instr.(*ssa.Go)
			if !ok {
				continue
			}
			mk, ok := g.Call.Value.(*ssa.MakeClosure)
			if !ok {
				continue
			}
			for _, bb := range mk.Fn.(*ssa.Function).Blocks {
				for _, in := range bb.Instrs {
					c, ok := in.(*ssa.Call)
					if !ok || c.Call.IsInvoke() || c.Call.StaticCallee() != nil {
						continue
					}
					for _, a := range c.Call.Args {
						if loadedField(a) == fc {
							return c
						}
					}
				}
			}
		}
	}
	return nil
}

// rootName names the function fn is, or is nested in.
func rootName(fn *ssa.Function) string {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	return fn.Name()
}
