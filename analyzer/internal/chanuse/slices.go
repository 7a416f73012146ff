package chanuse

import (
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/ssa"
)

// A channel put in one element of a slice its maker builds, a variadic
// argument (stopAll(quitA, quitB) with func stopAll(chs ...chan
// struct{})) or a slice literal ([]chan struct{}{quitA, quitB}), is
// followed into the loops that range over that slice, in the maker or in
// the functions of the package the slice is handed to: the element
// loaded there is the channel in one pass of the loop, and what the loop
// body does with it happens to this channel once per pass over the
// slice. Channel.Each records those operations with the header of their
// range loop, and Channel.InLoop tells rules counting operations that
// such an operation is not repeated by that loop. Any other use of the
// slice (stored, returned, indexed by a constant, appended to) escapes,
// as does an element handed on to another function inside the loop.

// InLoop reports whether op may run more than once on the channel in one
// run of its function: its block is in a loop, other than the range loop
// over a slice holding the channel once (Each).
func (c *Channel) InLoop(op Op) bool {
	b := op.Instr.Block()
	if h := c.Each[op.Instr]; h != nil {
		return ssaloop.ReachesAvoiding(b, b, h)
	}
	return ssaloop.InLoop(b)
}

// element follows the channel v stored by st into element ia of an array
// that n.Fn allocates for a slice (a variadic argument or a slice
// literal); false when that is not the shape (the caller escapes).
func (t *tracker) element(n *Node, st *ssa.Store, ia *ssa.IndexAddr, depth int) bool {
	arr, ok := ia.X.(*ssa.Alloc)
	if !ok || arr.Parent() != n.Fn {
		return false
	}
	if p, ok := arr.Type().Underlying().(*types.Pointer); !ok {
		return false
	} else if _, ok := p.Elem().Underlying().(*types.Array); !ok {
		return false
	}
	if _, ok := ia.Index.(*ssa.Const); !ok {
		return false
	}
	if t.slots == nil {
		t.slots = map[*ssa.Alloc]bool{}
	}
	if t.slots[arr] {
		return false // the channel twice in one slice
	}
	t.slots[arr] = true
	var sl *ssa.Slice
	for _, r := range *arr.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.IndexAddr:
			// The elements set once each, by a constant index.
			if _, ok := r.Index.(*ssa.Const); !ok {
				return false
			}
			for _, u := range *r.Referrers() {
				if s, ok := u.(*ssa.Store); !ok || s.Addr != r {
					if _, ok := u.(*ssa.DebugRef); !ok {
						return false
					}
				}
			}
		case *ssa.Slice:
			if sl != nil || r.Low != nil || r.High != nil || r.Max != nil {
				return false
			}
			sl = r
		default:
			return false
		}
	}
	if sl == nil {
		return false
	}
	t.slice(n, sl, depth)
	return true
}

// slice follows s, a slice holding the channel in one element, in n.Fn.
func (t *tracker) slice(n *Node, s ssa.Value, depth int) {
	if !t.first(n, s) {
		return
	}
	for _, r := range *s.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.IndexAddr:
			h := rangeHeader(r)
			if h == nil || r.X != s {
				t.escape("a slice holding it indexed other than by a range loop")
				continue
			}
			t.rangeElem(n, r, h, depth)
		case *ssa.Call:
			if b, ok := r.Call.Value.(*ssa.Builtin); ok {
				if b.Name() != "len" {
					t.escape("a slice holding it passed to a builtin")
				}
				continue
			}
			t.args(n, s, &r.Call, nil, r, depth, t.slice)
		case *ssa.Go:
			t.args(n, s, &r.Call, r, nil, depth, t.slice)
		case *ssa.Defer:
			t.args(n, s, &r.Call, nil, r, depth, t.slice)
		default:
			t.escape("a slice holding it used other than ranged over or passed on")
		}
	}
}

// rangeElem follows the elements loaded at ia, in the range loop whose
// header is h: in one pass each is the channel. The operations the walk
// adds are marked Each; an element handed on to another function escapes.
func (t *tracker) rangeElem(n *Node, ia *ssa.IndexAddr, h *ssa.BasicBlock, depth int) {
	nodes := len(t.ch.Nodes)
	had := map[ssa.Instruction]bool{}
	for _, op := range n.Ops {
		had[op.Instr] = true
	}
	for _, r := range *ia.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if r.Op != token.MUL {
				t.escape("a slice element's address used")
				continue
			}
			t.value(n, r, depth)
		default:
			t.escape("a slice element's address used")
		}
	}
	if len(t.ch.Nodes) != nodes {
		t.escape("a slice element handed on inside the range loop")
		return
	}
	if t.ch.Each == nil {
		t.ch.Each = map[ssa.Instruction]*ssa.BasicBlock{}
	}
	for _, op := range n.Ops {
		if !had[op.Instr] {
			t.ch.Each[op.Instr] = h
		}
	}
}

// rangeHeader returns the header of the loop that indexes a slice by ia
// (for _, x := range s, or for i := 0; i < len(s); i++ { s[i] }): its
// index is the header's phi, or that phi plus one; nil otherwise.
func rangeHeader(ia *ssa.IndexAddr) *ssa.BasicBlock {
	idx := ia.Index
	if b, ok := idx.(*ssa.BinOp); ok && b.Op == token.ADD {
		if c, ok := b.Y.(*ssa.Const); ok && c.Int64() == 1 {
			idx = b.X
		}
	}
	phi, ok := idx.(*ssa.Phi)
	if !ok || !ssaloop.InLoop(phi.Block()) || !ssaloop.Reaches(phi.Block(), ia.Block()) {
		return nil
	}
	return phi.Block()
}
