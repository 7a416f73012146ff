package lockorder

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// A goroutine that runs a function it was given, then wakes (issue 14;
// hashicorp/nomad#6082).
//
// tomb.Go(f) starts `go func() { defer close(t.dead); f() }()`: the close
// of t.dead, which t.Wait receives from, comes after f returns, so it
// waits for every lock f takes. The goroutine's own function cannot say
// which locks those are; each call site can. The summary of such a
// starter lists, per function parameter the goroutine calls, the wakes
// of its other parameters' fields made (deferred) after the call
// (Summary.GoWakes); at a call that passes a known function (a method
// value, a closure, a function), the wake is recorded as made by that
// function, after its locks. A waiter that holds one of them while it
// waits (t.Wait under the lock the function needs to return) waits
// forever.

// GoWake says that a function starts a goroutine that calls its
// parameter Param and then, deferred, wakes Wake (relative to the
// function's parameters: Root "{pN}", Path, Kind "recv" for a close or
// "wg" for a Done).
type GoWake struct {
	Param int
	Wake  Acq
}

// bindingParam returns the parameter of fn that the free variable v of a
// closure made in fn is bound to (directly, or as the variable a
// parameter was spilled to), or nil.
func bindingParam(fn *ssa.Function, mc *ssa.MakeClosure, v ssa.Value) *ssa.Parameter {
	load := false
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		v, load = u.X, true
	}
	fv, ok := v.(*ssa.FreeVar)
	if !ok {
		return nil
	}
	for i, x := range fv.Parent().FreeVars {
		if x != fv || i >= len(mc.Bindings) {
			continue
		}
		b := mc.Bindings[i]
		if a, ok := b.(*ssa.Alloc); ok && load {
			if p := spilledParam(a); p != nil && p.Parent() == fn {
				return p
			}
			return nil
		}
		if p, ok := b.(*ssa.Parameter); ok && !load && p.Parent() == fn {
			return p
		}
	}
	return nil
}

// fieldPathOf returns the parameter of fn a value inside the closure mc is
// a field path of, and the path (".dead", ".a^.done").
func fieldPathOf(fn *ssa.Function, mc *ssa.MakeClosure, v ssa.Value) (*ssa.Parameter, string) {
	path := ""
	for i := 0; i < 8; i++ {
		if p := bindingParam(fn, mc, v); p != nil {
			if path == "" {
				return nil, ""
			}
			return p, norm(path)
		}
		switch x := v.(type) {
		case *ssa.FieldAddr:
			path = "." + fieldName(x.X.Type(), x.Field) + path
			v = x.X
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return nil, ""
			}
			path = "^" + path
			v = x.X
		default:
			return nil, ""
		}
	}
	return nil, ""
}

// goWakes returns the GoWakes of fn (see GoWake).
func goWakes(fn *ssa.Function) []GoWake {
	var out []GoWake
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			g, ok := instr.(*ssa.Go)
			if !ok {
				continue
			}
			mc, ok := g.Call.Value.(*ssa.MakeClosure)
			if !ok {
				continue
			}
			body, ok := mc.Fn.(*ssa.Function)
			if !ok {
				continue
			}
			var called []int
			var wakes []Acq
			for _, bb := range body.Blocks {
				for _, in := range bb.Instrs {
					switch in := in.(type) {
					case *ssa.Call:
						if _, ok := in.Call.Value.Type().Underlying().(*types.Signature); ok && in.Call.StaticCallee() == nil && !in.Call.IsInvoke() {
							if p := bindingParam(fn, mc, in.Call.Value); p != nil {
								called = append(called, paramIndex(fn, p))
							}
						}
					case *ssa.Defer:
						kind := ""
						if bi, ok := in.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
							kind = "recv"
						} else if c := in.Call.StaticCallee(); c != nil && funcName(c) == "(*sync.WaitGroup).Done" {
							kind = "wg"
						}
						if kind == "" || len(in.Call.Args) != 1 {
							continue
						}
						if p, path := fieldPathOf(fn, mc, in.Call.Args[0]); p != nil {
							wakes = append(wakes, Acq{Root: fmt.Sprintf("{p%d}", paramIndex(fn, p)), Path: path, Kind: kind, Close: kind == "recv", Desc: desc(in.Call.Args[0]), pos: in.Pos()})
						}
					}
				}
			}
			for _, k := range called {
				for _, w := range wakes {
					out = append(out, GoWake{Param: k, Wake: w})
				}
			}
		}
	}
	return out
}

// applyGoWakes records, at a call of a starter (see GoWake) that passes a
// known function, the wakes its goroutine makes after that function
// returns, as made by that function after its locks.
func (f *fnChecker) applyGoWakes(call *ssa.CallCommon, sum *Summary, pos token.Pos) {
	if !f.final || f.indirect > 0 || len(sum.GoWakes) == 0 {
		return
	}
	for _, gw := range sum.GoWakes {
		if gw.Param >= len(call.Args) {
			continue
		}
		arg := call.Args[gw.Param]
		switch arg.(type) {
		case *ssa.Function, *ssa.MakeClosure:
		default:
			continue
		}
		sig, ok := arg.Type().Underlying().(*types.Signature)
		if !ok {
			continue
		}
		var args []ssa.Value
		for i := range sig.Params().Len() {
			args = append(args, unknownVal{t: sig.Params().At(i).Type()})
		}
		c := bindCall(arg, args, nil, nil)
		if c == nil {
			continue
		}
		run := c.StaticCallee()
		if run == nil || f.c.inProgress[run] {
			continue
		}
		_, ck, _, ok := f.subst(call, gw.Wake)
		if !ok || ck == "" {
			continue
		}
		acq := map[string]*lockInfo{}
		for _, a := range f.c.summaryOf(run).Acquires {
			if a.Guard != "" || a.Once != "" {
				continue
			}
			if ik, lck, d, ok := f.subst(c, a); ok && lck != "" {
				li := &lockInfo{inst: ik, class: lck, fkey: a.Lock, read: a.Read, pos: pos, desc: d, via: run.Name()}
				if a.pos.IsValid() {
					li.pos = a.pos
				}
				if _, ok := acq[lck]; !ok {
					acq[lck] = li
				}
			}
		}
		if len(acq) == 0 {
			continue
		}
		f.c.addWake(ck, gw.Wake.Kind, &wake{acq: acq, pos: pos, fn: run, deferred: true})
	}
}
