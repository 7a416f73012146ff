package lockorder

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Channels kept in a registry (session 18, lockmix).
//
// A map or slice field often keeps one channel per subscriber or pending
// request: the subscriber makes its channel, stores it under the owner's
// lock (`m.watchers[ch] = struct{}{}`, `t.inflight[seq] = ch`,
// `s.subs = append(s.subs, ch)`) and receives from it; the publisher
// takes the channels out of the same field (`for ch := range
// m.watchers`, `ch, ok := t.inflight[seq]`, `for _, ch := range s.subs`)
// and sends. Neither side's channel has an instance or class of its own,
// so the two never met and the send was not known to be unbuffered. Here
// both are named by the registry: "{F:pkg.T.f[]}" for a map's values or
// a slice's elements, "{F:pkg.T.f[k]}" for a map's keys. The send is
// unbuffered when every channel the package stores there is made
// unbuffered (one of unknown origin or size makes it unknown), and a
// subscriber's receive (also a select case) wakes every send on the
// registry. Every rule that matches waits with wakes (a wait holding the
// lock its waker needs, select waits, loops of wakers) sees the link.

// regTaken returns the registry key of a channel value taken out of a
// map or slice field, or "".
func regTaken(v ssa.Value) string {
	if ct, ok := v.(*ssa.ChangeType); ok {
		v = ct.X
	}
	switch x := v.(type) {
	case *ssa.Extract:
		switch t := x.Tuple.(type) {
		case *ssa.Lookup:
			if x.Index == 0 {
				return elemKey(t.X)
			}
		case *ssa.Next:
			rg, ok := t.Iter.(*ssa.Range)
			if !ok {
				return ""
			}
			k := elemKey(rg.X)
			if k == "" {
				return ""
			}
			switch x.Index {
			case 1:
				if _, isMap := rg.X.Type().Underlying().(*types.Map); isMap {
					return strings.TrimSuffix(k, "[]") + "[k]"
				}
			case 2:
				return k
			}
		}
	case *ssa.Lookup:
		if !x.CommaOk {
			return elemKey(x.X)
		}
	case *ssa.UnOp:
		if ia, ok := x.X.(*ssa.IndexAddr); ok && x.Op == token.MUL {
			return elemKey(ia.X)
		}
	}
	return ""
}

// regStored returns the registry keys a channel value v is stored into
// (a map's key or value, a slice element, an appended element of a slice
// field).
func regStored(v ssa.Value) []string {
	var out []string
	for _, r := range *v.Referrers() {
		switch st := r.(type) {
		case *ssa.MapUpdate:
			out = append(out, regStoredAt(st, v)...)
		case *ssa.Store:
			if _, ok := st.Addr.(*ssa.IndexAddr); ok && st.Val == v {
				out = append(out, regStoredAt(st, v)...)
			}
		}
	}
	return out
}

// noteRegSizes records the buffer size of every channel stored in a
// registry by instr: a make's constant size, else unknown (-1).
func (c *checker) noteRegSizes(instr ssa.Instruction) {
	var vals []ssa.Value
	switch st := instr.(type) {
	case *ssa.MapUpdate:
		vals = []ssa.Value{st.Key, st.Value}
	case *ssa.Store:
		if _, ok := st.Addr.(*ssa.IndexAddr); ok {
			vals = []ssa.Value{st.Val}
		}
	default:
		return
	}
	for _, v := range vals {
		if _, ok := v.Type().Underlying().(*types.Chan); !ok {
			continue
		}
		size := int64(-1)
		if mc := madeChan(v); mc != nil {
			if n, ok := constInt(mc.Size); ok {
				size = n
			}
		}
		for _, k := range regStoredAt(instr, v) {
			c.chanSizes["{F:"+k+"}"] = append(c.chanSizes["{F:"+k+"}"], size)
		}
	}
}

// regStoredAt returns the registry keys instr stores v into.
func regStoredAt(instr ssa.Instruction, v ssa.Value) []string {
	switch st := instr.(type) {
	case *ssa.MapUpdate:
		k := elemKey(st.Map)
		if k == "" {
			return nil
		}
		var out []string
		if st.Key == v || unChange(st.Key) == v {
			out = append(out, strings.TrimSuffix(k, "[]")+"[k]")
		}
		if st.Value == v || unChange(st.Value) == v {
			out = append(out, k)
		}
		return out
	case *ssa.Store:
		ia := st.Addr.(*ssa.IndexAddr)
		if k := elemKey(ia.X); k != "" {
			return []string{k}
		}
		if k, _ := appendedTo(ia.X); k != "" {
			return []string{k}
		}
	}
	return nil
}

func unChange(v ssa.Value) ssa.Value {
	if ct, ok := v.(*ssa.ChangeType); ok {
		return ct.X
	}
	return v
}

// madeChan returns the make of the channel v when v is one (looking
// through a conversion and a local variable stored once, as when a
// closure captures it), or nil.
func madeChan(v ssa.Value) *ssa.MakeChan {
	v = unChange(v)
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		if a, ok := u.X.(*ssa.Alloc); ok {
			v = unChange(storedOnce(a))
		}
	}
	mc, _ := v.(*ssa.MakeChan)
	return mc
}

// views returns the values that are the channel mc in its function: mc,
// its conversions, and the loads of the variable it is stored in.
func views(mc *ssa.MakeChan) []ssa.Value {
	out := []ssa.Value{mc}
	for _, r := range *mc.Referrers() {
		switch x := r.(type) {
		case *ssa.ChangeType:
			out = append(out, x)
		case *ssa.Store:
			a, ok := x.Addr.(*ssa.Alloc)
			if !ok || x.Val != mc || storedOnce(a) != mc {
				continue
			}
			for _, ar := range *a.Referrers() {
				if u, ok := ar.(*ssa.UnOp); ok && u.Op == token.MUL {
					out = append(out, u)
				}
			}
		}
	}
	return out
}

// regMade returns the registry key of a channel the function made and
// stored in one registry (and no other), also when a same-package helper
// it calls makes, registers and returns it, or "".
func regMade(v ssa.Value) string {
	if call, ok := unChange(v).(*ssa.Call); ok {
		callee := call.Call.StaticCallee()
		if callee == nil || callee.Pkg == nil || callee.Pkg != call.Parent().Pkg || callee.Signature.Results().Len() == 0 {
			return ""
		}
		key := ""
		for _, r := range returnedValues(callee) {
			k := regMadeHere(r)
			if k == "" || key != "" && k != key {
				return ""
			}
			key = k
		}
		return key
	}
	return regMadeHere(v)
}

// regMadeHere is regMade for a channel made in v's own function.
func regMadeHere(v ssa.Value) string {
	mc := madeChan(v)
	if mc == nil {
		return ""
	}
	var ks []string
	for _, x := range views(mc) {
		ks = append(ks, regStored(x)...)
	}
	if len(ks) == 0 {
		return ""
	}
	for _, k := range ks[1:] {
		if k != ks[0] {
			return ""
		}
	}
	return ks[0]
}
