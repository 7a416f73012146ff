package chanuse

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// FollowObject builds the tree of functions that reach a sync object
// (a sync.WaitGroup, Mutex or RWMutex) made by alloc, a local variable or
// new value of its maker: the object itself when field is -1, else the
// field of that index of the struct alloc makes. It follows the pointer
// as Follow follows a channel, into the closures capturing it, the
// functions of the package it is passed to (as a goroutine, a call or a
// deferred call) and the local variables it is stored in; the nodes have
// no Ops (their operations on the object are the model's, chanmodel's
// sync.go). A use it does not follow (stored elsewhere, passed to a
// function it cannot see, a closure used as a value) makes it escape,
// with Why set; the result's Make is nil.
func FollowObject(alloc *ssa.Alloc, field int) *Channel {
	root := &Node{Fn: alloc.Parent(), Vals: map[ssa.Value]bool{}}
	root.G = root
	ch := &Channel{Nodes: []*Node{root}}
	t := &tracker{ch: ch, seen: map[ssa.Value]bool{}, pkg: alloc.Parent().Pkg, merge: true}
	w := &objWalk{t: t, lock: lockType(alloc.Type().(*types.Pointer).Elem())}
	var path []int
	if field >= 0 {
		path = []int{field}
		w.lock = lockType(alloc.Type().(*types.Pointer).Elem().Underlying().(*types.Struct).Field(field).Type())
	}
	w.val(path)(root, alloc, 0)
	return ch
}

// elemStep is the step of an objWalk path from a map to its element.
const elemStep = -1

// An objWalk follows pointers that reach the object along a path: the
// field indices, and elemStep for a map's element, from what the value
// points to (or, after an elemStep first, the map it is) down to the
// object. A holder stored as the element of a map (m[k] = s) reaches the
// object through the map, and a map stored in a field of a struct its
// function allocates (t.sessions = m, &table{sessions: m}) through that
// struct: the map's lookups, ranges and the struct's other users are
// followed, so that a per-key object kept in a registry the maker builds
// is met wherever the registry is looked up. Whether a lookup is the
// object (the map holds no other element) is the model's to check
// (chanmodel's sync.go).
type objWalk struct {
	t    *tracker
	lock bool // the object is a sync.Mutex or RWMutex
}

// lockType reports whether t is sync.Mutex or sync.RWMutex.
func lockType(t types.Type) bool {
	nt, ok := t.(*types.Named)
	if !ok || nt.Obj().Pkg() == nil || nt.Obj().Pkg().Path() != "sync" {
		return false
	}
	return nt.Obj().Name() == "Mutex" || nt.Obj().Name() == "RWMutex"
}

// val follows v, a pointer to the object (path empty), to what holds it
// along path, or (path starting with elemStep) a map holding it.
func (w *objWalk) val(path []int) func(*Node, ssa.Value, int) {
	var f func(*Node, ssa.Value, int)
	hold := len(path) > 0
	inMap := hold && path[0] == elemStep
	f = func(n *Node, v ssa.Value, depth int) {
		t := w.t
		if !t.first(n, v) {
			return
		}
		n.Vals[v] = true
		for _, r := range *v.Referrers() {
			if inMap && w.mapUse(n, v, r, path[1:], depth) {
				continue
			}
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.FieldAddr:
				if hold && r.Field == path[0] {
					if len(path) > 1 && path[1] == elemStep {
						w.addr(path[1:])(n, r, depth) // its loads are the map
					} else {
						w.val(path[1:])(n, r, depth)
					}
				}
				// Another field cannot reach the object.
			case *ssa.UnOp:
				if r.Op != token.MUL {
					t.escape("an operand")
				}
				// A load of the object or its holder is a copy.
			case *ssa.BinOp:
				if (r.Op != token.EQL && r.Op != token.NEQ) || !isNil(r.X) && !isNil(r.Y) {
					t.escape("compared")
				}
			case *ssa.Store:
				if r.Addr == v {
					continue // the object (or its holder) set
				}
				if fa, ok := r.Addr.(*ssa.FieldAddr); ok && inMap {
					// The map kept in a field of a struct the
					// function allocates.
					if x := LocalStruct(fa.X); x != nil {
						w.val(append([]int{fa.Field}, path...))(n, x, depth)
						continue
					}
				}
				a, ok := r.Addr.(*ssa.Alloc)
				if !ok {
					t.escape("stored in a global or another's field")
					continue
				}
				w.addr(path)(n, a, depth)
			case *ssa.MapUpdate:
				if r.Value != v || r.Key == v || r.Map == v {
					t.escape("used by *ssa.MapUpdate")
					continue
				}
				// Kept as an element of a map the function makes, or
				// of one in a field of a struct it allocates.
				elem := append([]int{elemStep}, path...)
				switch m := r.Map.(type) {
				case *ssa.MakeMap:
					w.val(elem)(n, m, depth)
					continue
				case *ssa.UnOp:
					if fa, ok := m.X.(*ssa.FieldAddr); ok && m.Op == token.MUL {
						if x := LocalStruct(fa.X); x != nil {
							w.val(append([]int{fa.Field}, elem...))(n, x, depth)
							continue
						}
					}
				}
				if !w.lock {
					t.escape("used by *ssa.MapUpdate")
				}
				// A lock kept in a map another owns: its other users
				// are not followed (chanmodel's syncmap.go).
			case *ssa.MakeClosure:
				for i, b := range r.Bindings {
					if b == v {
						t.closure(n, r, i, depth, f)
					}
				}
			case *ssa.Return:
				if !w.lock || inMap || n.Parent != nil {
					t.escape("used by *ssa.Return")
				}
				// A lock the maker returns: its callers are not
				// followed (chanmodel's syncmap.go).
			case *ssa.MakeInterface:
				// The lock made a sync.Cond's L: the Cond's uses reach it.
				if hold || !w.condL(n, r, depth) {
					t.escape("used by *ssa.MakeInterface")
				}
			case *ssa.Call:
				if syncRecv(&r.Call, v) {
					w.groupGo(n, v, r)
					continue // an operation on the object
				}
				if _, ok := r.Call.Value.(*ssa.Builtin); ok {
					t.escape("passed to a builtin")
					continue
				}
				t.args(n, v, &r.Call, nil, r, depth, f)
			case *ssa.Go:
				if syncRecv(&r.Call, v) {
					t.escape("a method started as a goroutine")
					continue
				}
				t.args(n, v, &r.Call, r, nil, depth, f)
			case *ssa.Defer:
				if syncRecv(&r.Call, v) {
					continue
				}
				t.args(n, v, &r.Call, nil, r, depth, f)
			default:
				t.escape(fmt.Sprintf("used by %T", r))
			}
		}
	}
	return f
}

// mapUse follows r, a use of the map v whose element reaches the object
// along elem: a lookup or a range yields the element, delete and len
// are no uses of it; false for the other uses (val's).
func (w *objWalk) mapUse(n *Node, v ssa.Value, r ssa.Instruction, elem []int, depth int) bool {
	switch r := r.(type) {
	case *ssa.Lookup:
		if r.X != v || r.Index == v {
			return false
		}
		if !r.CommaOk {
			w.val(elem)(n, r, depth)
			return true
		}
		for _, e := range *r.Referrers() {
			if x, ok := e.(*ssa.Extract); ok && x.Index == 0 {
				w.val(elem)(n, x, depth)
			}
		}
		return true
	case *ssa.Range:
		for _, nx := range *r.Referrers() {
			nv, ok := nx.(*ssa.Next)
			if !ok {
				continue
			}
			for _, e := range *nv.Referrers() {
				if x, ok := e.(*ssa.Extract); ok && x.Index == 2 {
					w.val(elem)(n, x, depth)
				}
			}
		}
		return true
	case *ssa.MapUpdate:
		return r.Map == v && r.Key != v && r.Value != v // another element stored
	case *ssa.Call:
		if b, ok := r.Call.Value.(*ssa.Builtin); ok && (b.Name() == "delete" || b.Name() == "len") {
			return true
		}
	}
	return false
}

// addr follows a variable holding the pointer (or the map, path starting
// with elemStep): its loads are the pointer (whether it is stored once
// is the model's to check).
func (w *objWalk) addr(path []int) func(*Node, ssa.Value, int) {
	var f func(*Node, ssa.Value, int)
	f = func(n *Node, a ssa.Value, depth int) {
		t := w.t
		if !t.first(n, a) {
			return
		}
		for _, r := range *a.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef, *ssa.Store:
			case *ssa.UnOp:
				if r.Op != token.MUL {
					t.escape("its variable's address used")
					continue
				}
				w.val(path)(n, r, depth)
			case *ssa.MakeClosure:
				for i, b := range r.Bindings {
					if b == a {
						t.closure(n, r, i, depth, f)
					}
				}
			default:
				t.escape("its variable's address used")
			}
		}
	}
	return f
}

// syncRecv reports whether c calls a method of package sync on v.
func syncRecv(c *ssa.CallCommon, v ssa.Value) bool {
	fn := c.StaticCallee()
	if fn == nil || fn.Signature.Recv() == nil || len(c.Args) == 0 || c.Args[0] != v {
		return false
	}
	obj := fn.Object()
	return obj != nil && obj.Pkg() != nil && obj.Pkg().Path() == "sync"
}

// groupGo adds the goroutine wg.Go(f) starts, when f does not capture
// the object (then the closure's walk adds it).
func (w *objWalk) groupGo(n *Node, v ssa.Value, r *ssa.Call) {
	if GroupGo(&r.Call) != v {
		return
	}
	var fn *ssa.Function
	switch f := r.Call.Args[1].(type) {
	case *ssa.MakeClosure:
		for _, b := range f.Bindings {
			if b == v {
				return
			}
		}
		fn = f.Fn.(*ssa.Function)
	case *ssa.Function:
		fn = f
	}
	if fn == nil || fn.Blocks == nil {
		w.t.escape("a group's goroutine not followed")
		return
	}
	c := w.t.child(n, fn, nil, nil)
	c.G, c.Start = c, r
}

// condL follows the sync.Cond whose L mi (the lock as a sync.Locker) is:
// sync.NewCond(mi)'s result, or the Cond whose L field mi is stored in
// (&sync.Cond{L: &mu}); false when mi has another use. Whether the Cond
// and its lock are followed is the model's to check (chanmodel cond.go).
func (w *objWalk) condL(n *Node, mi *ssa.MakeInterface, depth int) bool {
	for _, r := range *mi.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Call:
			fn := r.Call.StaticCallee()
			if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "sync" || fn.Name() != "NewCond" {
				return false
			}
			w.val(nil)(n, r, depth)
		case *ssa.Store:
			fa, ok := r.Addr.(*ssa.FieldAddr)
			if !ok || r.Val != ssa.Value(mi) || !condPtr(fa.X.Type()) {
				return false
			}
			w.val(nil)(n, fa.X, depth)
		default:
			return false
		}
	}
	return true
}

// condPtr reports whether t is *sync.Cond.
func condPtr(t types.Type) bool {
	p, ok := t.Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	nt, ok := p.Elem().(*types.Named)
	return ok && nt.Obj().Pkg() != nil && nt.Obj().Pkg().Path() == "sync" && nt.Obj().Name() == "Cond"
}

// OnlyStore returns the value stored in a, when a is stored to exactly
// once and only loaded otherwise.
func OnlyStore(a *ssa.Alloc) ssa.Value {
	var val ssa.Value
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			if val != nil || r.Addr != a {
				return nil
			}
			val = r.Val
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return nil
			}
		case *ssa.DebugRef:
		case *ssa.MakeClosure:
		default:
			return nil
		}
	}
	return val
}

// LocalStruct returns the struct v points to when the function
// allocates it: v is the allocation, or a load of a variable holding it
// that is set once (a variable closures capture).
func LocalStruct(v ssa.Value) *ssa.Alloc {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		a, ok := u.X.(*ssa.Alloc)
		if !ok {
			return nil
		}
		v = OnlyStore(a)
	}
	a, ok := v.(*ssa.Alloc)
	if !ok {
		return nil
	}
	if _, ok := a.Type().Underlying().(*types.Pointer).Elem().Underlying().(*types.Struct); !ok {
		return nil
	}
	return a
}
