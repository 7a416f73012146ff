package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

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
				if ok && u.CommaOk && st.ranges[u.Pos()] && n == n.G && n.Start != nil && n.Group() == nil && n.Parent == root && n.Start.Parent() == root.Fn && !rangeLeaves(u) {
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
		if wg == nil || addBefore(g.Start, wg) == nil {
			continue
		}
		if wait := waitBeforeCloses(g.Start, wg, closes); wait != nil {
			st.Report(analysis.Diagnostic{
				Pos:      wait.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("wg.Wait waits for the goroutine started at line %d, which calls wg.Done (line %d) only after its range over this channel (line %d) ends, but %s closes the channel only after this Wait (line %d): the range never ends, Done never runs, and Wait never returns",
					line(g.Start), line(done), line(u), root.Fn.Name(), line(closes[0].Instr)),
				Related: []analysis.RelatedInformation{
					{Pos: u.Pos(), Message: "the range, which ends only when the channel is closed"},
					{Pos: done.Pos(), Message: "Done, after the range"},
					{Pos: closes[0].Instr.Pos(), Message: "the close, after the Wait"},
					{Pos: g.Start.Pos(), Message: "the goroutine is started here"},
				},
			})
		}
	}
}

// doneAfterRange returns the WaitGroup (as g's starter sees it) that g's
// function calls Done on, and that Done, when every Done runs only after
// the range whose exit is exit: deferred, or in a block exit dominates.
func doneAfterRange(g *chanuse.Node, exit *ssa.BasicBlock) (ssa.Value, ssa.Instruction) {
	wg, done, _ := doneAfterRangeIn(g, exit)
	return wg, done
}

// doneAfterRangeIn is doneAfterRange that also returns the WaitGroup as
// g's function sees it.
func doneAfterRangeIn(g *chanuse.Node, exit *ssa.BasicBlock) (ssa.Value, ssa.Instruction, ssa.Value) {
	var wg, inner ssa.Value
	var done ssa.Instruction
	for _, b := range g.Fn.Blocks {
		for _, instr := range b.Instrs {
			var w ssa.Value
			switch in := instr.(type) {
			case *ssa.Defer:
				w = wgCall(&in.Call, "Done")
			case *ssa.Call:
				if w = wgCall(&in.Call, "Done"); w != nil && !exit.Dominates(b) {
					return nil, nil, nil // a Done the range does not hold back
				}
			}
			if w != nil && done == nil {
				wg, done, inner = outer(g, w), instr, w
			}
		}
	}
	return wg, done, inner
}

// waitBeforeCloses returns a wg.Wait on wg in g's function, reachable
// from g (a goroutine's start), that runs before every close of the
// channel: each close is deferred or dominated by the Wait.
func waitBeforeCloses(g ssa.Instruction, wg ssa.Value, closes []chanuse.Op) ssa.Instruction {
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

// closeAfterWaitFields is closeAfterWait for a private channel field
// (chanuse.Fields): workers started on an object range over its field and
// defer Done on a WaitGroup field of the same object, counted before
// their go statement, and every close of the channel field in the package
// comes after a Wait on that WaitGroup field in the closing function
// (`s.wg.Wait(); close(s.jobs)` in Close).
func closeAfterWaitFields(st *state, funcs []*ssa.Function) {
	callers := map[*ssa.Function][]ssa.CallInstruction{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(ssa.CallInstruction); ok {
					if callee := c.Common().StaticCallee(); callee != nil {
						callers[callee] = append(callers[callee], c)
					}
				}
			}
		}
	}
	line := func(n ssa.Instruction) int { return st.pass.Fset.Position(n.Pos()).Line }
	for _, c := range chanuse.Fields(st.pass.Pkg, st.sealed, funcs) {
		if c.Escapes || c.Stored || len(c.Makes) == 0 {
			continue
		}
		var closes []chanuse.FieldOp
		ranges := map[*ssa.Function]*ssa.UnOp{}
		for _, op := range c.Ops {
			switch op.Kind {
			case chanuse.Close, chanuse.DeferClose:
				closes = append(closes, op)
			case chanuse.Recv:
				if u, ok := op.Instr.(*ssa.UnOp); ok && u.CommaOk && st.ranges[u.Pos()] && !rangeLeaves(u) {
					ranges[u.Parent()] = u
				}
			}
		}
		if len(closes) == 0 {
			continue
		}
		for w, u := range ranges {
			iff, ok := u.Block().Instrs[len(u.Block().Instrs)-1].(*ssa.If)
			if !ok {
				continue
			}
			for _, site := range goSites(w, callers) {
				g, ok := site.(*ssa.Go) // a group's Go counts itself: no Add to check
				if !ok {
					continue
				}
				node := &chanuse.Node{Fn: w, Go: g, Start: g}
				_, done, inner := doneAfterRangeIn(node, iff.Block().Succs[1])
				fa, ok := inner.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				base := fa.X
				if ld, ok := base.(*ssa.UnOp); ok && ld.Op == token.MUL {
					base = ld.X
				}
				if ob := outer(node, base); ob == nil || !fieldAddBefore(g, ob, fa.Field) {
					continue
				}
				f := chanuse.StructFieldOf(fa)
				// Every close must follow a Wait on the same field in its
				// function.
				var wait ssa.Instruction
				for _, cl := range closes {
					wt := waitDominating(cl.Instr, f)
					if wt == nil {
						wait = nil
						break
					}
					if wait == nil {
						wait = wt
					}
				}
				if wait == nil {
					continue
				}
				name := fmt.Sprintf("field %s of %s", c.Field.Name(), ownerName(st.sealed, c.Field))
				st.Report(analysis.Diagnostic{
					Pos:      wait.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("wg.Wait waits for the goroutine started at line %d, which calls wg.Done (line %d) only after its range over %s (line %d) ends, but %s is closed only after this Wait (line %d): the range never ends, Done never runs, and Wait never returns",
						line(g), line(done), name, line(u), name, line(closes[0].Instr)),
					Related: []analysis.RelatedInformation{
						{Pos: u.Pos(), Message: "the range, which ends only when the channel is closed"},
						{Pos: done.Pos(), Message: "Done, after the range"},
						{Pos: closes[0].Instr.Pos(), Message: "the close, after the Wait"},
						{Pos: g.Pos(), Message: "the goroutine is started here"},
					},
				})
			}
		}
	}
}

// waitDominating returns a wg.Wait on WaitGroup field f in cl's function
// that runs before cl on every path (for a deferred close, anywhere in
// the function).
func waitDominating(cl ssa.Instruction, f *types.Var) ssa.Instruction {
	_, deferred := cl.(*ssa.Defer)
	for _, b := range cl.Parent().Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			w := wgCall(&c.Call, "Wait")
			if w == nil || chanuse.StructFieldOf(w) == nil || chanuse.StructFieldOf(w) != f {
				continue
			}
			if deferred || dominates(c, cl) {
				return c
			}
		}
	}
	return nil
}
