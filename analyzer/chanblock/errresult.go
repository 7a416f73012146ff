package chanblock

import (
	"fmt"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// resultOnce reports a single receive from a channel a function returns,
// when the one goroutine that function starts to send on it can return
// without sending or closing (afex/hystrix-go#7: "errc := Go(...); err :=
// <-errc" hangs when the command succeeds and nothing is sent). Only
// callers every use of whose result is one plain receive, outside a loop,
// are reported; a select or a range is left alone.
func resultOnce(st *state, funcs []*ssa.Function) {
	callers := map[*ssa.Function][]*ssa.Call{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(*ssa.Call); ok {
					if callee := c.Call.StaticCallee(); callee != nil {
						callers[callee] = append(callers[callee], c)
					}
				}
			}
		}
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					resultOnceOf(st, mc, callers[fn], callers)
					localOnce(st, mc)
				}
			}
		}
	}
}

func resultOnceOf(st *state, mc *ssa.MakeChan, calls []*ssa.Call, callers map[*ssa.Function][]*ssa.Call) {
	ch := st.follow(mc)
	if ch.Escapes || len(ch.Returns) == 0 || len(calls) == 0 {
		return
	}
	_, ret := silentSender(ch, nil)
	if ret == nil {
		return
	}
	var outs []*chanuse.Channel
	var from []*ssa.Call
	for _, call := range calls {
		cc := chanuse.FollowResult(call, mc)
		if cc.Escapes {
			continue
		}
		if len(cc.Returns) > 0 {
			continue
		}
		outs, from = append(outs, cc), append(from, call)
	}
	// A wrapper that only hands the channel on (return w.watch(), nil):
	// its callers receive.
	for _, call := range calls {
		wrapper := call.Parent()
		if wrapper.Parent() != nil {
			continue
		}
		cc := chanuse.FollowThrough(call, ch)
		if cc.Escapes || len(cc.Returns) == 0 || len(cc.Nodes) != 1 || len(cc.Nodes[0].Ops) > 0 {
			continue
		}
		for _, call2 := range callers[wrapper] {
			cc2 := chanuse.FollowThrough(call2, cc)
			if cc2.Escapes || len(cc2.Returns) > 0 {
				continue
			}
			outs, from = append(outs, cc2), append(from, call2)
		}
	}
	for k, cc := range outs {
		call := from[k]
		var recv ssa.Instruction
		ok := true
		for _, n := range cc.Nodes {
			for _, op := range n.Ops {
				u, isU := op.Instr.(*ssa.UnOp)
				if op.Kind != chanuse.Recv || recv != nil || !isU || st.ranges[u.Pos()] || ssaloop.InLoop(u.Block()) && !freshEachTime(call, u) || n != cc.Nodes[0] {
					ok = false
				}
				recv = op.Instr
			}
		}
		if !ok || recv == nil {
			continue
		}
		rp := ret.Pos()
		if !rp.IsValid() {
			rp = chanuse.ClosingBrace(ret.Parent())
		}
		st.Report(analysis.Diagnostic{
			Pos:      recv.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s returns a channel its goroutine sends on or closes only on some paths: on the path that returns at line %d nothing is sent or closed, and this receive blocks forever",
				mc.Parent().Name(), st.pass.Fset.Position(rp).Line),
			Related: []analysis.RelatedInformation{
				{Pos: mc.Pos(), Message: "the channel is made here and returned"},
				{Pos: rp, Message: "the goroutine returns here without sending or closing"},
			},
		})
	}
}

// freshEachTime reports whether every path from recv back to itself
// passes call, which yields a new channel: in a loop, each receive is the
// only one from its channel.
func freshEachTime(call *ssa.Call, recv ssa.Instruction) bool {
	if call.Parent() != recv.Parent() || !dominates(call, recv) {
		return false
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), recv.Block().Succs...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] || b == call.Block() {
			continue
		}
		seen[b] = true
		if b == recv.Block() {
			return false
		}
		stack = append(stack, b.Succs...)
	}
	return true
}

// silentSender returns the one goroutine the channel's maker starts (not
// in a loop) that sends on or closes the channel, and a return of it that
// sends nothing and closes nothing, when there is one. Every other
// operation must be a receive that recv accepts, in the maker's own
// function (with recv nil: none).
func silentSender(ch *chanuse.Channel, recv func(*chanuse.Node, chanuse.Op) bool) (*chanuse.Node, *ssa.Return) {
	root := ch.Nodes[0]
	var g *chanuse.Node
	var sends []ssa.Instruction
	for _, n := range ch.Nodes {
		for _, op := range n.Ops {
			if (op.Kind == chanuse.Recv || op.Kind == chanuse.SelectRecv) && recv != nil && n == root {
				if !recv(n, op) {
					return nil, nil
				}
				continue
			}
			if n.G == root || n != n.G || n.Start == nil || (g != nil && g != n) {
				return nil, nil // the maker, a helper, or a second goroutine uses it
			}
			g = n
			if op.Kind != chanuse.Send && op.Kind != chanuse.Close && op.Kind != chanuse.SelectSend || ssaloop.InLoop(op.Instr.Block()) {
				return nil, nil
			}
			sends = append(sends, op.Instr)
		}
	}
	if g == nil || g.Parent != root || g.Start.Parent() != root.Fn || ssaloop.InLoop(g.Start.Block()) {
		return nil, nil
	}
	return g, silentReturn(g.Fn, sends)
}

// localOnce reports the local form of resultOnce (golang/go#53216): a
// function makes a channel, starts one goroutine that sends on it or
// closes it only on some paths, and receives from it once, with a plain
// receive outside loops: on the path where the goroutine returns first
// (an error), the receive blocks forever.
func localOnce(st *state, mc *ssa.MakeChan) {
	ch := st.follow(mc)
	if ch.Escapes || len(ch.Returns) > 0 {
		return
	}
	var recv ssa.Instruction
	g, ret := silentSender(ch, func(n *chanuse.Node, op chanuse.Op) bool {
		u, ok := op.Instr.(*ssa.UnOp)
		if op.Kind != chanuse.Recv || recv != nil || !ok || st.ranges[u.Pos()] || ssaloop.InLoop(u.Block()) {
			return false
		}
		recv = u
		return true
	})
	if ret == nil || recv == nil {
		return
	}
	rp := ret.Pos()
	if !rp.IsValid() {
		rp = chanuse.ClosingBrace(g.Fn)
	}
	st.Report(analysis.Diagnostic{
		Pos:      recv.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("%s waits here for the goroutine started at line %d, but that goroutine can return at line %d without sending on or closing the channel: on that path (an early return) this receive blocks forever",
			mc.Parent().Name(), st.pass.Fset.Position(g.Start.Pos()).Line, st.pass.Fset.Position(rp).Line),
		Related: []analysis.RelatedInformation{
			{Pos: rp, Message: "the goroutine returns here without sending or closing"},
			{Pos: g.Start.Pos(), Message: "the only sender is started here"},
			{Pos: mc.Pos(), Message: "the channel is made here and does not leave " + mc.Parent().Name()},
		},
	})
}

// silentReturn finds a return of fn reachable from its entry through no
// block holding one of ops, nor a panic or a call that does not return.
// A deferred close of the channel is one of ops (its block stops the
// path); a deferred call that sends on it runs in a helper the callers
// give up on. go/ssa gives every function with a defer a Recover block:
// only a function whose deferred call may recover is skipped (a deferred
// wg.Done does not hide the early return).
func silentReturn(fn *ssa.Function, ops []ssa.Instruction) *ssa.Return {
	if len(fn.Blocks) == 0 || recovers(fn) {
		return nil
	}
	return openPath(fn, ops)
}

// openPath is silentReturn for a function whose deferred calls are known
// not to touch the channel: a recover there does not matter.
func openPath(fn *ssa.Function, ops []ssa.Instruction) *ssa.Return {
	if len(fn.Blocks) == 0 {
		return nil
	}
	stop := map[*ssa.BasicBlock]bool{}
	for _, op := range ops {
		stop[op.Block()] = true
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{fn.Blocks[0]}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] || stop[b] {
			continue
		}
		seen[b] = true
		dead := false
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Panic:
				dead = true
			case *ssa.Call:
				if chanuse.NoReturn(in.Common()) {
					dead = true
				}
			case *ssa.Return:
				if !dead {
					return in
				}
			}
		}
		if !dead {
			stack = append(stack, b.Succs...)
		}
	}
	return nil
}
