package chanmodel

import (
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// Objects kept as map elements. A per-key object (a session, an
// allocation, a device with its own lock) is often kept in a registry
// map (t.sessions[id] = s) and found again by a lookup or a range in
// the goroutines that work on it. When the map is one the model owns (a
// make of the maker, or held in a field of a struct the maker allocates,
// the struct's every use in the model: chanuse.FollowObject follows
// there, confined checks here) and exactly one element is ever stored
// in it (one MapUpdate, in the maker, of one object), a lookup that
// finds anything finds that object: the lookup's value is resolved to
// it, so its lock is the object's lock wherever it is taken. The map
// must keep it: a delete, another element or another map in the field
// gives up (a later lookup would miss, or find another). A lookup is
// resolved only when its key can be the stored one (the same value, or
// the maker's parameter on either side: callers choosing it) and when
// it runs after the store (the store precedes, in the maker, every call
// and go statement leading to the lookup). An unresolved lookup's
// operations are not modelled (they return at once, as before), which
// loses witnesses and invents none.

// A lock kept in a map the model does not own (a registry in a field of
// the maker's receiver: s.allocations[key] = a), or returned by the
// maker, is followed as well:
// whoever looks it up can only take it and release it again, which may
// delay the model's goroutines but never frees a lock one of them holds,
// so a state where they wait on each other (or one on itself) stays
// stuck. A path where a goroutine ends holding such a lock is pruned:
// code the model does not see may be the one to release it.

// n0 reports whether v is a value of the maker's own function (a
// return there hands the object to the maker's callers).
func n0(b *syncBuild, v ssa.Value) bool {
	return v.Parent() == b.m.ch.Nodes[0].Fn
}

// holdsShared reports whether g holds a shared lock.
func (e *explorer) holdsShared(g *gor) bool {
	if e.m.sy == nil {
		return false
	}
	for _, o := range g.holds {
		if e.m.sy.objs[o].shared {
			return true
		}
	}
	return false
}

// mapElem resolves v, a map lookup's value (ch := m[k], the first value
// of v, ok := m[k]) or a range's value (for _, v := range m), to the
// one object the map holds; a zero key otherwise.
func (b *syncBuild) mapElem(v ssa.Value, n *chanuse.Node, depth int) (objKey, string) {
	var m, key ssa.Value
	var at ssa.Instruction
	switch x := v.(type) {
	case *ssa.Lookup:
		if x.CommaOk {
			return objKey{}, ""
		}
		m, key, at = x.X, x.Index, x
	case *ssa.Extract:
		switch t := x.Tuple.(type) {
		case *ssa.Lookup:
			if x.Index != 0 {
				return objKey{}, ""
			}
			m, key, at = t.X, t.Index, t
		case *ssa.Next:
			if x.Index != 2 || t.IsString {
				return objKey{}, ""
			}
			r, ok := t.Iter.(*ssa.Range)
			if !ok {
				return objKey{}, ""
			}
			m, at = r.X, t // a range finds whatever is kept
		default:
			return objKey{}, ""
		}
	default:
		return objKey{}, ""
	}
	if _, ok := m.Type().Underlying().(*types.Map); !ok || b.m.hobj != nil {
		return objKey{}, ""
	}
	mk, _ := b.resolve(m, n, depth+1)
	if mk.base == nil {
		return objKey{}, ""
	}
	e, en, ok := b.mapEntry(mk, m.Type(), depth)
	if !ok {
		return objKey{}, ""
	}
	if key != nil && !b.sameKey(e.Key, en, key, n) {
		return objKey{}, ""
	}
	if !b.storedBefore(e, en, at, n) {
		return objKey{}, ""
	}
	return b.resolve(e.Value, en, depth+1)
}

// mapEntry returns the one store of an element into the map mk (of type
// t) in the model's functions, with its node: the only MapUpdate whose
// map resolves to mk, run by the maker; false when there are others, or
// a MapUpdate on a map of that type the model cannot resolve.
func (b *syncBuild) mapEntry(mk objKey, t types.Type, depth int) (*ssa.MapUpdate, *chanuse.Node, bool) {
	var e *ssa.MapUpdate
	var en *chanuse.Node
	for _, n := range b.m.ch.Nodes {
		if b.m.canon[n] != n {
			continue
		}
		for _, blk := range n.Fn.Blocks {
			for _, in := range blk.Instrs {
				u, ok := in.(*ssa.MapUpdate)
				if !ok || !types.Identical(u.Map.Type(), t) {
					continue
				}
				k, _ := b.resolve(u.Map, n, depth+1)
				if k.base == nil {
					return nil, nil, false // perhaps the same map
				}
				if k != mk {
					continue
				}
				if e != nil {
					return nil, nil, false
				}
				e, en = u, n
			}
		}
	}
	if e == nil || en != b.m.ch.Nodes[0] {
		return nil, nil, false
	}
	return e, en, true
}

// sameKey reports whether key, a lookup's key in n, can be k, the key
// the element was stored under in kn: the same value, or a parameter of
// the maker (which its callers choose) on either side.
func (b *syncBuild) sameKey(k ssa.Value, kn *chanuse.Node, key ssa.Value, n *chanuse.Node) bool {
	a, x := root(k, kn, 0), root(key, n, 0)
	if a == x {
		return true
	}
	for _, p := range b.m.ch.Nodes[0].Fn.Params {
		pr := root(p, b.m.ch.Nodes[0], 0)
		if a == pr || x == pr {
			return true
		}
	}
	return false
}

// storedBefore reports whether e, the maker's store of the element,
// runs before at, a lookup or range in n: in the maker, before it;
// elsewhere, before the maker's call or go statement that leads to n.
func (b *syncBuild) storedBefore(e *ssa.MapUpdate, en *chanuse.Node, at ssa.Instruction, n *chanuse.Node) bool {
	if n == en {
		return before(e, at)
	}
	c := n
	for c != nil && c.Parent != en {
		c = c.Parent
	}
	if c == nil {
		return false
	}
	var site ssa.Instruction
	switch {
	case c.Go != nil:
		site = c.Go
	case c.Call != nil:
		site = c.Call
	case c.Start != nil:
		site = c.Start
	default:
		return false
	}
	return before(e, site)
}

// mapKeyOf names a map the maker makes: the field of a local struct it
// is stored in, or the make itself.
func (b *syncBuild) mapKeyOf(x *ssa.MakeMap, n *chanuse.Node, depth int) (objKey, string) {
	for _, r := range *x.Referrers() {
		st, ok := r.(*ssa.Store)
		if !ok || st.Val != ssa.Value(x) {
			continue
		}
		if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
			return b.resolve(fa, n, depth+1)
		}
	}
	return objKey{base: x}, ""
}

// confinedMap checks r, a use of v whose path to the object starts with
// a map's element ("[]") or that keeps v as an element: handled false
// when r is none of the map's uses.
func (b *syncBuild) confinedMap(v ssa.Value, r ssa.Instruction, path string, obj int, seen map[ssa.Value]bool, depth int) (ok, handled bool) {
	if u, isU := r.(*ssa.MapUpdate); isU {
		if u.Key == v {
			return false, true
		}
		if u.Value == v && u.Map != v {
			// Kept as an element: the map's uses reach the object.
			b.kept[u] = true
			switch m := u.Map.(type) {
			case *ssa.MakeMap:
				return b.confined(m, "[]"+path, obj, seen, depth+1), true
			case *ssa.UnOp:
				if fa, isFA := m.X.(*ssa.FieldAddr); isFA {
					if x := chanuse.LocalStruct(fa.X); x != nil {
						return b.confined(x, "."+strconv.Itoa(fa.Field)+"[]"+path, obj, seen, depth+1), true
					}
				}
			}
			// A map the model does not own: its other users may only
			// lock and unlock a lock, which delays the model's
			// goroutines and never releases what they hold.
			if b.sm.objs[obj].kind == kMu && !strings.Contains(path, "[]") {
				b.sm.objs[obj].shared = true
				return true, true
			}
			return false, true
		}
	}
	if _, isR := r.(*ssa.Return); isR && n0(b, v) {
		// A lock returned to callers the model does not see.
		if b.sm.objs[obj].kind == kMu && !strings.Contains(path, "[]") {
			b.sm.objs[obj].shared = true
			return true, true
		}
		return false, true
	}
	if !strings.HasPrefix(path, "[]") {
		return false, false
	}
	elem := path[2:]
	switch r := r.(type) {
	case *ssa.MapUpdate:
		// The one element: no other may be stored.
		return r.Map == v && b.kept[r], true
	case *ssa.Lookup:
		if r.X != v || r.Index == v {
			return false, true
		}
		if !r.CommaOk {
			return b.confined(r, elem, obj, seen, depth+1), true
		}
		for _, e := range *r.Referrers() {
			if x, isX := e.(*ssa.Extract); isX && x.Index == 0 && !b.confined(x, elem, obj, seen, depth+1) {
				return false, true
			}
		}
		return true, true
	case *ssa.Range:
		for _, nx := range *r.Referrers() {
			nv, isN := nx.(*ssa.Next)
			if !isN {
				return false, true
			}
			for _, e := range *nv.Referrers() {
				if x, isX := e.(*ssa.Extract); isX && x.Index == 2 && !b.confined(x, elem, obj, seen, depth+1) {
					return false, true
				}
			}
		}
		return true, true
	case *ssa.Call:
		if bi, isB := r.Call.Value.(*ssa.Builtin); isB {
			return bi.Name() == "len", true // a delete would empty it
		}
	case *ssa.Store:
		if r.Val != v {
			return false, false
		}
		// The map kept in a field of a struct the maker allocates.
		if fa, isFA := r.Addr.(*ssa.FieldAddr); isFA {
			if x := chanuse.LocalStruct(fa.X); x != nil {
				b.kept[r] = true
				return b.confined(x, "."+strconv.Itoa(fa.Field)+path, obj, seen, depth+1), true
			}
		}
		return false, true
	}
	return false, false
}

// mapFieldSet reports whether st, a store into a field holding the map
// (path from the map, "[]" first), sets the field once: the only store
// into that field of its struct type in the model's functions, of a map
// the maker makes, which is then checked as the map.
func (b *syncBuild) mapFieldSet(st *ssa.Store, path string, obj int, seen map[ssa.Value]bool, depth int) bool {
	fa, ok := st.Addr.(*ssa.FieldAddr)
	mm, isMake := st.Val.(*ssa.MakeMap)
	if !ok || !isMake || st.Parent() != b.m.ch.Nodes[0].Fn {
		return false
	}
	n := 0
	for fn := range b.fns {
		for _, blk := range fn.Blocks {
			for _, in := range blk.Instrs {
				s, ok := in.(*ssa.Store)
				if !ok {
					continue
				}
				if x, ok := s.Addr.(*ssa.FieldAddr); ok && x.Field == fa.Field && types.Identical(x.X.Type(), fa.X.Type()) {
					n++
				}
			}
		}
	}
	if n != 1 {
		return false
	}
	b.kept[st] = true
	return b.confined(mm, path, obj, seen, depth+1)
}

// nilTests records the comparisons with nil of a pointer to a modelled
// object or to what holds it (if wg != nil { defer wg.Done() }, a
// lookup's miss test), which the exploration decides: the object the
// pointer resolves to in that node is made, and a resolved lookup finds
// it. A node where the pointer may be nil (a call passing nil) resolves
// it to nothing, and its test stays open.
func (b *syncBuild) nilTests() {
	for _, n := range b.m.ch.Nodes {
		if b.m.canon[n] != n {
			continue
		}
		for _, blk := range n.Fn.Blocks {
			for _, in := range blk.Instrs {
				x, ok := in.(*ssa.BinOp)
				if !ok || (x.Op != token.EQL && x.Op != token.NEQ) {
					continue
				}
				v := x.X
				if isNil(v) {
					v = x.Y
				} else if !isNil(x.Y) {
					continue
				}
				if _, ok := v.Type().Underlying().(*types.Pointer); !ok {
					continue
				}
				k, _ := b.resolve(v, n, 0)
				if k.base == nil || !b.holds(k) {
					continue
				}
				if b.sm.nonNil == nil {
					b.sm.nonNil = map[*chanuse.Node]map[*ssa.BinOp]bool{}
				}
				if b.sm.nonNil[n] == nil {
					b.sm.nonNil[n] = map[*ssa.BinOp]bool{}
				}
				b.sm.nonNil[n][x] = true
			}
		}
	}
}

// holds reports whether k is a modelled object, or what holds one.
func (b *syncBuild) holds(k objKey) bool {
	for o, i := range b.index {
		if o.base == k.base && strings.HasPrefix(o.path, k.path) && !b.bad[i] {
			return true
		}
	}
	return false
}
