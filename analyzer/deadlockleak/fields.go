package deadlockleak

import (
	"fmt"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// fieldLeaks applies the pattern to an unbuffered channel kept in a
// private struct field (chanuse.Fields), whoever makes the struct: plain
// sends in some functions, and every receive in one function, which the
// package calls from one place outside loops and which can leave through
// another select case (a timeout, a context) without receiving. When it
// does, the send has no receiver left and blocks forever.
func fieldLeaks(pass *analysis.Pass, funcs []*ssa.Function) {
	sites := map[*ssa.Function][]ssa.Instruction{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(ssa.CallInstruction); ok {
					if callee := c.Common().StaticCallee(); callee != nil {
						sites[callee] = append(sites[callee], instr)
					}
				}
				for _, op := range instr.Operands(nil) {
					if f, ok := (*op).(*ssa.Function); ok {
						if c, ok := instr.(ssa.CallInstruction); !ok || c.Common().Value != f {
							sites[f] = append(sites[f], nil) // a function value: called from anywhere
						}
					}
				}
			}
		}
	}
	for _, c := range chanuse.Fields(pass.Pkg, chanuse.NewSealed(pass.Pkg), funcs) {
		fieldLeak(pass, c, sites)
	}
}

func fieldLeak(pass *analysis.Pass, c *chanuse.Class, sites map[*ssa.Function][]ssa.Instruction) {
	if c.Escapes || c.Stored || len(c.Makes) == 0 {
		return
	}
	for _, m := range c.Makes {
		if capacity(m) != 0 {
			return
		}
	}
	var sends []chanuse.FieldOp
	var recvFn *ssa.Function
	w := &walker{helpers: map[ssa.Instruction]*chanuse.Node{}, recvs: map[ssa.Instruction]bool{}, vals: map[ssa.Value]bool{}, needVia: true}
	for _, op := range c.Ops {
		switch op.Kind {
		case chanuse.Send:
			sends = append(sends, op)
		case chanuse.Recv, chanuse.SelectRecv:
			fn := op.Instr.Parent()
			if recvFn != nil && fn != recvFn {
				return // several receiving functions
			}
			recvFn = fn
			w.recvs[op.Instr] = true
			switch in := op.Instr.(type) {
			case *ssa.Select:
				w.vals[in.States[op.State].Chan] = true
			case *ssa.UnOp:
				w.vals[in.X] = true
			}
		default:
			return // a close or a select send: another pattern
		}
	}
	if recvFn == nil || len(sends) == 0 {
		return
	}
	ss := sites[recvFn]
	if len(ss) != 1 || ss[0] == nil || ssaloop.InLoop(ss[0].Block()) {
		return // the receiver may run again and take the value
	}
	for _, s := range sends {
		if s.Instr.Parent() == recvFn {
			return
		}
	}
	ex := w.search(recvFn, recvFn.Blocks[0], 0, 0)
	if ex == nil || ex.sel == nil {
		return
	}
	line := func(p ssa.Instruction) int { return pass.Fset.Position(p.Pos()).Line }
	for _, s := range sends {
		pass.Report(analysis.Diagnostic{
			Pos:      s.Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this send on an unbuffered channel (field %s) has one receiver, the select in %s (line %d), which can take another case and return first (line %d): the send then blocks forever and its goroutine leaks",
				c.Field.Name(), recvFn.Name(), line(ex.sel), pass.Fset.Position(ex.ret).Line),
			Related: []analysis.RelatedInformation{
				{Pos: ex.sel.Pos(), Message: "the only receive, in a select"},
				{Pos: ex.via, Message: "this case wins instead"},
				{Pos: ex.ret, Message: recvFn.Name() + " returns here without receiving"},
				{Pos: c.Makes[0].Pos(), Message: "the channel is made unbuffered here"},
			},
		})
	}
}
