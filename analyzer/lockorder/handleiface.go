package lockorder

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A handle got through an interface (review 16, item 4): `c, ok :=
// g.Get(k)` with g an interface whose implementations in the package
// keep their receiver in the result's field (&rc{s: s}) resolves the
// handle's lock as throughHandle does for a static call, with the
// receiver as parameter 0: c.s.mu of c := g.Get(k) is g.mu, so the
// c.Close() that unlocks c.s.mu releases the lock Get left held. Every
// implementation must keep the same parameter in the same field;
// otherwise the handle stays unresolved, as before.

// throughInvokedHandle is throughHandle for call, an interface method
// call whose result res is root.
func (c *checker) throughInvokedHandle(root ssa.Value, path string, call *ssa.Call, res int) (ssa.Value, string) {
	impls := c.implementations(call.Call.Method)
	if len(impls) == 0 || len(impls) > maxTargets {
		return root, path
	}
	param, field := -1, ""
	for _, fn := range impls {
		p, f := -1, ""
		for _, rf := range c.summaryOf(fn).Results {
			if rf.Result == res && strings.HasPrefix(path, rf.Field+"^") {
				p, f = rf.Param, rf.Field
			}
		}
		if p < 0 || param >= 0 && (p != param || f != field) {
			return root, path
		}
		param, field = p, f
	}
	var arg ssa.Value
	switch {
	case param == 0:
		arg = call.Call.Value
	case param-1 < len(call.Call.Args):
		arg = call.Call.Args[param-1]
	default:
		return root, path
	}
	return arg, path[len(field)+1:]
}

type resultCandidate struct {
	i int
	v ssa.Value
}

// resultCandidates returns what ret hands back, by result: each result
// itself, or, in a function with a defer (whose results live in local
// variables), every value stored in the variable the result loads.
func resultCandidates(ret *ssa.Return) []resultCandidate {
	var out []resultCandidate
	for i, r := range ret.Results {
		ld, ok := r.(*ssa.UnOp)
		a, isAlloc := (*ssa.Alloc)(nil), false
		if ok && ld.Op == token.MUL {
			a, isAlloc = ld.X.(*ssa.Alloc)
		}
		if !isAlloc || a.Heap {
			out = append(out, resultCandidate{i, r})
			continue
		}
		for _, x := range *a.Referrers() {
			if st, ok := x.(*ssa.Store); ok && st.Addr == a {
				out = append(out, resultCandidate{i, st.Val})
			}
		}
	}
	return out
}

// handleMethod resolves call, a method call through an interface of
// another package (c.Close() on an io.ReadCloser), when the value is a
// handle: the result of a call (static, or through an interface of the
// package) whose callees return holding a lock and hand back, on every
// return, nil or one concrete type that keeps a parameter in a field.
// It returns that type's method, or nil.
func (c *checker) handleMethod(call *ssa.CallCommon) *ssa.Function {
	hc, res := handleCall(sameHandle(call.Value))
	if hc == nil {
		return nil
	}
	var callees []*ssa.Function
	if hc.Call.IsInvoke() {
		callees = c.implementations(hc.Call.Method)
		if len(callees) > maxTargets {
			return nil
		}
	} else if fn := hc.Call.StaticCallee(); fn != nil {
		callees = []*ssa.Function{fn}
	}
	var t types.Type
	for _, fn := range callees {
		kept := false
		for _, rf := range c.summaryOf(fn).Results {
			if rf.Result == res {
				kept = true
			}
		}
		if !kept {
			return nil
		}
		for _, b := range fn.Blocks {
			ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok {
				continue
			}
			for _, rc := range resultCandidates(ret) {
				if rc.i != res {
					continue
				}
				if k, ok := rc.v.(*ssa.Const); ok && k.IsNil() {
					continue
				}
				mi, ok := rc.v.(*ssa.MakeInterface)
				if !ok || types.IsInterface(mi.X.Type()) || t != nil && !types.Identical(t, mi.X.Type()) {
					return nil
				}
				t = mi.X.Type()
			}
		}
	}
	if t == nil {
		return nil
	}
	m := c.prog.LookupMethod(t, call.Method.Pkg(), call.Method.Name())
	if m == nil || m.Blocks == nil {
		return nil
	}
	return m
}

// sameHandle looks through conversions that keep the value: a type
// assertion that panics on failure, a change of interface.
func sameHandle(v ssa.Value) ssa.Value {
	for range 4 {
		switch x := v.(type) {
		case *ssa.TypeAssert:
			if x.CommaOk {
				return v
			}
			v = x.X
		case *ssa.ChangeInterface:
			v = x.X
		default:
			return v
		}
	}
	return v
}
