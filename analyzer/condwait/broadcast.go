package condwait

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// checkSignalMany reports a change every waiter waits for (a closed flag
// set, an error stored, a polled channel closed: nothing in the package
// undoes it) followed only by Signal, while the Wait runs in several
// goroutines at once (its function is started by go statements in a loop,
// or by more than one go statement). Signal wakes one of them; the others
// sleep on although their wait is over (acomagu/bufpipe#6's review,
// project-iris/iris#7). A waiter that passes the wake-up on (signals on
// every way out of its wait loop) is not reported.
func (c *checker) checkSignalMany(cd *cond) {
	if cd.escaped || !cd.private {
		return
	}
	for _, w := range cd.waits {
		start := c.manyGoroutines(w.Parent(), condInst(w), 0)
		if start == nil || c.passesOn(cd, w) {
			continue
		}
		for _, p := range waitPreds(w.Parent(), w) {
			var events []*event
			switch p.rel {
			case relClose:
				name := chanName(p.ch)
				for _, cl := range c.closesOf(w.Parent(), p.ch) {
					events = append(events, &event{fn: cl.Parent(), instr: cl, did: "closes " + name})
				}
			case relTrue, relNonNil:
				sticky := true
				var evs []*event
				for _, wr := range c.writes[p.field] {
					if !releases(wr, p) {
						sticky = false // something undoes it: one change, one waiter
						break
					}
					if wr.fn != w.Parent() {
						evs = append(evs, &event{fn: wr.fn, instr: wr.instr, did: "changes " + p.field.Name()})
					}
				}
				if sticky {
					events = evs
				}
			}
			for _, e := range events {
				sig := c.onlySignal(cd, e)
				if sig == nil {
					continue
				}
				c.report(sig.Pos(), fmt.Sprintf("Signal wakes one goroutine waiting on %s, but %s %s (%s), which ends the Wait of every goroutine in %s (%s), and several run it (started at %s): the others stay asleep after the change and block forever (Broadcast)",
					cd.name, fnName(e.fn), e.did, c.at(e.instr.Pos(), sig.Pos()), fnName(w.Parent()), c.at(w.Pos(), sig.Pos()), c.at(start.Pos(), sig.Pos())),
					analysis.RelatedInformation{Pos: e.instr.Pos(), Message: "the change every waiter waits for"},
					analysis.RelatedInformation{Pos: w.Pos(), Message: "the Wait of several goroutines"},
					analysis.RelatedInformation{Pos: p.pos, Message: "the waiter's test"},
					analysis.RelatedInformation{Pos: start.Pos(), Message: "the waiters are started here"})
			}
		}
	}
}

// onlySignal returns the Signal that follows e in its function when e's
// function wakes cd only with Signal: no Broadcast, no callee that
// signals, no deferred signal; nil otherwise (a silent change is
// checkSilent's).
func (c *checker) onlySignal(cd *cond, e *event) ssa.Instruction {
	var sig ssa.Instruction
	for _, b := range e.fn.Blocks {
		for _, instr := range b.Instrs {
			if !c.signals(cd, instr) {
				continue
			}
			call, ok := instr.(*ssa.Call)
			if !ok || !cd.signals[instr] {
				return nil // deferred, through a callee, a method value
			}
			if m, _ := condMethod(&call.Call); m != "Signal" {
				return nil
			}
			if precedes(e.instr, instr) && sig == nil {
				sig = instr
			}
		}
	}
	return sig
}

// manyGoroutines returns a go statement that starts fn (or a function
// that calls it) several times on one instance: in a loop, with the
// instance made before the loop, or one of several go statements that
// pass the same instance; nil when, as far as the package shows, each
// instance has one such goroutine. inst is the value of fn that holds the
// instance: a parameter (a method's receiver) or a captured variable; nil
// when unknown.
func (c *checker) manyGoroutines(fn *ssa.Function, inst ssa.Value, depth int) ssa.Instruction {
	if depth > 3 || c.addrOf[fn] || inst == nil {
		return nil
	}
	var gos []ssa.Instruction
	var first ssa.Value
	same := true
	for _, s := range c.callers[fn] {
		// The instance at the site, in the caller.
		var at ssa.Value
		switch in := s.instr.(type) {
		case *ssa.MakeClosure:
			for i, fv := range fn.FreeVars {
				if fv == inst {
					at = in.Bindings[i]
				}
			}
		case ssa.CallInstruction:
			for i, p := range fn.Params {
				if p == inst && i < len(in.Common().Args) {
					at = in.Common().Args[i]
				}
			}
		}
		if at == nil {
			same = false
			continue
		}
		if !s.isGo {
			if g := c.manyGoroutines(s.caller, instVar(at), depth+1); g != nil {
				return g
			}
			continue
		}
		start := s.instr
		if mk, ok := start.(*ssa.MakeClosure); ok {
			for _, r := range *mk.Referrers() {
				if g, ok := r.(*ssa.Go); ok {
					start = g // the go statement, for its position
				}
			}
		}
		if ssaloop.InLoop(s.instr.Block()) {
			if def, ok := at.(ssa.Instruction); ok && def.Block() != nil && ssaloop.InLoop(def.Block()) {
				same = false
				continue // a new instance each round: one waiter per instance
			}
			return start
		}
		if first == nil {
			first = at
		} else if at != first {
			same = false
		}
		gos = append(gos, start)
	}
	if len(gos) > 1 && same {
		return gos[0]
	}
	return nil
}

// instVar returns the parameter or captured variable v is, seen through a
// load of a captured variable; nil otherwise.
func instVar(v ssa.Value) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		v = u.X
	}
	switch v.(type) {
	case *ssa.Parameter, *ssa.FreeVar:
		return v
	}
	return nil
}

// condInst returns the value of the waiting function that holds the
// instance whose Cond w waits on: the struct pointer its Cond field is
// read from, as a parameter or captured variable.
func condInst(w ssa.Instruction) ssa.Value {
	call, ok := w.(*ssa.Call)
	if !ok || len(call.Call.Args) == 0 {
		return nil
	}
	v := call.Call.Args[0]
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		v = u.X
	}
	fa, ok := v.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	return instVar(fa.X)
}

// passesOn reports whether the waiter at w signals cd on every way out of
// its wait loop (or in a deferred call): the woken goroutine then wakes
// the next one, a chain.
func (c *checker) passesOn(cd *cond, w ssa.Instruction) bool {
	fn := w.Parent()
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if _, ok := instr.(*ssa.Defer); ok && c.signals(cd, instr) {
				return true
			}
		}
	}
	loop := innerLoop(w.Block())
	if loop == nil {
		return false
	}
	escapes := false
	for blk := range loop {
		for _, s := range blk.Succs {
			if loop[s] {
				continue
			}
			// From this exit, a return that passes no signal.
			seen := map[*ssa.BasicBlock]bool{}
			var walk func(b *ssa.BasicBlock) bool
			walk = func(b *ssa.BasicBlock) bool {
				if seen[b] || loop[b] {
					return false
				}
				seen[b] = true
				for _, instr := range b.Instrs {
					if c.signals(cd, instr) {
						return false
					}
					if _, ok := instr.(*ssa.Return); ok {
						return true
					}
				}
				for _, n := range b.Succs {
					if walk(n) {
						return true
					}
				}
				return false
			}
			if walk(s) {
				escapes = true
			}
		}
	}
	return !escapes
}
