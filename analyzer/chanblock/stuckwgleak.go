package chanblock

import (
	"go/constant"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanmodel"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// A WaitGroup field of a harness object (stuckharnesssync.go) whose
// counter a client method leaves raised: the method calls Add and, on
// some path, returns without Done and without starting the goroutine
// that would call it (Add at the top of Flush, an early return before
// the matching Done). A later Wait in another method (Stop, Close)
// blocks forever. The field harness runs such methods as clients (a
// method using the group directly, although it does not reach the
// channel field), and keeps the checker's witness of a Wait left blocked
// when nothing outside the harness could lower the counter: every Done
// on the field in the package balances an Add of its own (the Add
// dominates it in the same function, or is in the function that made
// the closure calling Done, `wg.Add(1); go func() { defer wg.Done() }`),
// and every Add adds a positive constant. Then no call of any method,
// in any order, takes back the unit the leaking path left, and the
// order of the two calls is one the contract allows (a Flush before a
// Stop), not misuse.

// wgUsers returns the functions of the package that call a method of a
// WaitGroup field of the harness object directly (sf.users also holds
// their callers), or nil.
func (st *state) wgUsers(sf *syncFields) map[*ssa.Function]bool {
	if sf == nil {
		return nil
	}
	var out map[*ssa.Function]bool
	for f := range sf.users {
		if !isWaitGroup(f.Type()) {
			continue
		}
		for _, fn := range st.funcs {
			if len(wgCalls(fn, f)) > 0 {
				if out == nil {
					out = map[*ssa.Function]bool{}
				}
				out[fn] = true
			}
		}
	}
	return out
}

// isWaitGroup reports whether t is sync.WaitGroup.
func isWaitGroup(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync" && n.Obj().Name() == "WaitGroup"
}

// wgCalls returns fn's calls (and deferred calls) of a method of field f.
func wgCalls(fn *ssa.Function, f *types.Var) []ssa.CallInstruction {
	var out []ssa.CallInstruction
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			ci, ok := in.(ssa.CallInstruction)
			if !ok {
				continue
			}
			c := ci.Common()
			if c.IsInvoke() || len(c.Args) == 0 {
				continue
			}
			fa, ok := c.Args[0].(*ssa.FieldAddr)
			if ok && chanuse.StructFieldOf(fa) == f && c.StaticCallee() != nil {
				out = append(out, ci)
			}
		}
	}
	return out
}

// leakedWait reports whether s, a witness of a field harness, is a Wait
// on a WaitGroup field of the object (sf) left blocked with its counter
// raised while every other goroutine of the witness returned, and no
// code of the package could lower the counter later (see above).
func (st *state) leakedWait(s chanmodel.Stuck, sf *syncFields, nodes []*chanuse.Node) (bool, string) {
	if sf == nil || s.Sync == nil || s.Sync.Kind != "wait" || s.Sync.Count <= 0 {
		return false, "a wait on a lock or group alone"
	}
	for _, x := range s.Others {
		if x.Blocked || x.Sync != "" {
			return false, "a wait on a group while another goroutine is blocked"
		}
	}
	var f *types.Var
	for _, n := range nodes {
		for _, ci := range wgCallsAt(n.Fn, s.Sync.Pos) {
			if fa, ok := ci.Common().Args[0].(*ssa.FieldAddr); ok {
				f = chanuse.StructFieldOf(fa)
			}
		}
	}
	if f == nil || sf.users[f] == nil || !isWaitGroup(f.Type()) {
		return false, "a wait on a group that is not a field of the object"
	}
	if why := st.balancedDones(f); why != "" {
		return false, why
	}
	return true, ""
}

// wgCallsAt returns fn's calls of a WaitGroup method at pos.
func wgCallsAt(fn *ssa.Function, pos token.Pos) []ssa.CallInstruction {
	var out []ssa.CallInstruction
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			if ci, ok := in.(ssa.CallInstruction); ok && ci.Pos() == pos {
				c := ci.Common()
				if !c.IsInvoke() && len(c.Args) > 0 {
					if _, ok := c.Args[0].(*ssa.FieldAddr); ok {
						out = append(out, ci)
					}
				}
			}
		}
	}
	return out
}

// balancedDones returns "" when every Add on field f in the package adds
// a positive constant and every Done is dominated by an Add of the same
// function or made by a function that calls Add; else why not.
func (st *state) balancedDones(f *types.Var) string {
	for _, fn := range st.funcs {
		var adds []ssa.CallInstruction
		var dones []ssa.CallInstruction
		for _, ci := range wgCalls(fn, f) {
			switch ci.Common().StaticCallee().Name() {
			case "Add":
				k, ok := ci.Common().Args[1].(*ssa.Const)
				if !ok || k.Value == nil || k.Value.Kind() != constant.Int || constant.Sign(k.Value) <= 0 {
					return "an Add of a count that is not a positive constant"
				}
				adds = append(adds, ci)
			case "Done":
				dones = append(dones, ci)
			}
		}
		for _, d := range dones {
			if !dominatedBy(d, adds) && !enclosingAdds(fn, f) {
				return "a Done that no Add of its own balances (another method may lower the counter)"
			}
		}
	}
	return ""
}

// dominatedBy reports whether one of adds comes before d on every path
// to it in their function.
func dominatedBy(d ssa.CallInstruction, adds []ssa.CallInstruction) bool {
	db := d.Block()
	for _, a := range adds {
		ab := a.Block()
		if ab == db {
			for _, in := range db.Instrs {
				if in == ssa.Instruction(a) {
					return true
				}
				if in == ssa.Instruction(d) {
					break
				}
			}
			continue
		}
		if ab.Dominates(db) {
			return true
		}
	}
	return false
}

// enclosingAdds reports whether fn is a function literal made by a
// function (or one enclosing it) that calls Add on f, and run by its
// maker only (started, deferred or called there, not kept as a value
// another method could call again).
func enclosingAdds(fn *ssa.Function, f *types.Var) bool {
	if !runByMaker(fn) {
		return false
	}
	for p := fn.Parent(); p != nil; p = p.Parent() {
		for _, ci := range wgCalls(p, f) {
			if ci.Common().StaticCallee().Name() == "Add" {
				return true
			}
		}
	}
	return false
}

// runByMaker reports whether every closure of function literal fn its
// maker makes is only called, deferred or started there.
func runByMaker(fn *ssa.Function) bool {
	p := fn.Parent()
	if p == nil {
		return false
	}
	for _, b := range p.Blocks {
		for _, in := range b.Instrs {
			mc, ok := in.(*ssa.MakeClosure)
			if !ok || mc.Fn != fn {
				continue
			}
			for _, r := range *mc.Referrers() {
				ci, ok := r.(ssa.CallInstruction)
				if !ok || ci.Common().Value != ssa.Value(mc) {
					return false
				}
			}
		}
	}
	return true
}
