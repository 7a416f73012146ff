package chanblock

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// handleStop returns a Stop the package calls on the timer its starter
// returns as an interface value, a handle the callers cancel through (a
// clock abstraction's `Stop() bool`; cert-manager/cert-manager#4233:
// afterFunc made a timer, started `go func() { <-t.C; f() }()` and
// returned the timer as a stoppable, which the work queue kept in a map
// and stopped to forget an item). The starter is called statically, or
// through a package variable it is the only value of; the Stop is on
// the call's result in the caller, or on a value read from the field
// (itself, or a map or slice in it) the caller keeps the result in.
func (st *state) handleStop(starter *ssa.Function, root ssa.Value) ssa.CallInstruction {
	if root == nil || !returnsHandle(starter, root) {
		return nil
	}
	for _, r := range st.handleCalls(starter) {
		local := resultLocal(r)
		for _, b := range r.Parent().Blocks {
			for _, in := range b.Instrs {
				if c, ok := in.(ssa.CallInstruction); ok && isHandleStop(c.Common()) && local(c.Common().Value) == r {
					return c
				}
			}
		}
		vals := []ssa.Value{r}
		for _, ref := range *r.Referrers() {
			if s, ok := ref.(*ssa.Store); ok && s.Val == ssa.Value(r) {
				if a, ok := s.Addr.(*ssa.Alloc); ok && local(a) == r {
					vals = append(vals, a)
				}
			}
		}
		for _, v := range vals {
			for _, f := range keptVals(v) {
				if stop := st.handleStopsOfField()[f]; stop != nil {
					return stop
				}
			}
		}
	}
	return nil
}

// returnsHandle reports whether fn returns root, its local timer, as a
// value of an interface type with a Stop method.
func returnsHandle(fn *ssa.Function, root ssa.Value) bool {
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		for _, r := range ret.Results {
			mi, ok := r.(*ssa.MakeInterface)
			if !ok || localTicker(mi.X) != root {
				continue
			}
			if it, ok := mi.Type().Underlying().(*types.Interface); ok {
				for i := 0; i < it.NumMethods(); i++ {
					if it.Method(i).Name() == "Stop" {
						return true
					}
				}
			}
		}
	}
	return false
}

// isHandleStop reports whether c calls Stop on an interface value.
func isHandleStop(c *ssa.CallCommon) bool {
	return c.IsInvoke() && c.Method.Name() == "Stop" && len(c.Args) == 0
}

// handleCalls returns the calls of fn: static ones, and, for a function
// literal that is the only value stored in a package variable, the calls
// of that variable's loads.
func (st *state) handleCalls(fn *ssa.Function) []*ssa.Call {
	var out []*ssa.Call
	for _, c := range st.callSites().callers[fn] {
		if call, ok := c.(*ssa.Call); ok {
			out = append(out, call)
		}
	}
	var g *ssa.Global
	if refs := fn.Referrers(); refs != nil {
		for _, r := range *refs {
			if s, ok := r.(*ssa.Store); ok && s.Val == ssa.Value(fn) {
				g, _ = s.Addr.(*ssa.Global)
			}
		}
	}
	if g == nil {
		return out
	}
	for _, f := range st.funcs {
		for _, b := range f.Blocks {
			for _, in := range b.Instrs {
				switch in := in.(type) {
				case *ssa.Store:
					if in.Addr == ssa.Value(g) && in.Val != ssa.Value(fn) {
						return nil // another value: which runs is not known
					}
				case *ssa.UnOp:
					if in.Op != token.MUL || in.X != ssa.Value(g) {
						continue
					}
					for _, r := range *in.Referrers() {
						if c, ok := r.(*ssa.Call); ok && c.Call.Value == ssa.Value(in) {
							out = append(out, c)
						}
					}
				}
			}
		}
	}
	return out
}

// handleStopsOfField returns, for each struct field holding interface
// values (itself, or in a map or slice), one Stop the package calls on a
// value read from it; built once.
func (st *state) handleStopsOfField() map[*types.Var]ssa.CallInstruction {
	if st.handleStops != nil {
		return st.handleStops
	}
	st.handleStops = map[*types.Var]ssa.CallInstruction{}
	for _, fn := range st.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				c, ok := instr.(ssa.CallInstruction)
				if !ok || !isHandleStop(c.Common()) {
					continue
				}
				v := c.Common().Value
				// The value of a comma-ok lookup (timer, ok := s.work[k]).
				if x, ok := v.(*ssa.Extract); ok && x.Index == 0 {
					if l, ok := x.Tuple.(*ssa.Lookup); ok {
						v = l
					}
				}
				if fld := heldField(v, 0); fld != nil && st.handleStops[fld] == nil {
					st.handleStops[fld] = c
				}
			}
		}
	}
	return st.handleStops
}
