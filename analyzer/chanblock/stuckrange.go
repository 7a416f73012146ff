package chanblock

import (
	"fmt"
	"go/token"
	"path/filepath"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanmodel"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Loops that only a close ends. A field harness witness of a goroutine
// waiting in a range over a field channel (or in a loop whose only way
// out is `v, ok := <-ch; if !ok`) is normally dropped when something
// outside the harness could send: a client's send would wake it. But a
// send only takes it round again: by the spec a receive yields ok ==
// false only once the channel is closed and drained, so the loop ends
// only by a close. When no close of the field's channels can ever run,
// the loop never ends, whatever clients do, and the witness stands.
//
// No close can run when every close of the class (the field does not
// escape, nothing but its makes is stored in it, code outside the package
// cannot send or close) is reached only through the ok == false branch of
// a receive on a channel of the same field: `for r := range c.reqs { ...
// }; close(c.reqs)`. By induction over time, the first close of any of
// those channels would need one of them closed before it, so none is
// ever closed. A deferred close gives up (a panic in the loop runs it),
// and so does a class with no close at all: a channel nothing closes is a
// long-lived queue by design (a worker pool living as long as the
// program), not a loop meant to end.

// rangeForever reports whether s, a witness of a field harness of class
// c, is a receive in a loop that only a close ends, on a field none of
// whose channels is ever closed; why says what was found, for the census
// and the report.
func rangeForever(st *state, c *class, s chanmodel.Stuck) (ok bool, why string, closes []ssa.Instruction) {
	if s.Sync != nil || s.Op.Kind != chanuse.Recv {
		return false, "", nil
	}
	recv, isRecv := s.Op.Instr.(*ssa.UnOp)
	if !isRecv || recv.Op != token.ARROW || recv.Block() == nil {
		return false, "", nil
	}
	loop := cycleOf(recv.Block())
	if loop == nil {
		return false, "", nil // a single receive: not a loop
	}
	recvs := map[ssa.Instruction]bool{}
	for _, op := range c.Ops {
		if op.Kind == chanuse.Recv {
			recvs[op.Instr] = true
		}
	}
	// Every way out of the loop is an ok == false branch.
	for b := range loop {
		for _, succ := range b.Succs {
			if !loop[succ] && !closedBranch(b, succ, recvs) {
				return false, "another way out of the loop", nil
			}
		}
	}
	if c.Escapes || c.Stored || c.Outside&chanuse.OutSend != 0 {
		return false, "the field's channel may be closed outside the package's code", nil
	}
	for _, op := range c.Ops {
		switch op.Kind {
		case chanuse.DeferClose:
			return false, "a deferred close (a panic runs it)", nil
		case chanuse.Close:
			if !afterClosed(op.Instr, recvs) {
				return false, fmt.Sprintf("a close that can run (line %d)", st.pass.Fset.Position(op.Instr.Pos()).Line), nil
			}
			closes = append(closes, op.Instr)
		}
	}
	if len(closes) == 0 {
		return false, "nothing closes the field (a queue living as long as the program)", nil
	}
	return true, "every close runs only after a receive found the channel closed", closes
}

// cycleOf returns the blocks that both reach b and are reached from it
// (the loop around b, nested loops included), or nil when b is in no
// loop.
func cycleOf(b *ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	fwd := reachable(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })
	if !fwd[b] {
		return nil
	}
	bwd := reachable(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Preds })
	loop := map[*ssa.BasicBlock]bool{}
	for x := range fwd {
		if bwd[x] {
			loop[x] = true
		}
	}
	return loop
}

// closedBranch reports whether the edge from b to succ is taken only when
// a receive among recvs yielded ok == false: b ends in an If on the ok of
// such a receive, and succ is its else branch (and not its then branch).
func closedBranch(b, succ *ssa.BasicBlock, recvs map[ssa.Instruction]bool) bool {
	if len(b.Instrs) == 0 || len(b.Succs) != 2 || b.Succs[1] != succ || b.Succs[0] == succ {
		return false
	}
	iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !ok {
		return false
	}
	x, ok := iff.Cond.(*ssa.Extract)
	if !ok || x.Index != 1 {
		return false
	}
	u, ok := x.Tuple.(*ssa.UnOp)
	return ok && u.Op == token.ARROW && u.CommaOk && recvs[u]
}

// closeOnlyLoop reports whether op, a receive, waits in a loop that only
// the channel's close ends: a range (rangeLeaves: no break, return or
// panic in its body), or a loop around a two-value receive, plain
// (`v, ok := <-ch`) or a select case (`case v, ok := <-ch:`), every way
// out of which (there is one at least) is taken only when that receive
// yielded ok == false (a call that does not return counts as another way
// out). A send only takes such
// a loop round again: by the spec ok is false only once the channel is
// closed and drained, so without a close the loop never ends.
func closeOnlyLoop(st *state, op chanuse.Op) bool {
	var b0 *ssa.BasicBlock
	closed := func(b, succ *ssa.BasicBlock) bool { return false }
	switch in := op.Instr.(type) {
	case *ssa.UnOp:
		if in.Op != token.ARROW || !in.CommaOk || in.Block() == nil {
			return false
		}
		if st.ranges[in.Pos()] {
			return !rangeLeaves(in)
		}
		b0 = in.Block()
		recvs := map[ssa.Instruction]bool{in: true}
		closed = func(b, succ *ssa.BasicBlock) bool { return closedBranch(b, succ, recvs) }
	case *ssa.Select:
		if op.Kind != chanuse.SelectRecv || in.Block() == nil {
			return false
		}
		test := caseTest(in, op.State)
		if test == nil {
			return false
		}
		body := test.Succs[0]
		b0 = in.Block()
		closed = func(b, succ *ssa.BasicBlock) bool {
			if len(b.Instrs) == 0 || len(b.Succs) != 2 || b.Succs[1] != succ || b.Succs[0] == succ || !body.Dominates(b) {
				return false
			}
			iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
			if !ok {
				return false
			}
			x, ok := iff.Cond.(*ssa.Extract)
			return ok && x.Index == 1 && x.Tuple == ssa.Value(in) && len(body.Preds) == 1
		}
	default:
		return false
	}
	loop := cycleOf(b0)
	if loop == nil {
		return false
	}
	exits := 0
	for b := range loop {
		for _, instr := range b.Instrs {
			if c, ok := instr.(*ssa.Call); ok && chanuse.NoReturn(c.Common()) {
				return false
			}
		}
		for _, succ := range b.Succs {
			switch {
			case loop[succ] || mismatchBlock(succ):
			case closed(b, succ):
				exits++
			default:
				return false
			}
		}
	}
	return exits > 0 // a loop with no way out at all is noExit's
}

// mismatchBlock reports the block go/ssa puts after the last case of a
// blocking select, which panics and no execution reaches.
func mismatchBlock(b *ssa.BasicBlock) bool {
	if len(b.Instrs) == 0 {
		return false
	}
	p, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Panic)
	return ok && selectMismatch(p)
}

// afterClosed reports whether close instruction in runs only after a
// receive among recvs yielded ok == false: a block dominating it is
// entered only by such an else branch.
func afterClosed(in ssa.Instruction, recvs map[ssa.Instruction]bool) bool {
	for d := in.Block(); d != nil; d = d.Idom() {
		if len(d.Preds) == 1 && closedBranch(d.Preds[0], d, recvs) {
			return true
		}
	}
	return false
}

// reportRangeForever reports s, a witness rangeForever kept.
func (st *state) reportRangeForever(s chanmodel.Stuck, c *class, closes []ssa.Instruction) {
	var rel []analysis.RelatedInformation
	var lines string
	for i, cl := range closes {
		p := st.pass.Fset.Position(cl.Pos())
		if i > 0 {
			lines += ", "
		}
		lines += fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
		rel = append(rel, analysis.RelatedInformation{Pos: cl.Pos(), Message: "this close runs only after a receive found the channel closed"})
	}
	st.reportStuckAs(s, fmt.Sprintf("only a close of field %s ends this loop, and every close of it (%s) runs only after a receive on it found it closed, so none ever runs: the loop never ends, and waits here once the values stop", c.Field.Name(), lines), rel)
}
