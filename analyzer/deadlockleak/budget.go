package deadlockleak

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// budget reports the bounded buffer that a looping sender can fill while
// every receiver takes one value at most: a local channel with room for
// size, receivers that are the maker or goroutines it starts once, each
// of whose receives ends its receiving for good (a plain receive outside
// loops, or a select case after which the goroutine never comes back to
// a receive of the channel), and a goroutine with a plain send in a loop
// no count bounds, which goes round to the same send without leaving,
// and which it leaves only by receiving from the channel itself (its
// loop never ends otherwise: a stop signal the receivers fire after
// their one value would end it before the buffer fills).
// The receivers take as many values as there are of them; once the
// sender has sent size more, it blocks forever, with whatever waits for
// it (qlik-oss/enigma-go#132: the session's writer reports every failed
// write on the socket-error channel, room for 5, and goes back to its
// select, which may pick further queued messages; the writer and the
// reader each receive once, in a case that returns, and the session
// loop's Wait never returns). It reports whether it reported.
func budget(pass *analysis.Pass, mc *ssa.MakeChan, size int, rs []*role, root *chanuse.Node) bool {
	if size <= 0 {
		return false
	}
	var receivers []*role
	var recvAt []ssa.Instruction
	var looping *chanuse.Op
	for _, r := range rs {
		if len(r.closes) > 0 || r.deferredRecv || r.g.Callback {
			return false
		}
		if len(r.recvs) > 0 {
			if r.g != root && (r.g.Parent != root || r.g.Start == nil || r.g.Start.Parent() != root.Fn || ssaloop.InLoop(r.g.Start.Block())) {
				return false // a receiver that may run more than once
			}
			for _, op := range r.recvs {
				if op.Node != r.g || !oneShot(op, r.recvs) {
					return false
				}
				recvAt = append(recvAt, op.Instr)
			}
			receivers = append(receivers, r)
		}
		for i, op := range r.sends {
			if looping != nil || op.Node != r.g {
				continue
			}
			b := op.Instr.Block()
			if ssaloop.InLoop(b) && !countBounded(b, true) && r.g != root && leavesOnReceive(b, r.recvs) {
				looping = &r.sends[i]
			}
		}
	}
	if looping == nil || len(receivers) == 0 {
		return false
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	rel := []analysis.RelatedInformation{
		{Pos: mc.Pos(), Message: fmt.Sprintf("the channel is made here with room for %d", size)},
	}
	for _, at := range recvAt {
		rel = append(rel, analysis.RelatedInformation{Pos: at.Pos(), Message: "a receive after which its goroutine receives no more"})
	}
	pass.Report(analysis.Diagnostic{
		Pos:      looping.Instr.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("this send is in a loop no count bounds and goes round to it again, but the channel has room for %d and its %d receiving goroutine(s) each take one value at most (line %d): once %d values are sent, this send blocks forever (return after the send, or send in a select with a default)",
			size, len(receivers), line(recvAt[0].Pos()), size+len(receivers)),
		Related: rel,
	})
	return true
}

// oneShot reports whether, after op (a receive of the channel in its
// goroutine's own function), no receive among recvs can follow: a plain
// receive's block and a select case's body lead to no receive of the
// channel again, in that function.
func oneShot(op chanuse.Op, recvs []chanuse.Op) bool {
	instrs := map[ssa.Instruction]bool{}
	for _, r := range recvs {
		instrs[r.Instr] = true
	}
	var start []*ssa.BasicBlock
	switch in := op.Instr.(type) {
	case *ssa.UnOp:
		if ssaloop.InLoop(in.Block()) {
			return false
		}
		// The rest of its block holds no other receive: a block reaches
		// itself only in a loop.
		after := false
		for _, x := range in.Block().Instrs {
			if after && instrs[x] {
				return false
			}
			after = after || x == in
		}
		start = in.Block().Succs
	case *ssa.Select:
		bodies, _ := caseBodies(in)
		body, ok := bodies[op.State]
		if !ok {
			return false
		}
		start = []*ssa.BasicBlock{body}
	default:
		return false
	}
	seen := map[*ssa.BasicBlock]bool{}
	for len(start) > 0 {
		b := start[len(start)-1]
		start = start[:len(start)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		for _, x := range b.Instrs {
			if instrs[x] {
				return false
			}
		}
		start = append(start, b.Succs...)
	}
	return true
}

// leavesOnReceive reports whether the loops around b can be left, and
// every way out goes through the body of a select case in them that
// receives the channel (one of recvs): the goroutine stops sending only
// once it has taken a value itself.
func leavesOnReceive(b *ssa.BasicBlock, recvs []chanuse.Op) bool {
	loop := ssaloop.Blocks(b)
	var bodies []*ssa.BasicBlock
	for _, op := range recvs {
		if sel, ok := op.Instr.(*ssa.Select); ok && loop[sel.Block()] {
			bs, _ := caseBodies(sel)
			if body, ok := bs[op.State]; ok {
				bodies = append(bodies, body)
			}
		}
	}
	exits := 0
	for x := range loop {
		for _, s := range x.Succs {
			if loop[s] || !returns(s) {
				continue // a panic (the blocking select's no-case block)
			}
			ok := false
			for _, body := range bodies {
				ok = ok || body.Dominates(x) || body.Dominates(s)
			}
			if !ok {
				return false
			}
			exits++
		}
	}
	// A loop with no way out serves for the program's life (for { errc
	// <- serve() }): the receiver taking one value may well end it.
	return exits > 0
}

// returns reports whether a Return is reachable from b.
func returns(b *ssa.BasicBlock) bool {
	for x := range ssaloop.Reached(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs }) {
		if _, ok := x.Instrs[len(x.Instrs)-1].(*ssa.Return); ok {
			return true
		}
	}
	return false
}
