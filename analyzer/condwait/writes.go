package condwait

import (
	"go/constant"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// write is one store to a struct field (plain or atomic).
type write struct {
	fn    *ssa.Function
	instr ssa.Instruction
	field *types.Var
	val   ssa.Value // the value stored; nil for an atomic Add
	delta ssa.Value // an atomic Add's delta
}

// writeOf returns the field store instr makes, if any. A store into a
// struct the function has just allocated (a constructor filling it in) is
// not one: no waiter can see that struct yet.
func writeOf(fn *ssa.Function, instr ssa.Instruction) *write {
	var addr, val, delta ssa.Value
	switch in := instr.(type) {
	case *ssa.Store:
		addr, val = in.Addr, in.Val
	case *ssa.Call:
		op, a := atomicOp(&in.Call)
		switch op {
		case "Store", "Swap":
			val = in.Call.Args[1]
		case "CompareAndSwap":
			val = in.Call.Args[2]
		case "Add":
			delta = in.Call.Args[1]
		default:
			return nil
		}
		addr = a
	default:
		return nil
	}
	fa, ok := addr.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	if _, fresh := fa.X.(*ssa.Alloc); fresh {
		return nil
	}
	f := chanuse.StructFieldOf(fa)
	if f == nil {
		return nil
	}
	return &write{fn: fn, instr: instr, field: f, val: val, delta: delta}
}

// releases reports whether w makes the change p waits for.
func releases(w *write, p pred) bool {
	if w.field != p.field {
		return false
	}
	if w.delta != nil {
		c, ok := w.delta.(*ssa.Const)
		if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
			return false
		}
		s := constant.Sign(c.Value)
		if b, ok := c.Type().Underlying().(*types.Basic); ok && b.Info()&types.IsUnsigned != 0 {
			// ^uint32(0) adds -1.
			if constant.BitLen(c.Value) >= int(8*sizeOf(b)) {
				s = -1
			}
		}
		return (p.rel == relInc && s > 0) || (p.rel == relDec && s < 0)
	}
	c, isConst := w.val.(*ssa.Const)
	switch p.rel {
	case relTrue, relFalse:
		return isConst && c.Value != nil && c.Value.Kind() == constant.Bool && constant.BoolVal(c.Value) == (p.rel == relTrue)
	case relNil:
		return isConst && c.IsNil()
	case relNonNil:
		// head = head.next advances a list the waiter consumes; it
		// fills nothing.
		return !(isConst && c.IsNil()) && !derivedFrom(w.val, w.field, 0)
	case relConst, relOtherConst:
		if !isConst || c.Value == nil || c.Value.Kind() != constant.Int {
			return false
		}
		eq := constant.Compare(c.Value, token.EQL, p.k)
		return eq == (p.rel == relConst)
	case relInc, relDec:
		bin, ok := w.val.(*ssa.BinOp)
		if !ok || (bin.Op != token.ADD && bin.Op != token.SUB) {
			return false
		}
		if f, _ := fieldRead(bin.X); f != w.field {
			return false
		}
		k, ok := bin.Y.(*ssa.Const)
		if !ok || k.Value == nil || k.Value.Kind() != constant.Int {
			return false
		}
		s := constant.Sign(k.Value)
		if bin.Op == token.SUB {
			s = -s
		}
		return (p.rel == relInc && s > 0) || (p.rel == relDec && s < 0)
	case relGrow:
		call, ok := w.val.(*ssa.Call)
		if !ok {
			return false
		}
		b, ok := call.Call.Value.(*ssa.Builtin)
		if !ok || b.Name() != "append" || len(call.Call.Args) == 0 {
			return false
		}
		f, _ := fieldRead(call.Call.Args[0])
		return f == w.field
	case relShrink:
		if isConst {
			return c.IsNil()
		}
		sl, ok := w.val.(*ssa.Slice)
		if !ok {
			return false
		}
		f, _ := fieldRead(sl.X)
		return f == w.field
	}
	return false
}

func sizeOf(b *types.Basic) int64 {
	switch b.Kind() {
	case types.Uint8:
		return 1
	case types.Uint16:
		return 2
	case types.Uint32:
		return 4
	}
	return 8
}

// derivedFrom reports whether v is computed from a load of field f
// (head.next, q.items[1:]).
func derivedFrom(v ssa.Value, f *types.Var, depth int) bool {
	if depth > 4 || v == nil {
		return false
	}
	if g, _ := fieldRead(v); g == f {
		return true
	}
	switch v := v.(type) {
	case *ssa.UnOp:
		return derivedFrom(v.X, f, depth+1)
	case *ssa.FieldAddr:
		return derivedFrom(v.X, f, depth+1)
	case *ssa.Field:
		return derivedFrom(v.X, f, depth+1)
	case *ssa.IndexAddr:
		return derivedFrom(v.X, f, depth+1)
	case *ssa.Slice:
		return derivedFrom(v.X, f, depth+1)
	case *ssa.ChangeType:
		return derivedFrom(v.X, f, depth+1)
	}
	return false
}
