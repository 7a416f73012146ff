package condwait

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A stop polled only between waits (temporalio/sdk-go#2462). A goroutine's
// loop tests a stop channel without blocking (`select { case <-stopCh:
// return true; default: }`, inline or in a helper such as isStopped) and,
// inside the loop, calls a function that waits on a Cond in a loop only
// new data ends. The function that closes that stop channel signals the
// Cond nowhere (nor does anything it calls): a stop that comes while the
// goroutine sits in Wait is never seen, and once the producers stop with
// it, nothing wakes the goroutine. checkStopped is the same bug for a
// goroutine that never returns at all.

// checkPolledStop reports the waits of cd that a goroutine enters from a
// loop that polls a stop channel whose closer does not signal cd.
func (c *checker) checkPolledStop(cd *cond) {
	if cd.escaped || !cd.private {
		return
	}
	waiters := map[*ssa.Function]ssa.Instruction{}
	for _, w := range cd.waits {
		if _, ok := waiters[w.Parent()]; !ok && w.Parent().Parent() == nil && c.dataOnly(w.Parent(), w) {
			waiters[w.Parent()] = w
		}
	}
	if len(waiters) == 0 {
		return
	}
	sig := c.signallers(cd)
	for _, gfn := range c.goTargets() {
		for _, b := range gfn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				w, ok := waiters[call.Call.StaticCallee()]
				if !ok {
					continue
				}
				cyc := innerLoop(b)
				if cyc == nil {
					continue
				}
				field, poll := c.stopPoll(cyc)
				if field == nil {
					continue
				}
				cl, closer := c.closerOf(field)
				if cl == nil || sig[closer] {
					continue
				}
				c.report(w.Pos(), fmt.Sprintf("Wait on %s in %s ends only when new data comes, while %s tests its stop channel %s only between calls of %s (%s): %s closes %s (%s) without signalling %s, so a stop that comes during this Wait is never seen, and once the producers stop the goroutine blocks forever (set a stopped state the wait loop tests, and Broadcast %s on stop)",
					cd.name, fnName(w.Parent()), fnName(gfn), field.Name(), fnName(w.Parent()), c.at(call.Pos(), w.Pos()), fnName(closer), field.Name(), c.at(cl.Pos(), w.Pos()), cd.name, cd.name),
					analysis.RelatedInformation{Pos: call.Pos(), Message: "the call of the waiting function, inside the polling loop"},
					analysis.RelatedInformation{Pos: poll.Pos(), Message: "the stop channel polled here"},
					analysis.RelatedInformation{Pos: cl.Pos(), Message: "the stop, which signals nothing"})
				return
			}
		}
	}
}

// checkPolledPredicate reports a wait of cd whose loop tests, without
// blocking, whether a channel field is closed (tailscale/tailscale#712:
// Close waits `for c.goroutinesRunningLocked() { c.muCond.Wait() }`, and
// the helper asks whether derpStarted is closed yet), when the one close of
// that channel is in a function that signals cd nowhere: a close that
// comes during the Wait changes the condition and wakes nobody.
func (c *checker) checkPolledPredicate(cd *cond) {
	if cd.escaped || !cd.private {
		return
	}
	sig := c.signallers(cd)
	for _, w := range cd.waits {
		cyc := innerLoop(w.Block())
		if cyc == nil {
			continue
		}
		field, poll := c.stopPoll(cyc)
		if field == nil {
			continue
		}
		cl, closer := c.closerOf(field)
		if cl == nil || sig[closer] {
			continue
		}
		c.report(w.Pos(), fmt.Sprintf("Wait on %s in %s waits while %s is not closed (tested without blocking, %s), but %s closes %s (%s) without signalling %s: a close that comes during this Wait changes the condition and wakes nobody, so the Wait blocks forever (Broadcast %s after the close, under its lock)",
			cd.name, fnName(w.Parent()), field.Name(), c.at(poll.Pos(), w.Pos()), fnName(closer), field.Name(), c.at(cl.Pos(), w.Pos()), cd.name, cd.name),
			analysis.RelatedInformation{Pos: poll.Pos(), Message: "the wait loop's test of the channel"},
			analysis.RelatedInformation{Pos: cl.Pos(), Message: "the close, which signals nothing"})
		return
	}
}

// goTargets returns the package's functions a go statement starts.
func (c *checker) goTargets() []*ssa.Function {
	var out []*ssa.Function
	seen := map[*ssa.Function]bool{}
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok {
					continue
				}
				if gfn := startedFunc(g); gfn != nil && gfn.Pkg == fn.Pkg && !seen[gfn] {
					seen[gfn] = true
					out = append(out, gfn)
				}
			}
		}
	}
	return out
}

// startedFunc returns the function a go statement starts, when it names
// one (a function or a function literal), else nil.
func startedFunc(g *ssa.Go) *ssa.Function {
	switch v := g.Call.Value.(type) {
	case *ssa.Function:
		return v
	case *ssa.MakeClosure:
		return v.Fn.(*ssa.Function)
	}
	return nil
}

// stopPoll returns the channel field a non-blocking select in the loop
// cyc receives from (directly, or in a function the loop calls), and the
// select.
func (c *checker) stopPoll(cyc map[*ssa.BasicBlock]bool) (*types.Var, ssa.Instruction) {
	for b := range cyc {
		for _, instr := range b.Instrs {
			if f, s := pollIn(instr); f != nil {
				return f, s
			}
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			callee := call.Call.StaticCallee()
			if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg != c.pass.Pkg {
				continue
			}
			for _, cb := range callee.Blocks {
				for _, ci := range cb.Instrs {
					if f, s := pollIn(ci); f != nil {
						return f, s
					}
				}
			}
		}
	}
	return nil, nil
}

// pollIn returns the struct field of empty-element channels that instr, a
// select with a default case, receives from.
func pollIn(instr ssa.Instruction) (*types.Var, ssa.Instruction) {
	sel, ok := instr.(*ssa.Select)
	if !ok || sel.Blocking {
		return nil, nil
	}
	for _, st := range sel.States {
		if st.Dir != types.RecvOnly {
			continue
		}
		u, ok := st.Chan.(*ssa.UnOp)
		if !ok || u.Op != token.MUL {
			continue
		}
		fa, ok := u.X.(*ssa.FieldAddr)
		if !ok {
			continue
		}
		if f := chanuse.StructFieldOf(fa); f != nil {
			if ch, ok := f.Type().Underlying().(*types.Chan); ok {
				if s, ok := ch.Elem().Underlying().(*types.Struct); ok && s.NumFields() == 0 {
					return f, sel
				}
			}
		}
	}
	return nil, nil
}

// closerOf returns the one close of field in the package and its
// function; nil when there is none or several.
func (c *checker) closerOf(field *types.Var) (ssa.Instruction, *ssa.Function) {
	var cl ssa.Instruction
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				bi, ok := call.Call.Value.(*ssa.Builtin)
				if !ok || bi.Name() != "close" || len(call.Call.Args) != 1 {
					continue
				}
				u, ok := call.Call.Args[0].(*ssa.UnOp)
				if !ok || u.Op != token.MUL {
					continue
				}
				if fa, ok := u.X.(*ssa.FieldAddr); ok && chanuse.StructFieldOf(fa) == field {
					if cl != nil {
						return nil, nil
					}
					cl = call
				}
			}
		}
	}
	if cl == nil {
		return nil, nil
	}
	return cl, cl.Parent()
}
