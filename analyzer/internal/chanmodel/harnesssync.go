package chanmodel

import (
	"go/types"
	"strconv"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// HarnessObject is the one object a field harness follows (CheckHarness):
// Value is it in the owner (a new value, or the owner's receiver), and
// Fields are its locks and WaitGroups (sync.Mutex, RWMutex, WaitGroup
// values) that the caller found to be used in the package only by their
// methods, with no function outside the harness's trees between a tree
// and such a use. Inside the harness there is one instance, so their
// identity is certain: they are modelled as a local one is (sync.go),
// the clients' receiver standing for the object; their uses in methods
// the harness does not call do not run in it.
type HarnessObject struct {
	Value  ssa.Value
	Fields map[*types.Var]bool
}

// CheckHarness is CheckClient with the harness's object known (obj, may
// be nil) and, when second is not nil, two clients at once: when the
// owner hands the object out, its goroutine goes on as first and a new
// goroutine runs second (the same node for one method called twice),
// each once, concurrently, so a call racing another (Close while Send is
// in flight) is an interleaving of the harness.
func CheckHarness(joint *chanuse.Channel, obj *HarnessObject, first, second *chanuse.Node, rets []*ssa.Return, budget int) []Stuck {
	return checkHarness(joint, obj, first, second, nil, rets, false, budget)
}

// CheckRegistry is CheckHarness for a map class (chanuse.WideMaps) whose
// owner is a method of the live object registering an element in its
// map: the clients are other calls on that object, which may run at any
// time, so they start as the owner stores the element (mapelem.go)
// rather than when it returns.
func CheckRegistry(joint *chanuse.Channel, obj *HarnessObject, first, second *chanuse.Node, rets []*ssa.Return, budget int) []Stuck {
	return checkHarness(joint, obj, first, second, nil, rets, true, budget)
}

func checkHarness(joint *chanuse.Channel, obj *HarnessObject, first, second *chanuse.Node, late []*chanuse.Node, rets []*ssa.Return, early bool, budget int) []Stuck {
	m := build(joint)
	if m == nil {
		dbg("%s: no harness model", joint.Make.Parent().Name())
		return nil
	}
	if obj != nil && len(obj.Fields) > 0 {
		m.hobj = obj
		m.sy = m.buildSync()
	}
	m.then, m.also, m.late = first, second, late
	m.early = early && first != nil
	m.rets = map[*ssa.Return]bool{}
	for _, r := range rets {
		m.rets[r] = true
	}
	m.findFlags()
	return m.explore(budget)
}

// harnessParam resolves x, a parameter of node n, to the harness's
// object: the owner's receiver when the object is it, or a client's
// receiver (a root other than the owner's).
func (b *syncBuild) harnessParam(x *ssa.Parameter, n *chanuse.Node, depth int) (objKey, bool) {
	h := b.m.hobj
	if h == nil {
		return objKey{}, false
	}
	if ssa.Value(x) == h.Value {
		return objKey{base: x}, true
	}
	if n == nil || n.Parent != nil || n == b.m.ch.Nodes[0] || len(n.Fn.Params) == 0 || n.Fn.Params[0] != x ||
		n.Fn.Signature.Recv() == nil || !types.Identical(x.Type(), h.Value.Type()) {
		return objKey{}, false
	}
	k, _ := b.resolve(h.Value, b.m.ch.Nodes[0], depth+1)
	return k, k.base != nil
}

// harnessField reports whether k is one of the harness object's Fields:
// its uses were checked by the caller, not by the confinement walk (the
// object itself is handed out to clients).
func (b *syncBuild) harnessField(k objKey) bool {
	h := b.m.hobj
	if h == nil || len(k.path) < 2 || k.path[0] != '.' {
		return false
	}
	idx, err := strconv.Atoi(k.path[1:])
	if err != nil {
		return false
	}
	hk, _ := b.resolve(h.Value, b.m.ch.Nodes[0], 0)
	if hk.base == nil || hk.base != k.base || hk.path != "" {
		return false
	}
	st, ok := deref(h.Value.Type()).Underlying().(*types.Struct)
	if !ok || idx >= st.NumFields() {
		return false
	}
	return h.Fields[st.Field(idx)]
}

// spilledRecv returns n when v, stored once in alloc, is the receiver of
// n's function spilled to a variable of it (a method whose receiver a
// closure captures: once.Do(func() { close(w.stop) })): in the field
// harness the variable holds the client's object, resolved as the
// receiver itself (harnessParam). Otherwise nil, as a variable's store
// may be another function's.
func (b *syncBuild) spilledRecv(alloc *ssa.Alloc, v ssa.Value, n *chanuse.Node) *chanuse.Node {
	p, ok := v.(*ssa.Parameter)
	if b.m.hobj == nil || !ok || n == nil || alloc.Parent() != n.Fn || p.Parent() != n.Fn {
		return nil
	}
	return n
}
