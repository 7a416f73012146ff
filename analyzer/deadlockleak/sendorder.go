package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The send before the close the receiver waits for
// (ClickHouse/clickhouse-go#548): a goroutine feeds a result over two
// channels it makes, kept in two fields of one struct, a stream and an
// error channel; on its way out it sends its error plainly on the
// unbuffered error channel and only then closes the stream. A function
// of the package ranges over the stream (it can only leave at the close;
// a done channel nothing sends on is waited for by any receive) and
// receives from the error channel after. Each waits for the other:
// the receiver for a close that follows the send, the sender for a
// receive that follows the close. It is reported when nothing else can
// take the error while the receiver waits (no goroutine of the package
// receives it, no select of the receiver does) and only the sender
// closes the stream.

// sendOrders applies the rule to the package's goroutines.
func sendOrders(pass *analysis.Pass, funcs []*ssa.Function, classes map[*types.Var]*chanuse.Class) {
	closures := map[*ssa.Function]*ssa.MakeClosure{}
	started := map[*ssa.Function]bool{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.MakeClosure:
					closures[in.Fn.(*ssa.Function)] = in
				case *ssa.Go:
					switch v := in.Call.Value.(type) {
					case *ssa.MakeClosure:
						started[v.Fn.(*ssa.Function)] = true
					case *ssa.Function:
						started[v] = true
					}
				}
			}
		}
	}
	// What each make of the package has done to it, by the function that
	// does it, through captured variables.
	recvs, closes := map[*ssa.MakeChan][]chanUse{}, map[*ssa.MakeChan][]chanUse{}
	sent := map[*ssa.MakeChan]bool{}
	// local returns the make a channel value comes from through captured
	// variables; made also through a field that holds only that one make
	// (the field's own operations are its class's).
	local := func(v ssa.Value) *ssa.MakeChan {
		mc, _ := resolve(v, closures).(*ssa.MakeChan)
		return mc
	}
	made := func(v ssa.Value) *ssa.MakeChan {
		if mc := local(v); mc != nil {
			return mc
		}
		if c := classes[loadedField(v)]; c != nil && !c.Stored && len(c.Makes) == 1 {
			return c.Makes[0]
		}
		return nil
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.UnOp:
					if in.Op == token.ARROW {
						if mc := local(in.X); mc != nil {
							recvs[mc] = append(recvs[mc], chanUse{fn, in})
						}
					}
				case *ssa.Send:
					if mc := local(in.Chan); mc != nil {
						sent[mc] = true
					}
				case *ssa.Select:
					for _, st := range in.States {
						if mc := local(st.Chan); mc != nil && st.Dir == types.RecvOnly {
							recvs[mc] = append(recvs[mc], chanUse{fn, in})
						} else if mc != nil {
							sent[mc] = true
						}
					}
				case ssa.CallInstruction:
					c := in.Common()
					if bi, ok := c.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
						if mc := local(c.Args[0]); mc != nil {
							closes[mc] = append(closes[mc], chanUse{fn, in})
						}
					}
				}
			}
		}
	}
	for fn := range started {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				send, ok := instr.(*ssa.Send)
				if !ok {
					continue
				}
				errc := made(send.Chan)
				if errc == nil || capacity(errc) != 0 || len(recvs[errc]) > 0 {
					continue
				}
				fErr := fieldOf(errc)
				if fErr == nil || classes[fErr] == nil {
					continue
				}
				// The close of another made channel that the send comes
				// before, on the sender's way out.
				var closed *ssa.MakeChan
				var closeAt ssa.Instruction
				ssawalk.Forward(send, func(in ssa.Instruction) ssawalk.Action {
					c, ok := in.(ssa.CallInstruction)
					if !ok {
						return ssawalk.Continue
					}
					if bi, ok := c.Common().Value.(*ssa.Builtin); ok && bi.Name() == "close" {
						if mc := made(c.Common().Args[0]); mc != nil && mc != errc {
							closed, closeAt = mc, in
							return ssawalk.Stop
						}
					}
					return ssawalk.Continue
				})
				if closed == nil {
					// A deferred close made before the send runs on the
					// way out after it.
					for _, b2 := range fn.Blocks {
						for _, in := range b2.Instrs {
							d, ok := in.(*ssa.Defer)
							if !ok || !b2.Dominates(send.Block()) {
								continue
							}
							if bi, ok := d.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
								if mc := made(d.Call.Args[0]); mc != nil && mc != errc {
									closed, closeAt = mc, d
								}
							}
						}
					}
				}
				if closed == nil || len(recvs[closed]) > 0 {
					continue
				}
				fStream := fieldOf(closed)
				if fStream == nil || classes[fStream] == nil || !closedOnlyBy(closes[closed], classes[fStream], fn) {
					continue
				}
				// A channel nothing sends on is a signal: any receive
				// from it waits for the close.
				signal := !sent[closed]
				for _, op := range classes[fStream].Ops {
					if op.Kind == chanuse.Send || op.Kind == chanuse.SelectSend {
						signal = false
					}
				}
				if r, a := waitsForClose(classes[fStream], classes[fErr], started, signal); r != nil {
					pass.Report(analysis.Diagnostic{
						Pos:      send.Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("this goroutine sends on field %s before it closes field %s (%s), while %s waits on %s until its close (%s) and only then receives from %s (%s): when %s runs first, each waits for the other forever (receive both in one select, or close before the send)",
							fErr.Name(), fStream.Name(), at(pass, closeAt.Pos(), send.Pos()), r.Parent().Name(), fStream.Name(), at(pass, r.Pos(), send.Pos()), fErr.Name(), at(pass, a.Pos(), send.Pos()), r.Parent().Name()),
						Related: []analysis.RelatedInformation{
							{Pos: closeAt.Pos(), Message: "the close the receiver waits for, after the send"},
							{Pos: r.Pos(), Message: "the receiver waits here for the close"},
							{Pos: a.Pos(), Message: "the receive the send waits for, after the close"},
						},
					})
				}
			}
		}
	}
}

// fieldOf returns the struct field the channel made by mc is stored in,
// or nil.
func fieldOf(mc *ssa.MakeChan) *types.Var {
	var out *types.Var
	var visit func(v ssa.Value, depth int)
	visit = func(v ssa.Value, depth int) {
		if depth > 3 {
			return
		}
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.Store:
				if r.Val != v {
					continue
				}
				switch a := r.Addr.(type) {
				case *ssa.FieldAddr:
					out = chanuse.StructFieldOf(a)
				case *ssa.Alloc:
					// A variable a closure captures: its loads.
					for _, u := range *a.Referrers() {
						if l, ok := u.(*ssa.UnOp); ok && l.Op == token.MUL {
							visit(l, depth+1)
						}
					}
				}
			case *ssa.ChangeType:
				visit(r, depth+1)
			}
		}
	}
	visit(mc, 0)
	return out
}

// chanUse is one operation on a made channel and the function doing it.
type chanUse struct {
	fn    *ssa.Function
	instr ssa.Instruction
}

// closedOnlyBy reports whether every close of a channel, through its
// variables (local) and through its field (c), is in the sender fn.
func closedOnlyBy(local []chanUse, c *chanuse.Class, fn *ssa.Function) bool {
	for _, u := range local {
		if u.fn != fn {
			return false
		}
	}
	for _, op := range c.Ops {
		if (op.Kind == chanuse.Close || op.Kind == chanuse.DeferClose) && op.Node.Fn != fn {
			return false
		}
	}
	return true
}

// waitsForClose returns a plain receive in a loop from stream (a range:
// it ends only at the close), or any plain receive when stream is a
// signal nothing sends on, and a plain receive from errs in the same
// function that the first dominates, when that function has no select on
// either and no goroutine of the package receives from errs through its
// field.
func waitsForClose(stream, errs *chanuse.Class, started map[*ssa.Function]bool, signal bool) (r, a *ssa.UnOp) {
	for _, op := range errs.Ops {
		if (op.Kind == chanuse.Recv || op.Kind == chanuse.SelectRecv) && started[op.Node.Fn] {
			return nil, nil
		}
	}
	for _, sop := range stream.Ops {
		u, ok := sop.Instr.(*ssa.UnOp)
		if sop.Kind != chanuse.Recv || !ok || !signal && (!u.CommaOk || !ssaloop.InLoop(u.Block())) {
			continue
		}
		fn := u.Parent()
		var recv *ssa.UnOp
		selects := false
		for _, c := range []*chanuse.Class{stream, errs} {
			for _, op := range c.Ops {
				if op.Instr.Parent() != fn {
					continue
				}
				if op.Kind == chanuse.SelectRecv {
					selects = true
				}
				if x, ok := op.Instr.(*ssa.UnOp); ok && c == errs && op.Kind == chanuse.Recv && u.Block().Dominates(x.Block()) && !sameCycle(u.Block(), x.Block()) {
					recv = x
				}
			}
		}
		if recv != nil && !selects {
			return u, recv
		}
	}
	return nil, nil
}
