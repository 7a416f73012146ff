package deadlockleak

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// offerFill reports a plain send on a buffered channel that other
// goroutines offer values to without blocking (a select with a default):
// the offers say the buffer may be full, and they can fill it, since they
// come from goroutines started in a loop, while the channel's one receive
// takes one value. A send that finds the buffer full then waits for a
// receive that has already happened, or that waits in turn for what the
// sender does next (harlow/kinesis-consumer#202: the shard readers offer
// their error to a one-slot errC, the discovery goroutine sends its own
// plainly, and Scan reads errC only after ranging over the shard channel
// that the discovery goroutine closes after its send). A receive in a
// loop (a collector that drains), a sender that offers too, or a plain
// send by the function that receives is not reported. It reports whether
// it reported.
func offerFill(pass *analysis.Pass, mc *ssa.MakeChan, size int, ch *chanuse.Channel) bool {
	if size <= 0 || ch.Escapes || len(ch.Returns) > 0 {
		return false
	}
	var recv *role
	var plain, offer *role
	var offerOp chanuse.Op
	for _, r := range roles(ch.Nodes) {
		if r.g.Callback {
			return false
		}
		offers := false
		for _, op := range r.selSends {
			if sel, ok := op.Instr.(*ssa.Select); ok && !sel.Blocking {
				offers = true
				if offer == nil && r.g.Start != nil && ssaloop.InLoop(r.g.Start.Block()) {
					offer, offerOp = r, op
				}
			}
		}
		if len(r.recvs) > 0 {
			if recv != nil || len(r.sends)+len(r.selSends) > 0 || r.deferredRecv {
				return false
			}
			recv = r
			continue
		}
		if len(r.sends) > 0 && !offers && plain == nil && r.g.Start != nil {
			plain = r
		}
	}
	if recv == nil || plain == nil || offer == nil || len(recv.recvs) != 1 {
		return false
	}
	rop := recv.recvs[0]
	if ssaloop.InLoop(rop.Instr.Block()) {
		return false // a receive loop drains what the offers leave
	}
	if recv.g.Start != nil && ssaloop.InLoop(recv.g.Start.Block()) {
		return false // several receivers
	}
	for n := rop.Node; n != nil && n != recv.g; n = n.Parent {
		if n.Call != nil && ssaloop.InLoop(n.Call.Block()) {
			return false // a helper receiving in a loop
		}
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	send := plain.sends[0].Instr
	pass.Report(analysis.Diagnostic{
		Pos:      send.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("this plain send on a channel with room for %d can block forever: goroutines started in a loop offer values on it without blocking (line %d), expecting it to be full, and its one receive (line %d) takes a single value; once the offers have filled it, this send waits for a receive that has already happened or that waits for this goroutine (offer this value the same way, in a select with a default)",
			size, line(offerOp.Instr.Pos()), line(rop.Instr.Pos())),
		Related: []analysis.RelatedInformation{
			{Pos: offerOp.Instr.Pos(), Message: "a value is offered here without blocking"},
			{Pos: offer.g.Start.Pos(), Message: "by goroutines started in a loop"},
			{Pos: rop.Instr.Pos(), Message: "the channel's one receive"},
			{Pos: mc.Pos(), Message: fmt.Sprintf("the channel is made here with room for %d", size)},
		},
	})
	return true
}
