package chanblock

import (
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanmodel"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// maxCallerClients bounds the client functions tried per field.
const maxCallerClients = 8

// stuckCallers runs the field harness of stuckFields with the package's
// own code as the client instead of one call of one method: a function
// (not a method of the type) that gets the object as its parameter or
// from its own call of the owner (the constructor), and calls two or more
// functions that reach the field. The client's sequence is what the
// program does (Run, then Stop; Start, then Initialize, giving up on its
// error), so what it leaves blocked needs no caller to misuse the type:
//
//   - the object from the constructor: an operation of any goroutine the
//     client starts (through the methods it calls) is reported when the
//     client drops the object on that path (returns without it, keeping
//     it nowhere): nobody is left who could complete it. A select case on
//     another field of the object that only functions outside the harness
//     complete (Close) cannot fire then.
//   - the object as a parameter: only the client's own blocked operation,
//     and only after an earlier call of the client reached the operation
//     that would have completed it (Run closes started on success, then
//     Stop waits for it): the object is new to the client, not one in the
//     middle of its life.
//
// In both, the client's calls must reach an operation of the other kind
// (the one that did not happen on the witness's path), and none may be
// outside the harness.
func stuckCallers(st *state) {
	var cands []*ssa.Function
	for _, fn := range st.funcs {
		if fn.Parent() == nil && fn.Signature.Recv() == nil && fn.Blocks != nil {
			cands = append(cands, fn)
		}
	}
	if len(cands) == 0 {
		return
	}
	for _, c := range st.queues {
		if c.Escapes || c.Stored || len(c.Makes) != 1 || c.LenChecked {
			continue
		}
		mc := c.Makes[0]
		owner := mc.Parent()
		if owner.Parent() != nil || !st.follow(mc).Escapes {
			continue
		}
		tn := st.sealed.Owner(c.Field)
		if tn == nil {
			continue
		}
		obj := storedIn(mc, c.Field)
		if obj == nil {
			continue
		}
		ptr := types.NewPointer(tn.Type())
		// The candidates: functions calling the owner, and those taking
		// the type as a parameter (indexed, not scanned, per field).
		var fns []*ssa.Function
		seen := map[*ssa.Function]bool{}
		for _, call := range st.staticCalls()[owner] {
			if fn := call.Parent(); !seen[fn] && fn.Parent() == nil && fn.Signature.Recv() == nil {
				seen[fn] = true
				fns = append(fns, fn)
			}
		}
		for _, fn := range cands {
			if seen[fn] {
				continue
			}
			for _, p := range fn.Params {
				if types.Identical(p.Type(), ptr) {
					seen[fn] = true
					fns = append(fns, fn)
					break
				}
			}
		}
		tried := 0
		for _, fn := range fns {
			if fn == owner {
				continue
			}
			objs, call := clientObject(fn, owner, ptr)
			if objs == nil {
				continue
			}
			if tried++; tried > maxCallerClients {
				break
			}
			stuckCaller(st, c, mc, obj, fn, objs, call)
		}
	}
}

// clientObject returns the object of type ptr that fn works on: its one
// parameter of that type, or the result of its one static call of the
// owner (with that call); nil when neither.
func clientObject(fn, owner *ssa.Function, ptr types.Type) (map[ssa.Value]bool, *ssa.Call) {
	var param ssa.Value
	for _, p := range fn.Params {
		if types.Identical(p.Type(), ptr) {
			if param != nil {
				return nil, nil
			}
			param = p
		}
	}
	var call *ssa.Call
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			if c, ok := in.(*ssa.Call); ok && c.Call.StaticCallee() == owner {
				if call != nil {
					return nil, nil
				}
				call = c
			}
		}
	}
	if param != nil && call != nil {
		return nil, nil
	}
	if param != nil {
		return map[ssa.Value]bool{param: true}, nil
	}
	if call == nil {
		return nil, nil
	}
	if types.Identical(call.Type(), ptr) {
		return map[ssa.Value]bool{call: true}, call
	}
	for _, r := range *call.Referrers() {
		if x, ok := r.(*ssa.Extract); ok && types.Identical(x.Type(), ptr) {
			return map[ssa.Value]bool{x: true}, call
		}
	}
	return nil, nil
}

// stuckCaller runs the harness of field class c (made by mc, stored in
// obj) with fn as the client working on objs (from call, or its
// parameter when call is nil).
func stuckCaller(st *state, c *class, mc *ssa.MakeChan, obj ssa.Value, fn *ssa.Function, objs map[ssa.Value]bool, call *ssa.Call) {
	h := &harness{c: c, byFn: map[*ssa.Function][]chanuse.FieldOp{}, relevant: map[*ssa.Function]bool{}, inside: map[opKey]bool{}}
	for _, op := range c.Ops {
		f := op.Instr.Parent()
		h.byFn[f] = append(h.byFn[f], op)
	}
	// The client's calls that reach the field: two at least.
	calls := 0
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			if ci, ok := in.(ssa.CallInstruction); ok {
				if t := target(ci.Common()); t != nil && t != mc.Parent() && h.isRelevant(t, 0) {
					calls++
				}
			}
		}
	}
	if calls < 2 {
		return // not a client: one call or none reaches the field
	}
	if !confinedIn(fn, objs, call != nil) {
		st.census(mc, "caller %s: not run (the object leaves it)", fn.Name())
		return
	}
	ownerObjs := map[ssa.Value]bool{obj: true}
	if h.grow(nil, mc.Parent(), ownerObjs, nil, nil, 0) == nil {
		return
	}
	nOwner := len(h.nodes)
	clientObjs := map[ssa.Value]bool{}
	for v := range objs {
		clientObjs[v] = true
	}
	client := h.grow(nil, fn, clientObjs, nil, nil, 0)
	if client == nil {
		st.census(mc, "caller %s: not run (its tree is too deep)", fn.Name())
		return
	}
	clientNodes := h.nodes[nOwner:]
	joint := &chanuse.Channel{Make: mc, Field: c.Field, Nodes: h.nodes}
	if st.reportedOn(joint) {
		st.census(mc, "caller %s: a pattern rule reported on it", fn.Name())
		return
	}
	st.census(mc, "caller %s: harness", fn.Name())
	var dead func(*ssa.Select, int) bool
	if call != nil {
		dead = func(sel *ssa.Select, k int) bool { return st.deadField(sel, k, h.nodes) }
	}
	for _, s := range chanmodel.CheckCaller(joint, client, call, handsOut(mc.Parent(), ownerObjs), dead, stuckBudget) {
		forever, why, closes := rangeForever(st, c, s)
		if why != "" {
			st.census(mc, "caller %s: range at line %d: %s", fn.Name(), st.pass.Fset.Position(s.Op.Instr.Pos()).Line, why)
		}
		if forever {
			st.census(mc, "caller %s: witness kept (a loop only a close ends)", fn.Name())
			st.reportRangeForever(s, c, closes)
			continue
		}
		if s.Sync != nil {
			st.census(mc, "caller %s: witness dropped: a wait on a lock or group alone", fn.Name())
			continue
		}
		if why := h.callerWitness(s, client, clientNodes, fn, objs, call != nil); why != "" {
			st.census(mc, "caller %s: witness dropped: %s", fn.Name(), why)
			continue
		}
		st.census(mc, "caller %s: witness kept", fn.Name())
		st.reportStuck(s)
	}
}

// callerWitness returns why s, a witness of the caller harness with
// client (whose tree is clientNodes), is not one to report (see
// stuckCallers), or "" when it is.
func (h *harness) callerWitness(s chanmodel.Stuck, client *chanuse.Node, clientNodes []*chanuse.Node, fn *ssa.Function, objs map[ssa.Value]bool, made bool) string {
	root := s.Op.Node
	for root.Parent != nil {
		root = root.Parent
	}
	if root != client {
		return "an operation of the owner's goroutines (the field harness's business)"
	}
	recv := s.Op.Kind == chanuse.Recv || s.Op.Kind == chanuse.SelectRecv
	other := func(k chanuse.Kind) bool {
		switch k {
		case chanuse.Send, chanuse.SelectSend, chanuse.Close, chanuse.DeferClose:
			return recv
		}
		return !recv
	}
	// Nothing outside the harness completes it.
	for _, op := range h.c.Ops {
		if other(op.Kind) && !h.inside[opKey{op.Instr, op.State}] {
			return "an operation outside the harness could complete it"
		}
	}
	// The client's calls reach an operation that would have.
	var completers []*chanuse.Node
	for _, n := range clientNodes {
		for _, op := range n.Ops {
			if other(op.Kind) {
				completers = append(completers, n)
				break
			}
		}
	}
	if len(completers) == 0 {
		return "the client's calls reach no operation that would complete it"
	}
	if !made {
		if s.Op.Node.G != client {
			return "a goroutine the client started, on an object it did not make"
		}
		// An earlier call of the client reached a completer.
		at := topCall(s.Op.Node, client)
		if at == nil {
			return "the client's own operation, not reached through a call"
		}
		_, deferred := at.(*ssa.Defer)
		for _, n := range completers {
			b := topCall(n, client)
			if b == nil || b == at {
				continue
			}
			// A deferred wait runs after every call the client makes.
			if _, bd := b.(*ssa.Defer); deferred && !bd || dominates(b, at) {
				return ""
			}
		}
		return "no earlier call of the client reached a completer (the object may be in the middle of its life)"
	}
	if s.Op.Node.G == client {
		return ""
	}
	// The client dropped the object on this path.
	for _, x := range s.Others {
		if x.Fn != fn {
			continue
		}
		if x.Blocked || x.Other {
			return "the client is blocked or left a select itself"
		}
		for _, b := range fn.Blocks {
			if r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && r.Pos() == x.Pos {
				for _, v := range r.Results {
					if objs[v] {
						return "the client returns the object (its caller may complete it)"
					}
				}
				return ""
			}
		}
	}
	return "the client did not drop the object on this path"
}

// topCall returns the instruction of the client root's function through
// which n is reached: the call or start of n's ancestor that is the
// client's child; nil when n is the client itself.
func topCall(n, client *chanuse.Node) ssa.Instruction {
	for ; n != nil && n.Parent != nil; n = n.Parent {
		if n.Parent == client {
			switch {
			case n.Call != nil:
				return n.Call
			case n.Go != nil:
				return n.Go
			case n.Start != nil:
				return n.Start
			}
			return nil
		}
	}
	return nil
}

// confinedIn reports whether the object (objs, in fn) stays in fn: used
// only as a receiver or argument of calls of the package's functions,
// to reach its fields, and, when made (fn called the constructor), in
// returns; a parameter is not returned.
func confinedIn(fn *ssa.Function, objs map[ssa.Value]bool, made bool) bool {
	for v := range objs {
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.Call:
				t := target(&r.Call)
				if t == nil || t.Pkg != fn.Pkg {
					return false
				}
			case *ssa.Defer:
				t := target(&r.Call)
				if t == nil || t.Pkg != fn.Pkg {
					return false
				}
			case *ssa.FieldAddr, *ssa.DebugRef:
			case *ssa.BinOp:
				if r.Op != token.EQL && r.Op != token.NEQ {
					return false
				}
			case *ssa.Return:
				if !made {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

// deadField reports whether case k of sel receives from a field of the
// harness's object (a private field class of the package) that no
// function of the harness (nodes) sends on or closes: with the object
// confined to the client, nothing else can.
func (st *state) deadField(sel *ssa.Select, k int, nodes []*chanuse.Node) bool {
	s := sel.States[k]
	if s.Dir != types.RecvOnly {
		return false
	}
	ld, ok := s.Chan.(*ssa.UnOp)
	if !ok || ld.Op != token.MUL {
		return false
	}
	fa, ok := ld.X.(*ssa.FieldAddr)
	if !ok {
		return false
	}
	f := chanuse.StructFieldOf(fa)
	var fc *class
	for _, q := range st.queues {
		if q.Field == f {
			fc = q
		}
	}
	if fc == nil || fc.Escapes || fc.Stored {
		return false
	}
	in := map[*ssa.Function]bool{}
	for _, n := range nodes {
		in[n.Fn] = true
	}
	for _, op := range fc.Ops {
		switch op.Kind {
		case chanuse.Send, chanuse.SelectSend, chanuse.Close, chanuse.DeferClose:
			if in[op.Instr.Parent()] {
				return false
			}
		}
	}
	return true
}

// onceDo returns the function literal c hands to a sync.Once's Do, which
// runs it in the calling goroutine (close(c.ready) under a Once), or nil.
func onceDo(c *ssa.CallCommon) *ssa.MakeClosure {
	f := c.StaticCallee()
	if f == nil || f.Name() != "Do" || len(c.Args) != 2 {
		return nil
	}
	recv := f.Signature.Recv()
	if recv == nil {
		return nil
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "sync" || n.Obj().Name() != "Once" {
		return nil
	}
	mk, _ := c.Args[1].(*ssa.MakeClosure)
	return mk
}
