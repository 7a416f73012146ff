package deadlockleak

import (
	"fmt"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The group member only a signal ends (ihippik/wal-listener#53): a
// function starts tasks with an error group's Go (errgroup, or a package
// type whose Wait waits on a WaitGroup) and waits on the group; one task
// waits only for an OS signal (a receive from a channel it makes and
// hands to signal.Notify, nothing else), and another task can fail (it
// returns a non-nil error). The failure does not end the signal task:
// Wait, which waits for every task, returns the error only once a signal
// comes, so the process sits there instead of exiting on the error. The
// fix selects on a context the first error cancels (errgroup.WithContext)
// beside the signal. Reported at the Wait.

// signalMembers reports the rule in fn.
func signalMembers(pass *analysis.Pass, fn *ssa.Function, closures map[*ssa.Function]*ssa.MakeClosure) {
	type member struct {
		start *ssa.Call
		body  *ssa.Function
	}
	members := map[ssa.Value][]member{}
	var waits []ssa.CallInstruction
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ci, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			c := ci.Common()
			if groupWait(c) != nil || chanuse.GroupCall(c, "Wait") != nil {
				waits = append(waits, ci)
				continue
			}
			call, ok := instr.(*ssa.Call)
			f := c.StaticCallee()
			if !ok || f == nil || f.Name() != "Go" || f.Signature.Recv() == nil || len(c.Args) != 2 {
				continue
			}
			var body *ssa.Function
			switch t := c.Args[1].(type) {
			case *ssa.MakeClosure:
				body = t.Fn.(*ssa.Function)
			case *ssa.Function:
				body = t // a literal capturing nothing, or a named function
			}
			g := resolve(c.Args[0], closures)
			if body == nil || body.Blocks == nil || g == nil {
				continue
			}
			members[g] = append(members[g], member{call, body})
		}
	}
	for _, w := range waits {
		grp := groupWait(w.Common())
		if grp == nil {
			grp = chanuse.GroupCall(w.Common(), "Wait")
		}
		ms := members[resolve(grp, closures)]
		if len(ms) < 2 {
			continue
		}
		for _, s := range ms {
			wait := signalOnly(s.body)
			if wait == nil {
				continue
			}
			var fails *member
			for i := range ms {
				if ms[i].body != s.body && returnsError(ms[i].body) {
					fails = &ms[i]
					break
				}
			}
			if fails == nil {
				continue
			}
			pass.Report(analysis.Diagnostic{
				Pos:      w.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("Wait waits for every task of the group, and the task started at %s returns only after an OS signal (its only wait, at %s, is on a channel only signal.Notify sends on): when the task started at %s fails, nothing stops it, and Wait returns the error only once a signal comes (select on a context the first error cancels, as errgroup.WithContext's, beside the signal)",
					at(pass, s.start.Pos(), w.Pos()), at(pass, wait.Pos(), w.Pos()), at(pass, fails.start.Pos(), w.Pos())),
				Related: []analysis.RelatedInformation{
					{Pos: wait.Pos(), Message: "the task waits only for a signal here"},
					{Pos: fails.start.Pos(), Message: "this task can fail"},
				},
			})
			break
		}
	}
}

// signalOnly returns fn's only wait when it is a receive from channels
// fn makes and hands to signal.Notify, with no send or close on them.
func signalOnly(fn *ssa.Function) ssa.Instruction {
	chans, wait := waits(fn)
	if wait == nil || len(chans) == 0 {
		return nil
	}
	for _, ch := range chans {
		mc, ok := ch.(*ssa.MakeChan)
		if !ok || mc.Parent() != fn {
			return nil
		}
		notified := false
		for _, r := range *mc.Referrers() {
			switch r := r.(type) {
			case *ssa.ChangeType:
				for _, u := range *r.Referrers() {
					c, ok := u.(*ssa.Call)
					switch {
					case ok && isNotify(c):
						notified = true
					case ok && isSignalStop(c):
					default:
						if _, ok := u.(*ssa.DebugRef); !ok {
							return nil
						}
					}
				}
			case *ssa.Call:
				if isNotify(r) {
					notified = true
				} else if !isSignalStop(r) {
					return nil
				}
			case *ssa.UnOp, *ssa.Select, *ssa.DebugRef:
			default:
				return nil
			}
		}
		if !notified {
			return nil
		}
	}
	return wait
}

func isNotify(c *ssa.Call) bool {
	f := c.Call.StaticCallee()
	return f != nil && f.Pkg != nil && f.Pkg.Pkg.Path() == "os/signal" && f.Name() == "Notify"
}

func isSignalStop(c *ssa.Call) bool {
	f := c.Call.StaticCallee()
	return f != nil && f.Pkg != nil && f.Pkg.Pkg.Path() == "os/signal" && (f.Name() == "Stop" || f.Name() == "Reset")
}

// returnsError reports whether fn, returning an error, has a return whose
// error is not a constant nil.
func returnsError(fn *ssa.Function) bool {
	res := fn.Signature.Results()
	if res.Len() == 0 || !types.Identical(res.At(res.Len()-1).Type(), types.Universe.Lookup("error").Type()) {
		return false
	}
	for _, b := range fn.Blocks {
		if r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			if c, ok := r.Results[len(r.Results)-1].(*ssa.Const); !ok || !c.IsNil() {
				return true
			}
		}
	}
	return false
}
