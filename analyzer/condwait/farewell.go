package condwait

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A farewell wake on some exits only (hyperledger-labs/orion-server#244).
// A goroutine (a go statement's function) runs a loop and, on one way out
// of it, wakes a Cond's waiters for the last time: it resets the state
// they wait on and broadcasts, because once it is gone nothing will wake
// them. On another way out (a break on an error, a return when an input
// closes) it leaves with no wake at all, and a waiter that counted on the
// goroutine sleeps for good. Likewise a goroutine that wakes the Cond
// when it succeeds and returns on an error with no wake. The goroutine
// must make every wake of the Cond (itself or through functions only it
// calls), must not wait on the Cond itself, must not wake it in a deferred call (which runs on every way
// out), and the exit must leave for good (not re-enter the loop through
// an outer one) and reach a return. Loops of more than farewellBlocks
// blocks are not examined, to bound the work.

// farewellBlocks bounds the size of the functions examined.
const farewellBlocks = 400

// checkFarewell reports waits on cd that a goroutine's farewell wake,
// made on some of its loop's exits only, can leave asleep.
func (c *checker) checkFarewell(cd *cond) {
	if cd.escaped || !cd.private {
		return
	}
	var wait ssa.Instruction
	waiters := map[*ssa.Function]bool{}
	for _, w := range cd.waits {
		waiters[w.Parent()] = true
		if wait == nil && innerLoop(w.Block()) != nil {
			wait = w
		}
	}
	if wait == nil {
		return
	}
	for _, fn := range c.funcs {
		if waiters[fn] || len(fn.Blocks) > farewellBlocks || !c.startedByGo(fn) || c.defersSignal(cd, fn) || !c.onlyWaker(cd, fn) {
			continue
		}
		silentAt, farewell, onErr := c.farewellExit(cd, fn)
		if silentAt != nil && onErr {
			c.report(wait.Pos(), fmt.Sprintf("Wait on %s in %s can sleep for good: the goroutine %s wakes %s when it succeeds (%s), but returns on the error tested at %s with no wake, and nothing wakes the waiter after it is gone (wake %s on the error path too, or in a defer)",
				cd.name, fnName(wait.Parent()), fnName(fn), cd.name, c.at(farewell.Pos(), wait.Pos()), c.at(silentAt.Pos(), wait.Pos()), cd.name),
				analysis.RelatedInformation{Pos: farewell.Pos(), Message: "the wake, on success only"},
				analysis.RelatedInformation{Pos: silentAt.Pos(), Message: "the error returns after this with no wake"})
		} else if silentAt != nil {
			c.report(wait.Pos(), fmt.Sprintf("Wait on %s in %s can sleep for good: the goroutine %s wakes %s as it leaves its loop at %s, but leaves it after %s with no wake, and nothing wakes the waiter after it is gone (wake %s after the loop, on every way out)",
				cd.name, fnName(wait.Parent()), fnName(fn), cd.name, c.at(farewell.Pos(), wait.Pos()), c.at(silentAt.Pos(), wait.Pos()), cd.name),
				analysis.RelatedInformation{Pos: farewell.Pos(), Message: "the farewell wake, on one way out only"},
				analysis.RelatedInformation{Pos: silentAt.Pos(), Message: "the loop is left after this with no wake"})
		}
	}
}

// onlyWaker reports whether every Signal and Broadcast of cd is made by
// fn or by a function only fn's code calls: once fn is gone, nothing
// wakes cd.
func (c *checker) onlyWaker(cd *cond, fn *ssa.Function) bool {
	tree := map[*ssa.Function]bool{fn: true}
	for iter, changed := 0, true; changed && iter < 8; iter++ {
		changed = false
		for _, g := range c.funcs {
			if tree[g] || c.addrOf[g] || root(g) || len(c.callers[g]) == 0 {
				continue
			}
			all := true
			for _, s := range c.callers[g] {
				if !tree[s.caller] {
					all = false
					break
				}
			}
			if all {
				tree[g] = true
				changed = true
			}
		}
	}
	for s := range cd.signals {
		if !tree[s.Parent()] {
			return false
		}
	}
	return true
}

// startedByGo reports whether fn runs as a goroutine: the function of a
// go statement.
func (c *checker) startedByGo(fn *ssa.Function) bool {
	for _, s := range c.callers[fn] {
		if s.isGo {
			return true
		}
	}
	return false
}

// defersSignal reports whether fn wakes cd in a deferred call.
func (c *checker) defersSignal(cd *cond, fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if d, ok := instr.(*ssa.Defer); ok && c.signals(cd, d) {
				return true
			}
		}
	}
	return false
}

// farewellExit returns, for a loop of fn with an exit whose path wakes cd
// (the farewell, returned second) and another exit from which no path
// wakes cd but one returns, the last positioned instruction before the
// silent exit.
func (c *checker) farewellExit(cd *cond, fn *ssa.Function) (silent, farewell ssa.Instruction, onErr bool) {
	// wakes[b]: a wake of cd some path from b's start reaches.
	wakes := map[*ssa.BasicBlock]ssa.Instruction{}
	var work []*ssa.BasicBlock
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if c.signals(cd, instr) {
				wakes[b] = instr
				work = append(work, b)
				break
			}
		}
	}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		for _, p := range b.Preds {
			if wakes[p] == nil {
				wakes[p] = wakes[b]
				work = append(work, p)
			}
		}
	}
	if len(wakes) == 0 {
		return nil, nil, false
	}
	bodies := loops(fn)
	for _, body := range bodies {
		farewell, silent = nil, nil
		for b := range body {
			for _, s := range b.Succs {
				if body[s] || s.Dominates(b) {
					continue
				}
				out := reach(s, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })
				out[s] = true
				if reentersAny(out, body) {
					continue // an outer loop brings it back
				}
				if w := wakes[s]; w != nil {
					if farewell == nil {
						farewell = w
					}
				} else if silent == nil && returns(out) {
					silent = lastPositioned(b, s)
				}
			}
		}
		if farewell != nil && silent != nil {
			return silent, farewell, false
		}
	}
	// Outside loops: an error that returns with no wake, where success
	// goes on to wake.
	inLoop := map[*ssa.BasicBlock]bool{}
	for _, body := range bodies {
		for b := range body {
			inLoop[b] = true
		}
	}
	for _, b := range fn.Blocks {
		if inLoop[b] {
			continue
		}
		ifi, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		bad, good := errBranch(ifi)
		if bad == nil || wakes[bad] != nil || wakes[good] == nil {
			continue
		}
		out := reach(bad, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })
		out[bad] = true
		if returns(out) {
			return lastPositioned(b, bad), wakes[good], true
		}
	}
	return nil, nil, false
}

// errBranch returns the successors of ifi, a test of an error against
// nil, taken when the error is non-nil (bad) and nil (good).
func errBranch(ifi *ssa.If) (bad, good *ssa.BasicBlock) {
	cmp, ok := ifi.Cond.(*ssa.BinOp)
	if !ok || cmp.Op != token.EQL && cmp.Op != token.NEQ {
		return nil, nil
	}
	v, k := cmp.X, cmp.Y
	if _, isConst := v.(*ssa.Const); isConst {
		v, k = k, v
	}
	if kc, ok := k.(*ssa.Const); !ok || !kc.IsNil() || !types.Identical(v.Type(), types.Universe.Lookup("error").Type()) {
		return nil, nil
	}
	if cmp.Op == token.NEQ {
		return ifi.Block().Succs[0], ifi.Block().Succs[1]
	}
	return ifi.Block().Succs[1], ifi.Block().Succs[0]
}

// loops returns the bodies of fn's natural loops, one per header.
func loops(fn *ssa.Function) []map[*ssa.BasicBlock]bool {
	byHeader := map[*ssa.BasicBlock]map[*ssa.BasicBlock]bool{}
	var out []map[*ssa.BasicBlock]bool
	for _, t := range fn.Blocks {
		for _, h := range t.Succs {
			if !h.Dominates(t) {
				continue
			}
			body := byHeader[h]
			if body == nil {
				body = map[*ssa.BasicBlock]bool{h: true}
				byHeader[h] = body
				out = append(out, body)
			}
			stack := []*ssa.BasicBlock{t}
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if !body[x] {
					body[x] = true
					stack = append(stack, x.Preds...)
				}
			}
		}
	}
	return out
}

func reentersAny(out, body map[*ssa.BasicBlock]bool) bool {
	for b := range out {
		if body[b] {
			return true
		}
	}
	return false
}

// returns reports whether one of blocks ends in a return.
func returns(blocks map[*ssa.BasicBlock]bool) bool {
	for b := range blocks {
		if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			return true
		}
	}
	return false
}

// lastPositioned returns b's last instruction with a position, else the
// first one of s with a position, else b's last.
func lastPositioned(b, s *ssa.BasicBlock) ssa.Instruction {
	for i := len(b.Instrs) - 1; i >= 0; i-- {
		if b.Instrs[i].Pos() != token.NoPos {
			return b.Instrs[i]
		}
	}
	for _, instr := range s.Instrs {
		if instr.Pos() != token.NoPos {
			return instr
		}
	}
	return b.Instrs[len(b.Instrs)-1]
}
