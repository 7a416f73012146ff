package chanmodel

import (
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// Loops a count stepped apart from the channel used to give up on
// (countingExits' "retry count"), now free loops (freeloops.go) when the
// count decides nothing the model sees:
//
//   - A walk over a list of unknown length: the header tests an induction
//     variable (from a constant, stepped by one on every way round) against
//     a bound that holds still in the loop but that counted does not key
//     (a slice gathered by an earlier loop, a length from an enclosing
//     loop's element). Its trips are those of the list, which the model
//     does not know: 0, 1 or 2 trips, each a length the list may have. A
//     count on the other side that must match it gives up in
//     freeLoopsAlone, as for any free loop.
//   - A retry loop that repeats nothing: no operation on the channel, no
//     start or call of a node and no call of a sync method in its body can
//     reach the header again without leaving the loop (every operation is
//     on a way out: `if err == nil { ch <- v; break }`). Every trip but the
//     last is unseen by the other goroutines, so the number of retries
//     only decides which way out is taken; with its count's test taken
//     both ways, each path explored projects onto one the program takes
//     with as many unseen failed tries before it as the bound asks.
//     freeLoopsAlone checks it as any free loop: its trips may still be
//     another channel's (a worker ranging over a queue until a shared
//     count is reached, then sending once) or a partner's count.
//
// A count related to the channel (a step after an operation or a start)
// stays a counting exit (counts.go); a bound re-read in the loop (b.N of
// a captured variable) stays given up.

// walkExit reports whether iff, l's header test, walks a list: an
// induction variable less than a bound l does not define, staying in the
// loop on true.
func (m *model) walkExit(l *loop, iff *ssa.If) bool {
	if iff.Block() != l.head || len(l.head.Succs) != 2 || !l.body[l.head.Succs[0]] || l.body[l.head.Succs[1]] {
		return false
	}
	c, ok := iff.Cond.(*ssa.BinOp)
	return ok && c.Op == token.LSS && m.induction(l, c.X) && !definedIn(l, c.Y)
}

// retryAlone reports whether l, a loop counting retries, repeats nothing
// and has an operation of the model on a way out from within (before a
// return or one of two breaks). A loop whose every operation follows its
// one way out (for { ...; if err != nil { break } }; ch <- v) still gives
// up: following it let the model reach two false findings of std's
// log/syslog tests (runPktSyslog's loop, whose model also holds a
// per-connection reader's free loop feeding one receive).
func (m *model) retryAlone(n *chanuse.Node, l *loop) bool {
	if !m.repeatsNothing(n, l) {
		return false
	}
	for b := range inside(n.Fn, l) {
		if m.touches(n, b) {
			return true
		}
	}
	return false
}

// repeatsNothing reports whether no operation of n on the model's objects
// in l can run on a way round: from each block of l's body holding an
// operation on the channel, a start or call of a node, or a call of a
// sync method, the header cannot be reached again inside the body.
func (m *model) repeatsNothing(n *chanuse.Node, l *loop) bool {
	for b := range l.body {
		if !m.touches(n, b) {
			continue
		}
		if b == l.head {
			return false
		}
		seen := map[*ssa.BasicBlock]bool{}
		stack := []*ssa.BasicBlock{b}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, s := range x.Succs {
				if s == l.head {
					return false
				}
				if l.body[s] && !seen[s] {
					seen[s] = true
					stack = append(stack, s)
				}
			}
		}
	}
	return true
}

// touches reports whether block b of n's function does something the
// model follows: an operation on the channel (or a joint channel), a
// start or call of a node, a call of a sync method.
func (m *model) touches(n *chanuse.Node, b *ssa.BasicBlock) bool {
	for _, in := range b.Instrs {
		if len(m.ops[n][in]) > 0 || len(m.children[n][in]) > 0 {
			return true
		}
		if c, ok := in.(ssa.CallInstruction); ok {
			if t, _ := syncMethod(c.Common()); t != "" {
				return true
			}
		}
	}
	return false
}
