package chanblock

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// unclosedResults reports a range over a channel that a function fills
// and returns without ever handing it to a goroutine: every send and
// close happens before the function returns, so a return that skips the
// close leaves the channel open for good, and the caller's range blocks
// forever once it has taken the values (go-telegram-bot-api#538: the
// channel is closed after the update is sent, but the error path returns
// it unclosed). The function must close it on some path (a channel it
// never closes is not meant to be ranged over to its end), the close may
// be in a helper it calls (a function literal called at once), and only
// callers whose one use of the result is a range (or a receive loop that
// stops when ok is false) are reported.
func unclosedResults(st *state, funcs []*ssa.Function) {
	callers := map[*ssa.Function][]*ssa.Call{}
	var makes []*ssa.MakeChan
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Call:
					if callee := in.Call.StaticCallee(); callee != nil {
						callers[callee] = append(callers[callee], in)
					}
				case *ssa.MakeChan:
					makes = append(makes, in)
				}
			}
		}
	}
	for _, mc := range makes {
		if calls := callers[mc.Parent()]; len(calls) > 0 {
			unclosedResult(st, mc, calls)
		}
	}
}

func unclosedResult(st *state, mc *ssa.MakeChan, calls []*ssa.Call) {
	ch := st.follow(mc)
	if ch.Escapes || len(ch.Returns) == 0 {
		return
	}
	root := ch.Nodes[0]
	// Every operation runs in the maker's goroutine, before it returns:
	// the maker or a helper it calls synchronously.
	closes := map[*chanuse.Node][]ssa.Instruction{}
	var anyClose ssa.Instruction
	for _, n := range ch.Nodes {
		if n.G != root {
			return
		}
		for _, op := range n.Ops {
			switch op.Kind {
			case chanuse.Close, chanuse.DeferClose:
				closes[n] = append(closes[n], op.Instr)
				if anyClose == nil {
					anyClose = op.Instr
				}
			case chanuse.Send:
			default:
				return // received or selected on by the maker: not a plain filler
			}
		}
	}
	if anyClose == nil {
		return
	}
	// A call of the maker's to a helper that closes the channel on every
	// path closes it; one that closes on some paths only does not.
	closing := map[ssa.Instruction]bool{}
	var partial ssa.Instruction // the helper's return that skips its close
	for _, n := range ch.Nodes[1:] {
		if n.Parent != root || n.Call == nil {
			if len(closes[n]) > 0 {
				return // closed deeper down: not followed
			}
			continue
		}
		if len(closes[n]) == 0 {
			continue
		}
		if ret := silentReturn(n.Fn, closes[n]); ret == nil {
			closing[n.Call] = true
		} else if partial == nil {
			partial = ret
		}
	}
	for _, c := range closes[root] {
		closing[c] = true
	}
	want := map[*ssa.Return]bool{}
	for _, r := range ch.Returns {
		want[r] = true
	}
	ret := openReturn(mc, func(r *ssa.Return) bool { return want[r] }, closing)
	if ret == nil {
		return
	}
	skip := ssa.Instruction(ret)
	if partial != nil {
		skip = partial
	}
	sp := skip.Pos()
	if !sp.IsValid() {
		sp = chanuse.ClosingBrace(skip.Parent())
	}
	for _, call := range calls {
		cc := chanuse.FollowResult(call, mc)
		if cc.Escapes || len(cc.Returns) > 0 {
			continue
		}
		var rng ssa.Instruction
		ok := true
		for _, n := range cc.Nodes {
			for _, op := range n.Ops {
				u, isU := op.Instr.(*ssa.UnOp)
				if n != cc.Nodes[0] || op.Kind != chanuse.Recv || !isU || !untilClosed(st, u) || rng != nil {
					ok = false
				}
				rng = op.Instr
			}
		}
		if !ok || rng == nil {
			continue
		}
		what := "this range"
		if !st.ranges[rng.Pos()] {
			what = "this receive loop, which stops only when the channel is closed,"
		}
		st.Report(analysis.Diagnostic{
			Pos:      rng.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s fills and closes the channel it returns before returning, but on the path through line %d it returns the channel unclosed (no goroutine is left to close it): %s never ends",
				mc.Parent().Name(), st.pass.Fset.Position(sp).Line, what),
			Related: []analysis.RelatedInformation{
				{Pos: sp, Message: "returns here without closing the channel"},
				{Pos: anyClose.Pos(), Message: "the channel is closed here on other paths"},
				{Pos: mc.Pos(), Message: "the channel is made here and returned"},
			},
		})
	}
}

// openReturn finds a return that want accepts reachable from after start
// through no instruction in closing (a close, a deferred close, a call of
// a helper that always closes), a panic or a call that does not return.
func openReturn(start ssa.Instruction, want func(*ssa.Return) bool, closing map[ssa.Instruction]bool) *ssa.Return {
	var open *ssa.Return
	ssawalk.Forward(start, func(instr ssa.Instruction) ssawalk.Action {
		if closing[instr] {
			return ssawalk.Cut
		}
		switch in := instr.(type) {
		case *ssa.Panic:
			return ssawalk.Cut
		case *ssa.Call:
			if chanuse.NoReturn(in.Common()) {
				return ssawalk.Cut
			}
		case *ssa.Return:
			if want(in) {
				open = in
				return ssawalk.Stop
			}
			return ssawalk.Cut
		}
		return ssawalk.Continue
	})
	return open
}

// untilClosed reports whether u receives until the channel is closed: a
// range, or "v, ok := <-ch" in a loop whose ok is tested.
func untilClosed(st *state, u *ssa.UnOp) bool {
	if st.ranges[u.Pos()] {
		return true
	}
	if !u.CommaOk || !ssaloop.InLoop(u.Block()) {
		return false
	}
	for _, r := range *u.Referrers() {
		if ex, ok := r.(*ssa.Extract); ok && ex.Index == 1 {
			for _, x := range *ex.Referrers() {
				switch y := x.(type) {
				case *ssa.If:
					return true
				case *ssa.UnOp:
					if y.Op == token.NOT {
						for _, z := range *y.Referrers() {
							if _, ok := z.(*ssa.If); ok {
								return true
							}
						}
					}
				}
			}
		}
	}
	return false
}
