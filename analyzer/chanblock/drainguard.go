package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// drainGuards reports a close skipped by the test meant to guard it: the
// function closes a channel only when a non-blocking receive from it finds
// nothing (select { case <-ch: closed = true; default: }, inline or in a
// helper such as isClosed(ch)), while the package also sends values on
// that channel. The test cannot tell a closed channel from one holding a
// value: when a value is pending (or a sender is waiting), the receive
// takes it, the test answers "closed", the close is skipped, and the
// channel stays open and empty: every later receive waiting for the value
// or for the close blocks forever (Trendyol/go-pq-cdc-kafka#44: Close
// swallowed the buffered ready signal and left readyCh open, and
// WaitUntilReady after Close never returned). A channel that is only ever
// closed (the close-once idiom) carries no value to swallow and is left
// alone.
func drainGuards(st *state, funcs []*ssa.Function) {
	sends := map[*types.Var]ssa.Instruction{} // a send on each channel field
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				var ch ssa.Value
				switch in := instr.(type) {
				case *ssa.Send:
					ch = in.Chan
				case *ssa.Select:
					for _, s := range in.States {
						if s.Dir == types.SendOnly {
							ch = s.Chan
						}
					}
				}
				if f := loadedField(ch); f != nil && sends[f] == nil {
					sends[f] = instr
				}
			}
		}
	}
	if len(sends) == 0 {
		return
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				c := closeCall(instr)
				if c == nil {
					continue
				}
				f := loadedField(c.Call.Args[0])
				if f == nil || sends[f] == nil {
					continue
				}
				guard := drainGuard(c, c.Call.Args[0])
				if guard == nil {
					continue
				}
				name := fmt.Sprintf("field %s of %s", f.Name(), ownerName(st.sealed, f))
				st.Report(analysis.Diagnostic{
					Pos:      guard.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("this test decides whether %s is closed by receiving from it without waiting, but values are sent on the channel (line %d): when one is pending, the receive takes it, the test answers closed, and the close at line %d is skipped, so the channel stays open and empty and every later receive from it blocks forever (close it once, through a sync.Once or a flag, and signal with the close)",
						name, st.pass.Fset.Position(sends[f].Pos()).Line, st.pass.Fset.Position(c.Pos()).Line),
					Related: []analysis.RelatedInformation{
						{Pos: c.Pos(), Message: "the close the test skips"},
						{Pos: sends[f].Pos(), Message: "a value is sent on the channel here"},
					},
				})
			}
		}
	}
}

// drainGuard returns the test that close, a close of ch, runs only when a
// non-blocking receive from the same channel found nothing: the call of
// a helper whose "false" sends control to the close, or an inline
// select whose default case does.
func drainGuard(close *ssa.Call, ch ssa.Value) ssa.Instruction {
	fn := close.Parent()
	for _, b := range fn.Blocks {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || b.Succs[0] == b.Succs[1] {
			continue
		}
		cond, taken := iff.Cond, 1 // the close runs on the false edge
		if u, ok := cond.(*ssa.UnOp); ok && u.Op == token.NOT {
			cond, taken = u.X, 0
		}
		var guard ssa.Instruction
		switch x := cond.(type) {
		case *ssa.Call:
			// isClosed(ch): a helper that receives without waiting.
			callee := x.Call.StaticCallee()
			if callee != nil && callee.Origin() != nil {
				callee = callee.Origin()
			}
			if callee == nil || x.Call.IsInvoke() || len(x.Call.Args) != 1 || !samePath(x.Call.Args[0], ch) && !sameField(x.Call.Args[0], ch) || !pollsParam(callee) {
				continue
			}
			guard = x
		case *ssa.BinOp:
			// select { case <-ch: ... default: close(ch) }: the test of
			// the select's index against its receive case.
			sel, ok := nonBlockingRecv(x)
			if !ok || x.Op != token.EQL || !samePath(sel.States[0].Chan, ch) && !sameField(sel.States[0].Chan, ch) {
				continue
			}
			guard = sel
		default:
			continue
		}
		target := b.Succs[taken]
		if len(target.Preds) != 1 || !target.Dominates(close.Block()) {
			continue
		}
		// When the receive takes a value the close must be skipped for
		// good: a drain loop that takes the values left and closes once
		// the channel is empty (for { select { case v := <-ch: keep(v);
		// default: close(ch); return } }) comes back to the close.
		if other := b.Succs[1-taken]; other == close.Block() || reachable(other, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })[close.Block()] {
			continue
		}
		return guard
	}
	return nil
}

// sameField reports whether a and b are loads of one field from one
// receiver parameter (c.readyCh twice in a method).
func sameField(a, b ssa.Value) bool {
	fa, fb := loadedField(a), loadedField(b)
	if fa == nil || fa != fb {
		return false
	}
	ua, _ := chanuse.Unchange(a).(*ssa.UnOp)
	ub, _ := chanuse.Unchange(b).(*ssa.UnOp)
	if ua == nil || ub == nil {
		return false
	}
	xa, _ := ua.X.(*ssa.FieldAddr)
	xb, _ := ub.X.(*ssa.FieldAddr)
	return xa != nil && xb != nil && sameObj(xa.X, xb.X)
}

// nonBlockingRecv returns the select whose chosen index cond compares with
// 0, when it is a non-blocking select of one receive case.
func nonBlockingRecv(cond *ssa.BinOp) (*ssa.Select, bool) {
	ex, ok := cond.X.(*ssa.Extract)
	if !ok || ex.Index != 0 {
		return nil, false
	}
	sel, ok := ex.Tuple.(*ssa.Select)
	if !ok || sel.Blocking || len(sel.States) != 1 || sel.States[0].Dir != types.RecvOnly {
		return nil, false
	}
	k, ok := cond.Y.(*ssa.Const)
	return sel, ok && k.Value != nil && k.Value.String() == "0"
}

// pollsParam reports whether fn, a function of one channel parameter
// returning a bool, answers with a non-blocking receive from it: a select
// of one receive case on the parameter and a default, and every return a
// constant.
func pollsParam(fn *ssa.Function) bool {
	if len(fn.Params) != 1 || fn.Signature.Results().Len() != 1 || len(fn.Blocks) == 0 {
		return false
	}
	if bt, ok := fn.Signature.Results().At(0).Type().Underlying().(*types.Basic); !ok || bt.Kind() != types.Bool {
		return false
	}
	polls := false
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Select:
				if in.Blocking || len(in.States) != 1 || in.States[0].Dir != types.RecvOnly || chanuse.Unchange(in.States[0].Chan) != ssa.Value(fn.Params[0]) {
					return false
				}
				polls = true
			case *ssa.Return:
				if _, ok := in.Results[0].(*ssa.Const); !ok {
					return false
				}
			}
		}
	}
	return polls
}

// closeCall returns instr when it is a call of the close builtin, else nil.
func closeCall(instr ssa.Instruction) *ssa.Call {
	c, ok := instr.(*ssa.Call)
	if !ok || len(c.Call.Args) != 1 {
		return nil
	}
	if bi, ok := c.Call.Value.(*ssa.Builtin); !ok || bi.Name() != "close" {
		return nil
	}
	return c
}
