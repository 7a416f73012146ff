package deadlockleak

import (
	"fmt"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// sendThenClose reports a done channel that is sent on before it is
// closed: fn, exported and called nowhere in the package, makes an
// unbuffered chan struct{}, returns it, and starts one goroutine that,
// when the event comes, sends a value on it and then closes it. The value
// carries nothing the close does not, and the close already wakes every
// receiver; the send waits for one receiver, and callers of a done or
// ready channel select on it with other cases or never receive at all.
// The goroutine then blocks on the send forever, with everything it
// references (openHPI/poseidon#430, a merged context's Done).
func sendThenClose(pass *analysis.Pass, fn *ssa.Function, mc *ssa.MakeChan, size int, ch *chanuse.Channel, callers map[*ssa.Function][]*ssa.Call) bool {
	if size != 0 || !isEmptyStructChan(mc) || fn.Object() == nil || !fn.Object().Exported() || len(resultCalls(fn, callers, 0)) > 0 {
		return false
	}
	var sender *role
	for _, r := range roles(ch.Nodes) {
		if len(r.sends)+len(r.selSends)+len(r.recvs)+len(r.closes) == 0 {
			continue
		}
		if r.g == ch.Nodes[0] || sender != nil || len(r.selSends)+len(r.recvs) > 0 || len(r.sends) == 0 || len(r.closes) == 0 {
			return false // not one goroutine that only sends and closes
		}
		if r.g.Start == nil || ssaloop.InLoop(r.g.Start.Block()) {
			return false
		}
		sender = r
	}
	if sender == nil {
		return false
	}
	reported := false
	for _, op := range sender.sends {
		if op.Node != sender.g || ssaloop.InLoop(op.Instr.Block()) {
			continue
		}
		var closed ssa.Instruction
		for _, cl := range sender.closes {
			if cl.Kind == chanuse.DeferClose && cl.Node == sender.g {
				closed = cl.Instr // runs on the way out, after the send
			}
		}
		if closed == nil {
			ssawalk.Forward(op.Instr, func(in ssa.Instruction) ssawalk.Action {
				for _, cl := range sender.closes {
					if cl.Instr == in {
						closed = in
						return ssawalk.Stop
					}
				}
				return ssawalk.Continue
			})
		}
		if closed == nil {
			continue
		}
		line := pass.Fset.Position(closed.Pos()).Line
		pass.Report(analysis.Diagnostic{
			Pos:      op.Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this goroutine sends on the unbuffered done channel that %s returns before it closes it (line %d): the close alone wakes every receiver, but the send waits for one, and a caller that selects on the channel and leaves through another case, or never receives, leaves the goroutine blocked here forever (drop the send)",
				fn.Name(), line),
			Related: []analysis.RelatedInformation{
				{Pos: closed.Pos(), Message: "the close, which already signals every receiver"},
				{Pos: ch.Returns[0].Pos(), Message: fn.Name() + " hands the channel to callers it cannot see"},
				{Pos: mc.Pos(), Message: "the channel is made unbuffered here"},
			},
		})
		reported = true
	}
	return reported
}
