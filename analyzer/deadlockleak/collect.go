package deadlockleak

import (
	"fmt"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// giveUpCollect reports the collector that waits for senders that may give
// up: every goroutine that sends on the channel offers its value only in a
// select that can also take a case firing from outside (the Done of a
// context passed in or given a deadline, a timer) and go on without
// sending, nothing closes the channel, and the one goroutine that
// receives does so with plain receives only. Once that case fires, a
// sender leaves without sending and the plain receive, counting on its
// value, waits forever, whatever the buffer
// (tendermint/tendermint#8871: one goroutine per witness answers in a
// select on ctx.Done(), and the caller loops cap(ch) times on <-ch). The
// case may also receive from a stop channel kept in a struct field that
// another function of the package closes (close(c.quit) in Close): that
// close comes from outside the senders and the collector as well. It
// reports whether it reported.
func giveUpCollect(pass *analysis.Pass, mc *ssa.MakeChan, rs []*role, funcs []*ssa.Function) bool {
	var recv *role
	var stop *ssa.SelectState
	var stopWhy string
	senders := 0
	for _, r := range rs {
		if len(r.closes) > 0 || len(r.sends) > 0 || r.deferredRecv {
			return false
		}
		if len(r.recvs) > 0 {
			if recv != nil || len(r.selSends) > 0 {
				return false
			}
			for _, op := range r.recvs {
				if op.Kind != chanuse.Recv {
					return false // the receiver itself can give up
				}
			}
			recv = r
			continue
		}
		if len(r.selSends) == 0 {
			continue
		}
		if r.g.Callback || r.g.Start == nil {
			return false
		}
		for _, op := range r.selSends {
			st, why := outsideGiveUp(op.Instr.(*ssa.Select), rs, funcs)
			if st == nil {
				return false
			}
			if stop == nil {
				stop, stopWhy = st, why
			}
		}
		senders++
	}
	if recv == nil || senders == 0 {
		return false
	}
	for _, op := range recv.recvs {
		pass.Report(analysis.Diagnostic{
			Pos:      op.Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this plain receive waits for goroutines that offer their values only in a select that gives up when %s (line %d), and nothing closes the channel: once they give up, it blocks forever (receive in a select on the same signal)",
				stopWhy, pass.Fset.Position(stop.Pos).Line),
			Related: []analysis.RelatedInformation{
				{Pos: stop.Pos, Message: "a sender leaves here without sending"},
				{Pos: mc.Pos(), Message: "the channel is made here and never closed"},
				{Pos: recv.g.Fn.Pos(), Message: "the receiving function, which does not watch that signal"},
			},
		})
	}
	return true
}

// outsideGiveUp returns the receive case of sel, a select that offers a
// value, that fires from outside (outsideStop, or a stop field closed
// elsewhere: closedElsewhere), and why it fires.
func outsideGiveUp(sel *ssa.Select, rs []*role, funcs []*ssa.Function) (*ssa.SelectState, string) {
	for _, st := range sel.States {
		if st.Dir != types.RecvOnly {
			continue
		}
		if why := outsideStop(st.Chan, 0); why != "" {
			return st, why
		}
		if f := closedElsewhere(st.Chan, rs, funcs); f != nil {
			return st, fmt.Sprintf("field %s is closed", f.Name())
		}
	}
	return nil, ""
}

// closedElsewhere returns the struct field ch is loaded from when a
// function of the package closes that field and none of the goroutines
// in rs (the senders and the collector of the collected channel) runs
// that function: the close comes from a third party (Close, Stop), at
// any time, so the select's case on it can fire before the value is
// taken. Nil otherwise (a stop the collector closes itself after its
// loop releases no sender early).
func closedElsewhere(ch ssa.Value, rs []*role, funcs []*ssa.Function) *types.Var {
	f := loadedField(ch)
	if f == nil {
		return nil
	}
	f = f.Origin()
	own := map[*ssa.Function]bool{}
	for _, r := range rs {
		for fn := r.g.Fn; fn != nil; fn = fn.Parent() {
			own[fn] = true
		}
	}
	closed := false
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				c, ok := instr.(ssa.CallInstruction)
				if !ok || len(c.Common().Args) != 1 {
					continue
				}
				if bi, ok := c.Common().Value.(*ssa.Builtin); !ok || bi.Name() != "close" {
					continue
				}
				if g := loadedField(c.Common().Args[0]); g == nil || g.Origin() != f {
					continue
				}
				if own[fn] {
					return nil
				}
				closed = true
			}
		}
	}
	if !closed {
		return nil
	}
	return f
}
