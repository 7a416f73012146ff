package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Sibling groups (cockroachdb/cockroach#129750): a function makes two
// task groups (errgroup.WithContext, or a group type of the package made
// the same way) from the same parent context. The tasks of one send on a
// channel of the function in a select whose only other case is their
// group's Done; the only receivers of that channel are tasks of the other
// group, which can leave their receive loop and return (an error). That
// cancels the receivers' group context, not the senders': a sibling's
// context is not derived from it. The senders then wait for a receiver
// that is gone and a Done that only the parent's end brings, and whatever
// waits for their group (often a task of the other group) waits with
// them. A task of the senders' group that waits for the receivers' group
// brings the receivers' error into the senders' group, which then
// cancels: not reported. The fix makes the senders' group from the receivers' group's
// context.

// siblingGroups reports the rule in fn.
func siblingGroups(pass *analysis.Pass, fn *ssa.Function, closures map[*ssa.Function]*ssa.MakeClosure) {
	var makes []*ssa.MakeChan
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if mc, ok := instr.(*ssa.MakeChan); ok {
				makes = append(makes, mc)
			}
		}
	}
	if len(makes) == 0 || len(fn.AnonFuncs) < 2 {
		return
	}
	for _, mc := range makes {
		var sendGroup, recvGroup *ssa.Call
		var sendSel *ssa.Select
		var leave *ssa.Return
		ok := true
		// fn itself and every function literal in it: only the tasks
		// handed to a group may use the channel, besides closing it.
		all := []*ssa.Function{fn}
		for i := 0; i < len(all) && i < 64; i++ {
			all = append(all, all[i].AnonFuncs...)
		}
		for _, a := range all {
			grp := taskGroup(a, closures)
			if a.Parent() != fn {
				grp = nil // fn's own body, or a literal nested deeper
			}
			for _, b := range a.Blocks {
				for _, instr := range b.Instrs {
					if ci, isCall := instr.(ssa.CallInstruction); isCall {
						if _, builtin := ci.Common().Value.(*ssa.Builtin); !builtin {
							for _, x := range ci.Common().Args {
								if ct, ok := x.(*ssa.ChangeType); ok {
									x = ct.X // a directional conversion
								}
								if resolve(x, closures) == mc {
									ok = false // handed on: used elsewhere
								}
							}
						}
						continue
					}
					switch in := instr.(type) {
					case *ssa.Send:
						if resolve(in.Chan, closures) == mc {
							ok = false
						}
					case *ssa.Select:
						for k, st := range in.States {
							if st.Dir == types.RecvOnly && resolve(st.Chan, closures) == mc {
								if grp == nil || recvGroup != nil && recvGroup != grp {
									ok = false
									continue
								}
								recvGroup = grp
								if bodies, _ := caseBodies(in); leave == nil && bodies[k] != nil && ssaloop.InLoop(in.Block()) {
									leave = returnFrom(in.Block(), []*ssa.BasicBlock{bodies[k]})
								}
								continue
							}
							if st.Dir != types.SendOnly || resolve(st.Chan, closures) != mc {
								continue
							}
							if grp == nil || len(in.States) != 2 || !groupDone(in, st, a, grp, closures) || sendGroup != nil && sendGroup != grp {
								ok = false
								continue
							}
							sendGroup, sendSel = grp, in
						}
					case *ssa.UnOp:
						if in.Op != token.ARROW || resolve(in.X, closures) != mc {
							continue
						}
						if grp == nil || recvGroup != nil && recvGroup != grp {
							ok = false
							continue
						}
						recvGroup = grp
						if leave == nil {
							leave = returnAfterRecv(in)
						}
					}
				}
			}
		}
		if !ok || sendGroup == nil || recvGroup == nil || sendGroup == recvGroup || leave == nil || !siblings(sendGroup, recvGroup, closures) || waitsIn(fn, sendGroup, recvGroup, closures) {
			continue
		}
		pass.Report(analysis.Diagnostic{
			Pos:      sendGroup.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this group's tasks send on a channel (select at %s) whose only receivers are tasks of the group made at %s from the same parent context; a receiver can return (line %d), which cancels its own group's context, not this one's: the senders then block until the parent context ends, and so does whatever waits for this group (make this group from the receivers' group context)",
				at(pass, sendSel.Pos(), sendGroup.Pos()), at(pass, recvGroup.Pos(), sendGroup.Pos()), pass.Fset.Position(leave.Pos()).Line),
			Related: []analysis.RelatedInformation{
				{Pos: sendSel.Pos(), Message: "the send, beside this group's Done only"},
				{Pos: recvGroup.Pos(), Message: "the receivers' group is made here"},
				{Pos: leave.Pos(), Message: "a receiver returns here from its loop"},
			},
		})
	}
}

// taskGroup returns the call making the group that function literal a is
// handed to as a task (g.Go(a), g.GoCtx(a): a method call on the group
// with a as an argument), or nil.
func taskGroup(a *ssa.Function, closures map[*ssa.Function]*ssa.MakeClosure) *ssa.Call {
	mk := closures[a]
	if mk == nil {
		return nil
	}
	for _, r := range *mk.Referrers() {
		call, ok := r.(*ssa.Call)
		if !ok {
			continue
		}
		c := call.Common()
		f := c.StaticCallee()
		if f == nil || f.Signature.Recv() == nil || len(c.Args) < 2 || c.Value == mk {
			continue
		}
		g := resolve(c.Args[0], closures)
		if e, ok := g.(*ssa.Extract); ok && e.Index == 0 {
			g = e.Tuple
		}
		if m, ok := g.(*ssa.Call); ok && contextArg(m) != nil {
			return m
		}
	}
	return nil
}

// contextArg returns the context.Context argument of call m, if one.
func contextArg(m *ssa.Call) ssa.Value {
	for _, a := range m.Call.Args {
		if n, ok := types.Unalias(a.Type()).(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context" {
			return a
		}
	}
	return nil
}

// groupDone reports whether the other case of sel (beside send state st)
// receives from the Done of the group's context: a context parameter of
// the task a (the group passes its own), or the context the group's maker
// returns beside it (errgroup.WithContext).
func groupDone(sel *ssa.Select, st *ssa.SelectState, a *ssa.Function, grp *ssa.Call, closures map[*ssa.Function]*ssa.MakeClosure) bool {
	for i := range sel.States {
		o := sel.States[i]
		if o == st {
			continue
		}
		if o.Dir != types.RecvOnly {
			return false
		}
		ctx := doneOf(o.Chan)
		if ctx == nil {
			return false
		}
		switch x := resolve(ctx, closures).(type) {
		case *ssa.Parameter:
			return x.Parent() == a
		case *ssa.Extract:
			return x.Tuple == grp && x.Index == 1
		}
		return false
	}
	return false
}

// returnAfterRecv returns a return its function can reach after receive
// recv, a loop's, without going back to the loop or leaving it at the
// channel's close (the false branch of a range's ok), or nil.
func returnAfterRecv(recv *ssa.UnOp) *ssa.Return {
	rb := recv.Block()
	if !ssaloop.InLoop(rb) {
		return nil
	}
	var start []*ssa.BasicBlock
	if iff, ok := rb.Instrs[len(rb.Instrs)-1].(*ssa.If); ok && recv.CommaOk {
		if e, ok := iff.Cond.(*ssa.Extract); ok && e.Tuple == recv && e.Index == 1 {
			start = rb.Succs[:1] // the body, not the close
		}
	}
	if start == nil {
		for _, instr := range rb.Instrs[indexOf(recv)+1:] {
			if r, ok := instr.(*ssa.Return); ok && failing(r) {
				return r
			}
		}
		start = rb.Succs
	}
	return returnFrom(rb, start)
}

// returnFrom returns a failing return reached from blocks start without going
// back to loop block rb (or above it), or nil.
func returnFrom(rb *ssa.BasicBlock, start []*ssa.BasicBlock) *ssa.Return {
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), start...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] || b.Dominates(rb) {
			continue // back to the loop
		}
		seen[b] = true
		if r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && failing(r) {
			return r
		}
		stack = append(stack, b.Succs...)
	}
	return nil
}

// failing reports whether r returns something other than nil constants
// (an error): a task's failure, not its normal end at the close.
func failing(r *ssa.Return) bool {
	for _, v := range r.Results {
		if c, ok := v.(*ssa.Const); !ok || !c.IsNil() {
			return true
		}
	}
	return false
}

// siblings reports whether groups a and b are made by the same function
// from the same parent context.
func siblings(a, b *ssa.Call, closures map[*ssa.Function]*ssa.MakeClosure) bool {
	fa, fb := a.Call.StaticCallee(), b.Call.StaticCallee()
	if fa == nil || fa != fb {
		return false
	}
	pa, pb := contextArg(a), contextArg(b)
	return pa != nil && resolve(pa, closures) == resolve(pb, closures)
}

// waitsIn reports whether a task of group tasks (a function literal of fn
// handed to it) waits for group other: its error then fails tasks' group
// too, which cancels its context.
func waitsIn(fn *ssa.Function, tasks, other *ssa.Call, closures map[*ssa.Function]*ssa.MakeClosure) bool {
	for _, a := range fn.AnonFuncs {
		if taskGroup(a, closures) != tasks {
			continue
		}
		for _, b := range a.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				c := ci.Common()
				f := c.StaticCallee()
				if f == nil || f.Name() != "Wait" || f.Signature.Recv() == nil || len(c.Args) != 1 {
					continue
				}
				g := resolve(c.Args[0], closures)
				if e, ok := g.(*ssa.Extract); ok && e.Index == 0 {
					g = e.Tuple
				}
				if g == other {
					return true
				}
			}
		}
	}
	return false
}
