package deadlockleak

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// lastOneGuarded reports whether send runs only on one side of a test of
// state the goroutines share: the result of a sync/atomic operation, or a
// variable captured from the starter (or a package variable) that the
// goroutine itself writes. That is the "last one out signals" idiom:
//
//	if atomic.AddInt32(&left, -1) == 0 { done <- true }
//	mu.Lock(); n++; last := n == total; mu.Unlock(); if last { done <- true }
//
// where one goroutine of all those a loop starts (or one call of all a
// callback gets) sends, so counting one send per goroutine is wrong.
func lastOneGuarded(send ssa.Instruction) bool {
	b := send.Block()
	fn := send.Parent()
	for _, d := range fn.Blocks {
		if len(d.Succs) != 2 || d == b || len(d.Instrs) == 0 {
			continue
		}
		ifi, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
		if !ok || !(d.Succs[0].Dominates(b) || d.Succs[1].Dominates(b)) {
			continue
		}
		if sharedTest(fn, ifi.Cond, 0) {
			return true
		}
	}
	return false
}

// sharedTest reports whether v, a test's condition, is computed from
// state the goroutines running fn share (see lastOneGuarded).
func sharedTest(fn *ssa.Function, v ssa.Value, depth int) bool {
	if depth > 6 {
		return false
	}
	switch x := v.(type) {
	case *ssa.BinOp:
		return sharedTest(fn, x.X, depth+1) || sharedTest(fn, x.Y, depth+1)
	case *ssa.Convert:
		return sharedTest(fn, x.X, depth+1)
	case *ssa.ChangeType:
		return sharedTest(fn, x.X, depth+1)
	case *ssa.Extract:
		return sharedTest(fn, x.Tuple, depth+1)
	case *ssa.Call:
		callee := x.Call.StaticCallee()
		if callee != nil && callee.Origin() != nil {
			callee = callee.Origin()
		}
		return callee != nil && callee.Pkg != nil && callee.Pkg.Pkg.Path() == "sync/atomic"
	case *ssa.UnOp:
		if x.Op == token.NOT {
			return sharedTest(fn, x.X, depth+1)
		}
		if x.Op == token.MUL {
			root := addrRoot(x.X)
			return root != nil && storesTo(fn, root)
		}
	case *ssa.Phi:
		// last := false; if ... { last = n == total }
		for _, e := range x.Edges {
			if sharedTest(fn, e, depth+1) {
				return true
			}
		}
	}
	return false
}

// addrRoot returns the captured or package variable an address is taken
// in (through fields and elements), or nil for a local one.
func addrRoot(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.FreeVar, *ssa.Global:
			return x
		case *ssa.FieldAddr:
			v = x.X
		case *ssa.IndexAddr:
			v = x.X
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return nil
			}
			v = x.X
		default:
			return nil
		}
	}
}

// storesTo reports whether fn writes through an address rooted at root.
func storesTo(fn *ssa.Function, root ssa.Value) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if st, ok := instr.(*ssa.Store); ok && addrRoot(st.Addr) == root {
				return true
			}
		}
	}
	return false
}
