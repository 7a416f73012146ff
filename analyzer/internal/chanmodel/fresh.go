package chanmodel

import (
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/ssa"
)

// An object made in a loop is a new object each time round: the model,
// which names it by the instruction that makes it, would take all of
// them for one and see a lock taken in an earlier round, or a count left
// by one, block a later round (a mutex per round used as a latch, a
// WaitGroup per round). freshChecks keeps only the objects made at most
// once in the model's run; the others are left unmodelled (their
// operations return), which can hide a deadlock but not make one up.
func (b *syncBuild) freshChecks() {
	for k, obj := range b.index {
		in, ok := k.base.(ssa.Instruction)
		if !ok || b.bad[obj] {
			continue
		}
		if !b.once(in) && !b.roundFresh(in) {
			b.bad[obj] = true
		}
	}
}

// roundFresh reports whether in, in the maker's own function, runs at
// most once before the maker reaches the model's beginning again (where
// a new round starts, explore.go): every way from in back to itself
// passes through that beginning.
func (b *syncBuild) roundFresh(in ssa.Instruction) bool {
	begin := b.m.begin()
	if begin == nil || begin.Parent() != in.Parent() {
		return false
	}
	makers := 0
	for _, n := range b.m.ch.Nodes {
		if b.m.canon[n] == n && n.Fn == in.Parent() {
			makers++
		}
	}
	if makers != 1 {
		return false
	}
	from, stop := in.Block(), begin.Block()
	return from == stop || !ssaloop.ReachesAvoiding(from, from, stop)
}
