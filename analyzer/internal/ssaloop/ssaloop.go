// Package ssaloop answers questions about loops in an SSA function's
// control-flow graph that several analyzers ask.
package ssaloop

import "golang.org/x/tools/go/ssa"

// InLoop reports whether b can reach itself: whether the code of b may run
// more than once in one call of its function.
func InLoop(b *ssa.BasicBlock) bool { return Reaches(b, b) }

// Reaches reports whether a path of one or more edges leads from a to b
// (so Reaches(b, b) only when b is in a loop).
func Reaches(a, b *ssa.BasicBlock) bool { return ReachesAvoiding(a, b, nil) }

// ReachesAvoiding reports whether a path of one or more edges leads from a
// to b without entering avoid (nil avoids nothing; avoid == b never
// reaches).
func ReachesAvoiding(a, b, avoid *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	if avoid != nil {
		seen[avoid] = true
	}
	stack := append([]*ssa.BasicBlock(nil), a.Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == b && x != avoid {
			return true
		}
		if !seen[x] {
			seen[x] = true
			stack = append(stack, x.Succs...)
		}
	}
	return false
}

// Blocks returns the blocks of the loops through b, b included: the
// blocks b reaches that reach b. For b in no loop it is b alone.
func Blocks(b *ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	fwd := Reached(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })
	back := Reached(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Preds })
	loop := map[*ssa.BasicBlock]bool{}
	for x := range fwd {
		if back[x] {
			loop[x] = true
		}
	}
	return loop
}

// Tests returns the conditional branches (Ifs) that end the blocks of the
// loops through b (Blocks), in no particular order.
func Tests(b *ssa.BasicBlock) []*ssa.If {
	var out []*ssa.If
	for x := range Blocks(b) {
		if iff, ok := x.Instrs[len(x.Instrs)-1].(*ssa.If); ok {
			out = append(out, iff)
		}
	}
	return out
}

// Reached returns the blocks reached from b (b included) along next
// (Succs forward, Preds backward).
func Reached(b *ssa.BasicBlock, next func(*ssa.BasicBlock) []*ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	seen := map[*ssa.BasicBlock]bool{b: true}
	stack := []*ssa.BasicBlock{b}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, y := range next(x) {
			if !seen[y] {
				seen[y] = true
				stack = append(stack, y)
			}
		}
	}
	return seen
}
