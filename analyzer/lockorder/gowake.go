package lockorder

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

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

// resolver maps a value of the goroutine's function to the parameter of
// the starting function it is (see bindingParam), or nil.
type resolver func(v ssa.Value) *ssa.Parameter

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

// argParam returns the parameter of fn passed, at the go statement args,
// as the parameter v of the goroutine's function, or nil.
func argParam(fn *ssa.Function, args []ssa.Value, v ssa.Value) *ssa.Parameter {
	i := paramIndex(v.Parent(), v)
	if i < 0 || i >= len(args) {
		return nil
	}
	if p, ok := args[i].(*ssa.Parameter); ok && p.Parent() == fn {
		return p
	}
	return nil
}

// fieldPathOf returns the parameter of the starting function a value of
// the goroutine's function is a field path of, and the path (".dead^",
// ".a^.wg").
func fieldPathOf(res resolver, v ssa.Value) (*ssa.Parameter, string) {
	path := ""
	for i := 0; i < 8; i++ {
		if p := res(v); p != nil {
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

// wakeOf returns the kind of wake a call makes on its one argument: "recv"
// for close, "wg" for WaitGroup.Done; "" for anything else.
func wakeOf(call *ssa.CallCommon) string {
	if len(call.Args) != 1 {
		return ""
	}
	if bi, ok := call.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
		return "recv"
	}
	if c := call.StaticCallee(); c != nil && funcName(c) == "(*sync.WaitGroup).Done" {
		return "wg"
	}
	return ""
}

// goWakes returns the GoWakes of fn (see GoWake): for each goroutine it
// starts (a closure, or a function of the package), the parameters the
// goroutine calls and the wakes of its parameters' fields made after
// the call (deferred, or in code the call reaches).
func goWakes(fn *ssa.Function) []GoWake {
	var out []GoWake
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			g, ok := instr.(*ssa.Go)
			if !ok {
				continue
			}
			var body *ssa.Function
			var res resolver
			if mc, ok := g.Call.Value.(*ssa.MakeClosure); ok {
				body, _ = mc.Fn.(*ssa.Function)
				res = func(v ssa.Value) *ssa.Parameter { return bindingParam(fn, mc, v) }
			} else if c := g.Call.StaticCallee(); c != nil && c.Pkg == fn.Pkg && !g.Call.IsInvoke() {
				body = c
				args := g.Call.Args
				res = func(v ssa.Value) *ssa.Parameter { return argParam(fn, args, v) }
			}
			if body == nil || body.Blocks == nil {
				continue
			}
			out = append(out, callThenWake(fn, body, res)...)
		}
	}
	return out
}

// callThenWake scans the goroutine's function body (see goWakes).
func callThenWake(fn, body *ssa.Function, res resolver) []GoWake {
	type site struct {
		param int
		call  ssa.Instruction
	}
	var called []site
	for _, bb := range body.Blocks {
		for _, in := range bb.Instrs {
			c, ok := in.(*ssa.Call)
			if !ok || c.Call.StaticCallee() != nil || c.Call.IsInvoke() {
				continue
			}
			if _, ok := c.Call.Value.(*ssa.Builtin); ok {
				continue
			}
			if p := res(c.Call.Value); p != nil {
				called = append(called, site{paramIndex(fn, p), c})
			}
		}
	}
	if len(called) == 0 {
		return nil
	}
	var out []GoWake
	for _, bb := range body.Blocks {
		for _, in := range bb.Instrs {
			var call *ssa.CallCommon
			deferred := false
			switch in := in.(type) {
			case *ssa.Defer:
				call, deferred = in.Common(), true
			case *ssa.Call:
				call = in.Common()
			default:
				continue
			}
			kind := wakeOf(call)
			arg, sub, fk := ssa.Value(nil), "", ""
			if kind != "" {
				arg, fk = call.Args[0], fieldKey(call.Args[0])
			} else if i, wpath, wkind, wfk := wakeWrapper(call, fn.Pkg); wkind != "" {
				// A helper that only wakes a field of its parameter
				// (func (s *S) untrack() { s.wg.Done() }): the wake of
				// that field of what the goroutine passes it.
				kind, arg, sub, fk = wkind, call.Args[i], wpath, wfk
			} else {
				continue
			}
			var p *ssa.Parameter
			var path string
			if sub != "" {
				if p = res(arg); p != nil {
					path = sub
				} else if p, path = fieldPathOf(res, arg); p != nil {
					path = norm(path + sub)
				}
			} else {
				p, path = fieldPathOf(res, arg)
			}
			if p == nil {
				continue
			}
			w := Acq{Root: fmt.Sprintf("{p%d}", paramIndex(fn, p)), Path: path, Kind: kind, Close: kind == "recv", Desc: desc(arg), Field: fk, pos: wakePos(in)}
			for _, c := range called {
				if deferred || after(c.call, in) {
					out = append(out, GoWake{Param: c.param, Wake: w})
				}
			}
		}
	}
	return out
}

// wakeWrapper reports whether call calls a helper of pkg whose one
// block makes one wake (wakeOf) on a field path of one of its parameters
// and calls nothing else: the index of that parameter at call, the path
// (".wg"), the wake's kind and the field's key; "" for the kind
// otherwise.
func wakeWrapper(call *ssa.CallCommon, pkg *ssa.Package) (int, string, string, string) {
	fn := call.StaticCallee()
	if fn == nil || fn.Pkg != pkg || len(fn.Blocks) != 1 || fn.Recover != nil || len(fn.Params) != len(call.Args) {
		return 0, "", "", ""
	}
	var kind, path, fk string
	idx := -1
	for _, in := range fn.Blocks[0].Instrs {
		switch in := in.(type) {
		case *ssa.FieldAddr, *ssa.DebugRef, *ssa.Return:
		case *ssa.UnOp:
			if in.Op != token.MUL {
				return 0, "", "", ""
			}
		case *ssa.Call:
			k := wakeOf(in.Common())
			if k == "" || kind != "" {
				return 0, "", "", ""
			}
			p, pth := fieldPathOf(func(v ssa.Value) *ssa.Parameter {
				if p, ok := v.(*ssa.Parameter); ok && p.Parent() == fn {
					return p
				}
				return nil
			}, in.Call.Args[0])
			if p == nil {
				return 0, "", "", ""
			}
			kind, path, fk, idx = k, pth, fieldKey(in.Call.Args[0]), paramIndex(fn, p)
		default:
			return 0, "", "", ""
		}
	}
	if kind == "" || idx < 0 {
		return 0, "", "", ""
	}
	return idx, path, kind, fk
}

// wakePos is where a wake instruction wakes: the call's position (that of
// the wake the goroutine's own function records), or the defer's.
func wakePos(in ssa.Instruction) token.Pos {
	if c, ok := in.(*ssa.Call); ok {
		return c.Pos()
	}
	return in.Pos()
}

// after reports whether instruction b can run after a (later in a's
// block, or in a block a's block reaches).
func after(a, b ssa.Instruction) bool {
	if a.Block() != b.Block() {
		return reaches(a.Block(), b.Block())
	}
	for _, in := range a.Block().Instrs {
		if in == a {
			return true
		}
		if in == b {
			return false
		}
	}
	return false
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
		_, ck, _, ok := f.subst(call, gw.Wake)
		if !ok || ck == "" {
			continue
		}
		// A function not known here runs, as far as this pass can tell,
		// without locks: the wake is made by this function and needs
		// nothing (it keeps another launch's wake from being taken as
		// the only one).
		run, acq := f.fn, map[string]*lockInfo{}
		if c := boundCall(call.Args[gw.Param]); c != nil {
			if r := c.StaticCallee(); r != nil && !f.c.inProgress[r] {
				run = r
				for _, a := range f.c.summaryOf(r).Acquires {
					if a.Guard != "" || a.Once != "" {
						continue
					}
					if ik, lck, d, ok := f.subst(c, a); ok && lck != "" {
						li := &lockInfo{inst: ik, class: lck, fkey: a.Lock, read: a.Read, pos: pos, desc: d, via: r.Name()}
						if a.pos.IsValid() {
							li.pos = a.pos
						}
						if _, ok := acq[lck]; !ok {
							acq[lck] = li
						}
					}
				}
			}
		}
		// Named by its field too when the object is one this function
		// allocates (a constructor's s.spawn(s.flush)): its class is
		// this function's own and meets no method's wait.
		fk := ""
		if strings.HasPrefix(ck, "{a:") {
			fk = gw.Wake.Field
		}
		f.c.addWake(ck, gw.Wake.Kind, &wake{acq: acq, pos: pos, fn: run, deferred: true, fkey: fk})
	}
}

// boundCall returns a static call of the function value v (a function, a
// closure or a method value) with unknown arguments, or nil.
func boundCall(v ssa.Value) *ssa.CallCommon {
	switch v.(type) {
	case *ssa.Function, *ssa.MakeClosure:
	default:
		return nil
	}
	sig, ok := v.Type().Underlying().(*types.Signature)
	if !ok {
		return nil
	}
	var args []ssa.Value
	for i := range sig.Params().Len() {
		args = append(args, unknownVal{t: sig.Params().At(i).Type()})
	}
	return bindCall(v, args, nil, nil)
}

// wgGo records wg.Go(fn) with fn a known function (a closure, a method
// value, a function) as a Done made after fn's locks, by fn, the way a
// goroutine that runs a function it was given and then wakes is counted
// (applyGoWakes); it reports false for an fn not known here, which
// leaves the WaitGroup with a waker that needs nothing ("wg-go").
func (f *fnChecker) wgGo(call *ssa.CallCommon, pos token.Pos) bool {
	if len(call.Args) != 2 || f.indirect > 0 {
		return false
	}
	c := boundCall(call.Args[1])
	if c == nil {
		return false
	}
	r := c.StaticCallee()
	if r == nil || f.c.inProgress[r] {
		return false
	}
	if !f.final {
		return true
	}
	cls, fk := f.chanKeys(call.Args[0], "wg")
	if cls == "" {
		return false
	}
	// The summary still says wg-go: another package's caller does not
	// know fn.
	f.recordSum(f.wakesSum, call.Args[0], "wg-go", pos)
	acq := map[string]*lockInfo{}
	for _, a := range f.c.summaryOf(r).Acquires {
		if a.Guard != "" || a.Once != "" {
			continue
		}
		if ik, lck, d, ok := f.subst(c, a); ok && lck != "" {
			li := &lockInfo{inst: ik, class: lck, fkey: a.Lock, read: a.Read, pos: pos, desc: d, via: r.Name()}
			if a.pos.IsValid() {
				li.pos = a.pos
			}
			if _, ok := acq[lck]; !ok {
				acq[lck] = li
			}
		}
	}
	f.c.addWake(cls, "wg", &wake{acq: acq, pos: pos, fn: r, deferred: true, fkey: fk})
	return true
}
