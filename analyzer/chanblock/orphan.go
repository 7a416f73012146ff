package chanblock

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// orphanedRequests reports a wait for the reply to a request put on a
// buffered queue whose only receivers are serving loops that can return
// (osrg/gobgp#3505: mgmtOperation sends an op holding a new reply channel
// on the buffered mgmtCh, in a select that also watches closeCh, then
// waits on the reply with a plain receive; once Serve has returned on
// closeCh the send still lands in the free slot, nobody takes the op,
// and the wait lasts forever). The queue is a private field class whose
// channels are all made with a constant buffer, received from only in
// blocking selects that have a case leaving the loop (no plain receive,
// range or non-blocking select drains it), and never closed; their
// functions are not called, only started by go statements (or from
// outside the package), so a return ends the serving. The request
// is a struct the sender allocates, holding a reply channel it makes and
// hands nowhere else, so only the queue's receivers can answer.
func orphanedRequests(st *state) {
	for _, c := range st.queues {
		if len(c.Makes) == 0 || len(c.o.recvs) > 0 || len(c.o.selRecvs) == 0 || len(c.o.closes)+len(c.o.deferCloses) > 0 {
			continue
		}
		size := -1
		for _, m := range c.Makes {
			if n := capacity(m); n <= 0 || size >= 0 && n != size {
				size = -1
				break
			} else {
				size = n
			}
		}
		if size <= 0 {
			continue
		}
		var exit ssa.Instruction // a way out of a serving loop, for the report
		for _, r := range c.o.selRecvs {
			sel := r.Instr.(*ssa.Select)
			e := loopExit(sel, r.State)
			// A server run by a caller (or as a func value) may be run
			// again after it returns.
			if !sel.Blocking || e == nil || !runOnce(st, sel.Parent()) {
				exit = nil
				break
			}
			if exit == nil {
				exit = e
			}
		}
		if exit == nil {
			continue
		}
		for _, s := range append(append([]op(nil), c.o.sends...), c.o.selSends...) {
			orphanedRequest(st, c, s, size, exit)
		}
	}
}

// orphanedRequest checks one send on the queue.
func orphanedRequest(st *state, c *class, s op, size int, exit ssa.Instruction) {
	var req ssa.Value
	var after ssa.Instruction // where the path after a successful send starts
	inclusive := false
	switch in := s.Instr.(type) {
	case *ssa.Send:
		req, after = in.X, in
	case *ssa.Select:
		test := caseTest(in, s.State)
		if test == nil {
			return
		}
		req, after, inclusive = in.States[s.State].Send, test.Succs[0].Instrs[0], true
	default:
		return
	}
	alloc, ok := req.(*ssa.Alloc)
	if !ok || !alloc.Heap {
		return
	}
	var replies []*ssa.MakeChan
	for _, r := range *alloc.Referrers() {
		switch in := r.(type) {
		case *ssa.FieldAddr:
			for _, x := range *in.Referrers() {
				if st, ok := x.(*ssa.Store); ok && st.Addr == in {
					if mc, ok := st.Val.(*ssa.MakeChan); ok && mc.Parent() == alloc.Parent() {
						replies = append(replies, mc)
					}
				}
			}
		case *ssa.DebugRef:
		default:
			if r != s.Instr {
				return // the request goes elsewhere too
			}
		}
	}
	for _, mc := range replies {
		var waits []*ssa.UnOp
		private := true // only the request carries the reply channel
		for _, r := range *mc.Referrers() {
			switch in := r.(type) {
			case *ssa.Store:
				fa, ok := in.Addr.(*ssa.FieldAddr)
				private = private && ok && fa.X == alloc
			case *ssa.UnOp:
				private = private && in.Op == token.ARROW
				waits = append(waits, in)
			case *ssa.DebugRef:
			default:
				private = false
			}
		}
		if !private {
			continue
		}
		for _, w := range waits {
			if !reachesAvoiding(after, inclusive, w, nil) {
				continue
			}
			st.Report(analysis.Diagnostic{
				Pos:      w.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("this waits for the reply to a request sent on %s, whose buffer of %d takes the request even after the loop serving it has returned (line %d); nothing else receives from the queue, so the request is never served and this receive blocks forever (wait in a select that also watches the loop's stop signal)",
					c.name, size, st.pass.Fset.Position(exit.Pos()).Line),
				Related: []analysis.RelatedInformation{
					{Pos: s.Instr.Pos(), Message: "the request is queued here"},
					{Pos: exit.Pos(), Message: "the serving loop returns here"},
				},
			})
		}
	}
}

// loopExit returns a return reached from a case of sel other than k
// without coming back to sel: the serving loop can stop.
func loopExit(sel *ssa.Select, k int) ssa.Instruction {
	for j := range sel.States {
		if j == k {
			continue
		}
		test := caseTest(sel, j)
		if test == nil {
			continue
		}
		seen := map[*ssa.BasicBlock]bool{sel.Block(): true}
		stack := []*ssa.BasicBlock{test.Succs[0]}
		for len(stack) > 0 {
			b := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[b] {
				continue
			}
			seen[b] = true
			dead := false
			for _, instr := range b.Instrs {
				if ret, ok := instr.(*ssa.Return); ok {
					return ret
				}
				if call, ok := instr.(*ssa.Call); ok && chanuse.NoReturn(call.Common()) {
					dead = true
				}
			}
			if !dead {
				stack = append(stack, b.Succs...)
			}
		}
	}
	return nil
}

// runOnce reports whether fn, once returned, is not run again by this
// package: a function never called nor taken as a value here, or a
// literal only started by go statements (onlyStarted).
func runOnce(st *state, fn *ssa.Function) bool {
	if fn.Parent() != nil {
		return onlyStarted(fn)
	}
	return st.callSites().calls[fn] == 0
}
