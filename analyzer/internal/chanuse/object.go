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
	w := &objWalk{t: t, field: field}
	w.val(field >= 0)(root, alloc, 0)
	return ch
}

type objWalk struct {
	t     *tracker
	field int
}

// val follows v, a pointer to the object (hold false) or to the struct
// holding it at w.field (hold true).
func (w *objWalk) val(hold bool) func(*Node, ssa.Value, int) {
	var f func(*Node, ssa.Value, int)
	f = func(n *Node, v ssa.Value, depth int) {
		t := w.t
		if !t.first(n, v) {
			return
		}
		n.Vals[v] = true
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.FieldAddr:
				if hold && r.Field == w.field {
					w.val(false)(n, r, depth)
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
				a, ok := r.Addr.(*ssa.Alloc)
				if !ok {
					t.escape("stored in a global or another's field")
					continue
				}
				w.addr(hold)(n, a, depth)
			case *ssa.MakeClosure:
				for i, b := range r.Bindings {
					if b == v {
						t.closure(n, r, i, depth, f)
					}
				}
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

// addr follows a variable holding the pointer: its loads are the
// pointer (whether it is stored once is the model's to check).
func (w *objWalk) addr(hold bool) func(*Node, ssa.Value, int) {
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
				w.val(hold)(n, r, depth)
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
			w.val(false)(n, r, depth)
		case *ssa.Store:
			fa, ok := r.Addr.(*ssa.FieldAddr)
			if !ok || r.Val != ssa.Value(mi) || !condPtr(fa.X.Type()) {
				return false
			}
			w.val(false)(n, fa.X, depth)
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
