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
					resultOnceOf(st, mc, callers[fn])
				}
			}
		}
	}
}

func resultOnceOf(st *state, mc *ssa.MakeChan, calls []*ssa.Call) {
	ch := st.follow(mc)
	if ch.Escapes || len(ch.Returns) == 0 || len(calls) == 0 {
		return
	}
	root := ch.Nodes[0]
	var g *chanuse.Node
	var sends []ssa.Instruction
	for _, n := range ch.Nodes {
		if len(n.Ops) == 0 {
			continue
		}
		if n.G == root || n != n.G || n.Go == nil || (g != nil && g != n) {
			return // the maker, a helper, or a second goroutine uses it
		}
		g = n
		for _, op := range n.Ops {
			if op.Kind != chanuse.Send && op.Kind != chanuse.Close {
				return
			}
			sends = append(sends, op.Instr)
		}
	}
	if g == nil || g.Parent != root || g.Go.Parent() != root.Fn || ssaloop.InLoop(g.Go.Block()) {
		return
	}
	ret := silentReturn(g.Fn, sends)
	if ret == nil {
		return
	}
	for _, call := range calls {
		cc := chanuse.FollowResult(call, mc)
		if cc.Escapes || len(cc.Returns) > 0 {
			continue
		}
		var recv ssa.Instruction
		ok := true
		for _, n := range cc.Nodes {
			for _, op := range n.Ops {
				u, isU := op.Instr.(*ssa.UnOp)
				if op.Kind != chanuse.Recv || recv != nil || !isU || st.ranges[u.Pos()] || ssaloop.InLoop(u.Block()) || n != cc.Nodes[0] {
					ok = false
				}
				recv = op.Instr
			}
		}
		if !ok || recv == nil {
			continue
		}
		st.Report(analysis.Diagnostic{
			Pos:      recv.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s returns a channel its goroutine sends on or closes only on some paths: on the path that returns at line %d nothing is sent or closed, and this receive blocks forever",
				mc.Parent().Name(), st.pass.Fset.Position(ret.Pos()).Line),
			Related: []analysis.RelatedInformation{
				{Pos: mc.Pos(), Message: "the channel is made here and returned"},
				{Pos: ret.Pos(), Message: "the goroutine returns here without sending or closing"},
			},
		})
	}
}

// silentReturn finds a return of fn reachable from its entry through no
// block holding one of ops, nor a panic or a call that does not return.
func silentReturn(fn *ssa.Function, ops []ssa.Instruction) *ssa.Return {
	if len(fn.Blocks) == 0 || fn.Recover != nil {
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
