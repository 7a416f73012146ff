package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// waitBeforeClose reports a wg.Wait on a WaitGroup field that can run
// while a goroutine it counts still waits for a channel field to be
// closed, when the waiting function is the only one in the package that
// closes the channel and some path reaches its Wait with the channel
// still open: the close comes after the Wait (`p.wg.Wait();
// close(p.queue)`: blinklabs-io/gouroboros#478, the send loop reads its
// queue with `msg, ok := <-queue` and is counted by the Wait), or a
// return skips it while a deferred Wait still runs (`defer s.wg.Wait()`
// and `close(s.quit)` on the exit path only, a helper counted by s.wg
// waiting on <-s.quit: purpleidea/mgmt#246). The goroutine can leave that
// receive only by a value or by the close; once the senders have stopped
// only the close is left, and it waits for the goroutine's Done. That is
// closeAfterWaitFields (a range and a close after the Wait) widened to any
// receive that expects the close (a range, a comma-ok receive, or a plain
// receive from a channel nothing sends on) and to the path a deferred
// Wait runs on.
//
// The goroutine must be started by a go statement after an Add on the
// same WaitGroup field and defer its Done (or call it after the receive);
// a receive in a select with other cases is left alone (another case may
// end the wait), and so is a channel some other function closes (the
// Wait may then be waiting for that function).
func waitBeforeClose(st *state, funcs []*ssa.Function) {
	callers := map[*ssa.Function][]ssa.CallInstruction{}
	type waitAt struct {
		instr ssa.Instruction // *ssa.Call or *ssa.Defer
		wg    *types.Var
	}
	var waits []waitAt
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				c, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				if callee := c.Common().StaticCallee(); callee != nil {
					callers[callee] = append(callers[callee], c)
				}
				switch instr.(type) {
				case *ssa.Call, *ssa.Defer:
					if f := wgField(wgCall(c.Common(), "Wait")); f != nil {
						waits = append(waits, waitAt{instr, f})
					}
				}
			}
		}
	}
	if len(waits) == 0 {
		return
	}
	line := func(n ssa.Instruction) int { return st.pass.Fset.Position(n.Pos()).Line }
	for _, c := range chanuse.Fields(st.pass.Pkg, st.sealed, funcs) {
		if c.Escapes || c.Stored || len(c.Makes) == 0 {
			continue
		}
		var closes []ssa.Instruction
		sends := false
		for _, op := range c.Ops {
			switch op.Kind {
			case chanuse.Close, chanuse.DeferClose:
				closes = append(closes, op.Instr)
			case chanuse.Send, chanuse.SelectSend:
				sends = true
			}
		}
		if len(closes) == 0 {
			continue
		}
		closer := closes[0].Parent()
		for _, cl := range closes {
			if cl.Parent() != closer {
				closer = nil
			}
		}
		if closer == nil {
			continue
		}
		name := fmt.Sprintf("field %s of %s", c.Field.Name(), ownerName(st.sealed, c.Field))
		for _, op := range c.Ops {
			if op.Kind != chanuse.Recv {
				continue
			}
			u, ok := op.Instr.(*ssa.UnOp)
			if !ok || !(u.CommaOk || !sends) {
				continue // a plain receive of a channel that carries values
			}
			g := u.Parent()
			if g == closer {
				continue
			}
			done, wg := doneAfterRecv(g, u)
			if done == nil {
				continue
			}
			for _, site := range goSites(g, callers) {
				gs, ok := site.(*ssa.Go)
				if !ok || addFieldBefore(gs, wg) == nil {
					continue
				}
				for _, w := range waits {
					if w.wg != wg {
						continue
					}
					// The closes as the waiting function runs them: its
					// own, or its calls of the helper that closes.
					kills, only := closes, "this function is the only one that closes "+name
					if w.instr.Parent() != closer {
						kills = helperCloses(funcs, closer, w.instr.Parent(), callers)
						if kills == nil {
							continue
						}
						only = fmt.Sprintf("only %s closes %s (line %d), called by this function alone", closer.Name(), name, line(closes[0]))
					}
					end, open := openAtWait(w.instr, gs, kills)
					if open == nil {
						continue
					}
					how := fmt.Sprintf("closes it only after this Wait (line %d)", line(kills[0]))
					waits, then := "the goroutine waits here for the channel to be closed (or for a value)", "once nothing more is sent, the receive never ends"
					if !sends {
						waits, then = "the goroutine waits here for the channel to be closed (nothing sends on it)", "the receive never ends"
					}
					rel := []analysis.RelatedInformation{
						{Pos: u.Pos(), Message: waits},
						{Pos: done.Pos(), Message: "its Done, which runs only after the receive"},
						{Pos: gs.Pos(), Message: "the goroutine is started here, counted by the WaitGroup"},
					}
					if end != nil {
						how = fmt.Sprintf("returns at line %d without closing it (it closes it at line %d on another path), and the deferred Wait runs there", line(end), line(kills[0]))
						rel = append(rel, analysis.RelatedInformation{Pos: end.Pos(), Message: "this return skips the close and runs the deferred Wait"})
					}
					rel = append(rel, analysis.RelatedInformation{Pos: closes[0].Pos(), Message: "the only function that closes the channel closes it here"})
					if kills[0] != closes[0] {
						rel = append(rel, analysis.RelatedInformation{Pos: kills[0].Pos(), Message: "this function closes it through the helper here"})
					}
					st.Report(analysis.Diagnostic{
						Pos:      w.instr.Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("wg.Wait waits for the goroutine started at line %d, which waits at line %d for %s to be closed before its Done (line %d) can run; %s, and it %s: %s, Done never runs, and the Wait blocks forever",
							line(gs), line(u), name, line(done), only, how, then),
						Related: rel,
					})
				}
			}
		}
	}
}

// helperCloses returns the calls by which fn runs closer, the helper
// that closes a channel, when fn makes every call of it (static calls or
// defers; closer is not taken as a value): then the channel is closed
// exactly where fn calls the helper. Nil otherwise.
func helperCloses(funcs []*ssa.Function, closer, fn *ssa.Function, callers map[*ssa.Function][]ssa.CallInstruction) []ssa.Instruction {
	if closer.Parent() != nil || len(funcValues(funcs, closer)) > 0 {
		return nil
	}
	var out []ssa.Instruction
	for _, c := range callers[closer] {
		switch c.(type) {
		case *ssa.Call, *ssa.Defer:
		default:
			return nil // started as a goroutine: it closes at any time
		}
		if c.Parent() != fn {
			return nil
		}
		out = append(out, c)
	}
	return out
}

// wgField returns the WaitGroup field that w (a WaitGroup pointer a
// method is called on) addresses: &s.wg for a field of type
// sync.WaitGroup, or the loaded s.wg of type *sync.WaitGroup.
func wgField(w ssa.Value) *types.Var {
	if u, ok := w.(*ssa.UnOp); ok && u.Op == token.MUL {
		w = u.X
	}
	if f := chanuse.StructFieldOf(w); f != nil {
		return f.Origin()
	}
	return nil
}

// doneAfterRecv returns a Done on a WaitGroup field in g that runs only
// after the receive u: deferred, or in a block u's block dominates
// (later in the same block) outside any loop: a Done in a loop counts the
// items the goroutine takes (wg.Add(n) for n requests, one Done per
// request), not the goroutine.
func doneAfterRecv(g *ssa.Function, u *ssa.UnOp) (ssa.Instruction, *types.Var) {
	for _, b := range g.Blocks {
		for _, instr := range b.Instrs {
			var f *types.Var
			after := false
			switch in := instr.(type) {
			case *ssa.Defer:
				f, after = wgField(wgCall(&in.Call, "Done")), true
			case *ssa.Call:
				// A Done in a loop counts items, not the goroutine.
				f = wgField(wgCall(&in.Call, "Done"))
				ub := u.Block()
				after = !ssaloop.InLoop(b) && (ub == b && index(u) < index(in) || ub != b && ub.Dominates(b))
			}
			if f != nil && after {
				return instr, f
			}
		}
	}
	return nil, nil
}

// addFieldBefore returns an Add of a positive constant on WaitGroup field
// f that runs before g in g's function (earlier in its block, or in a
// block that dominates it), or nil.
func addFieldBefore(g *ssa.Go, f *types.Var) *ssa.Call {
	for _, b := range g.Parent().Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok || len(c.Call.Args) != 2 || wgField(wgCall(&c.Call, "Add")) != f {
				continue
			}
			k, ok := c.Call.Args[1].(*ssa.Const)
			if !ok || k.Value == nil || k.Int64() <= 0 {
				continue
			}
			gb := g.Block()
			if b == gb && index(c) < index(g) || b != gb && b.Dominates(gb) {
				return c
			}
		}
	}
	return nil
}

// openAtWait looks for a path on which the Wait w runs while the channel
// is still open: for a Wait called directly, a path from the function's
// entry to it that runs none of closes first; for a deferred Wait, a
// path from the defer to a return that closes neither directly nor by a
// close deferred after the Wait (deferred calls run last in, first out).
// When the go statement g is in the same function, the path must start
// the goroutine first. It returns the return the path ends at (nil for a
// Wait called directly) and the Wait, or nil, nil when every path closes
// the channel first.
func openAtWait(w ssa.Instruction, g *ssa.Go, closes []ssa.Instruction) (*ssa.Return, ssa.Instruction) {
	fn := w.Parent()
	kill := map[ssa.Instruction]bool{}
	_, deferred := w.(*ssa.Defer)
	for _, cl := range closes {
		if _, d := cl.(*ssa.Defer); d && !deferred {
			continue // a deferred close runs after a Wait called directly
		}
		kill[cl] = true
	}
	type pos struct {
		b       *ssa.BasicBlock
		i       int
		started bool
	}
	startB, startI := fn.Blocks[0], 0
	if deferred {
		startB, startI = w.Block(), index(w)+1
	}
	started := g.Parent() != fn || g.Block() == startB && index(g) < startI || g.Block() != startB && g.Block().Dominates(startB)
	seen := map[pos]bool{}
	queue := []pos{{startB, startI, started}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		cut := false
		for _, in := range p.b.Instrs[p.i:] {
			if in == ssa.Instruction(g) {
				p.started = true
			}
			if kill[in] {
				cut = true
				break
			}
			if !p.started {
				continue
			}
			if !deferred && in == w {
				return nil, w
			}
			if r, ok := in.(*ssa.Return); ok && deferred {
				return r, w
			}
		}
		if cut {
			continue
		}
		for _, s := range p.b.Succs {
			queue = append(queue, pos{s, 0, p.started})
		}
	}
	return nil, nil
}

// waitBeforeCloseLocal is waitBeforeClose for a channel a function makes
// (st.follow) and closes itself, waited for through a WaitGroup the
// goroutine's go statement captures or passes: `wg.Add(1); go func() {
// defer wg.Done(); for { v, ok := <-ch; ... } }(); ...; wg.Wait();
// close(ch)`, or a close that a return skips under `defer wg.Wait()`.
// closeAfterWait keeps the range with the close after the Wait; this
// adds comma-ok receives, plain receives of a channel nothing sends on,
// and the path a deferred Wait runs on.
func waitBeforeCloseLocal(st *state, funcs []*ssa.Function) {
	line := func(n ssa.Instruction) int { return st.pass.Fset.Position(n.Pos()).Line }
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				mc, ok := instr.(*ssa.MakeChan)
				if !ok {
					continue
				}
				ch := st.follow(mc)
				if ch.Escapes || len(ch.Returns) > 0 {
					continue
				}
				root := ch.Nodes[0]
				var closes []ssa.Instruction
				sends, elsewhere := false, false
				for _, n := range ch.Nodes {
					for _, op := range n.Ops {
						switch op.Kind {
						case chanuse.Close, chanuse.DeferClose:
							if n != root {
								elsewhere = true
							}
							closes = append(closes, op.Instr)
						case chanuse.Send, chanuse.SelectSend:
							sends = true
						}
					}
				}
				if elsewhere || len(closes) == 0 {
					continue
				}
				for _, n := range ch.Nodes {
					gs, ok := n.Start.(*ssa.Go)
					if !ok || n != n.G || n.Group() != nil || n.Parent != root || gs.Parent() != root.Fn {
						continue
					}
					for _, op := range n.Ops {
						u, ok := op.Instr.(*ssa.UnOp)
						if op.Kind != chanuse.Recv || !ok || !(u.CommaOk || !sends) {
							continue
						}
						done, inner := doneValueAfterRecv(n.Fn, u)
						if done == nil {
							continue
						}
						wg := outer(n, inner)
						if wg == nil || addBefore(gs, wg) == nil {
							continue
						}
						for _, wb := range root.Fn.Blocks {
							for _, wi := range wb.Instrs {
								var w ssa.Value
								switch in := wi.(type) {
								case *ssa.Call:
									w = wgCall(&in.Call, "Wait")
								case *ssa.Defer:
									w = wgCall(&in.Call, "Wait")
								}
								if w == nil || !sameWG(w, wg) {
									continue
								}
								end, open := openAtWait(wi, gs, closes)
								if open == nil {
									continue
								}
								how := fmt.Sprintf("closes it only after this Wait (line %d)", line(closes[0]))
								if end != nil {
									how = fmt.Sprintf("returns at line %d without closing it (it closes it at line %d on another path), and the deferred Wait runs there", line(end), line(closes[0]))
								}
								then := "once nothing more is sent, the receive never ends"
								if !sends {
									then = "the receive never ends"
								}
								rel := []analysis.RelatedInformation{
									{Pos: u.Pos(), Message: "the goroutine waits here for the channel to be closed"},
									{Pos: done.Pos(), Message: "its Done, which runs only after the receive"},
									{Pos: gs.Pos(), Message: "the goroutine is started here, counted by the WaitGroup"},
								}
								if end != nil {
									rel = append(rel, analysis.RelatedInformation{Pos: end.Pos(), Message: "this return skips the close and runs the deferred Wait"})
								}
								rel = append(rel, analysis.RelatedInformation{Pos: closes[0].Pos(), Message: "the only close of the channel"})
								st.Report(analysis.Diagnostic{
									Pos:      wi.Pos(),
									Category: "deadlock",
									Message: fmt.Sprintf("wg.Wait waits for the goroutine started at line %d, which waits at line %d for this channel (made at line %d) to be closed before its Done (line %d) can run; %s is the only function that closes it, and it %s: %s, Done never runs, and the Wait blocks forever",
										line(gs), line(u), line(mc), line(done), root.Fn.Name(), how, then),
									Related: rel,
								})
							}
						}
					}
				}
			}
		}
	}
}

// doneValueAfterRecv is doneAfterRecv for any WaitGroup: it returns the
// Done and the WaitGroup pointer as g sees it.
func doneValueAfterRecv(g *ssa.Function, u *ssa.UnOp) (ssa.Instruction, ssa.Value) {
	for _, b := range g.Blocks {
		for _, instr := range b.Instrs {
			var w ssa.Value
			after := false
			switch in := instr.(type) {
			case *ssa.Defer:
				w, after = wgCall(&in.Call, "Done"), true
			case *ssa.Call:
				w = wgCall(&in.Call, "Done")
				ub := u.Block()
				after = !ssaloop.InLoop(b) && (ub == b && index(u) < index(in) || ub != b && ub.Dominates(b))
			}
			if w != nil && after {
				return instr, w
			}
		}
	}
	return nil, nil
}
