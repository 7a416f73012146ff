package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// producerCloses reports a range over a channel field of the package's
// structs whose producer closes it on some paths only: one function both
// sends on the field and closes it (every close of the field is there,
// none deferred anywhere), a path from one of its sends reaches a return
// without the close (an error return in the middle of the stream), and a
// function that starts a goroutine ranging over the field then calls the
// producer itself. On that path the range never ends, and whatever waits
// for the ranging goroutine waits forever (fiatjaf/nak#158: the delta
// channel was closed only when reconciliation succeeded).
func producerCloses(st *state, funcs []*ssa.Function) {
	type fieldOps struct {
		sends, closes, ranges []ssa.Instruction
		deferred              bool
	}
	ops := map[*types.Var]*fieldOps{}
	gos := map[*ssa.Function][]*ssa.Go{} // the go statements starting each function
	var rangers []*ssa.UnOp
	get := func(f *types.Var) *fieldOps {
		if ops[f] == nil {
			ops[f] = &fieldOps{}
		}
		return ops[f]
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Go:
					if callee := in.Call.StaticCallee(); callee != nil {
						gos[callee] = append(gos[callee], in)
					}
				case *ssa.Send:
					if f := loadedField(in.Chan); f != nil && f.Pkg() == st.pass.Pkg {
						get(f).sends = append(get(f).sends, in)
					}
				case *ssa.UnOp:
					if in.Op == token.ARROW && in.CommaOk && st.ranges[in.Pos()] {
						rangers = append(rangers, in)
					}
				}
				if in, ok := instr.(ssa.CallInstruction); ok {
					b, ok := in.Common().Value.(*ssa.Builtin)
					if !ok || b.Name() != "close" {
						continue
					}
					f := loadedField(in.Common().Args[0])
					if f == nil || f.Pkg() != st.pass.Pkg {
						continue
					}
					if _, ok := in.(*ssa.Defer); ok {
						get(f).deferred = true
					} else {
						get(f).closes = append(get(f).closes, in)
					}
				}
			}
		}
	}
	// A range over the field itself, or over a parameter of a function
	// that every go statement starting it hands the field's channel.
	for _, r := range rangers {
		f := loadedField(r.X)
		if p, ok := r.X.(*ssa.Parameter); ok {
			f = startedWithField(p, gos[p.Parent()])
		}
		if f != nil && f.Pkg() == st.pass.Pkg {
			get(f).ranges = append(get(f).ranges, r)
		}
	}
	for f, o := range ops {
		if o.deferred || len(o.closes) == 0 || len(o.ranges) == 0 {
			continue
		}
		prod := o.closes[0].Parent()
		ok := true
		for _, c := range o.closes {
			if c.Parent() != prod {
				ok = false
			}
		}
		var sends []ssa.Instruction
		for _, s := range o.sends {
			if s.Parent() == prod {
				sends = append(sends, s)
			}
		}
		if !ok || len(sends) == 0 || recovers(prod) {
			continue
		}
		ret := returnAfter(sends, o.closes)
		if ret == nil {
			continue
		}
		for _, r := range o.ranges {
			g := r.Parent()
			if g == prod {
				continue
			}
			call := startsThenCalls(g, prod, gos)
			if call == nil {
				continue
			}
			line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
			at := ret.Pos()
			if !at.IsValid() {
				at = call.Pos()
			}
			st.Report(analysis.Diagnostic{
				Pos:      r.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("this range over field %s ends only when %s closes it (line %d), but %s can return after sending without the close (line %d): on that path the range never ends, and whatever waits for this goroutine waits forever (close the channel on every return, e.g. with defer)",
					f.Name(), prod.Name(), line(o.closes[0].Pos()), prod.Name(), line(at)),
				Related: []analysis.RelatedInformation{
					{Pos: at, Message: "returns here without closing the channel"},
					{Pos: o.closes[0].Pos(), Message: "the only close, on other paths"},
					{Pos: call.Pos(), Message: "the producer is called here, after the ranging goroutine is started"},
				},
			})
		}
	}
}

// returnAfter returns a return of the sends' function that a path from
// one of the sends reaches without a close, a panic or a call that does
// not return.
func returnAfter(sends, closes []ssa.Instruction) *ssa.Return {
	stop := map[*ssa.BasicBlock]bool{}
	for _, c := range closes {
		stop[c.Block()] = true
	}
	seen := map[*ssa.BasicBlock]bool{}
	var stack []*ssa.BasicBlock
	for _, s := range sends {
		if !stop[s.Block()] {
			stack = append(stack, s.Block())
		}
	}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		dead := false
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Panic:
				dead = true
			case ssa.CallInstruction:
				if chanuse.NoReturn(in.Common()) {
					dead = true
				}
			case *ssa.Return:
				if !dead {
					return in
				}
			}
		}
		if dead {
			continue
		}
		for _, s := range b.Succs {
			if !stop[s] {
				stack = append(stack, s)
			}
		}
	}
	return nil
}

// startedWithField returns the field whose channel every go statement in
// gos passes as parameter p (none when p's function is started otherwise
// or called: it may range over any channel).
func startedWithField(p *ssa.Parameter, gos []*ssa.Go) *types.Var {
	fn := p.Parent()
	i := -1
	for k, q := range fn.Params {
		if q == p {
			i = k
		}
	}
	if i < 0 || len(gos) == 0 {
		return nil
	}
	var f *types.Var
	for _, g := range gos {
		args := g.Call.Args
		if fn.Signature.Recv() != nil && g.Call.IsInvoke() || i >= len(args) {
			return nil
		}
		af := loadedField(args[i])
		if af == nil || (f != nil && af != f) {
			return nil
		}
		f = af
	}
	return f
}

// startsThenCalls returns a call of prod made, after the go statement, by
// a function that starts fn as a goroutine.
func startsThenCalls(fn, prod *ssa.Function, gos map[*ssa.Function][]*ssa.Go) *ssa.Call {
	for _, g := range gos[fn] {
		for _, b := range g.Parent().Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(*ssa.Call); ok && c.Call.StaticCallee() == prod && reaches(g, c) {
					return c
				}
			}
		}
	}
	return nil
}
