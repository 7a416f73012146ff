package chanblock

import (
	"fmt"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// handedRanges reports a range over a channel nothing closes when the
// channel also goes, as a send-only argument, to code the package does
// not see (an interface method no type of the package implements):
// chanuse.FollowHanded keeps following it when the caller sends on it
// after every such call, since the callee cannot have closed it then. A
// range (or a loop only a close ends) over a channel that no code
// closes never ends, and its goroutine blocks forever after the last
// value (prometheus-community/windows_exporter#376: the forwarder ranging
// over metricsBuffer, which the collectors fill through Collect and
// execute's own duration metric, leaked once per scrape after a refactor
// dropped the close). The channels the plain model follows are local's.
func handedRanges(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				mc, ok := instr.(*ssa.MakeChan)
				if !ok {
					continue
				}
				if ch := st.follow(mc); !ch.Escapes || !strings.HasPrefix(ch.Why, "passed to a call not followed") {
					continue
				}
				ch := chanuse.FollowHanded(mc)
				if ch.Escapes || len(ch.Returns) > 0 || len(ch.Handed) == 0 {
					continue
				}
				var sends, recvs []chanuse.Op
				closed := false
				for _, n := range ch.Nodes {
					for _, op := range n.Ops {
						switch op.Kind {
						case chanuse.Send, chanuse.SelectSend:
							sends = append(sends, op)
						case chanuse.Recv, chanuse.SelectRecv:
							recvs = append(recvs, op)
						case chanuse.Close, chanuse.DeferClose:
							closed = true
						}
					}
				}
				if closed || len(sends) == 0 {
					continue
				}
				for _, op := range recvs {
					if !closeOnlyLoop(st, op) {
						continue
					}
					rel := []analysis.RelatedInformation{{Pos: mc.Pos(), Message: "the channel is made here"}}
					for _, c := range ch.Handed {
						rel = append(rel, analysis.RelatedInformation{Pos: c.Pos(), Message: "handed here to code the package does not see, as a send-only channel, and sent on after the call: that code does not close it"})
					}
					msg := "nothing closes this channel: this range over it never ends, and its goroutine blocks forever after the last value"
					if !st.ranges[op.Instr.Pos()] {
						msg = "nothing closes this channel: the loop around this receive is left only when the receive finds the channel closed, so it never ends, and its goroutine never returns after the last value"
					}
					st.Report(analysis.Diagnostic{
						Pos:      op.Instr.Pos(),
						Category: "deadlock",
						Message:  fmt.Sprintf("%s (the package never closes it, and the calls it is handed to, line %d, are followed by sends of the caller's)", msg, st.pass.Fset.Position(ch.Handed[0].Pos()).Line),
						Related:  rel,
					})
				}
			}
		}
	}
}
