package deadlockleak

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// deferredSend reports the deferred send whose receiver may never have
// been started: the function that makes an unbuffered channel defers a
// send on it (defer func() { done <- true }(), or a deferred helper that
// sends), and every receive is on goroutines started after the defer, by
// the function or by a helper it calls with the channel, one of which can
// return without starting them (an error return before the go statement).
// The deferred send runs on that return too, with nobody to take it, and
// the function never returns (ansible/receptor#263: the results command
// tells the streamer it is done, but GetResults returned an error for an
// unknown unit without starting the streamer). It reports whether it
// reported.
func deferredSend(pass *analysis.Pass, mc *ssa.MakeChan, ch *chanuse.Channel) bool {
	root := ch.Nodes[0]
	var send *chanuse.Op
	var deferAt *ssa.Defer
	starts := map[*chanuse.Node]bool{} // the receiving goroutines
	for _, n := range ch.Nodes {
		for i := range n.Ops {
			op := &n.Ops[i]
			switch op.Kind {
			case chanuse.Recv, chanuse.SelectRecv:
				if n.G == root || n.G.Callback || n.G.Start == nil {
					return false // the maker receives, or a callback that may never run
				}
				starts[n.G] = true
			case chanuse.Close, chanuse.DeferClose:
				return false
			case chanuse.Send:
				if d := deferredIn(n, root); d != nil && send == nil && unconditional(op.Instr) {
					send, deferAt = op, d
				}
			}
		}
	}
	if send == nil || len(starts) == 0 {
		return false
	}
	// The instructions that lead to a receiving goroutine's start: its go
	// statement, and the calls of the helpers on the way to it.
	goes := map[ssa.Instruction]bool{}
	via := map[ssa.Instruction]*chanuse.Node{}
	for g := range starts {
		goes[g.Start] = true
		for n := g.Parent; n != nil && n != root; n = n.Parent {
			if n.Call == nil || n.G != root {
				return false // started from a goroutine or a deferred call
			}
			via[n.Call] = n
		}
	}
	for instr := range goes {
		if instr.Parent() == root.Fn && precedes(instr, deferAt) {
			return false // a receiver may already be running
		}
	}
	for instr := range via {
		if instr.Parent() == root.Fn && precedes(instr, deferAt) {
			return false
		}
	}
	sk := &skipper{goes: goes, via: via}
	ret, inner := sk.path(root.Fn, deferAt.Block(), indexOf(deferAt)+1, 0)
	if !ret.IsValid() {
		return false
	}
	related := []analysis.RelatedInformation{
		{Pos: deferAt.Pos(), Message: "the send is deferred here, so it runs on every return"},
		{Pos: ret, Message: "the function returns here with no receiver started"},
	}
	if inner.IsValid() {
		related = append(related, analysis.RelatedInformation{Pos: inner, Message: "the helper returns here without starting the receiver"})
	}
	for g := range starts {
		related = append(related, analysis.RelatedInformation{Pos: g.Start.Pos(), Message: "the only receiver is started here"})
		break
	}
	related = append(related, analysis.RelatedInformation{Pos: mc.Pos(), Message: "the channel is made unbuffered here"})
	pass.Report(analysis.Diagnostic{
		Pos:      send.Instr.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("this deferred send on an unbuffered channel runs on every return of %s, but its only receiver is a goroutine that is not started on the return at line %d: the send then blocks forever (close the channel instead, or send only once the receiver runs)",
			root.Fn.Name(), pass.Fset.Position(ret).Line),
		Related: related,
	})
	return true
}

// deferredIn returns the defer statement of root through which n runs, as
// a deferred call of root's goroutine, or nil.
func deferredIn(n, root *chanuse.Node) *ssa.Defer {
	if n.G != root {
		return nil
	}
	for ; n != nil && n.Parent != nil; n = n.Parent {
		if d, ok := n.Call.(*ssa.Defer); ok && n.Parent == root {
			return d
		}
	}
	return nil
}

// unconditional reports whether instr runs on every return of its
// function: its block dominates every block that returns.
func unconditional(instr ssa.Instruction) bool {
	b := instr.Block()
	for _, x := range instr.Parent().Blocks {
		if _, ok := x.Instrs[len(x.Instrs)-1].(*ssa.Return); ok && !b.Dominates(x) {
			return false
		}
	}
	return true
}

// skipper searches for a return that starts no receiving goroutine.
type skipper struct {
	goes map[ssa.Instruction]bool          // the go statements of the receivers
	via  map[ssa.Instruction]*chanuse.Node // calls of helpers that start them
}

// path returns a return of fn reached from instruction i of b that passes
// no receiver's go statement, and passes a helper's call only when the
// helper can itself return that way (inner is then that helper's return).
func (sk *skipper) path(fn *ssa.Function, b *ssa.BasicBlock, i, depth int) (ret, inner token.Pos) {
	if depth > 4 {
		return token.NoPos, token.NoPos
	}
	type at struct {
		b     *ssa.BasicBlock
		i     int
		inner token.Pos
	}
	seen := map[*ssa.BasicBlock]bool{}
	queue := []at{{b, i, token.NoPos}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		blocked := false
		for _, instr := range p.b.Instrs[p.i:] {
			if sk.goes[instr] {
				blocked = true
				break
			}
			if n := sk.via[instr]; n != nil {
				r, _ := sk.path(n.Fn, n.Fn.Blocks[0], 0, depth+1)
				if !r.IsValid() {
					blocked = true
					break
				}
				if !p.inner.IsValid() {
					p.inner = r
				}
				continue
			}
			if r, ok := instr.(*ssa.Return); ok {
				rp := r.Pos()
				if !rp.IsValid() {
					rp = chanuse.ClosingBrace(fn)
				}
				return rp, p.inner
			}
			if c, ok := instr.(ssa.CallInstruction); ok && chanuse.NoReturn(c.Common()) {
				blocked = true // a panic or an exit: no deferred send runs to block
				break
			}
		}
		if blocked {
			continue
		}
		for _, s := range p.b.Succs {
			if !seen[s] {
				seen[s] = true
				queue = append(queue, at{s, 0, p.inner})
			}
		}
	}
	return token.NoPos, token.NoPos
}
