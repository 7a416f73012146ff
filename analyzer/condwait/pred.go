package condwait

import (
	"go/constant"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// rel is the kind of store to a field that ends a wait: what the waiter's
// predicate needs to happen to the field.
type rel int

const (
	relTrue       rel = iota // a bool flag set to true
	relFalse                 // a bool flag set to false
	relNil                   // a nil stored
	relNonNil                // anything but nil stored
	relInc                   // an integer increased
	relDec                   // an integer decreased
	relGrow                  // a slice appended to
	relShrink                // a slice resliced or cleared
	relConst                 // an integer set to k
	relOtherConst            // an integer set to a constant other than k
	relClose                 // the channel ch closed
	relCtx                   // the context canceled
	relMapKey                // a key stored into a map (the waiter looks it up)
)

// pred is one field whose change ends a wait, and how.
type pred struct {
	field *types.Var
	rel   rel
	k     constant.Value // for relConst and relOtherConst
	pos   token.Pos      // where the waiter reads it
	ch    ssa.Value      // for relClose: the channel the waiter polls
	test  *ssa.If        // the branch that tests it
}

// waitPreds returns what ends the wait at w (a Wait call in fn): the
// fields read by the conditions that leave the loop around it, or, outside
// a loop, by the conditions that skip it.
func waitPreds(fn *ssa.Function, w ssa.Instruction) []pred {
	b := w.Block()
	var out []pred
	if cyc := innerLoop(b); cyc != nil {
		// In block order, not the map's, so that the first test reported
		// (a diagnostic names one) is the same on every run.
		for _, blk := range b.Parent().Blocks {
			if !cyc[blk] {
				continue
			}
			ifi, ok := blk.Instrs[len(blk.Instrs)-1].(*ssa.If)
			if !ok {
				continue
			}
			in0, in1 := cyc[blk.Succs[0]], cyc[blk.Succs[1]]
			if in0 == in1 {
				continue
			}
			// The branch that leaves the cycle ends the wait.
			n := len(out)
			walkCond(ifi.Cond, !in0, 0, &out)
			for k := n; k < len(out); k++ {
				out[k].test = ifi
			}
		}
		return out
	}
	// Outside a loop: an if that skips the Wait.
	for d := b.Idom(); d != nil; d = d.Idom() {
		ifi, ok := d.Instrs[len(d.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		r0, r1 := reaches(d.Succs[0], b), reaches(d.Succs[1], b)
		if r0 == r1 {
			continue
		}
		n := len(out)
		walkCond(ifi.Cond, !r0, 0, &out)
		for k := n; k < len(out); k++ {
			out[k].test = ifi
		}
	}
	return out
}

// innerLoop returns the body of the innermost natural loop around b (the
// loop of a for statement, or of a goto back to a label), or, when b is on
// a cycle that is no natural loop, the blocks of that cycle; nil when b is
// in no loop.
func innerLoop(b *ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	var best map[*ssa.BasicBlock]bool
	for _, t := range b.Parent().Blocks {
		for _, h := range t.Succs {
			if !h.Dominates(t) || !h.Dominates(b) {
				continue // not a back edge, or b outside its loop
			}
			body := map[*ssa.BasicBlock]bool{h: true}
			stack := []*ssa.BasicBlock{t}
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if !body[x] {
					body[x] = true
					stack = append(stack, x.Preds...)
				}
			}
			if body[b] && (best == nil || len(body) < len(best)) {
				best = body
			}
		}
	}
	if best == nil {
		return cycleOf(b)
	}
	return best
}

// cycleOf returns the blocks on a cycle through b (those b reaches that
// reach b), or nil when b is in no loop.
func cycleOf(b *ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	fwd := reach(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })
	if !fwd[b] {
		return nil
	}
	bwd := reach(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Preds })
	cyc := map[*ssa.BasicBlock]bool{}
	for x := range fwd {
		if bwd[x] {
			cyc[x] = true
		}
	}
	return cyc
}

// reach returns the blocks reachable from b in one or more steps of next.
func reach(b *ssa.BasicBlock, next func(*ssa.BasicBlock) []*ssa.BasicBlock) map[*ssa.BasicBlock]bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), next(b)...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !seen[x] {
			seen[x] = true
			stack = append(stack, next(x)...)
		}
	}
	return seen
}

// reaches reports whether to is from or reachable from it.
func reaches(from, to *ssa.BasicBlock) bool {
	return from == to || reach(from, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })[to]
}

// walkCond adds the fields whose change makes v equal exitOn.
func walkCond(v ssa.Value, exitOn bool, depth int, out *[]pred) {
	w := condWalker{out: out, seen: map[phiSide]bool{}}
	w.walk(v, exitOn, depth)
}

// phiSide is a φ-node visited for one outcome.
type phiSide struct {
	phi    *ssa.Phi
	exitOn bool
}

// condWalker walks a condition's operands; seen stops at a φ-node met
// again, as a loop-carried bool or a branch on an earlier φ leads back.
type condWalker struct {
	out  *[]pred
	seen map[phiSide]bool
}

func (w condWalker) walk(v ssa.Value, exitOn bool, depth int) {
	out := w.out
	switch v := v.(type) {
	case *ssa.UnOp:
		if v.Op == token.NOT {
			w.walk(v.X, !exitOn, depth)
			return
		}
		addBool(v, exitOn, out)
	case *ssa.Call:
		if f, isLen := fieldRead(v); f != nil && !isLen {
			addBool(v, exitOn, out)
			return
		}
		callee := v.Call.StaticCallee()
		if callee == nil || depth >= 2 || len(callee.Blocks) == 0 || callee.Pkg == nil ||
			v.Parent().Pkg == nil || callee.Pkg.Pkg != v.Parent().Pkg.Pkg {
			return
		}
		for _, b := range callee.Blocks {
			if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && len(ret.Results) == 1 {
				w.walk(ret.Results[0], exitOn, depth+1)
			}
		}
	case *ssa.BinOp:
		compare(v, exitOn, out)
	case *ssa.Extract:
		// _, ok := m[k]: the wait ends once a producer stores the key.
		if l, ok := v.Tuple.(*ssa.Lookup); ok && v.Index == 1 && l.CommaOk && exitOn {
			if f, isLen := fieldRead(l.X); f != nil && !isLen {
				*out = append(*out, pred{field: f, rel: relMapKey, pos: l.Pos()})
			}
		}
	case *ssa.Phi:
		if w.seen[phiSide{v, exitOn}] {
			return
		}
		w.seen[phiSide{v, exitOn}] = true
		// a || b, a && b: a constant edge comes from a branch on an
		// earlier operand.
		for i, e := range v.Edges {
			c, ok := e.(*ssa.Const)
			if !ok {
				w.walk(e, exitOn, depth)
				continue
			}
			if c.Value == nil || c.Value.Kind() != constant.Bool || constant.BoolVal(c.Value) != exitOn {
				continue
			}
			pb := v.Block().Preds[i]
			ifi, ok := pb.Instrs[len(pb.Instrs)-1].(*ssa.If)
			if !ok {
				continue
			}
			w.walk(ifi.Cond, pb.Succs[0] == v.Block(), depth)
		}
	}
}

// addBool records a bool field read by v that ends the wait when it is
// exitOn.
func addBool(v ssa.Value, exitOn bool, out *[]pred) {
	f, isLen := fieldRead(v)
	if f == nil || isLen || !isBool(v.Type()) {
		return
	}
	r := relFalse
	if exitOn {
		r = relTrue
	}
	*out = append(*out, pred{field: f, rel: r, pos: v.Pos()})
}

// compare records the field a comparison tests, and which change makes
// it equal exitOn.
func compare(v *ssa.BinOp, exitOn bool, out *[]pred) {
	op := v.Op
	switch op {
	case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
	default:
		return
	}
	if !exitOn {
		op = negate(op)
	}
	if p, ok := polled(v, op); ok {
		*out = append(*out, p)
		return
	}
	fv, other := v.X, v.Y
	f, isLen := fieldRead(fv)
	if f == nil {
		fv, other = v.Y, v.X
		f, isLen = fieldRead(fv)
		op = swap(op)
	}
	if f == nil {
		return
	}
	c, isConst := other.(*ssa.Const)
	p := pred{field: f, pos: v.Pos()}
	if p.pos == token.NoPos {
		p.pos = fv.Pos()
	}
	zero := isConst && c.Value != nil && c.Value.Kind() == constant.Int && constant.Sign(c.Value) == 0
	switch {
	case isLen:
		switch {
		case op == token.EQL && zero, op == token.LSS, op == token.LEQ:
			p.rel = relShrink
		case op == token.NEQ && zero, op == token.GTR, op == token.GEQ:
			p.rel = relGrow
		default:
			return
		}
	case isConst && c.IsNil():
		switch op {
		case token.EQL:
			p.rel = relNil
		case token.NEQ:
			p.rel = relNonNil
		default:
			return
		}
	case isBool(fv.Type()):
		if !isConst || c.Value == nil || c.Value.Kind() != constant.Bool {
			return
		}
		b := constant.BoolVal(c.Value)
		if op == token.NEQ {
			b = !b
		} else if op != token.EQL {
			return
		}
		p.rel = relFalse
		if b {
			p.rel = relTrue
		}
	case isInteger(fv.Type()):
		switch op {
		case token.EQL, token.NEQ:
			if !isConst || c.Value == nil {
				return
			}
			p.rel, p.k = relConst, c.Value
			if op == token.NEQ {
				p.rel = relOtherConst
			}
		case token.GTR, token.GEQ:
			p.rel = relInc
		case token.LSS, token.LEQ:
			p.rel = relDec
		}
	default:
		return
	}
	*out = append(*out, p)
}

func negate(op token.Token) token.Token {
	switch op {
	case token.EQL:
		return token.NEQ
	case token.NEQ:
		return token.EQL
	case token.LSS:
		return token.GEQ
	case token.GEQ:
		return token.LSS
	case token.LEQ:
		return token.GTR
	case token.GTR:
		return token.LEQ
	}
	return op
}

func swap(op token.Token) token.Token {
	switch op {
	case token.LSS:
		return token.GTR
	case token.GTR:
		return token.LSS
	case token.LEQ:
		return token.GEQ
	case token.GEQ:
		return token.LEQ
	}
	return op
}

// fieldRead returns the struct field v reads: a load of it, an atomic load
// of it, or (isLen) the len of it.
func fieldRead(v ssa.Value) (f *types.Var, isLen bool) {
	switch v := v.(type) {
	case *ssa.UnOp:
		if v.Op == token.MUL {
			return chanuse.StructFieldOf(v.X), false
		}
	case *ssa.Field:
		return chanuse.StructField(v.X.Type(), v.Field, false), false
	case *ssa.Call:
		if b, ok := v.Call.Value.(*ssa.Builtin); ok {
			if b.Name() == "len" && len(v.Call.Args) == 1 {
				if f, isLen := fieldRead(v.Call.Args[0]); f != nil && !isLen {
					if _, ok := f.Type().Underlying().(*types.Slice); ok {
						return f, true
					}
				}
			}
			return nil, false
		}
		if name, addr := atomicOp(&v.Call); name == "Load" {
			return chanuse.StructFieldOf(addr), false
		}
	}
	return nil, false
}

// atomicOp returns the operation (Load, Store, Add, Swap, CompareAndSwap)
// a sync/atomic call makes and the address it makes it on.
func atomicOp(c *ssa.CallCommon) (string, ssa.Value) {
	callee := c.StaticCallee()
	if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "sync/atomic" || len(c.Args) == 0 {
		if callee != nil && callee.Pkg == nil && callee.Origin() != nil && callee.Origin().Pkg != nil &&
			callee.Origin().Pkg.Pkg.Path() == "sync/atomic" && len(c.Args) > 0 {
			callee = callee.Origin() // a method of atomic.Pointer[T]
		} else {
			return "", nil
		}
	}
	name := callee.Name()
	if callee.Signature.Recv() == nil {
		// LoadInt32, StoreUint64, AddInt64, SwapPointer, CompareAndSwapInt32…
		for _, op := range []string{"CompareAndSwap", "Load", "Store", "Add", "Swap"} {
			if len(name) > len(op) && name[:len(op)] == op {
				return op, c.Args[0]
			}
		}
		return "", nil
	}
	switch name {
	case "Load", "Store", "Add", "Swap", "CompareAndSwap":
		return name, c.Args[0]
	}
	return "", nil
}

func isBool(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsBoolean != 0
}

func isInteger(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// polled recognizes the tests that end a wait on a channel or a context:
// a non-blocking select's receive case taken (select { case <-ch: … ;
// default: }), and ctx.Err() != nil.
func polled(v *ssa.BinOp, op token.Token) (pred, bool) {
	for _, side := range [2][2]ssa.Value{{v.X, v.Y}, {v.Y, v.X}} {
		x, other := side[0], side[1]
		c, isConst := other.(*ssa.Const)
		if !isConst {
			continue
		}
		if ex, ok := x.(*ssa.Extract); ok && ex.Index == 0 && op == token.EQL && c.Value != nil {
			sel, ok := ex.Tuple.(*ssa.Select)
			k, exact := constant.Int64Val(c.Value)
			if !ok || !exact || k < 0 || int(k) >= len(sel.States) || sel.States[k].Dir != types.RecvOnly {
				continue
			}
			ch := sel.States[k].Chan
			if isDone(ch) {
				return pred{rel: relCtx, pos: sel.States[k].Pos}, true
			}
			return pred{rel: relClose, ch: ch, pos: sel.States[k].Pos}, true
		}
		if call, ok := x.(*ssa.Call); ok && c.IsNil() && op == token.NEQ && isCtxMethod(&call.Call, "Err") {
			return pred{rel: relCtx, pos: call.Pos()}, true
		}
	}
	return pred{}, false
}

// isDone reports whether ch is ctx.Done().
func isDone(ch ssa.Value) bool {
	call, ok := ch.(*ssa.Call)
	return ok && isCtxMethod(&call.Call, "Done")
}

// isCtxMethod reports whether c calls method name of a context.Context.
func isCtxMethod(c *ssa.CallCommon, name string) bool {
	if c.IsInvoke() {
		return c.Method.Name() == name && isContext(c.Value.Type())
	}
	callee := c.StaticCallee()
	return callee != nil && callee.Name() == name && callee.Signature.Recv() != nil &&
		callee.Pkg != nil && callee.Pkg.Pkg.Path() == "context"
}

func isContext(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}
