package condwait

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A farewell wake on some exits only (hyperledger-labs/orion-server#244).
// A goroutine (a go statement's function) runs a loop and, on one way out
// of it, wakes a Cond's waiters for the last time: it resets the state
// they wait on and broadcasts, because once it is gone nothing will wake
// them. On another way out (a break on an error, a return when an input
// closes) it leaves with no wake at all, and a waiter that counted on the
// goroutine sleeps for good. The goroutine must not wait on the Cond
// itself, must not wake it in a deferred call (which runs on every way
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
		if waiters[fn] || len(fn.Blocks) > farewellBlocks || !c.startedByGo(fn) || c.defersSignal(cd, fn) {
			continue
		}
		if silentAt, farewell := c.farewellExit(cd, fn); silentAt != nil {
			c.report(wait.Pos(), fmt.Sprintf("Wait on %s in %s can sleep for good: the goroutine %s wakes %s as it leaves its loop at %s, but leaves it after %s with no wake, and nothing wakes the waiter after it is gone (wake %s after the loop, on every way out)",
				cd.name, fnName(wait.Parent()), fnName(fn), cd.name, c.at(farewell.Pos(), wait.Pos()), c.at(silentAt.Pos(), wait.Pos()), cd.name),
				analysis.RelatedInformation{Pos: farewell.Pos(), Message: "the farewell wake, on one way out only"},
				analysis.RelatedInformation{Pos: silentAt.Pos(), Message: "the loop is left after this with no wake"})
		}
	}
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
func (c *checker) farewellExit(cd *cond, fn *ssa.Function) (ssa.Instruction, ssa.Instruction) {
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
		return nil, nil
	}
	for _, body := range loops(fn) {
		var farewell, silent ssa.Instruction
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
			return silent, farewell
		}
	}
	return nil, nil
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
