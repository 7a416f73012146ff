package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// fills reports a channel that one goroutine both fills and drains, with
// no other goroutine touching it: a plain send on it while unbuffered, or
// a send in a loop that does not receive, bounded by no constant and by no
// len/cap check, blocks forever once the buffer is full, because the only
// receiver is the sender itself.
func fills(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					fill(st, mc)
				}
			}
		}
	}
}

func fill(st *state, mc *ssa.MakeChan) {
	size := capacity(mc)
	if size < 0 {
		return
	}
	ch := st.follow(mc)
	if ch.Escapes || len(ch.Returns) > 0 {
		return
	}
	root := ch.Nodes[0]
	var sends []chanuse.Op
	recvBlocks := map[*ssa.BasicBlock]bool{} // blocks of root that receive, or call what receives
	for _, n := range ch.Nodes {
		if n.G != root {
			return // another goroutine takes part
		}
		for v := range n.Vals {
			if lenOrCap(v) {
				return
			}
		}
		for _, op := range n.Ops {
			switch op.Kind {
			case chanuse.Send:
				if n == root {
					sends = append(sends, op)
				}
			case chanuse.SelectSend, chanuse.Close, chanuse.DeferClose:
				return
			case chanuse.Recv, chanuse.SelectRecv:
				at := n
				for at.Parent != nil && at.Parent != root {
					at = at.Parent
				}
				if at == root {
					recvBlocks[op.Instr.Block()] = true
				} else if at.Call != nil {
					recvBlocks[at.Call.Block()] = true
				}
			}
		}
	}
	if len(recvBlocks) == 0 {
		return // nothing receives: report's "nothing receives" shape
	}
	for _, s := range sends {
		if size > 0 && !unboundedFill(s.Instr.Block(), recvBlocks) {
			continue
		}
		msg := fmt.Sprintf("only %s's own goroutine sends on and receives from this unbuffered channel: the send blocks forever, since no other goroutine can receive", root.Fn.Name())
		if size > 0 {
			msg = fmt.Sprintf("only %s's own goroutine sends on and receives from this channel, and this send is in a loop that does not receive and is not bounded by the buffer of %d: once the buffer is full, the send blocks forever, since the only receiver is the sender", root.Fn.Name(), size)
		}
		st.Report(analysis.Diagnostic{
			Pos:      s.Instr.Pos(),
			Category: "deadlock",
			Message:  msg,
			Related:  []analysis.RelatedInformation{{Pos: mc.Pos(), Message: "the channel is made here and does not leave " + root.Fn.Name()}},
		})
	}
}

// lenOrCap reports whether v is passed to len or cap (a capacity check).
func lenOrCap(v ssa.Value) bool {
	for _, r := range *v.Referrers() {
		if c, ok := r.(*ssa.Call); ok {
			if b, ok := c.Call.Value.(*ssa.Builtin); ok && (b.Name() == "len" || b.Name() == "cap") {
				return true
			}
		}
	}
	return false
}

// unboundedFill reports whether b is in a loop whose blocks (those that b
// reaches and that reach b) hold no receive, and whose exit tests (those
// that can leave the loop) compare with no constant (a counted loop up to
// a fixed bound may fit the buffer).
func unboundedFill(b *ssa.BasicBlock, recvBlocks map[*ssa.BasicBlock]bool) bool {
	fwd := reachable(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })
	back := reachable(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Preds })
	loop := false
	for x := range fwd {
		if !back[x] {
			continue
		}
		if x != b || selfLoop(b) {
			loop = true
		}
		if recvBlocks[x] {
			return false
		}
		if iff, ok := x.Instrs[len(x.Instrs)-1].(*ssa.If); ok && hasConst(iff.Cond, 0) && leaves(x, fwd, back) {
			return false
		}
	}
	return loop
}

// leaves reports whether block x, of the loop whose blocks are those in
// both fwd and back, has a successor off the loop: its test can end the
// loop. A test that only skips part of the body (if name == "x" {
// continue }) bounds nothing, whatever constant it compares with.
func leaves(x *ssa.BasicBlock, fwd, back map[*ssa.BasicBlock]bool) bool {
	for _, s := range x.Succs {
		if !fwd[s] || !back[s] {
			return true
		}
	}
	return false
}

func selfLoop(b *ssa.BasicBlock) bool {
	for _, s := range b.Succs {
		if s == b {
			return true
		}
	}
	return false
}

// reachable returns the blocks reachable from b (not b itself unless on a
// cycle) along next.
func reachable(b *ssa.BasicBlock, next func(*ssa.BasicBlock) []*ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), next(b)...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !seen[x] {
			seen[x] = true
			stack = append(stack, next(x)...)
		}
	}
	return seen
}

// hasConst reports whether cond is computed from a constant operand of a
// comparison (i < 10), looking through a few operations.
func hasConst(v ssa.Value, depth int) bool {
	if depth > 3 {
		return false
	}
	switch v := v.(type) {
	case *ssa.Const:
		return true
	case *ssa.BinOp:
		switch v.Op {
		case token.LSS, token.LEQ, token.GTR, token.GEQ, token.EQL, token.NEQ, token.LAND, token.LOR:
			return hasConst(v.X, depth+1) || hasConst(v.Y, depth+1)
		}
	case *ssa.UnOp:
		if v.Op == token.NOT {
			return hasConst(v.X, depth+1)
		}
	case *ssa.Call:
		// len of a slice of an array (a slice literal's): fixed.
		if b, ok := v.Call.Value.(*ssa.Builtin); ok && b.Name() == "len" && len(v.Call.Args) == 1 {
			x := v.Call.Args[0]
			if sl, ok := x.(*ssa.Slice); ok && sl.Low == nil && sl.High == nil {
				x = sl.X
			}
			t := x.Type().Underlying()
			if p, ok := t.(*types.Pointer); ok {
				t = p.Elem().Underlying()
			}
			_, isArray := t.(*types.Array)
			return isArray
		}
	}
	return false
}
