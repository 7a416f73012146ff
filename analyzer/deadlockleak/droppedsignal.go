package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// droppedSignals reports the plain receive that waits for a signal its
// sender only offers: the channel, a private field, is unbuffered and
// never closed, and every send on it is a case of a select with a default
// (a non-blocking send), which delivers only when a receiver is already
// parked on the channel at that instant and otherwise drops the value.
// The receiving function itself sets the offer going just before it
// receives, and nothing orders its arrival at the receive before the
// offer:
//
//   - it starts the sending function as a goroutine (go s.serve()) whose
//     one offer, outside any loop, is the only send: once the goroutine
//     gets there first, the value is gone and no other comes (a server's
//     ready signal);
//   - or it makes a plain send on another private field whose only
//     receiver is the sending function's loop, which makes one offer per
//     value it takes (a writer's flush marker answered with a
//     non-blocking "flushed"): the answer to this request can come before
//     the request's sender waits for it, and is thrown away.
//
// Either way the receive, outside a loop, waits for a value that was
// dropped, forever. A receive in a select with another case, a channel
// with a buffer (the offer is kept) and a plain send (it waits for the
// receiver) are other patterns.
func droppedSignals(pass *analysis.Pass, funcs []*ssa.Function, classes map[*types.Var]*chanuse.Class) {
	for _, c := range classes {
		if c.Escapes || c.Stored || len(c.Makes) == 0 {
			continue
		}
		unbuffered := true
		for _, m := range c.Makes {
			if capacity(m) != 0 {
				unbuffered = false
			}
		}
		if !unbuffered {
			continue
		}
		var offers []chanuse.FieldOp
		var recvs []*ssa.UnOp
		ok := true
		for _, op := range c.Ops {
			switch op.Kind {
			case chanuse.SelectSend:
				if op.Instr.(*ssa.Select).Blocking {
					ok = false
				}
				offers = append(offers, op)
			case chanuse.Recv:
				if u, isRecv := op.Instr.(*ssa.UnOp); isRecv && u.Op == token.ARROW && !u.CommaOk {
					recvs = append(recvs, u)
				}
			case chanuse.SelectRecv:
			default:
				ok = false // a plain send or a close delivers later
			}
		}
		if !ok || len(offers) == 0 || len(recvs) == 0 {
			continue
		}
		// The one function every offer is in.
		sender := offers[0].Instr.Parent()
		for _, o := range offers {
			if o.Instr.Parent() != sender {
				sender = nil
			}
		}
		if sender == nil {
			continue
		}
		for _, r := range recvs {
			if ssaloop.InLoop(r.Block()) || r.Parent() == sender {
				continue
			}
			trigger, how := offerTrigger(r, sender, offers, classes)
			if trigger == nil {
				continue
			}
			line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
			pass.Report(analysis.Diagnostic{
				Pos:      r.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("this receive waits on unbuffered field %s, which %s only offers in a select with a default (line %d): the offer delivers only if this receive is already waiting, and %s (line %d) lets it come first, so the value is dropped and this receive blocks forever (close the channel, give it a buffer of one, or send without the default)",
					c.Field.Name(), sender.Name(), line(offers[0].Instr.Pos()), how, line(trigger.Pos())),
				Related: []analysis.RelatedInformation{
					{Pos: offers[0].Instr.Pos(), Message: "the only send, dropped when no receiver waits"},
					{Pos: trigger.Pos(), Message: "the receiving function sets the offer going here, before it waits"},
					{Pos: c.Makes[0].Pos(), Message: "the channel is made unbuffered here"},
				},
			})
		}
	}
}

// offerTrigger returns the instruction of r's function, on every path to
// r, that sets sender's offers going, and how: a go statement starting
// sender, whose offers are all outside loops; or a plain send on another
// private field whose only receives are in a loop of sender that reaches
// the offers (one offer per value taken). Nil when there is none.
func offerTrigger(r *ssa.UnOp, sender *ssa.Function, offers []chanuse.FieldOp, classes map[*types.Var]*chanuse.Class) (ssa.Instruction, string) {
	fn := r.Parent()
	before := func(in ssa.Instruction) bool {
		if in.Block() == r.Block() {
			return indexOf(in) < indexOf(r)
		}
		return in.Block().Dominates(r.Block())
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Go:
				if in.Call.StaticCallee() != sender || !before(in) {
					continue
				}
				once := true
				for _, o := range offers {
					if ssaloop.InLoop(o.Instr.Block()) {
						once = false
					}
				}
				if once {
					return in, "starting it"
				}
			case *ssa.Send:
				if !before(in) {
					continue
				}
				f := loadedField(in.Chan)
				if f == nil {
					continue
				}
				d := classes[f.Origin()]
				if d == nil || d.Escapes || d.Stored {
					continue
				}
				if requestLoop(d, sender, offers) {
					return in, "sending it the request"
				}
			}
		}
	}
	return nil, ""
}

// requestLoop reports whether every receive of class d is in a loop of
// sender from which each offer is reached, and nothing but plain sends
// and those receives touch d: each value taken leads to one offer.
func requestLoop(d *chanuse.Class, sender *ssa.Function, offers []chanuse.FieldOp) bool {
	n := 0
	for _, op := range d.Ops {
		switch op.Kind {
		case chanuse.Send:
		case chanuse.Recv, chanuse.SelectRecv:
			if op.Instr.Parent() != sender || !ssaloop.InLoop(op.Instr.Block()) {
				return false
			}
			for _, o := range offers {
				if !ssaloop.Reaches(op.Instr.Block(), o.Instr.Block()) || !ssaloop.Reaches(o.Instr.Block(), op.Instr.Block()) {
					return false
				}
			}
			n++
		default:
			return false
		}
	}
	return n > 0
}
