package chanblock

import (
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanmodel"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// syncFields are the lock and WaitGroup fields of a harness object's type
// whose every use in the package is a call of their own methods, with the
// functions using them and those calling such a function (three levels).
type syncFields struct {
	users map[*types.Var]map[*ssa.Function]bool // reaching a use
}

// syncFieldsOf finds the private sync.Mutex, RWMutex and WaitGroup value
// fields of tn used only by Lock, Unlock, RLock, RUnlock, Add, Done and
// Wait (not TryLock, not an address handed elsewhere): inside a harness
// there is one object, so such a field is one lock or one group
// (chanmodel.HarnessObject).
func (st *state) syncFieldsOf(tn *types.TypeName) *syncFields {
	s, ok := tn.Type().Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	sf := &syncFields{users: map[*types.Var]map[*ssa.Function]bool{}}
	for i := 0; i < s.NumFields(); i++ {
		f := s.Field(i)
		if syncType(f.Type()) && st.sealed.Private(f) {
			sf.users[f] = map[*ssa.Function]bool{}
		}
	}
	if len(sf.users) == 0 {
		return nil
	}
	bad := map[*types.Var]bool{}
	for _, fn := range st.funcs {
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				fa, ok := in.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				f := chanuse.StructFieldOf(fa)
				if sf.users[f] == nil {
					continue
				}
				sf.users[f][fn] = true
				for _, r := range *fa.Referrers() {
					switch r := r.(type) {
					case *ssa.DebugRef:
					case ssa.CallInstruction:
						if _, isGo := r.(*ssa.Go); isGo || !syncCall(r.Common(), fa) {
							bad[f] = true
						}
					default:
						bad[f] = true
					}
				}
			}
		}
	}
	calls := st.staticCalls()
	for f, us := range sf.users {
		if bad[f] {
			delete(sf.users, f)
			continue
		}
		// The functions reaching a use, through static calls.
		front := us
		for i := 0; i < 3 && len(front) > 0; i++ {
			next := map[*ssa.Function]bool{}
			for g := range front {
				for _, c := range calls[g] {
					if p := c.Parent(); !us[p] {
						us[p], next[p] = true, true
					}
				}
			}
			front = next
		}
	}
	if len(sf.users) == 0 {
		return nil
	}
	return sf
}

// forRun returns the fields the harness whose trees are nodes may model:
// no function of the trees calls or starts one reaching a use that is not
// in the trees (its lock or unlock would not run in the model).
func (sf *syncFields) forRun(nodes []*chanuse.Node) map[*types.Var]bool {
	if sf == nil {
		return nil
	}
	in := map[*ssa.Function]bool{}
	for _, n := range nodes {
		in[n.Fn] = true
	}
	out := map[*types.Var]bool{}
	for f, us := range sf.users {
		ok := true
		for fn := range in {
			for _, b := range fn.Blocks {
				for _, x := range b.Instrs {
					ci, isCall := x.(ssa.CallInstruction)
					if !isCall {
						continue
					}
					if t := target(ci.Common()); t != nil && us[t] && !in[t] {
						ok = false
					}
				}
			}
		}
		if ok {
			out[f] = true
		}
	}
	return out
}

// harnessObject is the object of a harness run for chanmodel, or nil.
func harnessObject(obj ssa.Value, sf *syncFields, nodes []*chanuse.Node) *chanmodel.HarnessObject {
	fs := sf.forRun(nodes)
	if len(fs) == 0 {
		return nil
	}
	return &chanmodel.HarnessObject{Value: obj, Fields: fs}
}

// syncType reports whether t is sync.Mutex, RWMutex or WaitGroup.
func syncType(t types.Type) bool {
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "sync" {
		return false
	}
	switch n.Obj().Name() {
	case "Mutex", "RWMutex", "WaitGroup":
		return true
	}
	return false
}

// syncCall reports whether c calls one of the modelled methods on fa.
func syncCall(c *ssa.CallCommon, fa *ssa.FieldAddr) bool {
	fn := c.StaticCallee()
	if fn == nil || len(c.Args) == 0 || c.Args[0] != ssa.Value(fa) || fn.Signature.Recv() == nil {
		return false
	}
	switch fn.Name() {
	case "Lock", "Unlock", "RLock", "RUnlock", "Add", "Done", "Wait":
		return true
	}
	return false
}
