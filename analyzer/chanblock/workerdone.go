package chanblock

import (
	"fmt"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// workerDone reports a worker goroutine that counts its items down one by
// one (wg.Done plainly in the body of its loop over a channel, each Done
// going on to the next item) while an iteration can go on to the next
// item, or leave the loop and return, without it: a continue or return
// on an error skips the Done of the item it received, the count never
// drops to zero, and the Wait blocks forever. The WaitGroup must be waited
// on in the package; an iteration that hands the WaitGroup to a call, or
// that panics or ends the program, is not such a path.
func workerDone(st *state, g *ssa.Go, waitOn func(ssa.Value) ssa.CallInstruction) {
	fn := goFunc(g)
	if fn == nil {
		return
	}
	node := &chanuse.Node{Fn: fn, Go: g}
	for _, h := range fn.Blocks {
		recv, open, ok := chanuse.RangeEnd(h)
		if !ok {
			continue
		}
		body := h.Succs[open]
		iter := iteration(body, h)
		var dones []*ssa.Call
		var wait ssa.CallInstruction
		for _, b := range fn.Blocks {
			if !iter[b] {
				continue
			}
			for _, instr := range b.Instrs {
				c, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				w := wgCall(&c.Call, "Done")
				if w == nil {
					continue
				}
				wt := waitOn(w)
				for _, v := range []ssa.Value{bindingOf(w), outer(node, w)} {
					if wt == nil && v != nil {
						wt = waitOn(v)
					}
				}
				if wt == nil || wait != nil && !sameWaited(wait, wt) {
					dones = nil
					break
				}
				wait = wt
				dones = append(dones, c)
			}
		}
		if len(dones) == 0 {
			continue
		}
		// Every Done must go on to the next item: a Done on the way out
		// (a worker's own end, a sentinel item) counts the worker, not
		// the item.
		perItem := true
		for _, d := range dones {
			perItem = perItem && exitsWithout(d, h, nil) == nil
		}
		if !perItem {
			continue
		}
		skip := func(instr ssa.Instruction) bool {
			c, ok := instr.(ssa.CallInstruction)
			if !ok {
				return false
			}
			if wgCall(c.Common(), "Done") != nil {
				return true
			}
			for _, a := range c.Common().Args {
				for _, d := range dones {
					if a == d.Call.Args[0] || sameWG(a, d.Call.Args[0]) {
						return true // the WaitGroup handed on: the callee may call Done
					}
				}
			}
			return false
		}
		var at ssa.Instruction
		how := ""
		if ret := exitsWithout(body.Instrs[0], h, skip); ret != nil {
			at, how = ret, "return"
		} else if loopsWithout(body, h, skip) {
			at, how = recv, "go on to the next item"
		}
		if at == nil {
			continue
		}
		pos := st.pass.Fset.Position
		st.Report(analysis.Diagnostic{
			Pos:      at.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("an iteration of this worker's loop over a channel (line %d) can %s without calling wg.Done, which it calls for each item at line %d: the item it received is never counted down, and wg.Wait (line %d) blocks forever",
				pos(recv.Pos()).Line, how, pos(dones[0].Pos()).Line, pos(wait.Pos()).Line),
			Related: []analysis.RelatedInformation{
				{Pos: dones[0].Pos(), Message: "Done, once per item, skipped on that path"},
				{Pos: wait.Pos(), Message: "the Wait that never returns"},
			},
		})
	}
}

// sameWaited reports whether two Waits wait on one WaitGroup: one call, or
// Waits on one field.
func sameWaited(a, b ssa.CallInstruction) bool {
	if a == b {
		return true
	}
	fa := chanuse.StructFieldOf(wgCall(a.Common(), "Wait"))
	return fa != nil && fa == chanuse.StructFieldOf(wgCall(b.Common(), "Wait"))
}

// iteration returns the blocks of one round of the loop headed by h,
// entered at body: those reachable from body without passing h.
func iteration(body, h *ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	in := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{body}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b == h || in[b] {
			continue
		}
		in[b] = true
		stack = append(stack, b.Succs...)
	}
	return in
}

// exitsWithout returns a return reachable from from without passing the
// loop header h, an instruction stop accepts, a panic or a call that does
// not return, or nil.
func exitsWithout(from ssa.Instruction, h *ssa.BasicBlock, stop func(ssa.Instruction) bool) *ssa.Return {
	var ret *ssa.Return
	walkRound(from, h, stop, func(r *ssa.Return) { ret = r }, nil)
	return ret
}

// loopsWithout reports whether, from the first instruction of body, the
// loop header h is reached again without passing an instruction stop
// accepts (or a panic, or a call that does not return).
func loopsWithout(body, h *ssa.BasicBlock, stop func(ssa.Instruction) bool) bool {
	back := false
	walkRound(body.Instrs[0], h, stop, nil, func() { back = true })
	return back
}

// walkRound walks forward from from inside one round of the loop headed
// by h, calling onReturn for each return reached and onBack when the
// walk gets back to h.
func walkRound(from ssa.Instruction, h *ssa.BasicBlock, stop func(ssa.Instruction) bool, onReturn func(*ssa.Return), onBack func()) {
	seen := map[*ssa.BasicBlock]bool{}
	type pos struct {
		b *ssa.BasicBlock
		i int
	}
	stack := []pos{{from.Block(), index(from)}}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p.b == h {
			if onBack != nil {
				onBack()
			}
			continue
		}
		if p.i == 0 {
			if seen[p.b] {
				continue
			}
			seen[p.b] = true
		}
		blocked := false
		for _, instr := range p.b.Instrs[p.i:] {
			if stop != nil && stop(instr) {
				blocked = true
				break
			}
			switch in := instr.(type) {
			case *ssa.Panic:
				blocked = true
			case *ssa.Call:
				blocked = chanuse.NoReturn(in.Common())
			case *ssa.Return:
				if onReturn != nil {
					onReturn(in)
				}
				blocked = true
			}
			if blocked {
				break
			}
		}
		if blocked {
			continue
		}
		for _, s := range p.b.Succs {
			stack = append(stack, pos{s, 0})
		}
	}
}
