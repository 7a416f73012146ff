package condwait

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// checkGoSignal reports a Signal or Broadcast made once by a goroutine (a
// go statement's, or a literal handed to a group's Go) that never takes
// the Cond's lock (not itself, not in a function it
// calls or a literal it makes): whatever it changed before signalling,
// it changed without the lock, so the change and the signal can both
// fall between a waiter's test, made under the lock, and its Wait, and
// the waiter sleeps on (Azure/go-workflow#40: each step goroutine sets
// its status and signals in a deferred literal, while Do, holding the
// lock, starts the steps and then waits). The predicate need not be
// understood: no change a lock-free goroutine makes can be ordered with
// the waiter's test. The Cond must be private, waited on in a loop with
// its lock held; a signal repeated in a loop (a periodic waker, a
// worker's per-item signal) is left alone, as the next one wakes a
// waiter that missed this one. An exported function entered without the
// lock (which only the package can take) is checked the same way when it
// changes something before its signal; one that only signals (a kick
// after a change made under the lock elsewhere) is left alone.
func (c *checker) checkGoSignal(cd *cond) {
	if !cd.private || cd.escaped {
		return
	}
	lf := c.flowsFor(cd)
	var wait ssa.Instruction
	for _, w := range cd.waits {
		if innerLoop(w.Block()) != nil && lf.at(w).must {
			wait = w
			break
		}
	}
	if wait == nil {
		return
	}
	holders, sigs := c.holders(cd), c.signallers(cd)
	for _, fn := range c.funcs {
		if holders[fn] || !sigs[fn] {
			continue
		}
		for _, s := range c.callers[fn] {
			start := s.instr.Pos()
			if mc, ok := s.instr.(*ssa.MakeClosure); ok {
				start = token.NoPos
				for _, r := range *mc.Referrers() {
					switch r := r.(type) {
					case *ssa.Go:
						start = r.Pos()
					case *ssa.Call:
						// A literal handed to a group's Go runs as a goroutine too.
						if chanuse.GroupGo(&r.Call) != nil && r.Call.Args[1] == ssa.Value(mc) {
							start = r.Pos()
						}
					}
				}
				if !start.IsValid() {
					continue
				}
			} else if !s.isGo {
				continue
			}
			sig := c.onceSignal(cd, fn)
			if sig == nil {
				break
			}
			how := "through " + fnName(sig.(ssa.CallInstruction).Common().StaticCallee())
			if m, _ := condMethod(sig.(ssa.CallInstruction).Common()); m != "" {
				how = m
			}
			c.report(sig.Pos(), fmt.Sprintf("lost wake-up: this goroutine (started at %s) signals %s (%s) without its lock and never takes the lock, so whatever it changed it changed without it: the change and the signal can both fall between a waiter's test under the lock and its Wait (%s), and that waiter blocks forever (make the change and the signal holding %s's lock)",
				c.at(start, sig.Pos()), cd.name, how, c.at(wait.Pos(), sig.Pos()), cd.name),
				analysis.RelatedInformation{Pos: start, Message: "the goroutine is started here"},
				analysis.RelatedInformation{Pos: wait.Pos(), Message: "the Wait the signal can miss"})
			break
		}
		// An exported function, entered without the lock (callers outside
		// the package cannot take a private lock), that changes something
		// and then signals.
		if root(fn) && !lf.entry[fn].may && c.lockPrivate(cd) {
			sig := c.onceSignal(cd, fn)
			if sig == nil || sig.Parent() != fn || !changesBefore(fn, sig) {
				continue
			}
			how := "through " + fnName(sig.(ssa.CallInstruction).Common().StaticCallee())
			if m, _ := condMethod(sig.(ssa.CallInstruction).Common()); m != "" {
				how = m
			}
			c.report(sig.Pos(), fmt.Sprintf("lost wake-up: %s, which callers outside the package call without the lock, changes state and signals %s (%s) without its lock and never takes the lock: the change and the signal can both fall between a waiter's test under the lock and its Wait (%s), and that waiter blocks forever (make the change and the signal holding %s's lock)",
				fnName(fn), cd.name, how, c.at(wait.Pos(), sig.Pos()), cd.name),
				analysis.RelatedInformation{Pos: wait.Pos(), Message: "the Wait the signal can miss"})
		}
	}
}

// holders returns the functions that lock or unlock cd's lock, directly or
// through the package's functions. A goroutine that only unlocks it holds
// it all the same: the lock was handed to it, as when a Wait returning in
// one goroutine leaves the lock for another to release (a Cond turned into
// a channel, jackc/puddle#2), so its signal is made under the lock.
func (c *checker) holders(cd *cond) map[*ssa.Function]bool {
	return c.closure(func(fn *ssa.Function) bool {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if ci, ok := instr.(ssa.CallInstruction); ok && lockOp(ci.Common(), cd.locks) != 0 {
					return true
				}
			}
		}
		return false
	})
}

// lockPrivate reports whether cd's lock is known and only the package can
// take it: unexported, not embedded fields, unexported package variables,
// or the L of a private Cond.
func (c *checker) lockPrivate(cd *cond) bool {
	if len(cd.locks) == 0 {
		return false
	}
	for k := range cd.locks {
		switch k := k.(type) {
		case *types.Var:
			if k.Exported() || k.Embedded() {
				return false
			}
		case *ssa.Global:
			if k.Object().Exported() {
				return false
			}
		case condL:
			if !cd.private {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// changesBefore reports whether fn writes memory (a store other than to a
// local variable) or calls a function (not a builtin, not a Cond method)
// before sig in its source.
func changesBefore(fn *ssa.Function, sig ssa.Instruction) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if instr == sig || !instr.Pos().IsValid() || instr.Pos() >= sig.Pos() {
				continue
			}
			switch in := instr.(type) {
			case *ssa.Store:
				if _, local := in.Addr.(*ssa.Alloc); !local {
					return true
				}
			case *ssa.Call:
				if _, bi := in.Call.Value.(*ssa.Builtin); bi {
					continue
				}
				if m, _ := condMethod(&in.Call); m != "" {
					continue
				}
				return true
			}
		}
	}
	return false
}

// onceSignal returns the signal of cd that fn, run as a goroutine, makes
// (itself, in a literal it makes or through a function it calls), when no
// signal of it is in a loop; nil otherwise.
func (c *checker) onceSignal(cd *cond, fn *ssa.Function) ssa.Instruction {
	sigs := c.signallers(cd)
	var found ssa.Instruction
	for _, f := range tree(fn) {
		if f != fn {
			if len(c.callers[f]) == 0 || c.addrOf[f] {
				return nil // a literal called where we cannot count how often
			}
			for _, s := range c.callers[f] {
				if inLoop(s.instr) {
					return nil
				}
			}
		}
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				if _, isGo := instr.(*ssa.Go); isGo {
					continue
				}
				direct := cd.signals[instr]
				g := ci.Common().StaticCallee()
				if !direct && (g == nil || !sigs[g] || g.Parent() == f) {
					continue
				}
				if inLoop(instr) || instr.Pos() == token.NoPos {
					return nil
				}
				if found == nil {
					found = instr
				}
			}
		}
	}
	return found
}

// inLoop reports whether instr's block is in a loop of its function.
func inLoop(instr ssa.Instruction) bool {
	return instr.Block() != nil && innerLoop(instr.Block()) != nil
}
