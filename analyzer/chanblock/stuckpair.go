package chanblock

import (
	"fmt"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanmodel"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// maxPairs bounds the pairs of client methods run together per field.
const maxPairs = 10

// harnessRun is one harness of a field channel: the owner with its
// goroutines, then none, one or two clients (fns; a method twice for two
// concurrent calls of it).
type harnessRun struct {
	owner      *chanuse.Node
	ownerNodes []*chanuse.Node
	fns        [2]*ssa.Function
	clients    []*chanuse.Node   // the clients' roots
	trees      [][]*chanuse.Node // the clients' trees
	outside    map[opKey]bool    // operations outside the harness
	reach      map[opKey]bool    // operations the clients' methods reach
}

// harnessRuns lists the harnesses of a field: the owner alone, each
// client method alone, and, when a client outside the package can get
// the object (pairs: its type or its owner is exported), each pair of
// client methods called concurrently, the same method twice too (Close
// while Send is in flight; two Gets sharing one reply channel). The
// methods are those whose trees could be grown (reach).
func harnessRuns(clients []*ssa.Function, reach map[*ssa.Function]map[opKey]bool, pairs bool) [][2]*ssa.Function {
	runs := [][2]*ssa.Function{{}}
	var ms []*ssa.Function
	for _, m := range clients {
		if m != nil && reach[m] != nil {
			ms = append(ms, m)
			runs = append(runs, [2]*ssa.Function{m})
		}
	}
	if !pairs {
		return runs
	}
	n := 0
	for i := range ms {
		for j := i; j < len(ms) && n < maxPairs; j++ {
			runs = append(runs, [2]*ssa.Function{ms[i], ms[j]})
			n++
		}
	}
	return runs
}

// handsObjectOut reports whether fn, the owner, gives callers outside
// the package an object of type tn: it is exported and returns one (a
// constructor), as itself or as an interface value whose dynamic type is
// tn's (`func New() Service { return &service{...} }`: by the spec the
// caller holds the concrete value and calls its methods through the
// interface, or through any interface it asserts the value to, so every
// exported method of tn is callable from outside, as with a result of
// type *tn). An exported function that only stores the channel in an
// object it got elsewhere (a test setting up a fake driver) hands nothing
// out: no outside client can call the object's methods concurrently.
func handsObjectOut(fn *ssa.Function, tn *types.TypeName) bool {
	if fn.Object() == nil || !fn.Object().Exported() {
		return false
	}
	res := fn.Signature.Results()
	for i := 0; i < res.Len(); i++ {
		t := res.At(i).Type()
		if isType(t, tn) {
			return true
		}
		if !types.IsInterface(t) {
			continue
		}
		for _, b := range fn.Blocks {
			if r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && i < len(r.Results) {
				if v := dynamicValue(r.Results[i]); v != nil && isType(v.Type(), tn) {
					return true
				}
			}
		}
	}
	return false
}

// isType reports whether t is tn or a pointer to it.
func isType(t types.Type, tn *types.TypeName) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj() == tn
}

// dynamicValue returns the concrete value an interface value v holds when
// it is built in view (a conversion to an interface, possibly converted
// again to another interface: `var p Service = s; return p`), or nil.
func dynamicValue(v ssa.Value) ssa.Value {
	for i := 0; i < 4; i++ {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			return x.X
		case *ssa.ChangeInterface:
			v = x.X
		default:
			return nil
		}
	}
	return nil
}

// completable returns why s, a witness of the harness run hr, is not
// one to report, or "" when it is: something outside the harness could
// complete its operation (an operation of the other kind outside it, or,
// for the owner's goroutines, in the clients' methods); no other
// goroutine takes part (a client balancing its own sends and receives, a
// semaphore, or a loop feeding itself after a timer's case, is balanced
// by what the checker does not model); a goroutine left its select by
// another case before the client's operation began (the object's life
// ended before the call), or by a case nothing in the harness can fire;
// or, with two clients, one returned an error (the object failed; the
// other's call is misuse). The reasons go to the census.
func (h *harness) completable(st *state, s chanmodel.Stuck, hr *harnessRun) string {
	root := s.Op.Node
	for root.Parent != nil {
		root = root.Parent
	}
	if outsideCompletes(h.c, s) {
		return "code outside the package holding the channel could complete it"
	}
	recv := s.Op.Kind == chanuse.Recv || s.Op.Kind == chanuse.SelectRecv
	other := func(k chanuse.Kind) bool {
		switch k {
		case chanuse.Send, chanuse.SelectSend, chanuse.Close, chanuse.DeferClose:
			return recv
		}
		return !recv
	}
	if root != hr.owner {
		// Left before the call: lifecycle misuse. Left while a send
		// waited for it (raced.go): the call began while the object was
		// live, and the spec's select may still pick the other case,
		// when something in the harness can fire it (not a field that
		// only methods outside the harness close). A receive left
		// waiting on a stopped producer is a design the standard
		// library documents (time.Ticker's Stop does not close C), so
		// only a send, whose value nobody can take, is a race.
		sends := s.Op.Kind == chanuse.Send || s.Op.Kind == chanuse.SelectSend
		for _, x := range s.Others {
			if x.Other && !(sends && x.Raced && h.liveCase(st, x.Case)) {
				switch {
				case !x.Raced:
					return "a goroutine left its select before the call (the object's life ended first)"
				case !sends:
					return "a receive left waiting by a producer that stopped (a design, as time.Ticker's)"
				}
				return "the select was left by a case nothing in the harness fires"
			}
		}
	}
	if hr.fns[1] != nil {
		if failedClient(s, hr) {
			return "a client returned an error (the object failed)"
		}
		if endedCompleter(s, recv) {
			return "a goroutine that could complete it returned by itself (a one-shot object called twice)"
		}
	}
	g := s.Op.Node.G
	takes := false
	for _, n := range hr.ownerNodes {
		if n.G != g && hasKind(n, other) {
			takes = true
		}
	}
	for i, tree := range hr.trees {
		twice := i == 1 && hr.fns[1] == hr.fns[0]
		for _, n := range tree {
			if (n.G != g || twice) && hasKind(n, other) {
				takes = true
			}
		}
	}
	if !takes {
		return "no other goroutine of the harness takes part"
	}
	for _, op := range h.c.Ops {
		k := opKey{op.Instr, op.State}
		if (hr.outside[k] || root == hr.owner && hr.reach[k]) && other(op.Kind) {
			p := st.pass.Fset.Position(op.Instr.Pos())
			if hr.outside[k] {
				return fmt.Sprintf("an operation outside the harness could complete it (line %d)", p.Line)
			}
			return fmt.Sprintf("a client method could complete the owner's operation (line %d)", p.Line)
		}
	}
	return ""
}

// hasKind reports whether n operates on the channel with a kind ok takes.
func hasKind(n *chanuse.Node, ok func(chanuse.Kind) bool) bool {
	for _, op := range n.Ops {
		if ok(op.Kind) {
			return true
		}
	}
	return false
}

// liveCase reports whether the select case sc can fire in the harness:
// not one receiving from a private field of the package that no function
// of the harness sends on or closes (deadField).
func (h *harness) liveCase(st *state, sc *ssa.SelectState) bool {
	if sc == nil {
		return true
	}
	for _, n := range h.nodes {
		for _, b := range n.Fn.Blocks {
			for _, in := range b.Instrs {
				sel, ok := in.(*ssa.Select)
				if !ok {
					continue
				}
				for k, x := range sel.States {
					if x == sc {
						return !st.deadField(sel, k, h.nodes)
					}
				}
			}
		}
	}
	return true
}

// failedClient reports whether a client of hr returned an error on s's
// path: the object failed (Start could not start), and a concurrent
// call blocking on it is the caller's misuse, as the owner failing
// hands no object out (handsOut).
func failedClient(s chanmodel.Stuck, hr *harnessRun) bool {
	errT := types.Universe.Lookup("error").Type()
	for _, x := range s.Others {
		if x.Blocked || x.Other || x.Fn != hr.fns[0] && x.Fn != hr.fns[1] {
			continue
		}
		for _, b := range x.Fn.Blocks {
			r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok || r.Pos() != x.Pos {
				continue
			}
			for _, v := range r.Results {
				if c, ok := v.(*ssa.Const); types.Identical(v.Type(), errT) && (!ok || !c.IsNil()) {
					return true
				}
			}
		}
	}
	return false
}

// endedCompleter reports whether a goroutine of s that could have
// completed its operation (recv: one that sends; else one that receives)
// returned by itself: the object's life ended after serving one client
// (a one-shot loop), and a second call is the caller's misuse; a single
// client's harness already shows what that return leaves blocked.
func endedCompleter(s chanmodel.Stuck, recv bool) bool {
	for _, x := range s.Others {
		if x.Blocked || x.Other {
			continue
		}
		if recv && x.Sends || !recv && x.Recvs {
			return true
		}
	}
	return false
}
