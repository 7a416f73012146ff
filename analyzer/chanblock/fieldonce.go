package chanblock

import (
	"fmt"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// fieldOnce is localOnce for a channel kept in a private struct field
// (chanuse.Fields): every send on and close of the field is in one
// function, which the package only ever starts as a goroutine, and that
// function can return without sending or closing (an early return on an
// error, before its defer close is registered). A plain receive from the
// field elsewhere (a Close or Wait method waiting for the goroutine to
// report) then blocks forever on that path (emersion/go-msgauth#8).
func fieldOnce(st *state, funcs []*ssa.Function) {
	callers := staticCallers(funcs)
	for _, c := range chanuse.Fields(st.pass.Pkg, st.sealed, funcs) {
		if c.Escapes || c.Stored || len(c.Makes) == 0 {
			continue
		}
		fieldOnceOf(st, c, callers)
	}
}

// staticCallers maps each function to the call instructions (calls, go
// and defer statements) that name it statically in funcs.
func staticCallers(funcs []*ssa.Function) map[*ssa.Function][]ssa.CallInstruction {
	callers := map[*ssa.Function][]ssa.CallInstruction{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(ssa.CallInstruction); ok {
					if callee := c.Common().StaticCallee(); callee != nil {
						callers[callee] = append(callers[callee], c)
					}
				}
			}
		}
	}
	return callers
}

// fieldOnceWide is fieldOnce for a field whose channel leaves the
// package only as a receive-only channel (an exported accessor's <-chan T
// result: the wide view's Outside without OutSend), which chanuse.Fields
// counts as an escape: other packages may wait on it too, but only the
// package can send on or close it, so its wakers are all in view. It runs
// after the interleaving checker, whose report at the same receive comes
// first.
func fieldOnceWide(st *state, funcs []*ssa.Function) {
	classes := chanuse.Fields(st.pass.Pkg, st.sealed, funcs)
	var callers map[*ssa.Function][]ssa.CallInstruction
	for _, w := range st.wide {
		if c := classes[w.Field]; c == nil || !c.Escapes || w.Elem || w.Outside&chanuse.OutSend != 0 || len(w.Makes) == 0 {
			continue
		}
		if callers == nil {
			callers = staticCallers(funcs)
		}
		fieldOnceOf(st, w.Class, callers)
	}
}

func fieldOnceOf(st *state, c *chanuse.Class, callers map[*ssa.Function][]ssa.CallInstruction) {
	var sender *ssa.Function
	var wakes []ssa.Instruction
	var recvs []ssa.Instruction
	for _, op := range c.Ops {
		fn := op.Instr.Parent()
		switch op.Kind {
		case chanuse.Send, chanuse.Close, chanuse.DeferClose:
			if sender != nil && sender != fn || ssaloop.InLoop(op.Instr.Block()) {
				return
			}
			sender = fn
			wakes = append(wakes, op.Instr)
		case chanuse.SelectSend:
			return // may give up sending: not followed
		case chanuse.Recv:
			u, ok := op.Instr.(*ssa.UnOp)
			if !ok || st.ranges[u.Pos()] || ssaloop.InLoop(u.Block()) {
				continue
			}
			recvs = append(recvs, op.Instr)
		}
	}
	if sender == nil || len(recvs) == 0 {
		return
	}
	for _, r := range recvs {
		if r.Parent() == sender {
			return // the sender receives too: a relay, not followed
		}
	}
	// The sender runs only as a goroutine of its own: started by a go
	// statement, or called by a function literal that is (go func() {
	// s.run() }(), or wg.Go(func() { s.run() }) with a group's Go).
	gs := goSites(sender, callers)
	if sender.Parent() == nil {
		for _, call := range callers[sender] {
			if _, ok := call.(*ssa.Go); ok {
				continue
			}
			lit := call.Parent()
			if lit.Parent() == nil {
				return
			}
			lgs := goSites(lit, callers)
			if len(lgs) == 0 || !onlyStarted(lit) {
				return
			}
			gs = append(gs, lgs...)
		}
		if len(gs) == 0 {
			return
		}
	} else {
		if len(gs) == 0 {
			return
		}
		for _, b := range sender.Parent().Blocks {
			for _, instr := range b.Instrs {
				if mk, ok := instr.(*ssa.MakeClosure); ok && mk.Fn == sender && len(*mk.Referrers()) != 1 {
					return
				}
			}
		}
	}
	ret := silentReturn(sender, wakes)
	if ret == nil {
		return
	}
	rp := ret.Pos()
	if !rp.IsValid() {
		rp = chanuse.ClosingBrace(sender)
	}
	line := func(n ssa.Instruction) int { return st.pass.Fset.Position(n.Pos()).Line }
	name := fmt.Sprintf("field %s of %s", c.Field.Name(), ownerName(st.sealed, c.Field))
	for _, r := range recvs {
		st.Report(analysis.Diagnostic{
			Pos:      r.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s waits here for %s, which only %s (started as a goroutine at line %d) sends on or closes, but %s can return at line %d without sending on or closing it: on that path (an early return) this receive blocks forever",
				r.Parent().Name(), name, sender.Name(), line(gs[0]), sender.Name(), st.pass.Fset.Position(rp).Line),
			Related: []analysis.RelatedInformation{
				{Pos: rp, Message: "the goroutine returns here without sending or closing"},
				{Pos: wakes[0].Pos(), Message: "the channel is sent on or closed here, on other paths"},
				{Pos: gs[0].Pos(), Message: "the goroutine is started here"},
			},
		})
	}
}

// onlyStarted reports whether the function literal lit is only ever
// started as a goroutine (chanuse.Starts: go statements, a group's Go,
// the package's own goroutine helpers): its closure (or the literal
// itself, without free variables) has no other use.
func onlyStarted(lit *ssa.Function) bool {
	started := func(instr ssa.Instruction, v ssa.Value) bool { return chanuse.Starts(lit.Pkg, instr, v) }
	for _, b := range lit.Parent().Blocks {
		for _, instr := range b.Instrs {
			if mk, ok := instr.(*ssa.MakeClosure); ok && mk.Fn == lit {
				refs := *mk.Referrers()
				if len(refs) != 1 || !started(refs[0], mk) {
					return false
				}
				continue
			}
			for _, op := range instr.Operands(nil) {
				if *op != ssa.Value(lit) {
					continue
				}
				if !started(instr, lit) {
					return false
				}
			}
		}
	}
	return true
}
