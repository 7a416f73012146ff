package chanblock

import (
	"fmt"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// closeAfterWait reports the close that comes after the wait it ends:
// goroutines counted by wg.Add(1) range over a channel and call wg.Done
// only once the range ends (deferred, or after the loop), while the
// function that starts them closes the channel only after wg.Wait
// (`wg.Wait(); close(jobs)`). The range ends only when the channel is
// closed, so Done never runs and Wait never returns.
func closeAfterWait(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					closeAfter(st, mc)
				}
			}
		}
	}
}

func closeAfter(st *state, mc *ssa.MakeChan) {
	ch := st.follow(mc)
	if ch.Escapes || len(ch.Returns) > 0 {
		return
	}
	root := ch.Nodes[0]
	var closes []chanuse.Op
	ranges := map[*chanuse.Node]*ssa.UnOp{}
	for _, n := range ch.Nodes {
		for _, op := range n.Ops {
			switch op.Kind {
			case chanuse.Close, chanuse.DeferClose:
				if n != root {
					return // closed elsewhere: not followed
				}
				closes = append(closes, op)
			case chanuse.Recv:
				u, ok := op.Instr.(*ssa.UnOp)
				if ok && u.CommaOk && st.ranges[u.Pos()] && n == n.G && n.Go != nil && n.Parent == root && n.Go.Parent() == root.Fn && !rangeLeaves(u) {
					ranges[n] = u
				}
			}
		}
	}
	if len(closes) == 0 {
		return
	}
	line := func(n ssa.Instruction) int { return st.pass.Fset.Position(n.Pos()).Line }
	for g, u := range ranges {
		iff, ok := u.Block().Instrs[len(u.Block().Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		wg, done := doneAfterRange(g, iff.Block().Succs[1])
		if wg == nil || addBefore(g.Go, wg) == nil {
			continue
		}
		if wait := waitBeforeCloses(g.Go, wg, closes); wait != nil {
			st.Report(analysis.Diagnostic{
				Pos:      wait.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("wg.Wait waits for the goroutine started at line %d, which calls wg.Done (line %d) only after its range over this channel (line %d) ends, but %s closes the channel only after this Wait (line %d): the range never ends, Done never runs, and Wait never returns",
					line(g.Go), line(done), line(u), root.Fn.Name(), line(closes[0].Instr)),
				Related: []analysis.RelatedInformation{
					{Pos: u.Pos(), Message: "the range, which ends only when the channel is closed"},
					{Pos: done.Pos(), Message: "Done, after the range"},
					{Pos: closes[0].Instr.Pos(), Message: "the close, after the Wait"},
					{Pos: g.Go.Pos(), Message: "the goroutine is started here"},
				},
			})
		}
	}
}

// doneAfterRange returns the WaitGroup (as g's starter sees it) that g's
// function calls Done on, and that Done, when every Done runs only after
// the range whose exit is exit: deferred, or in a block exit dominates.
func doneAfterRange(g *chanuse.Node, exit *ssa.BasicBlock) (ssa.Value, ssa.Instruction) {
	var wg ssa.Value
	var done ssa.Instruction
	for _, b := range g.Fn.Blocks {
		for _, instr := range b.Instrs {
			var w ssa.Value
			switch in := instr.(type) {
			case *ssa.Defer:
				w = wgCall(&in.Call, "Done")
			case *ssa.Call:
				if w = wgCall(&in.Call, "Done"); w != nil && !exit.Dominates(b) {
					return nil, nil // a Done the range does not hold back
				}
			}
			if w != nil && wg == nil {
				wg, done = outer(g, w), instr
			}
		}
	}
	if done == nil {
		return nil, nil
	}
	return wg, done
}

// waitBeforeCloses returns a wg.Wait on wg in g's function, reachable
// from g, that runs before every close of the channel: each close is
// deferred or dominated by the Wait.
func waitBeforeCloses(g *ssa.Go, wg ssa.Value, closes []chanuse.Op) ssa.Instruction {
	after := reachable(g.Block(), func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })
	for _, b := range g.Parent().Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			w := wgCall(&c.Call, "Wait")
			if w == nil || !sameWG(w, wg) || !(b == g.Block() && index(c) > index(g) || b != g.Block() && after[b]) {
				continue
			}
			all := true
			for _, cl := range closes {
				if _, ok := cl.Instr.(*ssa.Defer); ok {
					continue
				}
				if !dominates(c, cl.Instr) {
					all = false
					break
				}
			}
			if all {
				return c
			}
		}
	}
	return nil
}
