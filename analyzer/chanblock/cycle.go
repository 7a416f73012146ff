package chanblock

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// queueCycles reports the worker-pool cycle through two bounded channels:
// a function sends jobs on one channel in a loop that no constant bounds
// and that does not receive results, workers it starts receive the jobs
// and send each result on a second channel, and only that function
// receives the results, after its send loop. Once the results buffer is
// full, every worker blocks in its result send, the jobs buffer fills, and
// the function's next job send blocks forever: each side waits for the
// other (the worker-pool examples of mmcgrana/gobyexample#125 and
// cmitsakis/workerpool-go#3, with more jobs than the buffers and workers
// hold). A buffer may also be sized by a parameter or a field (the pool's
// size, make(chan T, workers)): it bounds the values in flight as a
// constant does, unless the send loop is bounded by that same value (it
// sends no more jobs than the buffer holds).
func queueCycles(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		var makes []*ssa.MakeChan
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok && (bufferBound(mc) >= 0 || knobSize(mc) != nil) {
					makes = append(makes, mc)
				}
			}
		}
		if len(makes) < 2 {
			continue
		}
		for _, jobs := range makes {
			for _, results := range makes {
				if jobs != results {
					queueCycle(st, jobs, results)
				}
			}
		}
	}
}

// queueCycle checks jobs and results, two channels made in one function.
func queueCycle(st *state, jobs, results *ssa.MakeChan) {
	jc, rc := st.follow(jobs), st.follow(results)
	if jc.Escapes || rc.Escapes || len(jc.Returns) > 0 || len(rc.Returns) > 0 {
		return
	}
	root := jc.Nodes[0]
	// jobs: plain sends by the maker itself, plain receives by goroutines
	// it starts.
	var sends []chanuse.Op
	workers := map[ssa.CallInstruction]ssa.Instruction{} // a worker's start (go statement, wrapper) -> its receive of a job
	for _, n := range jc.Nodes {
		for _, op := range n.Ops {
			switch op.Kind {
			case chanuse.Send:
				if n != root {
					return
				}
				sends = append(sends, op)
			case chanuse.Recv:
				if n.G == root || n.G.Start == nil {
					return
				}
				workers[n.G.Start] = op.Instr
			case chanuse.SelectSend, chanuse.SelectRecv:
				return
			}
		}
	}
	if len(sends) == 0 || len(workers) == 0 {
		return
	}
	// results: plain sends by those workers, each in the loop that
	// receives the jobs; plain receives by the maker only.
	rroot := rc.Nodes[0]
	var resSend ssa.Instruction
	var resRecvs []ssa.Instruction
	recvBlocks := map[*ssa.BasicBlock]bool{}
	caseBodies := map[*ssa.BasicBlock]bool{} // the bodies of the maker's select cases that receive a result
	for _, n := range rc.Nodes {
		for _, op := range n.Ops {
			switch op.Kind {
			case chanuse.Send:
				recv, ok := workers[n.G.Start]
				if n.G == rroot || n.G.Start == nil || !ok {
					return
				}
				if !inJobLoop(n, op.Instr, recv) {
					return
				}
				resSend = op.Instr
			case chanuse.Recv:
				if n != rroot {
					return
				}
				resRecvs = append(resRecvs, op.Instr)
				recvBlocks[op.Instr.Block()] = true
			case chanuse.SelectRecv:
				// A dispatcher loop that selects between new input and
				// the results: while it is blocked in the plain job send
				// of another case it takes no result.
				sel, ok := op.Instr.(*ssa.Select)
				t := caseTest(sel, op.State)
				if n != rroot || !ok || t == nil {
					return
				}
				resRecvs = append(resRecvs, op.Instr)
				recvBlocks[op.Instr.Block()] = true
				caseBodies[t.Succs[0]] = true
			case chanuse.SelectSend:
				return
			}
		}
	}
	if resSend == nil || len(resRecvs) == 0 {
		return
	}
	if len(caseBodies) > 0 {
		queueDispatch(st, jobs, results, sends, workers, resSend, resRecvs, recvBlocks, caseBodies)
		return
	}
	line := func(n ssa.Instruction) int { return st.pass.Fset.Position(n.Pos()).Line }
	for _, s := range sends {
		if s.Instr.Parent() != root.Fn || !unboundedFill(s.Instr.Block(), recvBlocks) || loopTests(s.Instr.Block(), knobSize(jobs)) || loopTests(s.Instr.Block(), knobSize(results)) {
			continue
		}
		var g ssa.CallInstruction
		for w := range workers {
			if g == nil || w.Pos() < g.Pos() {
				g = w
			}
		}
		st.Report(analysis.Diagnostic{
			Pos:      s.Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this loop sends jobs (buffer of %s) to the workers started at line %d, which send each result (line %d) on a channel with a buffer of %s that only %s receives from, after this loop (line %d): once both buffers are full and every worker is blocked sending a result, this send blocks forever",
				sizeText(jobs), line(g), line(resSend), sizeText(results), root.Fn.Name(), line(resRecvs[0])),
			Related: []analysis.RelatedInformation{
				{Pos: g.Pos(), Message: "a worker that receives the jobs is started here"},
				{Pos: resSend.Pos(), Message: "the worker blocks here once the results buffer is full"},
				{Pos: resRecvs[0].Pos(), Message: "the results are received only here, after the send loop"},
				{Pos: jobs.Pos(), Message: "the jobs channel is made here"},
				{Pos: results.Pos(), Message: "the results channel is made here"},
			},
		})
	}
}

// queueDispatch is queueCycle for a dispatcher that receives the results
// in a select case of the loop that sends the jobs
// (nix-community/queued-build-hook#2): the job send is plain, so while it
// waits for room in the jobs buffer the loop takes no result; the workers
// block in their result sends, nobody takes a job, and both sides wait
// forever. The send must sit on a cycle of the loop that passes no
// receive of a result (the select may take new input again and again).
func queueDispatch(st *state, jobs, results *ssa.MakeChan, sends []chanuse.Op, workers map[ssa.CallInstruction]ssa.Instruction, resSend ssa.Instruction, resRecvs []ssa.Instruction, recvBlocks, caseBodies map[*ssa.BasicBlock]bool) {
	line := func(n ssa.Instruction) int { return st.pass.Fset.Position(n.Pos()).Line }
	for _, s := range sends {
		b := s.Instr.Block()
		if recvBlocks[b] || caseBodies[b] || !cycleAvoiding(b, caseBodies) {
			continue
		}
		var g ssa.CallInstruction
		for w := range workers {
			if g == nil || w.Pos() < g.Pos() {
				g = w
			}
		}
		st.Report(analysis.Diagnostic{
			Pos:      s.Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this send of a job (buffer of %s) to the workers started at line %d blocks the loop that also receives their results (line %d, a select case): while it waits for room, no result is taken, the workers block sending theirs (line %d) and never take the next job, so this send blocks forever",
				sizeText(jobs), line(g), line(resRecvs[0]), line(resSend)),
			Related: []analysis.RelatedInformation{
				{Pos: g.Pos(), Message: "a worker that receives the jobs is started here"},
				{Pos: resSend.Pos(), Message: "the worker blocks here while the loop is in its job send"},
				{Pos: resRecvs[0].Pos(), Message: "the results are received only here"},
				{Pos: jobs.Pos(), Message: "the jobs channel is made here"},
				{Pos: results.Pos(), Message: "the results channel is made here"},
			},
		})
	}
}

// cycleAvoiding reports whether a path leads from b back to b through no
// block of avoid.
func cycleAvoiding(b *ssa.BasicBlock, avoid map[*ssa.BasicBlock]bool) bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == b {
			return true
		}
		if seen[x] || avoid[x] {
			continue
		}
		seen[x] = true
		stack = append(stack, x.Succs...)
	}
	return false
}

// inJobLoop reports whether send, run by node n of a worker goroutine,
// happens in the loop around the worker's job receive recv: in that loop
// itself, or in a callee (or a literal it calls or defers) that the loop
// calls.
func inJobLoop(n *chanuse.Node, send, recv ssa.Instruction) bool {
	at := send
	for x := n; x != nil; x = x.Parent {
		if x.Fn == recv.Parent() {
			return sameLoop(recv.Block(), at.Block())
		}
		if x.Call == nil || x == x.G {
			return false
		}
		at = x.Call
	}
	return false
}

// knobSize returns the size of mc when it is a parameter or a field of
// the function's struct (make(chan T, workers), make(chan T, p.size)): a
// bound that does not follow the number of jobs, as len(jobs) would; nil
// otherwise.
func knobSize(mc *ssa.MakeChan) ssa.Value {
	if bufferBound(mc) >= 0 {
		return nil
	}
	size := mc.Size
	if cv, ok := size.(*ssa.Convert); ok {
		size = cv.X
	}
	switch v := size.(type) {
	case *ssa.Parameter:
		return v
	case *ssa.UnOp:
		if v.Op == token.MUL {
			if _, ok := v.X.(*ssa.FieldAddr); ok {
				return v
			}
		}
	}
	return nil
}

// sizeText names mc's buffer: its constant bound, or its parameter or
// field.
func sizeText(mc *ssa.MakeChan) string {
	if n := bufferBound(mc); n >= 0 {
		return fmt.Sprint(n)
	}
	switch v := knobSize(mc).(type) {
	case *ssa.Parameter:
		return v.Name()
	case *ssa.UnOp:
		if f := chanuse.StructFieldOf(v.X); f != nil {
			return f.Name()
		}
	}
	return "a bounded size"
}

// loopTests reports whether an exit test of a loop around b compares with
// size (or a value converted from it, or the same field loaded again): the
// loop runs as many times as the buffer holds.
func loopTests(b *ssa.BasicBlock, size ssa.Value) bool {
	if size == nil {
		return false
	}
	same := func(v ssa.Value) bool {
		if cv, ok := v.(*ssa.Convert); ok {
			v = cv.X
		}
		if v == size {
			return true
		}
		u, ok1 := v.(*ssa.UnOp)
		w, ok2 := size.(*ssa.UnOp)
		if ok1 && ok2 && u.Op == token.MUL && w.Op == token.MUL {
			f1, f2 := chanuse.StructFieldOf(u.X), chanuse.StructFieldOf(w.X)
			return f1 != nil && f1 == f2
		}
		return false
	}
	if !ssaloop.InLoop(b) {
		return false
	}
	for _, iff := range ssaloop.Tests(b) {
		if c, ok := iff.Cond.(*ssa.BinOp); ok && (same(c.X) || same(c.Y)) {
			return true
		}
	}
	return false
}
