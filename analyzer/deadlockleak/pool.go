package deadlockleak

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// abandonedPool reports the pool its workers abandon (rclone/rclone#7037):
// the maker starts workers in a loop that each range over the channel (or
// receive from it in a loop) and can return from inside the loop on a
// test of what they received or did (an error), and then feeds them with
// plain sends from a loop and closes the channel. The channel is
// unbuffered, or buffered by the number of workers (the bound of the loop
// that starts them). Once every worker has returned on an error nothing
// receives, and the feeding loop blocks forever once the buffer is full.
// A producer that selects (on a context the workers cancel) and workers
// that only leave at the close are not reported; nor is a producer that
// does not close (it may end its workers with sentinel values).
func abandonedPool(pass *analysis.Pass, mc *ssa.MakeChan, size int, ch *chanuse.Channel) bool {
	if ch.Escapes || len(ch.Returns) > 0 || len(ch.Nodes) == 0 {
		return false
	}
	root := ch.Nodes[0]
	var maker, workers *role
	for _, r := range roles(ch.Nodes) {
		switch {
		case r.g == root:
			maker = r
		case workers != nil:
			return false
		default:
			workers = r
		}
	}
	if maker == nil || workers == nil || len(maker.sends) == 0 || len(maker.selSends)+len(maker.recvs) > 0 || len(maker.closes) == 0 {
		return false
	}
	if len(workers.sends)+len(workers.selSends)+len(workers.closes) > 0 || len(workers.recvs) == 0 || workers.deferredRecv {
		return false
	}
	start := workers.g.Start
	if start == nil || workers.g.Parent != root || start.Parent() != root.Fn || !ssaloop.InLoop(start.Block()) {
		return false
	}
	if size != 0 && !boundsLoop(mc.Size, start) {
		return false
	}
	for _, op := range maker.sends {
		if op.Node != root || !ssaloop.InLoop(op.Instr.Block()) {
			return false
		}
	}
	w := &walker{helpers: map[ssa.Instruction]*chanuse.Node{}, recvs: map[ssa.Instruction]bool{}, vals: map[ssa.Value]bool{}}
	for _, op := range workers.recvs {
		w.recvs[op.Instr] = true
	}
	var ret *ssa.Return
	var from ssa.Instruction
	for _, op := range workers.recvs {
		if op.Kind != chanuse.Recv || op.Node != workers.g || !ssaloop.InLoop(op.Instr.Block()) {
			return false
		}
		if r := w.leaveLoop(op.Instr); r != nil && ret == nil && failExit(op.Instr.Block()) {
			ret, from = r, op.Instr
		}
	}
	if ret == nil {
		return false
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	rp := returnPos(ret, workers.g.Fn)
	send := maker.sends[0].Instr
	buf := "unbuffered"
	if size != 0 {
		buf = "buffered by the number of workers"
	}
	pass.Report(analysis.Diagnostic{
		Pos:      send.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("this loop feeds a pool of workers (started in a loop, line %d) on a channel %s, but each worker can leave its receive loop (line %d) and return (line %d) before the channel is closed: once every worker has, this send blocks forever when the buffer is full (select on a context the workers cancel, or let them keep receiving)",
			line(start.Pos()), buf, line(from.Pos()), line(rp)),
		Related: []analysis.RelatedInformation{
			{Pos: start.Pos(), Message: "the workers are started here"},
			{Pos: from.Pos(), Message: "a worker's receive, in a loop"},
			{Pos: rp, Message: "a worker returns here from inside its loop"},
			{Pos: mc.Pos(), Message: "the channel is made here"},
		},
	})
	return true
}

// boundsLoop reports whether n, a channel's capacity, is the bound that
// the loop starting the workers at start tests its counter against (for
// i := 0; i < n; i++, or for range n): one worker per slot.
func boundsLoop(n ssa.Value, start ssa.Instruction) bool {
	for _, iff := range ssaloop.Tests(start.Block()) {
		if c, ok := iff.Cond.(*ssa.BinOp); ok && (c.Op == token.LSS || c.Op == token.GTR) && (c.X == n || c.Y == n) {
			return true
		}
	}
	return false
}

// failExit reports whether the loop through b has a way out decided by
// something computed in the loop (an error, a result), not only by its
// own range test or a value fixed before it (a worker told to take one
// job, syscall's TestAllThreadsSyscall waiters).
func failExit(b *ssa.BasicBlock) bool {
	loop := ssaloop.Blocks(b)
	for x := range loop {
		iff, ok := x.Instrs[len(x.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		if _, _, isRange := chanuse.RangeEnd(x); isRange {
			continue
		}
		out := false
		for _, s := range x.Succs {
			if !loop[s] {
				out = true
			}
		}
		if c, ok := iff.Cond.(ssa.Instruction); out && ok && loop[c.Block()] {
			return true
		}
	}
	return false
}

// returnPos is where ret returns from fn: its position, or fn's closing
// brace for the implicit return at the end of the body.
func returnPos(ret *ssa.Return, fn *ssa.Function) token.Pos {
	if p := ret.Pos(); p.IsValid() {
		return p
	}
	return chanuse.ClosingBrace(fn)
}
