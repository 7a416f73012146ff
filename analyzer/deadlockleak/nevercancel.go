package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The watcher on a context nobody cancels (keybase/kbfs#1437): a goroutine
// whose only way out is the Done of a context its function was passed
// (other cases, if any, receive from a private field's channel that
// nothing in the package closes or sends on, or only handle a value and
// go back to the wait, forwarding it with a plain send if need be: a send
// can hold the goroutine up, never let it out), or of a context kept in a
// field of the struct its
// starter makes, or that its starter sets through the very value it
// starts the goroutine on (a Start keeping the context it is given, set
// only there; kubescape/node-agent#837), and a chain of
// callers, through parameters, that passes context.Background() or context.TODO()
// (or a value-only context made from one, WithValue, WithoutCancel). That
// context is never done: every call along that chain leaves one goroutine
// waiting forever. Callers in main, init and tests run once and are not
// reported.

// neverCanceled reports the rule for the goroutines the package starts.
func neverCanceled(pass *analysis.Pass, funcs []*ssa.Function, callers map[*ssa.Function][]*ssa.Call, closures map[*ssa.Function]*ssa.MakeClosure, classes map[*types.Var]*chanuse.Class) {
	// Every store into a field, to tell a context set once by the
	// struct's maker from one set again later (a Start that renews it).
	stores := map[*types.Var][]*ssa.Store{}
	globals := map[*ssa.Global][]*ssa.Store{} // and into each package variable
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if st, ok := instr.(*ssa.Store); ok {
					if gv, ok := st.Addr.(*ssa.Global); ok {
						globals[gv] = append(globals[gv], st)
					}
					if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
						if f := chanuse.StructFieldOf(fa); f != nil {
							stores[f] = append(stores[f], st)
						}
					}
				}
			}
		}
	}
	// made returns what the maker of a stored into field f, if that is
	// the only store into f in the package.
	made := func(a *ssa.Alloc, f *types.Var) (ssa.Value, *ssa.Function) {
		for _, st := range stores[f] {
			if st.Addr.(*ssa.FieldAddr).X != a {
				return nil, nil
			}
		}
		if v := storedField(a, f); v != nil {
			return v, a.Parent()
		}
		return nil, nil
	}
	// Package variables are set by the package's initializer, which the
	// source functions leave out.
	if len(funcs) > 0 && funcs[0].Pkg != nil {
		if init := funcs[0].Pkg.Func("init"); init != nil && !slices.Contains(funcs, init) {
			for _, b := range init.Blocks {
				for _, instr := range b.Instrs {
					if st, ok := instr.(*ssa.Store); ok {
						if gv, ok := st.Addr.(*ssa.Global); ok {
							globals[gv] = append(globals[gv], st)
						}
					}
				}
			}
		}
	}
	joined := map[ssa.CallInstruction]bool{} // Waits reported by joinedWaits
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok {
					continue
				}
				var body *ssa.Function
				var ctxOf func(ctx ssa.Value) (ssa.Value, *ssa.Function)
				switch v := g.Call.Value.(type) {
				case *ssa.MakeClosure:
					if startedBy(v) != g {
						continue
					}
					body = v.Fn.(*ssa.Function)
					// A captured context, followed to the function that
					// declares it.
					ctxOf = func(ctx ssa.Value) (ssa.Value, *ssa.Function) {
						if f, base := ctxField(ctx); f != nil {
							// w.ctx, w captured: what w's maker stored.
							r := resolve(base, closures)
							if a, ok := r.(*ssa.Alloc); ok {
								return made(a, f)
							}
							return setHere(stores[f], fn, r, closures)
						}
						r := resolve(ctx, closures)
						if globalLoad(r) != nil {
							return r, fn // a package variable: the same for every start
						}
						switch c := r.(type) {
						case *ssa.Call:
							// A context the starter (or a function it is
							// nested in) makes: ctx := context.Background().
							return c, c.Parent()
						case *ssa.Extract:
							// ctx, cancel := context.WithCancel(...)
							return c, c.Parent()
						}
						p, ok := r.(*ssa.Parameter)
						if !ok {
							return nil, nil
						}
						if p.Parent() == body {
							// go func(ctx context.Context) { ... }(ctx): the
							// go statement's argument.
							for i, q := range body.Params {
								if q == p && i < len(g.Call.Args) {
									return g.Call.Args[i], fn
								}
							}
							return nil, nil
						}
						return p, p.Parent()
					}
				case *ssa.Function:
					if g.Call.IsInvoke() {
						continue
					}
					body = v
					// A parameter of the started function: the argument
					// of the go statement, in fn.
					ctxOf = func(ctx ssa.Value) (ssa.Value, *ssa.Function) {
						if globalLoad(ctx) != nil {
							return ctx, fn // a package variable: the same for every start
						}
						f, base := ctxField(ctx)
						if f != nil {
							ctx = base // go w.run(): the field of the receiver
						}
						for i, p := range v.Params {
							if p != ctx || i >= len(g.Call.Args) {
								continue
							}
							if f == nil {
								return g.Call.Args[i], fn
							}
							if a, ok := resolve(g.Call.Args[i], closures).(*ssa.Alloc); ok {
								return made(a, f)
							}
							return setHere(stores[f], fn, g.Call.Args[i], closures)
						}
						return nil, nil
					}
				default:
					continue
				}
				chans, wait := waitsSending(body, true)
				if wait == nil {
					continue
				}
				var ctx ssa.Value
				var in *ssa.Function
				var done token.Pos
				dead := true
				for i, ch := range chans {
					if c := doneOf(ch); c != nil {
						v, f := ctxOf(c)
						if v == nil || ctx != nil && v != ctx {
							dead = false
							break
						}
						ctx, in = v, f
						done = wait.Pos()
						if sel, ok := wait.(*ssa.Select); ok {
							done = sel.States[i].Pos
						}
						continue
					}
					if sel, ok := wait.(*ssa.Select); ok && !caseReturns(sel, i) {
						continue // it goes back to the wait: not a way out
					}
					if !deadChan(ch, classes) {
						dead = false
						break
					}
				}
				if !dead || ctx == nil {
					continue
				}
				if gv := globalLoad(ctx); gv != nil {
					// A package variable set once, to a context that is
					// never canceled: every start of the goroutine, in a
					// function that runs more than once, leaves one
					// waiting forever.
					if len(globals[gv]) != 1 || once(fn) {
						continue
					}
					bg := neverDone(globals[gv][0].Val, 0)
					if bg == nil {
						continue
					}
					pass.Report(analysis.Diagnostic{
						Pos:      done,
						Category: "deadlock",
						Message: fmt.Sprintf("this goroutine can only end when its context is done, and %s starts it with package variable %s, set once to context.%s() (at %s), which is never canceled: every start leaves one goroutine waiting forever (pass the caller's context, or one with a cancel called when the work is done)",
							fn.Name(), gv.Name(), bg.Call.StaticCallee().Name(), at(pass, bg.Pos(), done)),
						Related: []analysis.RelatedInformation{
							{Pos: bg.Pos(), Message: "the never-canceled context is made here"},
							{Pos: g.Pos(), Message: "the goroutine is started here"},
							{Pos: wait.Pos(), Message: "its only wait"},
						},
					})
					continue
				}
				bg, chain := backgroundFor(ctx, in, callers, closures, 0)
				if bg == nil {
					waitsBeforeCancel(pass, funcs, g, body, fn, ctx, in, closures, joined)
					callerCtxJoins(pass, funcs, g, body, ctx, in, done, callers, closures, joined)
					continue
				}
				pass.Report(analysis.Diagnostic{
					Pos:      done,
					Category: "deadlock",
					Message: fmt.Sprintf("this goroutine can only end when its context is done, and %s passes a context that is never canceled (%s, at %s): every such call leaves one goroutine waiting forever (derive the context with a cancel and call it when the work is done)",
						bg.Parent().Name(), chain, at(pass, bg.Pos(), done)),
					Related: []analysis.RelatedInformation{
						{Pos: bg.Pos(), Message: "the never-canceled context is made here"},
						{Pos: g.Pos(), Message: "the goroutine is started here"},
						{Pos: wait.Pos(), Message: "its only wait"},
					},
				})
				joinedWaits(pass, g, body, fn, ctx, in, callers, closures, joined)
			}
		}
	}
}

// setHere returns the value stored into a field, and the function that
// stores it, when stores, every store into it in the package, is one
// store: in fn through x itself (Start keeping the context it is given in
// the receiver it then starts a loop on; x and the store's base are
// followed through captured variables), or anywhere of a parameter of the
// storing function (a constructor given the context): every instance's
// field holds what that function's callers pass. Else nil.
func setHere(stores []*ssa.Store, fn *ssa.Function, x ssa.Value, closures map[*ssa.Function]*ssa.MakeClosure) (ssa.Value, *ssa.Function) {
	if len(stores) != 1 {
		return nil, nil
	}
	st := stores[0]
	if _, ok := st.Val.(*ssa.Parameter); ok && st.Parent() != fn {
		return st.Val, st.Parent()
	}
	base := st.Addr.(*ssa.FieldAddr).X
	if st.Parent() != fn || base != x && (resolve(base, closures) != resolve(x, closures) || resolve(x, closures) == nil) {
		return nil, nil
	}
	return st.Val, fn
}

// caseReturns reports whether case k of sel can reach a return of its
// function without passing the select again: a case whose every path
// leads back to the select (a loop handling each value it receives) is
// not a way out of the wait.
func caseReturns(sel *ssa.Select, k int) bool {
	bodies, _ := caseBodies(sel)
	body, ok := bodies[k]
	if !ok {
		return true
	}
	seen := map[*ssa.BasicBlock]bool{sel.Block(): true}
	stack := []*ssa.BasicBlock{body}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			return true
		}
		stack = append(stack, b.Succs...)
	}
	return false
}

// ctxField returns the field a context is loaded from and the struct
// pointer it is loaded through, or nil.
func ctxField(ctx ssa.Value) (*types.Var, ssa.Value) {
	u, ok := ctx.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return nil, nil
	}
	fa, ok := u.X.(*ssa.FieldAddr)
	if !ok {
		return nil, nil
	}
	return chanuse.StructFieldOf(fa), fa.X
}

// storedField returns the one value stored into field f of the struct a
// allocates (in a's function), or nil.
func storedField(a *ssa.Alloc, f *types.Var) ssa.Value {
	var val ssa.Value
	for _, r := range *a.Referrers() {
		fa, ok := r.(*ssa.FieldAddr)
		if !ok || chanuse.StructFieldOf(fa) != f {
			continue
		}
		for _, u := range *fa.Referrers() {
			if st, ok := u.(*ssa.Store); ok && st.Addr == fa {
				if val != nil {
					return nil // assigned more than once
				}
				val = st.Val
			}
		}
	}
	return val
}

// deadChan reports whether ch is read from a private field whose channel
// nothing in the package closes or sends on: a case that never fires.
func deadChan(ch ssa.Value, classes map[*types.Var]*chanuse.Class) bool {
	f := loadedField(ch)
	return f != nil && classes[f].Silent()
}

// neverDoneMakers are the context package's functions whose result is
// done only when their parent is.
var neverDoneMakers = map[string]bool{"WithValue": true, "WithoutCancel": true}

// backgroundFor looks for a context.Background() or TODO() call that
// reaches v, a context in function in: directly, through WithValue or
// WithoutCancel, or through a parameter of in, from any of its callers. It
// returns that call and how it is made.
func backgroundFor(v ssa.Value, in *ssa.Function, callers map[*ssa.Function][]*ssa.Call, closures map[*ssa.Function]*ssa.MakeClosure, depth int) (*ssa.Call, string) {
	if depth > 5 {
		return nil, ""
	}
	switch x := v.(type) {
	case *ssa.ChangeInterface, *ssa.MakeInterface:
		return nil, ""
	case *ssa.FreeVar, *ssa.UnOp:
		r := resolve(x, closures)
		if r == nil || r == v {
			return nil, ""
		}
		fn := in
		if p, ok := r.(*ssa.Parameter); ok {
			fn = p.Parent()
		} else if i, ok := r.(ssa.Instruction); ok {
			fn = i.Parent()
		}
		return backgroundFor(r, fn, callers, closures, depth+1)
	case *ssa.Call:
		callee := x.Call.StaticCallee()
		if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "context" {
			return nil, ""
		}
		switch {
		case callee.Name() == "Background" || callee.Name() == "TODO":
			if once(x.Parent()) {
				return nil, ""
			}
			return x, "context." + callee.Name() + "()"
		case neverDoneMakers[callee.Name()] && len(x.Call.Args) > 0:
			return backgroundFor(x.Call.Args[0], in, callers, closures, depth+1)
		}
	case *ssa.Parameter:
		fn := x.Parent()
		if fn.Parent() != nil {
			return nil, "" // a closure's parameter: called from anywhere
		}
		idx := -1
		for i, p := range fn.Params {
			if p == x {
				idx = i
			}
		}
		for _, call := range callers[fn] {
			if idx < len(call.Call.Args) {
				if bg, how := backgroundFor(call.Call.Args[idx], call.Parent(), callers, closures, depth+1); bg != nil {
					return bg, how
				}
			}
		}
	}
	return nil, ""
}

// once reports whether fn (or the function it is nested in) runs once per
// process or test: main, init, or a test.
func once(fn *ssa.Function) bool {
	for fn.Parent() != nil {
		fn = fn.Parent()
	}
	name := fn.Name()
	if fn.Signature.Recv() == nil && (name == "main" || name == "init" || len(name) > 4 && name[:4] == "init") {
		return true
	}
	pos := fn.Prog.Fset.Position(fn.Pos())
	return len(pos.Filename) > 8 && pos.Filename[len(pos.Filename)-8:] == "_test.go"
}

// globalLoad returns the package variable v is a load of, or nil.
func globalLoad(v ssa.Value) *ssa.Global {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		if gv, ok := u.X.(*ssa.Global); ok {
			return gv
		}
	}
	return nil
}

// neverDone returns the context.Background() or TODO() call that v is, or
// that v is made from by WithValue or WithoutCancel; nil otherwise.
func neverDone(v ssa.Value, depth int) *ssa.Call {
	c, ok := v.(*ssa.Call)
	if !ok || depth > 4 {
		return nil
	}
	callee := c.Call.StaticCallee()
	if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "context" {
		return nil
	}
	switch {
	case callee.Name() == "Background" || callee.Name() == "TODO":
		return c
	case neverDoneMakers[callee.Name()] && len(c.Call.Args) > 0:
		return neverDone(c.Call.Args[0], depth+1)
	}
	return nil
}
