// Package ssawalk walks the instructions of an SSA function forward from
// one of them, the search several deadlock checks make ("is there a path
// from this send to a return that skips the close?").
package ssawalk

import "golang.org/x/tools/go/ssa"

// Action tells Forward what to do after it has shown visit an instruction.
type Action int

const (
	// Continue follows the path on past the instruction.
	Continue Action = iota
	// Cut ends this path at the instruction; other paths go on.
	Cut
	// Stop ends the whole walk.
	Stop
)

// Forward calls visit on the instructions reachable from start, in
// breadth-first order of their blocks: first the rest of start's block
// after start, then each block reachable from there, every block once and
// whole (start's own block again only when a loop leads back to it). A
// path ends where visit says Cut or at a block with no successors; the
// walk ends when visit says Stop or no path is left.
func Forward(start ssa.Instruction, visit func(ssa.Instruction) Action) {
	b := start.Block()
	i := 0
	for k, in := range b.Instrs {
		if in == start {
			i = k + 1
			break
		}
	}
	type pos struct {
		b *ssa.BasicBlock
		i int
	}
	seen := map[*ssa.BasicBlock]bool{}
	queue := []pos{{b, i}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p.i == 0 {
			if seen[p.b] {
				continue
			}
			seen[p.b] = true
		}
		cut := false
		for _, in := range p.b.Instrs[p.i:] {
			switch visit(in) {
			case Stop:
				return
			case Cut:
				cut = true
			}
			if cut {
				break
			}
		}
		if cut {
			continue
		}
		for _, s := range p.b.Succs {
			queue = append(queue, pos{s, 0})
		}
	}
}
