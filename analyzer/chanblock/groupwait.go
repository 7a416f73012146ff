package chanblock

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// groupWaitBeforeReceive is waitBeforeReceive for functions started with
// a group's Go (sync.WaitGroup.Go, errgroup's Group.Go), which count them
// until they return: function literals started that way send on a channel
// they capture, and the function that starts them receives from it only
// after the group's Wait (`g.Wait(); close(ch); for v := range ch`). The
// first send beyond the buffer blocks, its function never returns, and
// Wait never does. Only that narrow flow is followed: the channel is
// captured directly by literals that only send on it and are only handed
// to Go, and is otherwise received from, ranged over or closed by its
// maker.
func groupWaitBeforeReceive(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					groupWaitBefore(st, mc)
				}
			}
		}
	}
}

type groupSender struct {
	start *ssa.Call // the group's Go call
	grp   ssa.Value
	send  *ssa.Send
}

// groupRanger is a literal started with a group's Go that ranges over the
// channel.
type groupRanger struct {
	start *ssa.Call
	grp   ssa.Value
	rng   *ssa.UnOp
}

func groupWaitBefore(st *state, mc *ssa.MakeChan) {
	fn := mc.Parent()
	var senders []groupSender
	var rangers []groupRanger
	var closes []ssa.Instruction
	recvs := map[ssa.Instruction]bool{}
	rootSends := 0
	ok := true
	// value follows a value of the channel in fn; cell, the variable it
	// is kept in (go/ssa keeps a captured variable in memory).
	var value func(v ssa.Value)
	var cell func(a ssa.Value)
	closure := func(mk *ssa.MakeClosure, i int) {
		refs := *mk.Referrers()
		if len(refs) != 1 {
			ok = false
			return
		}
		call, isCall := refs[0].(*ssa.Call)
		if !isCall || len(call.Call.Args) != 2 || call.Call.Args[1] != ssa.Value(mk) {
			ok = false
			return
		}
		grp := chanuse.GroupCall(&call.Call, "Go")
		if grp == nil {
			ok = false
			return
		}
		fv := mk.Fn.(*ssa.Function).FreeVars[i]
		var sends func(v ssa.Value)
		sends = func(v ssa.Value) {
			for _, u := range *v.Referrers() {
				switch u := u.(type) {
				case *ssa.DebugRef:
				case *ssa.Send:
					if u.Chan != v || u.X == v {
						ok = false
						return
					}
					senders = append(senders, groupSender{call, grp, u})
				case *ssa.UnOp:
					if u.Op == token.ARROW && u.CommaOk && st.ranges[u.Pos()] && !rangeLeaves(u) {
						rangers = append(rangers, groupRanger{call, grp, u})
						continue
					}
					if u.Op != token.MUL {
						ok = false
						return
					}
					sends(u)
				default:
					ok = false
					return
				}
			}
		}
		sends(fv)
	}
	value = func(v ssa.Value) {
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.UnOp:
				if r.Op != token.ARROW {
					ok = false
					return
				}
				recvs[r] = true
			case *ssa.Call:
				if b, isB := r.Call.Value.(*ssa.Builtin); !isB || b.Name() != "close" && b.Name() != "len" && b.Name() != "cap" {
					ok = false
					return
				} else if b.Name() == "close" {
					closes = append(closes, r)
				}
			case *ssa.Send:
				if r.Chan != v || r.X == v {
					ok = false
					return
				}
				rootSends++
			case *ssa.Defer:
				if b, isB := r.Call.Value.(*ssa.Builtin); !isB || b.Name() != "close" {
					ok = false
					return
				}
				closes = append(closes, r)
			case *ssa.Store:
				a, isA := r.Addr.(*ssa.Alloc)
				if !isA || r.Val != v || v != ssa.Value(mc) {
					ok = false
					return
				}
				cell(a)
			case *ssa.MakeClosure:
				for i, bnd := range r.Bindings {
					if bnd == v {
						closure(r, i)
					}
				}
			default:
				ok = false
				return
			}
		}
	}
	cell = func(a ssa.Value) {
		for _, r := range *a.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.Store:
				if r.Addr != a || r.Val != ssa.Value(mc) {
					ok = false
					return
				}
			case *ssa.UnOp:
				if r.Op != token.MUL {
					ok = false
					return
				}
				value(r)
			case *ssa.MakeClosure:
				for i, bnd := range r.Bindings {
					if bnd == a {
						closure(r, i)
					}
				}
			default:
				ok = false
				return
			}
		}
	}
	value(mc)
	if !ok {
		return
	}
	groupCloseAfterWait(st, fn, rangers, closes)
	size := bufferBound(mc)
	if len(recvs) == 0 || len(senders) == 0 || rootSends > 0 || size < 0 {
		return
	}
	line := func(n ssa.Instruction) int { return st.pass.Fset.Position(n.Pos()).Line }
	for _, s := range senders {
		if size > 0 && (!unboundedFill(s.start.Block(), nil) || sameLoop(s.start.Block(), mc.Block())) {
			continue
		}
		wait := groupWaitFirst(fn, s.start, s.grp, recvs)
		if wait == nil || size > 0 && sameLoop(s.start.Block(), wait.Block()) {
			continue
		}
		what := "an unbuffered channel"
		if size > 0 {
			what = fmt.Sprintf("a channel with a buffer of %d, started in a loop no constant bounds,", size)
		}
		st.Report(analysis.Diagnostic{
			Pos:      s.send.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this function, started with the group's Go at line %d, sends on %s that %s receives from only after the group's Wait (line %d): once the send blocks the function never returns, so Wait never returns",
				line(s.start), what, fn.Name(), line(wait)),
			Related: []analysis.RelatedInformation{
				{Pos: s.start.Pos(), Message: "started here; the group counts it until it returns"},
				{Pos: wait.Pos(), Message: "Wait, before any receive"},
				{Pos: mc.Pos(), Message: "the channel is made here"},
			},
		})
	}
}

// groupWaitFirst returns a Wait on grp in fn that every path from start
// reaches before any receive, when there is one and no path from start
// receives first.
func groupWaitFirst(fn *ssa.Function, start ssa.Instruction, grp ssa.Value, recvs map[ssa.Instruction]bool) ssa.Instruction {
	var wait ssa.Instruction
	recvFirst := false
	ssawalk.Forward(start, func(instr ssa.Instruction) ssawalk.Action {
		if recvs[instr] {
			recvFirst = true
			return ssawalk.Stop
		}
		if c, ok := instr.(*ssa.Call); ok {
			if w := chanuse.GroupCall(&c.Call, "Wait"); w != nil && sameWG(w, grp) {
				wait = instr
				return ssawalk.Cut
			}
		}
		return ssawalk.Continue
	})
	if recvFirst {
		return nil
	}
	return wait
}

// groupCloseAfterWait is closeAfterWait for literals started with a
// group's Go that range over the channel: the group counts each until
// its range ends, and the starter closes the channel only after the
// group's Wait.
func groupCloseAfterWait(st *state, fn *ssa.Function, rangers []groupRanger, closes []ssa.Instruction) {
	if len(closes) == 0 {
		return
	}
	line := func(n ssa.Instruction) int { return st.pass.Fset.Position(n.Pos()).Line }
	for _, r := range rangers {
		after := reachable(r.start.Block(), func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				c, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				w := chanuse.GroupCall(&c.Call, "Wait")
				if w == nil || !sameWG(w, r.grp) || !(b == r.start.Block() && index(c) > index(r.start) || b != r.start.Block() && after[b]) {
					continue
				}
				all := true
				for _, cl := range closes {
					if _, isDefer := cl.(*ssa.Defer); !isDefer && !dominates(c, cl) {
						all = false
					}
				}
				if !all {
					continue
				}
				st.Report(analysis.Diagnostic{
					Pos:      c.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("Wait waits for the function started with the group's Go at line %d, which returns only once its range over this channel (line %d) ends, but %s closes the channel only after this Wait (line %d): the range never ends and Wait never returns",
						line(r.start), line(r.rng), fn.Name(), line(closes[0])),
					Related: []analysis.RelatedInformation{
						{Pos: r.rng.Pos(), Message: "the range, which ends only when the channel is closed"},
						{Pos: closes[0].Pos(), Message: "the close, after the Wait"},
						{Pos: r.start.Pos(), Message: "started here; the group counts it until it returns"},
					},
				})
			}
		}
	}
}
