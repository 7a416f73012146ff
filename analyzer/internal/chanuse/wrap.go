package chanuse

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
)

// Functions that run a function parameter (session 17).
//
// A project's own goroutine helpers (func (w *Workers) Submit(job
// func()) { go job() }, func safeGo(f func()) { go func() { defer
// recover...; f() }() }) start the function they get as a goroutine,
// as a go statement or a group's Go would; and helpers such as func
// withLock(f func()) { mu.Lock(); defer mu.Unlock(); f() } call it once,
// where they are called. A literal capturing the channel handed to one
// of them is followed as that goroutine, or that call, instead of
// escaping.
//
// Only plain shapes qualify: the parameter's one use is the go statement,
// the call (or defer), the group's Go, a hand-off to another such
// helper, or a literal that calls it once and is itself started or
// called that way; that use is in no loop and is reached on every path
// to a return. A helper that may run it twice (retry), never (a
// conditional start) or keep it (a queue) stays a callee not followed.

// Wrap is what a function does with one of its function parameters.
type Wrap int

// The ways a function runs a function parameter.
const (
	NoWrap   Wrap = iota // anything else: kept, run in a loop, maybe not run
	WrapGo               // started once as a new goroutine on every path to a return
	WrapCall             // called once, synchronously, on every path to a return
)

// maxWrapDepth bounds the hand-offs from helper to helper followed.
const maxWrapDepth = 3

// WrapOf returns what the function of pkg that c calls statically does
// with its argument i (an index in c.Args).
func WrapOf(pkg *ssa.Package, c *ssa.CallCommon, i int) Wrap {
	if pkg == nil || c.IsInvoke() {
		return NoWrap
	}
	fn := c.StaticCallee()
	if fn == nil || fn.Pkg != pkg || fn.Blocks == nil || i >= len(fn.Params) {
		return NoWrap
	}
	r := resolverOf(pkg)
	r.wrapOnce.Do(func() { r.wrappers = map[*ssa.Function][]Wrap{}; r.findWrappers() })
	if w := r.wrappers[fn]; i < len(w) {
		return w[i]
	}
	return NoWrap
}

// findWrappers classifies the function parameters of every function of
// the package (its members and methods).
func (r *resolver) findWrappers() {
	var fns []*ssa.Function
	for _, m := range r.pkg.Members {
		switch m := m.(type) {
		case *ssa.Function:
			fns = append(fns, m)
		case *ssa.Type:
			if named, ok := types.Unalias(m.Type()).(*types.Named); ok {
				for i := range named.NumMethods() {
					if f := r.pkg.Prog.FuncValue(named.Method(i)); f != nil {
						fns = append(fns, f)
					}
				}
			}
		}
	}
	for _, fn := range fns {
		if fn.Blocks == nil || fn.TypeParams().Len() > 0 {
			continue
		}
		var ws []Wrap
		for i, p := range fn.Params {
			if _, ok := p.Type().Underlying().(*types.Signature); !ok {
				continue
			}
			if w := r.runs(p, 0); w != NoWrap {
				if ws == nil {
					ws = make([]Wrap, len(fn.Params))
				}
				ws[i] = w
			}
		}
		if ws != nil {
			r.wrappers[fn] = ws
		}
	}
}

// runs tells what the function holding v (a parameter, a load of it, or
// the free variable of a literal bound to one) does with it.
func (r *resolver) runs(v ssa.Value, depth int) Wrap {
	if _, ok := v.Type().Underlying().(*types.Pointer); ok {
		// A variable captured by reference: its one load.
		return r.runsAddr(v, nil, depth)
	}
	use := onlyUse(v, nil)
	if use == nil {
		return NoWrap
	}
	if st, ok := use.(*ssa.Store); ok {
		// Kept in a variable a literal captures (f := f; go func() {
		// f() }()): what the variable's one other use does.
		if a, ok := st.Addr.(*ssa.Alloc); ok && st.Val == v {
			return r.runsAddr(a, st, depth)
		}
		return NoWrap
	}
	if !onEveryPath(use) {
		return NoWrap
	}
	switch u := use.(type) {
	case *ssa.Go:
		if u.Call.Value == v && !isArg(&u.Call, v) {
			return WrapGo
		}
	case *ssa.Defer:
		if u.Call.Value == v && !isArg(&u.Call, v) {
			return WrapCall
		}
	case *ssa.Call:
		if u.Call.Value == v {
			if isArg(&u.Call, v) {
				return NoWrap
			}
			return WrapCall
		}
		return r.handed(&u.Call, v, depth)
	case *ssa.MakeClosure:
		return r.literal(u, v, depth)
	}
	return NoWrap
}

// runsAddr tells what the function holding a, a variable that holds the
// function parameter (an Alloc stored to once, at store, or a captured
// one), does with it: its one load, or the one literal capturing it.
func (r *resolver) runsAddr(a ssa.Value, store *ssa.Store, depth int) Wrap {
	use := onlyUse(a, store)
	switch u := use.(type) {
	case *ssa.UnOp:
		if u.Op == token.MUL {
			return r.runs(u, depth)
		}
	case *ssa.MakeClosure:
		return r.literal(u, a, depth)
	}
	return NoWrap
}

// onlyUse returns v's one use but skip (and debug references), or nil.
func onlyUse(v ssa.Value, skip ssa.Instruction) ssa.Instruction {
	var use ssa.Instruction
	for _, ref := range *v.Referrers() {
		if _, ok := ref.(*ssa.DebugRef); ok || ref == skip {
			continue
		}
		if use != nil {
			return nil // two uses
		}
		use = ref
	}
	return use
}

// literal tells what mk, a literal bound to v, does with v: it runs v
// once and is itself started or called once.
func (r *resolver) literal(mk *ssa.MakeClosure, v ssa.Value, depth int) Wrap {
	if depth >= maxWrapDepth {
		return NoWrap
	}
	fn := mk.Fn.(*ssa.Function)
	var inner Wrap
	for i, b := range mk.Bindings {
		if b == v {
			if inner != NoWrap {
				return NoWrap
			}
			inner = r.runs(fn.FreeVars[i], depth+1)
			if inner == NoWrap {
				return NoWrap
			}
		}
	}
	outer := r.runs(mk, depth+1)
	if outer == NoWrap {
		return NoWrap
	}
	if outer == WrapGo || inner == WrapGo {
		return WrapGo
	}
	return WrapCall
}

// handed tells what a call that gets v as an argument does with it: a
// group's Go starts it, and a helper of the package does what it does
// with its parameter.
func (r *resolver) handed(c *ssa.CallCommon, v ssa.Value, depth int) Wrap {
	idx := onlyArg(c, v)
	if idx < 0 || c.Value == v {
		return NoWrap
	}
	if idx == 1 && GroupGo(c) != nil {
		return WrapGo
	}
	if c.IsInvoke() || depth >= maxWrapDepth {
		return NoWrap
	}
	fn := c.StaticCallee()
	if fn == nil || fn.Pkg != r.pkg || fn.Blocks == nil || idx >= len(fn.Params) || fn == v.Parent() {
		return NoWrap
	}
	return r.runs(fn.Params[idx], depth+1)
}

// onEveryPath reports whether instr runs exactly once in every call of
// its function that returns: it is in no loop and its block dominates
// every block that returns (but the one a recovered panic returns
// from).
func onEveryPath(instr ssa.Instruction) bool {
	b := instr.Block()
	if b == nil || ssaloop.InLoop(b) {
		return false
	}
	fn := b.Parent()
	for _, x := range fn.Blocks {
		if len(x.Instrs) == 0 || x == fn.Recover {
			continue
		}
		if _, ok := x.Instrs[len(x.Instrs)-1].(*ssa.Return); ok && !b.Dominates(x) {
			return false
		}
	}
	return true
}

// Starts reports whether instr starts v, a function value, as a new
// goroutine: go v(...), a group's Go handed v (sync.WaitGroup.Go,
// errgroup's Group.Go), or a helper of pkg that starts its argument v
// (see WrapOf: w.Submit(v), safeGo(v)).
func Starts(pkg *ssa.Package, instr ssa.Instruction, v ssa.Value) bool {
	switch in := instr.(type) {
	case *ssa.Go:
		return in.Call.Value == v && !isArg(&in.Call, v)
	case *ssa.Call:
		if GroupGo(&in.Call) != nil {
			return in.Call.Args[1] == v && in.Call.Args[0] != v
		}
		return in.Call.Value != v && wrapArg(pkg, &in.Call, v) == WrapGo
	}
	return false
}
