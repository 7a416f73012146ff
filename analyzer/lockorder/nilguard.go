package lockorder

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Locks guarded by a nil test of a parameter (issue 14, item 3;
// decred/dcrwallet#1793).
//
// "Use the caller's transaction, or open one" is written
//
//	if dbtx != nil { return put(dbtx) }
//	return db.Update(put) // takes the database's writer lock
//
// and called with an open transaction from inside db.Update. The lock is
// taken only when the parameter is nil: as for a bool parameter
// (guards.go), the function is analysed once with the parameter nil and
// once not, its summary records the effect guarded by "{p0}=nil", and a
// call passing a value that is certainly not nil (an address, a
// composite, a closure, a converted pointer) or certainly nil keeps only
// the effects that can happen.

// nilSuffix marks a guard root that tests a parameter for nil.
const nilSuffix = "=nil"

// nilTest stands for the bool `x == nil` of a parameter or free variable x.
type nilTest struct{ x ssa.Value }

func (n nilTest) Name() string                  { return n.x.Name() + " == nil" }
func (n nilTest) String() string                { return n.x.String() + " == nil" }
func (n nilTest) Type() types.Type              { return types.Typ[types.Bool] }
func (n nilTest) Parent() *ssa.Function         { return n.x.Parent() }
func (n nilTest) Referrers() *[]ssa.Instruction { return nil }
func (n nilTest) Pos() token.Pos                { return n.x.Pos() }

// nilCompare returns the nil test a comparison with nil makes of a
// parameter or free variable, and whether it is negated (x != nil).
func nilCompare(v ssa.Value) (nilTest, bool, bool) {
	b, ok := v.(*ssa.BinOp)
	if !ok || b.Op != token.EQL && b.Op != token.NEQ {
		return nilTest{}, false, false
	}
	x := b.X
	if !isNilConst(b.Y) {
		if !isNilConst(b.X) {
			return nilTest{}, false, false
		}
		x = b.Y
	}
	w := nilOperand(x)
	if w == nil {
		return nilTest{}, false, false
	}
	return nilTest{w}, b.Op == token.NEQ, true
}

// nilOperand returns the parameter or free variable v reads: itself, a
// load of a captured variable, or a load of a parameter a closure
// captures (spilled to the heap); nil otherwise. Unlike canon it does not
// follow stores, which for a pointer can lead back to the same load (a
// per-iteration loop variable).
func nilOperand(v ssa.Value) ssa.Value {
	switch x := v.(type) {
	case *ssa.Parameter, *ssa.FreeVar:
		return x
	case *ssa.UnOp:
		if x.Op != token.MUL {
			return nil
		}
		switch y := x.X.(type) {
		case *ssa.FreeVar:
			return y
		case *ssa.Alloc:
			if p := spilledParam(y); p != nil {
				return p
			}
		}
	}
	return nil
}

func isNilConst(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.IsNil()
}

func isNilTest(v ssa.Value) bool {
	_, ok := v.(nilTest)
	return ok
}

// nilRoot returns the guard root of a nil test ("{p1}=nil"), or "".
func nilRoot(g ssa.Value) string {
	if n, ok := g.(nilTest); ok {
		return inst(n.x) + nilSuffix
	}
	return ""
}

// evalNil returns whether v is nil under this run's valuation, and whether
// that is known.
func (f *fnChecker) evalNil(v ssa.Value) (isNil, known bool) {
	switch x := v.(type) {
	case *ssa.Const:
		return x.IsNil(), true
	case *ssa.MakeInterface, *ssa.Alloc, *ssa.MakeClosure, *ssa.Function, *ssa.MakeMap, *ssa.MakeChan, *ssa.FieldAddr, *ssa.IndexAddr:
		return false, true
	case *ssa.ChangeType:
		return f.evalNil(x.X)
	case unknownVal:
		if x.nonNil {
			return false, true
		}
	}
	if w := nilOperand(v); w != nil {
		if b, ok := f.val[nilTest{w}]; ok {
			return b, true
		}
	}
	if f.curCall != nil && f.indirect == 0 {
		return dominatingNilTest(f.curCall.Block(), v)
	}
	return false, false
}

// dominatingNilTest returns whether v is nil in block b because a nil
// test of v decides the way into it (`if c := m[k]; c != nil { use(c) }`),
// and whether such a test was found.
func dominatingNilTest(b *ssa.BasicBlock, v ssa.Value) (isNil, known bool) {
	for ; b != nil; b = b.Idom() {
		if len(b.Preds) != 1 {
			continue
		}
		p := b.Preds[0]
		if len(p.Succs) != 2 || p.Succs[0] == p.Succs[1] || len(p.Instrs) == 0 {
			continue
		}
		cond, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		bin, ok := cond.Cond.(*ssa.BinOp)
		if !ok || bin.Op != token.EQL && bin.Op != token.NEQ {
			continue
		}
		if !(bin.X == v && isNilConst(bin.Y) || bin.Y == v && isNilConst(bin.X)) {
			continue
		}
		// b is entered by the true edge when it is Succs[0].
		return (bin.Op == token.EQL) == (p.Succs[0] == b), true
	}
	return false, false
}

// nilGuardHolds is guardHolds for a nil-test root g ("{p1}=nil") wanting
// the test to be want. Only a value proven nil or not nil (a constant, an
// address, a composite, a closure, a nil test deciding the way to the
// call) drops the branch that cannot run. Any other value (a map lookup,
// a field load, a call result, a type assertion) may be nil, which is
// why the callee tests it: both branches keep the weight they have
// without the guard (go-ethereum#20395: a lock in the nil branch of a
// callee given a map lookup).
func (f *fnChecker) nilGuardHolds(call *ssa.CallCommon, g string, want bool) (possible, known bool) {
	v := argOf(call, strings.TrimSuffix(g, nilSuffix))
	b, ok := false, false
	if v != nil {
		b, ok = f.evalNil(v)
	}
	if !ok {
		return true, true
	}
	return b == want, true
}

// nilCandidate returns the value a caller splits on for a callee's nil
// root: the nil test of the parameter or free variable it passes.
func nilCandidate(v ssa.Value) (ssa.Value, bool) {
	w := nilOperand(v)
	if w == nil {
		return nil, false
	}
	return nilTest{w}, true
}
