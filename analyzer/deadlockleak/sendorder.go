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
// channels, kept in private fields or in its starter's variables, a
// stream and an error channel; on its way out it sends its error plainly
// on the unbuffered error channel and only then closes the stream. A
// function of the package ranges over the stream (it can only leave at
// the close; a done channel nothing sends on is waited for by any
// receive) and receives from the error channel after. Each waits for the
// other: the receiver for a close that follows the send, the sender for
// a receive that follows the close. It is reported when nothing else can
// take the error while the receiver waits (no other goroutine of the
// package receives it, no select of the receiver does) and only the
// sender closes the stream.

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
				if errc == nil || capacity(errc) != 0 {
					continue
				}
				errs, ok := viewOf(errc, classes, recvs, closes, sent)
				if !ok {
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
				if closed == nil {
					continue
				}
				stream, ok := viewOf(closed, classes, recvs, closes, sent)
				if !ok {
					continue
				}
				onlyHere := true
				for _, u := range stream.closes {
					onlyHere = onlyHere && u.fn == fn
				}
				if !onlyHere {
					continue
				}
				if r, a := waitsForClose(stream, errs, started); r != nil {
					pass.Report(analysis.Diagnostic{
						Pos:      send.Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("this goroutine sends on %s before it closes %s (%s), while %s waits on that channel until its close (%s) and only then receives from the first (%s): when %s runs first, each waits for the other forever (receive both in one select, or close before the send)",
							errs.name(pass, send.Pos()), stream.name(pass, send.Pos()), at(pass, closeAt.Pos(), send.Pos()), r.Parent().Name(), at(pass, r.Pos(), send.Pos()), at(pass, a.Pos(), send.Pos()), r.Parent().Name()),
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

// chanView is what the package does with one made channel, through its
// variables and through the private field it is kept in.
type chanView struct {
	mc     *ssa.MakeChan
	field  *types.Var
	recvs  []chanUse // plain receives, ranges and select receives
	closes []chanUse
	sent   bool // something sends on it
}

// viewOf gathers the operations on the channel mc makes; false when they
// cannot all be known: kept in a field the package does not follow as a
// class, or, kept in no field, escaping the closures that see it.
func viewOf(mc *ssa.MakeChan, classes map[*types.Var]*chanuse.Class, recvs, closes map[*ssa.MakeChan][]chanUse, sent map[*ssa.MakeChan]bool) (*chanView, bool) {
	v := &chanView{mc: mc, field: fieldOf(mc), recvs: recvs[mc], closes: closes[mc], sent: sent[mc]}
	if v.field == nil {
		return v, !chanuse.Follow(mc).Escapes
	}
	c := classes[v.field]
	if c == nil {
		return nil, false
	}
	for _, op := range c.Ops {
		u := chanUse{op.Node.Fn, op.Instr}
		switch op.Kind {
		case chanuse.Recv, chanuse.SelectRecv:
			v.recvs = append(v.recvs, u)
		case chanuse.Close, chanuse.DeferClose:
			v.closes = append(v.closes, u)
		case chanuse.Send, chanuse.SelectSend:
			v.sent = true
		}
	}
	return v, true
}

// name says which channel v is: its field, or where it is made.
func (v *chanView) name(pass *analysis.Pass, from token.Pos) string {
	if v.field != nil {
		return "field " + v.field.Name()
	}
	return "the channel made at " + at(pass, v.mc.Pos(), from)
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

// waitsForClose returns a plain receive in a loop from stream (a range:
// it ends only at the close), or any plain receive when nothing sends on
// stream (a done signal), and a plain receive from errs in the same
// function that the first dominates, when that function has no select on
// either and no other goroutine of the package receives from errs.
func waitsForClose(stream, errs *chanView, started map[*ssa.Function]bool) (r, a *ssa.UnOp) {
	for _, su := range stream.recvs {
		u, ok := su.instr.(*ssa.UnOp)
		if !ok || stream.sent && (!u.CommaOk || !ssaloop.InLoop(u.Block())) {
			continue
		}
		fn := su.fn
		var recv *ssa.UnOp
		ok = true
		for _, eu := range errs.recvs {
			if eu.fn != fn {
				ok = ok && !started[eu.fn]
				continue
			}
			x, plain := eu.instr.(*ssa.UnOp)
			if !plain {
				ok = false // a select on the error channel
				continue
			}
			if after(u, x) {
				recv = x
			}
		}
		for _, o := range stream.recvs {
			if _, sel := o.instr.(*ssa.Select); sel && o.fn == fn {
				ok = false
			}
		}
		if ok && recv != nil {
			return u, recv
		}
	}
	return nil, nil
}

// after reports whether every path to b passes a first, outside any loop
// around both: a dominates b, and comes before it in a shared block.
func after(a, b ssa.Instruction) bool {
	ab, bb := a.Block(), b.Block()
	if ab != bb {
		return ab.Dominates(bb) && !sameCycle(ab, bb)
	}
	if ssaloop.InLoop(ab) {
		return false
	}
	for _, in := range ab.Instrs {
		switch in {
		case a:
			return true
		case b:
			return false
		}
	}
	return false
}
