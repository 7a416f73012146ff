package chanblock

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// A WaitGroup Add made under a condition tested again (session 24,
// mixwg).
//
//	s.mu.Lock()
//	r, ok := s.callbacks[h]
//	if ok {
//		s.running.Add(1)
//	}
//	s.mu.Unlock()
//	if !ok {
//		return
//	}
//	go func() { defer s.running.Done(); … }()
//
// The Add is made only when ok holds, and the return only when it does
// not: no path runs both. addUnmatched walked every successor of every
// branch from the Add and met the return. The branches that lead to the
// Add fix the value of their conditions on every path from it, as long
// as the value is not computed again (its block is not reachable from the
// Add's); a later branch on the same value (or its negation) follows only
// the successor those facts allow.

// addFacts returns the boolean values the branches dominating add's block
// fix on every path from add: value -> the outcome that reaches the Add.
func addFacts(add ssa.Instruction) map[ssa.Value]bool {
	b := add.Block()
	var facts map[ssa.Value]bool
	for d := b.Idom(); d != nil; d = d.Idom() {
		if len(d.Instrs) == 0 {
			continue
		}
		ifi, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
		if !ok || len(d.Succs) != 2 || d.Succs[0] == d.Succs[1] {
			continue
		}
		var outcome bool
		switch {
		case d.Succs[0].Dominates(b) && len(d.Succs[0].Preds) == 1:
			outcome = true
		case d.Succs[1].Dominates(b) && len(d.Succs[1].Preds) == 1:
			outcome = false
		default:
			continue
		}
		v, neg := baseCond(ifi.Cond)
		switch v := v.(type) {
		case *ssa.Parameter, *ssa.FreeVar:
			// One value for the whole call.
		case ssa.Instruction:
			if reachableFrom(b, v.Block()) {
				continue // computed again on the way: not one value
			}
		default:
			continue
		}
		if facts == nil {
			facts = map[ssa.Value]bool{}
		}
		facts[v] = outcome != neg
	}
	return facts
}

// baseCond strips negations off a branch condition: the value tested and
// whether the test is its negation.
func baseCond(v ssa.Value) (ssa.Value, bool) {
	neg := false
	for {
		u, ok := v.(*ssa.UnOp)
		if !ok || u.Op != token.NOT {
			return v, neg
		}
		v, neg = u.X, !neg
	}
}

// reachableFrom reports whether to is reachable from from's successors.
func reachableFrom(from, to *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), from.Succs...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b == to {
			return true
		}
		if seen[b] {
			continue
		}
		seen[b] = true
		stack = append(stack, b.Succs...)
	}
	return false
}

// factSuccs returns the successors of b a walk from the Add may take:
// for a branch on a value facts fix, the one the facts allow.
func factSuccs(b *ssa.BasicBlock, succs []*ssa.BasicBlock, facts map[ssa.Value]bool) []*ssa.BasicBlock {
	if len(facts) == 0 || len(b.Instrs) == 0 || len(succs) != 2 || len(b.Succs) != 2 || succs[0] != b.Succs[0] {
		return succs
	}
	ifi, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return succs
	}
	v, neg := baseCond(ifi.Cond)
	val, ok := facts[v]
	if !ok {
		return succs
	}
	if val != neg {
		return succs[:1]
	}
	return succs[1:]
}
