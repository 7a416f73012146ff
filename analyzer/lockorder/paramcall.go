package lockorder

import (
	"fmt"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"sort"

	"golang.org/x/tools/go/ssa"
)

// Functions passed as parameters (issue 14, item 3; PretendoNetwork/nex-go
// #37).
//
// `func (m *MutexMap) Each(cb func(k, v)) { m.mu.RLock(); defer
// m.mu.RUnlock(); for … { cb(k, v) } }` runs whatever its caller passes
// with m.mu held. A function's summary lists the parameters it calls
// (Summary.ParamCalls) with the locks it holds at the call, named relative
// to its parameters; at a call site that passes a function or a closure
// there, that function is applied as a synthetic call with those locks
// held besides the caller's, so a closure that locks m.mu again (directly
// or through a method of the caller's object) is a double lock on the
// same instance, and its other locks are ordered after m.mu. A parameter
// the caller itself received is carried to the caller's summary with the
// locks held there added. Only direct calls count: a parameter started
// as a goroutine, deferred, or stored runs elsewhere.
//
// A variadic ...any parameter handed on to fmt or log (`func (l *logger)
// Debugln(vals ...any) { l.mu.Lock(); …; fmt.Sprintln(vals...) }`) is
// called the same way: fmt calls the String or Error method of each
// operand, so at a call site those methods of the operands passed run
// with the callee's locks held (syncthing/syncthing#4821).

// A closure that calls a function value it captured (`addr :=
// addrFunc(func(tx) {...}); db.Update(func(tx) { addr(tx) })`, decred/
// dcrwallet#1793) records that call the same way, by the free variable:
// where the closure is made, the binding is known, and a function or a
// closure bound there (through a conversion to a named func type too)
// runs with the locks held at the closure's call.

// ParamCall says that a function calls its parameter Param (a function
// value) with the locks Held held, relative to its parameters. A
// negative Param, -1-i, is the closure's free variable i.
type ParamCall struct {
	Param int
	Held  []Acq
	Args  []string // per argument: "{pN}" (the function's own parameter), argNonNil, or "" (unknown)
}

// argNonNil marks a ParamCall argument that is certainly not nil (an
// address, a composite): its nil branch cannot run in the function
// called (nilguard.go).
const argNonNil = "!nil"

// paramArgs names the arguments of a call of a parameter for its
// ParamCall: the function's own parameters by root, so the caller
// substitutes what it passes, and values certainly not nil.
func (f *fnChecker) paramArgs(args []ssa.Value) []string {
	out := make([]string, len(args))
	for i, v := range args {
		if j := paramIndex(f.fn, v); j >= 0 {
			out[i] = fmt.Sprintf("{p%d}", j)
		} else if isNil, known := f.evalNil(v); known && !isNil {
			out[i] = argNonNil
		}
	}
	return out
}

// meetArgs keeps the argument names two calls of the same parameter
// agree on.
func meetArgs(a, b []string, first bool) []string {
	if first {
		return slices.Clone(b)
	}
	if len(a) != len(b) {
		return nil
	}
	out := slices.Clone(a)
	for i := range out {
		if out[i] != b[i] {
			out[i] = ""
		}
	}
	return out
}

// paramCallArg returns the value a ParamCall's argument name stands for
// at the call of the function that has it.
func paramCallArg(call *ssa.CallCommon, name string, t types.Type) ssa.Value {
	switch {
	case name == argNonNil:
		return unknownVal{t: t, nonNil: true}
	case name != "":
		if v := argOf(call, name); v != nil {
			return v
		}
	}
	return unknownVal{t: t}
}

// calledIndex returns the ParamCall index of the function value v called
// in fn: its parameter index, -1-i for its free variable i, or ok false.
func calledIndex(fn *ssa.Function, v ssa.Value) (int, bool) {
	if i := paramIndex(fn, v); i >= 0 {
		return i, true
	}
	// A captured variable is loaded from its address (a free variable).
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		v = u.X
	}
	if fv, ok := v.(*ssa.FreeVar); ok && fv.Parent() == fn {
		for i, x := range fn.FreeVars {
			if x == fv {
				return -1 - i, true
			}
		}
	}
	return 0, false
}

// paramIndex returns the index of v among fn's parameters, or -1.
func paramIndex(fn *ssa.Function, v ssa.Value) int {
	p, ok := v.(*ssa.Parameter)
	if !ok || p.Parent() != fn {
		return -1
	}
	for i, q := range fn.Params {
		if q == p {
			return i
		}
	}
	return -1
}

// noteParamCall records a call of one of the function's own parameters,
// with the locks held at it (and extra, held inside a callee).
func (f *fnChecker) noteParamCall(v ssa.Value, args []ssa.Value, s *state, extra []Acq) {
	if !f.final || f.indirect > 0 {
		return
	}
	i, ok := calledIndex(f.fn, v)
	if !ok {
		return
	}
	if f.paramCalls == nil {
		f.paramCalls = map[int]map[string]Acq{}
	}
	m := f.paramCalls[i]
	if m == nil {
		m = map[string]Acq{}
		f.paramCalls[i] = m
	}
	if f.paramArgNames == nil {
		f.paramArgNames = map[int][]string{}
	}
	old, seen := f.paramArgNames[i]
	f.paramArgNames[i] = meetArgs(old, f.paramArgs(args), !seen)
	for _, a := range f.heldAcqs(s, extra) {
		k := a.Root + a.Path
		if old, ok := m[k]; !ok || old.Read && !a.Read {
			m[k] = a
		}
	}
}

// paramCallsSum returns the parameters this run calls.
func (f *fnChecker) paramCallsSum() []ParamCall {
	var out []ParamCall
	for i, m := range f.paramCalls {
		pc := ParamCall{Param: i, Args: f.paramArgNames[i]}
		for _, a := range m {
			pc.Held = append(pc.Held, a)
		}
		sort.Slice(pc.Held, func(a, b int) bool { return pc.Held[a].Root+pc.Held[a].Path < pc.Held[b].Root+pc.Held[b].Path })
		out = append(out, pc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Param < out[j].Param })
	return out
}

// applyParamCalls runs the functions this call passes to parameters the
// callee calls, with the callee's locks held then.
func (f *fnChecker) applyParamCalls(call *ssa.CallCommon, callee *ssa.Function, sum *Summary, pos token.Pos, s *state) {
	if len(sum.ParamCalls) == 0 || f.indirect > 2 {
		return
	}
	if _, ok := callbackArgs[funcName(callee)]; ok {
		return // applied before the call (indirect.go)
	}
	for _, pc := range sum.ParamCalls {

		var arg ssa.Value
		if pc.Param >= 0 && pc.Param < len(call.Args) {
			arg = call.Args[pc.Param]
		} else if mc, ok := call.Value.(*ssa.MakeClosure); ok && pc.Param < 0 && -1-pc.Param < len(mc.Bindings) {
			arg = mc.Bindings[-1-pc.Param]
		}
		if a, ok := arg.(*ssa.Alloc); ok && pc.Param < 0 {
			arg = storedOnce(a) // the captured variable's only value
		}
		// A conversion to a named func type calls the same function.
		for {
			ct, ok := arg.(*ssa.ChangeType)
			if !ok {
				break
			}
			arg = ct.X
		}
		if arg == nil || isUnknown(arg) {
			continue
		}
		var held []*lockInfo
		var heldSum []Acq
		for _, a := range pc.Held {
			ik, ck, d, ok := f.subst(call, a)
			if (!ok || ik == "") && a.Lock != "" && f.elemArg(call, a.Root) {
				// The callee's object is an element of a map or slice:
				// its lock is known by class, and orders the function's
				// locks by class (segmentio/stats#194).
				ik, ck, d, ok = "class:"+a.Lock, "", a.Desc, true
			}
			if !ok || ik == "" {
				continue
			}
			li := &lockInfo{inst: ik, class: ck, fkey: a.Lock, alias: a.Alias, read: a.Read, pos: pos, desc: d, via: callee.Name()}
			if a.pos.IsValid() {
				li.pos = a.pos // where the callee locks it, before it calls the function
			} else {
				li.where = a.Where
			}
			held = append(held, li)
			if r, ok := f.acqFor(li); ok {
				heldSum = append(heldSum, r)
			}
		}
		if _, ok := calledIndex(f.fn, arg); ok {
			f.noteParamCall(arg, nil, s, heldSum)
			continue
		}
		var cs []*ssa.CallCommon
		several := false
		switch arg.(type) {
		case *ssa.Function, *ssa.MakeClosure:
			sig, ok := arg.Type().Underlying().(*types.Signature)
			if !ok {
				continue
			}
			var args []ssa.Value
			for i := range sig.Params().Len() {
				// What the callee passes, when its summary knows it:
				// a value certainly not nil does not run the function's
				// nil branches (nilguard.go).
				name := ""
				if i < len(pc.Args) {
					name = pc.Args[i]
				}
				args = append(args, paramCallArg(call, name, sig.Params().At(i).Type()))
			}
			if c := bindCall(arg, args, nil, nil); c != nil {
				cs = append(cs, c)
			}
		default:
			// A function adapter's receiver (funcadapter.go): any of the
			// functions the package converts to its type.
			if pc.Param >= 0 && pc.Param < len(callee.Params) && f.indirect > 0 {
				fs := f.c.adaptedFuncs(callee.Params[pc.Param].Type())
				for _, fv := range fs {
					sig, ok := fv.Type().Underlying().(*types.Signature)
					if !ok {
						continue
					}
					var args []ssa.Value
					for i := range sig.Params().Len() {
						args = append(args, unknownVal{t: sig.Params().At(i).Type()})
					}
					// What a closure made elsewhere captured is named
					// by that function's roots: unknown here.
					var base ssa.Value
					if mc, ok := fv.(*ssa.MakeClosure); ok && mc.Parent() != f.fn {
						base = unknownVal{}
					}
					if c := bindCall(fv, args, base, nil); c != nil {
						cs = append(cs, c)
					}
				}
				if len(fs) > 1 {
					several = true
				}
			}
			// A ...any slice the callee formats: the String or Error
			// methods of the operands this call passes.
			if pc.Param == len(call.Args)-1 && callee.Signature.Variadic() {
				for _, x := range formatted(call) {
					if c := f.c.stringer(x); c != nil {
						cs = append(cs, c)
					}
				}
			}
		}
		if len(cs) == 0 {
			continue
		}
		inner := s.clone()
		for _, li := range held {
			if _, ok := inner.held[li.inst]; !ok {
				inner.held[li.inst] = li
				inner.may[li.inst] = li
				if _, ok := inner.acq[li.class]; !ok && li.class != "" {
					inner.acq[li.class] = li
				}
			}
		}
		f.indirect++
		saved, savedFree, savedMaybe := f.viaParam, f.viaFree, f.maybeCall
		f.viaParam, f.viaFree = callee, pc.Param < 0
		f.maybeCall = savedMaybe || several
		pre := maps.Clone(inner.acq)
		for _, c := range cs {
			f.call(c, pos, inner)
		}
		if !f.maybeCall {
			// What the function it certainly runs takes, this path has
			// taken after the call (a later wake needs it).
			for k, li := range inner.acq {
				if _, ok := pre[k]; !ok && !li.maybe {
					if _, ok := s.acq[k]; !ok {
						s.acq[k] = li
					}
				}
			}
		}
		f.viaParam, f.viaFree, f.maybeCall = saved, savedFree, savedMaybe
		f.indirect--
	}
}
