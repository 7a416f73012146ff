package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// stoppedTickers reports a goroutine that waits on a time.Ticker's (or
// Timer's) channel in a loop it never leaves (neverReturns), or that can
// return only after one receive from it (a timer's one-shot waiter),
// while the function that starts it stops that ticker, itself or in a
// function literal it makes: Stop does not close C, so after the Stop
// meant to end the loop the goroutine waits forever, one per start
// (i-love-flamingo/flamingo-commerce#290: TryLock starts `for range
// ticker.C { refresh }` and the unlock function it returns only stops
// the ticker). The ticker is a local variable of the starter, captured
// by the goroutine's literal or passed to a function of the package.
func stoppedTickers(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if g, ok := instr.(*ssa.Go); ok {
					stoppedTicker(st, g)
				}
			}
		}
	}
}

// stoppedTicker checks the goroutine g starts.
func stoppedTicker(st *state, g *ssa.Go) {
	fn, _ := calleeArgs(g.Parent().Pkg, &g.Call)
	mk, _ := g.Call.Value.(*ssa.MakeClosure)
	if fn == nil || fn.Pkg != g.Parent().Pkg || len(fn.Blocks) == 0 {
		return
	}
	endless := neverReturns(fn)
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			// The receive from the ticker's channel: a plain one, or (in
			// a loop the goroutine never leaves) a case of a select, the
			// loop's other cases keeping it alive but never ending it.
			var chv ssa.Value
			switch u := instr.(type) {
			case *ssa.UnOp:
				if u.Op == token.ARROW && (endless || onlyAfter(fn, u)) {
					chv = u.X
				}
			case *ssa.Select:
				if !endless {
					continue
				}
				for _, sc := range u.States {
					if _, load := sc.Chan.(*ssa.UnOp); load && sc.Dir == types.RecvOnly && chanuse.NeverClosed(sc.Chan) {
						chv = sc.Chan
						break
					}
				}
			}
			if chv == nil || !chanuse.NeverClosed(chv) {
				continue
			}
			u := instr
			load, ok := chv.(*ssa.UnOp) // *t.C
			if !ok {
				continue
			}
			t := load.X.(*ssa.FieldAddr).X
			var stop ssa.CallInstruction
			if root := starterTicker(t, g, mk); root != nil {
				stop = stopOf(g.Parent(), fn, root)
				if stop == nil && returnsTicker(g.Parent(), root) {
					stop = st.stopOfResults(g.Parent(), 0)
				}
			}
			if stop == nil {
				stop = fieldStop(st, g, mk, t)
			}
			if stop == nil && mk != nil {
				stop = st.handleStop(g.Parent(), starterTicker(t, g, mk))
			}
			if stop == nil {
				continue
			}
			msg := fmt.Sprintf("this goroutine waits on the ticker's channel in a loop it never leaves, and the ticker is stopped at line %d: Stop does not close the channel, so once stopped the goroutine waits forever (select on a done channel closed beside the Stop)",
				st.pass.Fset.Position(stop.Pos()).Line)
			if !endless {
				msg = fmt.Sprintf("this goroutine can return only after this receive from the timer's channel, and the timer is stopped at line %d: a Stop before it fires sends nothing and closes nothing, so the goroutine waits forever (time.AfterFunc, or select on a done channel closed beside the Stop)",
					st.pass.Fset.Position(stop.Pos()).Line)
			}
			st.Report(analysis.Diagnostic{
				Pos:      u.Pos(),
				Category: "deadlock",
				Message:  msg,
				Related: []analysis.RelatedInformation{
					{Pos: stop.Pos(), Message: "the ticker is stopped here; nothing tells the goroutine"},
					{Pos: g.Pos(), Message: "the goroutine is started here"},
				},
			})
			return
		}
	}
}

// starterTicker returns the value of g's function that t, a ticker in
// the goroutine's function, is: the variable or value a literal captures,
// or the argument given for a parameter; nil for anything else.
func starterTicker(t ssa.Value, g *ssa.Go, mk *ssa.MakeClosure) ssa.Value {
	if v := starterValue(t, g, mk); v != nil {
		return localTicker(v)
	}
	return nil
}

// starterValue returns what the starter of g binds t, a value of the
// goroutine's function, to: the variable a literal captures, or the
// argument given for a parameter; nil for anything else.
func starterValue(t ssa.Value, g *ssa.Go, mk *ssa.MakeClosure) ssa.Value {
	if u, ok := t.(*ssa.UnOp); ok && u.Op == token.MUL {
		t = u.X
	}
	switch v := t.(type) {
	case *ssa.FreeVar:
		if mk == nil {
			return nil
		}
		for i, fv := range mk.Fn.(*ssa.Function).FreeVars {
			if fv == v {
				return mk.Bindings[i]
			}
		}
	case *ssa.Parameter:
		// Callee also gives a literal with free variables, called with
		// arguments, and an interface call, whose receiver is the first.
		fn, args := calleeArgs(g.Parent().Pkg, &g.Call)
		if fn == nil {
			return nil
		}
		for i, p := range fn.Params {
			if p == v && i < len(args) {
				return args[i]
			}
		}
	}
	return nil
}

// fieldStop returns a Stop, anywhere in the package, of the ticker the
// goroutine g waits on (t in its function) when the ticker is kept in a
// struct field (itself, or as an element of a map or slice field) by the
// function that makes it: the starter, or a caller that hands the ticker
// to the starter as an argument (InVisionApp/go-health#35: Start keeps
// each check's ticker in h.tickers and hands it to startRunner, whose
// goroutine ranges over its C; Stop stops every ticker of h.tickers),
// or the goroutine reads the ticker from the field.
func fieldStop(st *state, g *ssa.Go, mk *ssa.MakeClosure, t ssa.Value) ssa.CallInstruction {
	if f := heldField(t, 0); f != nil {
		// The goroutine reads the ticker from the field itself (a method
		// started as `go p.run()` ranging over p.ticker.C).
		return st.stopsOfField()[f]
	}
	v := starterValue(t, g, mk)
	if v == nil {
		return nil
	}
	if f := heldField(v, 0); f != nil {
		// The starter hands the goroutine the ticker it reads from the
		// field (go c.refresher(c.ticker)).
		return st.stopsOfField()[f]
	}
	var fields []*types.Var
	if p := spilledParam(v); p != nil {
		for _, c := range st.callSites().callers[p.Parent()] {
			for i, q := range p.Parent().Params {
				if q != p {
					continue
				}
				args := c.Common().Args // a static method call passes the receiver first, as Params has it
				if i < len(args) {
					fields = append(fields, keptIn(args[i])...)
				}
			}
		}
	} else {
		fields = keptIn(v)
	}
	for _, f := range fields {
		if stop := st.stopsOfField()[f]; stop != nil {
			return stop
		}
	}
	return nil
}

// spilledParam returns the parameter v is: the parameter itself, or the
// variable a captured parameter is spilled to (stored once, with it).
func spilledParam(v ssa.Value) *ssa.Parameter {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		v = u.X
	}
	switch v := v.(type) {
	case *ssa.Parameter:
		return v
	case *ssa.Alloc:
		var p *ssa.Parameter
		for _, r := range *v.Referrers() {
			if s, ok := r.(*ssa.Store); ok && s.Addr == v {
				q, ok := s.Val.(*ssa.Parameter)
				if !ok || p != nil {
					return nil
				}
				p = q
			}
		}
		return p
	}
	return nil
}

// keptIn returns the struct fields that v, a time.NewTicker (or
// NewTimer) result of its function (or the variable holding one), is
// stored in: a field, or an element of a map or slice field.
func keptIn(v ssa.Value) []*types.Var {
	root := localTicker(v)
	if root == nil {
		return nil
	}
	return keptVals(root)
}

// keptVals is keptIn for root, the value itself or the variable holding it.
func keptVals(root ssa.Value) []*types.Var {
	vals := []ssa.Value{root}
	if a, ok := root.(*ssa.Alloc); ok {
		for _, r := range *a.Referrers() {
			switch r := r.(type) {
			case *ssa.UnOp:
				if r.Op == token.MUL {
					vals = append(vals, r)
				}
			case *ssa.Store:
				if r.Addr == a {
					vals = append(vals, r.Val)
				}
			}
		}
	}
	var out []*types.Var
	for _, x := range vals {
		for _, r := range *x.Referrers() {
			switch r := r.(type) {
			case *ssa.Store:
				if r.Val != x {
					continue
				}
				if f := chanuse.StructFieldOf(r.Addr); f != nil {
					out = append(out, f)
				} else if ia, ok := r.Addr.(*ssa.IndexAddr); ok {
					out = append(out, elemField(ia.X)...)
				}
			case *ssa.MapUpdate:
				if r.Value == x {
					if f := heldField(r.Map, 0); f != nil {
						out = append(out, f)
					}
				}
			}
		}
	}
	return out
}

// elemField returns the field a slice element stored through s lands
// in: s is the slice field itself, or the variadic array of an append
// whose result is stored back in the field.
func elemField(s ssa.Value) []*types.Var {
	if f := heldField(s, 0); f != nil {
		return []*types.Var{f}
	}
	a, ok := s.(*ssa.Alloc)
	if !ok {
		return nil
	}
	var out []*types.Var
	for _, r := range *a.Referrers() {
		sl, ok := r.(*ssa.Slice)
		if !ok {
			continue
		}
		for _, r := range *sl.Referrers() {
			c, ok := r.(*ssa.Call)
			if !ok {
				continue
			}
			if b, ok := c.Call.Value.(*ssa.Builtin); !ok || b.Name() != "append" {
				continue
			}
			for _, r := range *c.Referrers() {
				if s, ok := r.(*ssa.Store); ok && s.Val == c {
					if f := chanuse.StructFieldOf(s.Addr); f != nil {
						out = append(out, f)
					}
				}
			}
		}
	}
	return out
}

// localTicker returns v, a ticker of the starter, as the local it is: the
// variable (an Alloc, loaded or captured) or the time.NewTicker or
// time.NewTimer call; nil for a field, a parameter or anything else.
func localTicker(v ssa.Value) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		v = u.X
	}
	switch x := v.(type) {
	case *ssa.Alloc:
		return x
	case *ssa.Call:
		if f := x.Call.StaticCallee(); f != nil && f.Pkg != nil && f.Pkg.Pkg.Path() == "time" && (f.Name() == "NewTicker" || f.Name() == "NewTimer") {
			return x
		}
	}
	return nil
}

// stopOf returns a Stop (called or deferred) on ticker root made by
// starter or by a function literal nested in it, other than the
// goroutine's function g.
func stopOf(starter, g *ssa.Function, root ssa.Value) ssa.CallInstruction {
	return stopIn(starter, g, root, localTicker)
}

// stopIn is stopOf with the starter's locals resolved to the ticker by
// local.
func stopIn(starter, g *ssa.Function, root ssa.Value, local func(ssa.Value) ssa.Value) ssa.CallInstruction {
	var find func(fn *ssa.Function, local func(ssa.Value) ssa.Value) ssa.CallInstruction
	find = func(fn *ssa.Function, local func(ssa.Value) ssa.Value) ssa.CallInstruction {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case ssa.CallInstruction:
					c := in.Common()
					f := c.StaticCallee()
					if f == nil || f.Name() != "Stop" || len(c.Args) != 1 || !isTimeTicker(c.Args[0].Type()) {
						continue
					}
					if local(c.Args[0]) == root {
						return in
					}
				}
			}
		}
		for _, anon := range fn.AnonFuncs {
			if anon == g {
				continue
			}
			if c := find(anon, func(v ssa.Value) ssa.Value { return capturedTicker(v, local) }); c != nil {
				return c
			}
		}
		return nil
	}
	return find(starter, local)
}

// returnsTicker reports whether fn returns root, its local ticker.
func returnsTicker(fn *ssa.Function, root ssa.Value) bool {
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			for _, r := range ret.Results {
				if localTicker(r) == root {
					return true
				}
			}
		}
	}
	return false
}

// stopOfResults returns a Stop that fn's callers make on the ticker fn
// returns (speedtest-go#142: rateCapture returns the ticker its goroutine
// ranges over, and the test handler stops the result of captureFunc(), a
// parameter bound to method values that return rateCapture's result).
// The callers are fn's static calls and the calls of fn as a function or
// method value, made where the value is or through the parameter of a
// static callee it is passed to; a caller that returns the ticker in turn
// is followed up to depth 3.
func (st *state) stopOfResults(fn *ssa.Function, depth int) ssa.CallInstruction {
	if depth > 3 {
		return nil
	}
	var results []*ssa.Call
	for _, c := range st.callSites().callers[fn] {
		if call, ok := c.(*ssa.Call); ok {
			results = append(results, call)
		}
	}
	for _, v := range funcValues(st.funcs, fn) {
		results = append(results, callsOfValue(v)...)
	}
	for _, r := range results {
		caller := r.Parent()
		if stop := stopIn(caller, nil, r, resultLocal(r)); stop != nil {
			return stop
		}
		if caller != fn && returnsValue(caller, r) {
			if stop := st.stopOfResults(caller, depth+1); stop != nil {
				return stop
			}
		}
	}
	return nil
}

// funcValues returns fn taken as a value in funcs: the function itself
// used other than as a callee, or a method value bound to it.
func funcValues(funcs []*ssa.Function, fn *ssa.Function) []ssa.Value {
	var out []ssa.Value
	for _, f := range funcs {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				if mk, ok := instr.(*ssa.MakeClosure); ok {
					if w := mk.Fn.(*ssa.Function); w != fn && w.Synthetic != "" && w.Object() != nil && w.Object() == fn.Object() {
						out = append(out, mk) // fn's $bound wrapper
					}
					continue
				}
				c, isCall := instr.(ssa.CallInstruction)
				for _, op := range instr.Operands(nil) {
					if *op == fn && (!isCall || c.Common().Value != fn) {
						out = append(out, fn)
					}
				}
			}
		}
	}
	return out
}

// callsOfValue returns the calls of the function value v: where it is
// made, and through the parameter of a static callee it is passed to.
func callsOfValue(v ssa.Value) []*ssa.Call {
	var out []*ssa.Call
	callsOf := func(x ssa.Value) {
		for _, r := range *x.Referrers() {
			if c, ok := r.(*ssa.Call); ok && c.Call.Value == x {
				out = append(out, c)
			}
		}
	}
	if v.Referrers() != nil {
		callsOf(v)
		for _, r := range *v.Referrers() {
			c, ok := r.(ssa.CallInstruction)
			if !ok {
				continue
			}
			callee, args := calleeArgs(c.Parent().Pkg, c.Common())
			if callee == nil {
				continue
			}
			for i, a := range args {
				if a == v && i < len(callee.Params) {
					callsOf(callee.Params[i])
				}
			}
		}
	}
	return out
}

// resultLocal resolves a value of r's function to r when it is r, or a
// variable every store to which is r.
func resultLocal(r ssa.Value) func(ssa.Value) ssa.Value {
	return func(v ssa.Value) ssa.Value {
		if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
			v = u.X
		}
		if v == r {
			return r
		}
		a, ok := v.(*ssa.Alloc)
		if !ok {
			return nil
		}
		stored := false
		for _, x := range *a.Referrers() {
			if s, ok := x.(*ssa.Store); ok && s.Addr == a {
				if s.Val != r {
					return nil
				}
				stored = true
			}
		}
		if stored {
			return r
		}
		return nil
	}
}

// returnsValue reports whether fn returns v.
func returnsValue(fn *ssa.Function, v ssa.Value) bool {
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			for _, x := range ret.Results {
				if x == v {
					return true
				}
			}
		}
	}
	return false
}

// capturedTicker is localTicker for a function literal: a variable it
// captures is the one its enclosing function binds, resolved there by
// outer.
func capturedTicker(v ssa.Value, outer func(ssa.Value) ssa.Value) ssa.Value {
	if b := bindingOf(v); b != nil {
		return outer(b)
	}
	return nil
}

// isTimeTicker reports whether t is *time.Ticker or *time.Timer.
func isTimeTicker(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := p.Elem().(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" &&
		(n.Obj().Name() == "Ticker" || n.Obj().Name() == "Timer")
}

// callSites returns the package's call sites, built once.
func (st *state) callSites() *callSites {
	if st.sites == nil {
		st.sites = newCallSites(st.funcs)
	}
	return st.sites
}

// stopsOfField returns, for each struct field holding tickers (itself, or
// in a map or slice), one Stop the package calls on a ticker read from
// it; built once.
func (st *state) stopsOfField() map[*types.Var]ssa.CallInstruction {
	if st.tickerStops != nil {
		return st.tickerStops
	}
	st.tickerStops = map[*types.Var]ssa.CallInstruction{}
	for _, fn := range st.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				c, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				f := c.Common().StaticCallee()
				if f == nil || f.Name() != "Stop" || len(c.Common().Args) != 1 || !isTimeTicker(c.Common().Args[0].Type()) {
					continue
				}
				if fld := heldField(c.Common().Args[0], 0); fld != nil && st.tickerStops[fld] == nil {
					st.tickerStops[fld] = c
				}
			}
		}
	}
	return st.tickerStops
}

// onlyAfter reports whether fn, run as a goroutine, can return only after
// u, a one-shot receive (in no loop) that comes before every return, and
// cannot recover from a panic on the way.
func onlyAfter(fn *ssa.Function, u *ssa.UnOp) bool {
	if ssaloop.InLoop(u.Block()) || recovers(fn) {
		return false
	}
	rets := 0
	for _, b := range fn.Blocks {
		if r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			rets++
			if !dominates(u, r) {
				return false
			}
		}
	}
	return rets > 0
}
