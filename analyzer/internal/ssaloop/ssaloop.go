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
