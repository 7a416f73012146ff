package condwait

import (
	"fmt"

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
		start := c.manyGoroutines(w.Parent(), 0)
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
// that calls it) several times: in a loop, or one of several go
// statements that start it; nil when fn may run in one goroutine only
// as far as the package shows.
func (c *checker) manyGoroutines(fn *ssa.Function, depth int) ssa.Instruction {
	if depth > 3 || c.addrOf[fn] {
		return nil
	}
	var gos []ssa.Instruction
	var first ssa.Value
	same := true
	for _, s := range c.callers[fn] {
		if s.isGo {
			recv, ok := goReceiver(s.instr)
			if !ok {
				same = false
				continue
			}
			if ssaloop.InLoop(s.instr.Block()) {
				if in, ok := recv.(ssa.Instruction); ok && in.Block() != nil && ssaloop.InLoop(in.Block()) {
					same = false
					continue // a new receiver each round: one waiter per instance
				}
				return s.instr
			}
			if first == nil {
				first = recv
			} else if recv != first {
				same = false
			}
			gos = append(gos, s.instr)
			continue
		}
		if g := c.manyGoroutines(s.caller, depth+1); g != nil {
			return g
		}
	}
	if len(gos) > 1 && same {
		return gos[0]
	}
	return nil
}

// goReceiver returns the value a go statement (or the literal it starts)
// reaches its state through: a method's receiver, or a function literal's
// only captured variable (nil for none); ok is false when it cannot tell.
func goReceiver(instr ssa.Instruction) (ssa.Value, bool) {
	switch in := instr.(type) {
	case *ssa.Go:
		if callee := in.Call.StaticCallee(); callee != nil && callee.Signature.Recv() != nil && len(in.Call.Args) > 0 {
			return in.Call.Args[0], true
		}
		if len(in.Call.Args) == 0 {
			return nil, true
		}
	case *ssa.MakeClosure:
		switch len(in.Bindings) {
		case 0:
			return nil, true
		case 1:
			return in.Bindings[0], true
		}
	}
	return nil, false
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
