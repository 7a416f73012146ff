package chanuse

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// MapKind is what an instruction does to the element a map class
// follows (see WideMaps).
type MapKind uint8

// The map operations of a map class.
const (
	MapStore  MapKind = iota + 1 // m[k] = ch, ch one of the class's makes
	MapLookup                    // ch := m[k], ch, ok := m[k]
	MapDelete                    // delete(m, k)
	MapClear                     // the field gets another map (make, nil)
)

// MapOp is an instruction of the package on the map a map class's
// channels are kept in, with the object whose field the map is.
type MapOp struct {
	Kind  MapKind
	Instr ssa.Instruction
	Base  ssa.Value
}

// WideMaps follows, for the interleaving checker, the channels kept as
// elements of a map held in a private field (s.waiters map[K]chan T) as
// classes: the class's Field is the map field, and its channel is any
// element. Each value of the map loaded from the field must be used
// only by
//
//   - m[k] = ch, ch a make of the package (Makes; its other uses are
//     followed as a field's make kept elsewhere: close(ch), <-ch, passed
//     to the package's functions);
//   - ch := m[k] or ch, ok := m[k], whose channel is then used only by
//     operations on it (send, receive, select, close) and nil tests: a
//     lookup's value is nil when the key is absent, so the checker must
//     see where it comes from;
//   - delete(m, k), len(m), m != nil;
//   - for _, ch := range m { close(ch) } (a close-all on shutdown): the
//     ranged value only closed or compared with nil.
//
// The field itself may only get a new map (make, a literal, nil: a
// MapClear). Anything else (the map handed to a call or returned, a
// value of unknown origin stored, a lookup's channel passed on) gives
// up: Escapes or Stored, with Why for the census. MapOps lists the
// stores, lookups and deletes so that the checker can tell whether the
// element it follows is in the map; a key is taken to be the key the
// element was stored under: every key must come from a parameter (or a
// field of one, or a variable holding one), so that callers choosing the
// same key is a run the program can take; a key the package computes (a
// counter, a constant) gives up.
func WideMaps(pkg *types.Package, sealed *Sealed, funcs []*ssa.Function) map[*types.Var]*Class {
	classes := map[*types.Var]*Class{}
	closed := closedAccessors(pkg, sealed, funcs)
	get := func(v *types.Var) *Class {
		if v == nil || v.Pkg() != pkg || v.Origin() != v || !sealed.Private(v) {
			return nil
		}
		mt, ok := v.Type().Underlying().(*types.Map)
		if !ok {
			return nil
		}
		if _, ok := mt.Elem().Underlying().(*types.Chan); !ok {
			return nil
		}
		c := classes[v]
		if c == nil {
			c = &Class{Field: v, Elem: true, closed: closed, nodes: map[*ssa.Function]*Node{},
				wide:  &wideView{pkg: pkg, sealed: sealed, params: map[*ssa.Parameter]bool{}, locals: map[ssa.Value]bool{}, makes: map[*ssa.MakeChan]bool{}},
				bases: map[ssa.Value]ssa.Value{}, maps: map[ssa.Value]bool{}}
			classes[v] = c
		}
		return c
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.FieldAddr:
					if c := get(StructField(in.X.Type(), in.Field, true)); c != nil {
						c.mapAddr(in)
					}
				case *ssa.Field:
					if c := get(StructField(in.X.Type(), in.Field, false)); c != nil {
						c.mapValue(in, fn, in.X)
					}
				}
			}
		}
	}
	return classes
}

// LookupOf returns the map lookup whose channel v is (ch := m[k], or the
// first value of ch, ok := m[k]), or nil.
func LookupOf(v ssa.Value) *ssa.Lookup {
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			break
		}
		v = ct.X
	}
	switch v := v.(type) {
	case *ssa.Lookup:
		if !v.CommaOk {
			return v
		}
	case *ssa.Extract:
		if l, ok := v.Tuple.(*ssa.Lookup); ok && v.Index == 0 {
			return l
		}
	}
	return nil
}

func (c *Class) mapOp(k MapKind, in ssa.Instruction, base ssa.Value) {
	c.MapOps = append(c.MapOps, MapOp{Kind: k, Instr: in, Base: base})
}

// mapAddr classifies the uses of the map field's address.
func (c *Class) mapAddr(fa *ssa.FieldAddr) {
	for _, r := range *fa.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if r.Addr != fa {
				c.esc("map field address stored")
				continue
			}
			switch v := r.Val.(type) {
			case *ssa.MakeMap:
				if !c.freshMap(v) {
					c.esc("a map stored in the field is used elsewhere too")
				}
				c.mapOp(MapClear, r, fa.X)
			case *ssa.Const:
				if !v.IsNil() {
					c.Stored = true
				}
				c.mapOp(MapClear, r, fa.X)
			default:
				c.Stored = true
				c.Why = "a map of unknown origin stored in the field"
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				c.esc("map field address used")
				continue
			}
			c.mapValue(r, fa.Parent(), fa.X)
		default:
			c.esc(fmt.Sprintf("map field address used by %T", r))
		}
	}
}

// freshMap reports whether mm, a map made and stored in the field, is
// used otherwise only to fill it with the class's makes (a literal).
func (c *Class) freshMap(mm *ssa.MakeMap) bool {
	for _, r := range *mm.Referrers() {
		switch r := r.(type) {
		case *ssa.Store, *ssa.DebugRef:
			if st, ok := r.(*ssa.Store); ok && st.Val != ssa.Value(mm) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// mapValue classifies the uses of m, the map loaded from the field of
// base.
func (c *Class) mapValue(m ssa.Value, fn *ssa.Function, base ssa.Value) {
	if c.maps[m] {
		return
	}
	c.maps[m] = true
	for _, r := range *m.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.MapUpdate:
			if r.Map != m || r.Key == m || r.Value == m {
				c.esc("map used as a key or value")
				continue
			}
			mk, ok := MadeIn(r.Value)
			if !ok || mk.Parent() == nil || mk.Parent().Pkg == nil || mk.Parent().Pkg.Pkg != c.wide.pkg {
				c.Stored = true
				if c.Why == "" {
					c.Why = "a channel of unknown origin stored in the map"
				}
				continue
			}
			if !clientKey(r.Key, 0) {
				c.esc("a key not from a parameter")
				continue
			}
			c.mapOp(MapStore, r, base)
			if !c.wide.makes[mk] {
				c.wide.makes[mk] = true
				c.Makes = append(c.Makes, mk)
				c.value(mk, mk.Parent(), base)
			}
		case *ssa.Lookup:
			if r.X != m {
				c.esc("map used as a key")
				continue
			}
			if !clientKey(r.Index, 0) {
				c.esc("a key not from a parameter")
				continue
			}
			c.mapOp(MapLookup, r, base)
			if !r.CommaOk {
				c.elemValue(r, fn, base)
				continue
			}
			for _, u := range *r.Referrers() {
				if x, ok := u.(*ssa.Extract); ok && x.Index == 0 {
					c.elemValue(x, fn, base)
				} else if !ok {
					c.esc("lookup tuple used")
				}
			}
		case *ssa.Call:
			if b, ok := r.Call.Value.(*ssa.Builtin); ok && len(r.Call.Args) > 0 && r.Call.Args[0] == m {
				switch b.Name() {
				case "delete":
					if len(r.Call.Args) != 2 || !clientKey(r.Call.Args[1], 0) {
						c.esc("a key not from a parameter")
						continue
					}
					c.mapOp(MapDelete, r, base)
					continue
				case "len":
					continue
				}
			}
			c.esc("map passed to a call")
		case *ssa.BinOp:
			if !c.nilTest(r, m) {
				c.esc("map compared")
			}
		case *ssa.Range:
			c.rangeValues(r, fn, base)
		default:
			c.esc(fmt.Sprintf("map used by %T", r))
		}
	}
}

// rangeValues follows the values of a range over the map: only closed
// (a close-all on shutdown) or compared with nil.
func (c *Class) rangeValues(rg *ssa.Range, fn *ssa.Function, base ssa.Value) {
	for _, r := range *rg.Referrers() {
		nx, ok := r.(*ssa.Next)
		if !ok {
			c.esc("map range used")
			continue
		}
		for _, u := range *nx.Referrers() {
			x, ok := u.(*ssa.Extract)
			if !ok {
				c.esc("map range used")
				continue
			}
			if x.Index != 2 {
				continue
			}
			if !closesOnly(x) {
				c.esc("a ranged channel used other than by close")
				continue
			}
			c.value(x, fn, base)
		}
	}
}

// closesOnly reports whether v is only closed or compared with nil.
func closesOnly(v ssa.Value) bool {
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Call:
			if b, ok := r.Call.Value.(*ssa.Builtin); !ok || b.Name() != "close" {
				return false
			}
		case *ssa.BinOp:
			if !(r.Op == token.EQL || r.Op == token.NEQ) || !(isNil(r.X) || isNil(r.Y)) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// elemValue follows v, a lookup's channel: it must only be operated on
// where it is looked up (nil when the key is absent), compared with nil,
// or converted.
func (c *Class) elemValue(v ssa.Value, fn *ssa.Function, base ssa.Value) {
	if !opsOnly(v, c.getOrCreate) {
		c.esc("a looked-up channel used other than by operations on it")
		return
	}
	c.value(v, fn, base)
}

// getOrCreate reports whether phi merges only channels of the class:
// the channel looked up in the class's map, or one made and stored in it
// on the path where the key was absent (ch, ok := m[k]; if !ok { ch =
// make(...); m[k] = ch }), and is itself only operated on as a lookup's
// channel is.
func (c *Class) getOrCreate(phi *ssa.Phi) bool {
	for _, e := range phi.Edges {
		switch e := Unchange(e).(type) {
		case *ssa.Extract:
			lk, ok := e.Tuple.(*ssa.Lookup)
			if !ok || e.Index != 0 || !c.isMapLoad(lk.X) {
				return false
			}
		case *ssa.Lookup:
			if !c.isMapLoad(e.X) {
				return false
			}
		case *ssa.MakeChan:
			stored := false
			for _, r := range *e.Referrers() {
				if u, ok := r.(*ssa.MapUpdate); ok && u.Value == ssa.Value(e) && c.isMapLoad(u.Map) {
					stored = true
				}
			}
			if !stored {
				return false
			}
		default:
			return false
		}
	}
	return opsOnly(phi, nil)
}

// opsOnly reports whether v is used only by sends, receives, selects
// (not as a sent value), close, deferred close, nil tests and
// conversions used so, or by a phi that merge accepts (nil: none).
func opsOnly(v ssa.Value, merge func(*ssa.Phi) bool) bool {
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Phi:
			if merge == nil || !merge(r) {
				return false
			}
		case *ssa.Send:
			if r.Chan != v || r.X == v {
				return false
			}
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				return false
			}
		case *ssa.Select:
			for _, st := range r.States {
				if st.Send == v {
					return false
				}
			}
		case *ssa.Call:
			if b, ok := r.Call.Value.(*ssa.Builtin); !ok || b.Name() != "close" {
				return false
			}
		case *ssa.Defer:
			if b, ok := r.Call.Value.(*ssa.Builtin); !ok || b.Name() != "close" {
				return false
			}
		case *ssa.BinOp:
			if !(r.Op == token.EQL || r.Op == token.NEQ) || !(isNil(r.X) || isNil(r.Y)) {
				return false
			}
		case *ssa.ChangeType:
			if !opsOnly(r, merge) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// Unchange returns v without the ChangeType conversions around it (a
// channel made bidirectional handed on as send- or receive-only).
func Unchange(v ssa.Value) ssa.Value {
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			return v
		}
		v = ct.X
	}
}

// isMapLoad reports whether m is the class's map loaded from its field.
func (c *Class) isMapLoad(m ssa.Value) bool {
	switch m := Unchange(m).(type) {
	case *ssa.UnOp:
		return m.Op == token.MUL && StructFieldOf(m.X) == c.Field
	case *ssa.Field:
		return StructField(m.X.Type(), m.Field, false) == c.Field
	}
	return false
}

// MadeIn returns the make v is: the make itself, or a load of a variable
// (one a closure captures) whose every store stores that make.
func MadeIn(v ssa.Value) (*ssa.MakeChan, bool) {
	v = Unchange(v)
	if ld, ok := v.(*ssa.UnOp); ok && ld.Op == token.MUL {
		a, ok := ld.X.(*ssa.Alloc)
		if !ok {
			return nil, false
		}
		var mk *ssa.MakeChan
		for _, r := range *a.Referrers() {
			st, ok := r.(*ssa.Store)
			if !ok || st.Addr != a {
				continue
			}
			m, ok := Unchange(st.Val).(*ssa.MakeChan)
			if !ok || mk != nil && m != mk {
				return nil, false
			}
			mk = m
		}
		return mk, mk != nil
	}
	mk, ok := v.(*ssa.MakeChan)
	return mk, ok
}

// clientKey reports whether the map key k comes from a parameter: the
// parameter itself, a field of it (not of a method's receiver), a captured variable or one every
// store of which stores such a key, converted or not.
func clientKey(k ssa.Value, depth int) bool {
	if depth > 4 {
		return false
	}
	switch k := k.(type) {
	case *ssa.Parameter, *ssa.FreeVar:
		return true
	case *ssa.ChangeType:
		return clientKey(k.X, depth+1)
	case *ssa.Convert:
		return clientKey(k.X, depth+1)
	case *ssa.MakeInterface:
		return clientKey(k.X, depth+1)
	case *ssa.Field:
		return !isRecv(k.X) && clientKey(k.X, depth+1)
	case *ssa.Index:
		return clientKey(k.X, depth+1)
	case *ssa.Extract:
		// The key of a range over a map (the class's own: a
		// close-all visiting the element).
		if nx, ok := k.Tuple.(*ssa.Next); ok && k.Index == 1 && !nx.IsString {
			return true
		}
		return false
	case *ssa.UnOp:
		if k.Op != token.MUL {
			return false
		}
		switch x := k.X.(type) {
		case *ssa.FreeVar:
			return true
		case *ssa.FieldAddr:
			// A field of the receiver is the object's own state (a
			// counter), not a key the caller chooses.
			return !isRecv(x.X) && clientKey(x.X, depth+1)
		case *ssa.IndexAddr:
			return clientKey(x.X, depth+1)
		case *ssa.Alloc:
			n := 0
			for _, r := range *x.Referrers() {
				if st, ok := r.(*ssa.Store); ok && st.Addr == x {
					if !clientKey(st.Val, depth+1) {
						return false
					}
					n++
				}
			}
			return n > 0
		}
	}
	return false
}

// isRecv reports whether v is a method's receiver, or a captured one.
func isRecv(v ssa.Value) bool {
	switch v := v.(type) {
	case *ssa.Parameter:
		fn := v.Parent()
		return fn.Signature.Recv() != nil && len(fn.Params) > 0 && fn.Params[0] == v
	case *ssa.FreeVar:
		return true // unknown: taken as the receiver
	case *ssa.UnOp:
		_, ok := v.X.(*ssa.FreeVar)
		return ok && v.Op == token.MUL
	}
	return false
}
