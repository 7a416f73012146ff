package chanblock

import (
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanmodel"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// maxStuckCallers bounds the callers of one maker the checker runs with.
const maxStuckCallers = 8

// stuckReturned runs the checker on a channel its maker returns, once per
// static call of the maker in the package: the maker with its goroutines,
// then the caller from the call on (chanmodel.CheckReturned). A caller
// that lets the channel escape or returns it on is left out.
func stuckReturned(st *state, ch *chanuse.Channel) {
	calls := st.staticCalls()[ch.Make.Parent()]
	if len(calls) > maxStuckCallers {
		return
	}
	for _, call := range calls {
		cc := chanuse.FollowResult(call, ch.Make)
		if cc.Escapes || len(cc.Returns) > 0 || st.reportedOn(cc) {
			continue
		}
		for _, s := range chanmodel.CheckReturned(ch, cc, call, stuckBudget) {
			st.reportStuck(s)
		}
	}
}

// staticCalls indexes the package's static calls by callee, built once.
func (st *state) staticCalls() map[*ssa.Function][]*ssa.Call {
	if st.calls != nil {
		return st.calls
	}
	st.calls = map[*ssa.Function][]*ssa.Call{}
	for _, fn := range st.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(*ssa.Call); ok {
					if callee := c.Call.StaticCallee(); callee != nil {
						st.calls[callee] = append(st.calls[callee], c)
					}
				}
			}
		}
	}
	return st.calls
}

// maxClients bounds the client methods tried per field.
const maxClients = 6

// stuckFields runs the checker on a channel kept in a private struct field
// (a class) that one function makes and stores, under a harness
// (chanmodel.CheckClient): that owner runs with the goroutines it starts
// on the object, then, after it returns, one client calls one exported
// method of the type that reaches the field, once (or none). Only the
// object the owner stores the channel in is followed: operations on the
// field of another instance are outside the harness.
//
// The harness leaves out what clients may also do (other methods, more
// calls), so a stuck operation is reported only when nothing outside it
// could complete it: no operation of the other kind on the field (a send
// or close for a receive, a receive for a send) outside the owner's
// goroutines, for one of those; outside the harness, for the client's.
// A client blocked after the owner's goroutine left a select by another
// case (a stop or context case: the object's life ended before the call)
// is lifecycle misuse, not reported.
func stuckFields(st *state) {
	var methods map[types.Object]*ssa.Function
	sfs := map[*types.TypeName]*syncFields{}
	for _, c := range st.wide {
		if c.Escapes || c.Stored || len(c.Makes) != 1 || c.LenChecked {
			for _, mc := range c.Makes {
				st.census(mc, "field: not checked (escapes %v: %s; stored %v; makes %d; len read %v)", c.Escapes, c.Why, c.Stored, len(c.Makes), c.LenChecked)
			}
			continue
		}
		mc := c.Makes[0]
		if !st.follow(mc).Escapes {
			continue // local: Check ran on it
		}
		tn := st.sealed.Owner(c.Field)
		if tn == nil {
			st.census(mc, "field: no sealed owner type")
			continue
		}
		obj := storedIn(mc, c.Field)
		if obj == nil {
			st.census(mc, "field: the stored object not found")
			continue
		}
		h := &harness{c: c, byFn: map[*ssa.Function][]chanuse.FieldOp{}, relevant: map[*ssa.Function]bool{}, inside: map[opKey]bool{}, madeOnly: !c.Elem && !storesNil(st.funcs, c.Field)}
		for _, op := range c.Ops {
			fn := op.Instr.Parent()
			h.byFn[fn] = append(h.byFn[fn], op)
		}
		if c.Elem {
			// A map class: the functions storing, looking up or
			// deleting the element are in the trees too (whether the
			// element is in the map decides a lookup).
			h.mapByFn = map[*ssa.Function][]chanuse.MapOp{}
			for _, op := range c.MapOps {
				fn := op.Instr.Parent()
				h.mapByFn[fn] = append(h.mapByFn[fn], op)
			}
		}
		objs := map[ssa.Value]bool{obj: true}
		// A receiver captured by a closure is spilled to a variable: the
		// value stored there is the object too.
		if ld, ok := obj.(*ssa.UnOp); ok && ld.Op == token.MUL {
			if a, ok := ld.X.(*ssa.Alloc); ok {
				for _, r := range *a.Referrers() {
					if s, ok := r.(*ssa.Store); ok && s.Addr == a {
						objs[s.Val] = true
					}
				}
			}
		}
		owner := h.grow(nil, mc.Parent(), objs, nil, nil, 0)
		if owner == nil {
			st.census(mc, "field: owner tree too deep")
			continue
		}
		ownerNodes := h.nodes
		ownerInside := h.inside
		sf, seen := sfs[tn]
		if !seen {
			sf = st.syncFieldsOf(tn)
			sfs[tn] = sf
		}
		wgUsers := st.wgUsers(sf) // clients too (stuckwgleak.go)
		clients := []*ssa.Function{nil}
		ms := types.NewMethodSet(types.NewPointer(tn.Type()))
		for i := 0; i < ms.Len(); i++ {
			f := ms.At(i).Obj().(*types.Func)
			if !f.Exported() {
				continue
			}
			if methods == nil {
				methods = map[types.Object]*ssa.Function{}
				for _, fn := range st.funcs {
					if o := fn.Object(); o != nil {
						methods[o] = fn
					}
				}
			}
			m := methods[f]
			// The owner as a client makes a new channel: a new
			// element of a map class (another registration), which the
			// model ends that client at; a field's channel replaced.
			if m == nil || m == mc.Parent() && !c.Elem || !h.isRelevant(m, 0) && !wgUsers[m] || len(m.Params) == 0 {
				continue
			}
			clients = append(clients, m)
		}
		if len(clients) > maxClients+1 {
			st.census(mc, "field: too many client methods")
			continue
		}
		st.census(mc, "field: harness with %d client methods", len(clients)-1)
		// What each client method's tree operates on: the operations
		// other methods reach are outside a harness without them (a
		// method starting the loop again reaches the loop's receive).
		reach := map[*ssa.Function]map[opKey]bool{}
		for _, m := range clients[1:] {
			h.nodes, h.inside = nil, map[opKey]bool{}
			if h.grow(nil, m, map[ssa.Value]bool{m.Params[0]: true}, nil, nil, 0) == nil {
				reach[m] = nil
				continue
			}
			reach[m] = h.inside
		}
		pairs := tn.Exported() || handsObjectOut(mc.Parent(), tn)
		if !pairs && len(clients) > 1 {
			st.census(mc, "field: no pairs (no code outside the package can get the object: its type and owner are unexported, or the owner returns no value of its type)")
		}
		for _, m := range clients[1:] {
			if reach[m] == nil {
				st.census(mc, "field: client %s not run (its tree is too deep)", m.Name())
			}
		}
		runs := harnessRuns(clients, reach, pairs)
		for _, r := range runs {
			h.nodes = append([]*chanuse.Node(nil), ownerNodes...)
			h.inside = map[opKey]bool{}
			for k := range ownerInside {
				h.inside[k] = true
			}
			hr := &harnessRun{owner: owner, ownerNodes: ownerNodes, fns: r}
			for i, m := range r {
				if m == nil {
					continue
				}
				if i == 1 && r[1] == r[0] {
					hr.clients = append(hr.clients, hr.clients[0])
					hr.trees = append(hr.trees, hr.trees[0])
					continue
				}
				n := len(h.nodes)
				hr.clients = append(hr.clients, h.grow(nil, m, map[ssa.Value]bool{m.Params[0]: true}, nil, nil, 0))
				hr.trees = append(hr.trees, h.nodes[n:])
			}
			// Outside the harness: operations no tree holds, and those
			// the other methods reach.
			hr.outside, hr.reach = map[opKey]bool{}, map[opKey]bool{}
			for _, op := range c.Ops {
				if k := (opKey{op.Instr, op.State}); !h.inside[k] {
					hr.outside[k] = true
				}
			}
			for o, ops := range reach {
				for k := range ops {
					if o != r[0] && o != r[1] {
						hr.outside[k] = true
					} else {
						hr.reach[k] = true
					}
				}
			}
			joint := &chanuse.Channel{Make: mc, Field: c.Field, Nodes: h.nodes}
			if st.reportedOn(joint) {
				st.census(mc, "field: a pattern rule reported on it")
				break
			}
			var first, second *chanuse.Node
			if len(hr.clients) > 0 {
				first = hr.clients[0]
			}
			if r[1] != nil {
				st.census(mc, "field: pair %s %s", r[0].Name(), r[1].Name())
				second = hr.clients[1]
			}
			check := chanmodel.CheckHarness
			if h.registers(mc.Parent(), objs) {
				check = chanmodel.CheckRegistry
			}
			found := check(joint, harnessObject(obj, sf, h.nodes), first, second, h.handsOut(mc.Parent(), objs), stuckBudget)
			waits := map[bool]chanuse.Kind{} // by sends: what a dropped witness waits at that a late call may complete
			for _, s := range found {
				// A loop only a close ends, on a field nothing can
				// close: no client's send lets it out (stuckrange.go).
				forever, why, closes := rangeForever(st, c, s)
				if why != "" {
					st.census(mc, "field: range at line %d: %s", st.pass.Fset.Position(s.Op.Instr.Pos()).Line, why)
				}
				if forever {
					st.census(mc, "field: witness kept (a loop only a close ends)")
					st.reportRangeForever(s, c, closes)
					continue
				}
				// A wait on a lock or group alone: whose goroutine
				// it is the harness cannot tell (stuckCaller alike).
				// Kept when a client left the object's group raised
				// for good (stuckwgleak.go).
				if s.Sync != nil {
					if ok, why := st.leakedWait(s, sf, h.nodes); !ok {
						st.census(mc, "field: witness dropped: %s", why)
						continue
					}
					st.census(mc, "field: witness kept (a group a client left raised)")
					st.reportStuck(s)
					continue
				}
				if why := h.completable(st, s, hr); why != "" {
					st.census(mc, "field: witness dropped: %s", why)
					if lateMay(why) {
						waits[s.Op.Kind == chanuse.Send || s.Op.Kind == chanuse.SelectSend] = s.Op.Kind
					}
					continue
				}
				st.census(mc, "field: witness kept")
				st.reportStuck(s)
			}
			if h.registers(mc.Parent(), objs) {
				continue
			}
			for _, sends := range []bool{false, true} {
				k, ok := waits[sends]
				if !ok {
					continue
				}
				late := lateMethods(c, k, clients, reach)
				if len(late) == 0 {
					continue
				}
				h.stuckLate(st, mc, hr, late, reach, func(first, second *chanuse.Node, late []*chanuse.Node) []chanmodel.Stuck {
					joint := &chanuse.Channel{Make: mc, Field: c.Field, Nodes: h.nodes}
					return chanmodel.CheckLifecycle(joint, harnessObject(obj, sf, h.nodes), first, second, late, h.handsOut(mc.Parent(), objs), stuckBudget)
				})
			}
		}
	}
}

// handsOut is handsOut, except that a method registering an element of
// a map class in its receiver's map hands the object on at every return:
// the object was live before the call, and a failed registration (an
// error returned) does not end its life; the channel it left in the map
// is there for the next caller.
func (h *harness) handsOut(fn *ssa.Function, objs map[ssa.Value]bool) []*ssa.Return {
	if h.registers(fn, objs) {
		var rets []*ssa.Return
		for _, b := range fn.Blocks {
			if r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
				rets = append(rets, r)
			}
		}
		return rets
	}
	return handsOut(fn, objs)
}

// registers reports whether fn, the owner of a map class, is a method
// registering the element in its receiver's map (the object, objs).
func (h *harness) registers(fn *ssa.Function, objs map[ssa.Value]bool) bool {
	return h.c.Elem && fn.Signature.Recv() != nil && len(fn.Params) > 0 && objs[fn.Params[0]]
}

// handsOut returns the returns of the owner fn after which a client may
// use the object (objs): every error result is nil, and a result of the
// object's type, or an interface value built from one, is the object.
// A constructor failing (return nil, err)
// hands nothing out; a Start method failing leaves an object no client
// should use.
func handsOut(fn *ssa.Function, objs map[ssa.Value]bool) []*ssa.Return {
	var typ types.Type
	for v := range objs {
		typ = v.Type()
		break
	}
	var rets []*ssa.Return
	for _, b := range fn.Blocks {
		r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		good := true
		for _, x := range r.Results {
			switch {
			case types.Identical(x.Type(), types.Universe.Lookup("error").Type()):
				if c, ok := x.(*ssa.Const); !ok || !c.IsNil() {
					good = false
				}
			case typ != nil && types.Identical(x.Type(), typ):
				if !objs[x] {
					good = false
				}
			case typ != nil && types.IsInterface(x.Type()):
				// The object as an interface value (handsObjectOut): a
				// nil interface or another value of its type hands
				// this object out no more than a nil pointer does.
				if c, ok := x.(*ssa.Const); ok && c.IsNil() {
					good = false
				} else if v := dynamicValue(x); v != nil && types.Identical(v.Type(), typ) && !objs[v] {
					good = false
				}
			}
		}
		if good {
			rets = append(rets, r)
		}
	}
	return rets
}

// opKey names one operation: its instruction and select case.
type opKey struct {
	in    ssa.Instruction
	state int
}

// harness builds the node trees of a field's channel for CheckClient.
type harness struct {
	c        *class
	byFn     map[*ssa.Function][]chanuse.FieldOp
	relevant map[*ssa.Function]bool
	nodes    []*chanuse.Node
	inside   map[opKey]bool // the operations the trees hold
	// madeOnly: nothing in the package stores nil in the field, so
	// after the owner's make every load of it on the object is the
	// channel (a nil test of it is decided).
	madeOnly bool
	// mapByFn: a map class's stores, lookups and deletes by function.
	mapByFn map[*ssa.Function][]chanuse.MapOp
}

// isRelevant reports whether fn operates on the field or calls or starts
// a function of the package that does.
func (h *harness) isRelevant(fn *ssa.Function, depth int) bool {
	if r, ok := h.relevant[fn]; ok {
		return r
	}
	if depth > 4 || fn == nil || fn.Blocks == nil {
		return false
	}
	h.relevant[fn] = false // a cycle adds nothing
	r := len(h.byFn[fn]) > 0 || len(h.mapByFn[fn]) > 0
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			if r {
				break
			}
			if ci, ok := in.(ssa.CallInstruction); ok {
				if t := target(ci.Common()); t != nil && h.isRelevant(t, depth+1) {
					r = true
				}
			}
		}
	}
	h.relevant[fn] = r
	return r
}

// target returns the function c runs: its static callee or the function
// literal it calls.
func target(c *ssa.CallCommon) *ssa.Function {
	if c.IsInvoke() {
		return nil
	}
	if f := c.StaticCallee(); f != nil {
		if mk := onceDo(c); mk != nil {
			return mk.Fn.(*ssa.Function)
		}
		return f
	}
	if mk, ok := c.Value.(*ssa.MakeClosure); ok {
		f, _ := mk.Fn.(*ssa.Function)
		return f
	}
	return nil
}

// grow makes the node of fn, reached with the object in objs, with its
// operations on the object's field and the relevant functions it calls
// and starts handing the object on; nil gives up (too deep).
func (h *harness) grow(parent *chanuse.Node, fn *ssa.Function, objs map[ssa.Value]bool, g *ssa.Go, call ssa.CallInstruction, depth int) *chanuse.Node {
	if depth > 4 || fn.Blocks == nil {
		return nil
	}
	refs := refsOf(fn, objs)
	n := &chanuse.Node{Fn: fn, Vals: map[ssa.Value]bool{}, Parent: parent, Go: g, Call: call}
	if g != nil || parent == nil {
		n.G = n
	} else {
		n.G = parent.G
	}
	if g != nil {
		n.Start = g
	}
	h.nodes = append(h.nodes, n)
	if h.madeOnly {
		// The field holds the make from the owner on: its loads on the
		// object are the channel, never nil (if s.ch != nil).
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				if ld, ok := in.(*ssa.UnOp); ok && ld.Op == token.MUL {
					if fa, ok := ld.X.(*ssa.FieldAddr); ok && chanuse.StructFieldOf(fa) == h.c.Field && (objs[fa.X] || objs[h.c.Base(fa.X)]) {
						n.Vals[ld] = true
					}
				}
			}
		}
	}
	for _, op := range h.byFn[fn] {
		if !objs[op.Base] {
			continue
		}
		n.Ops = append(n.Ops, chanuse.Op{Kind: op.Kind, Instr: op.Instr, Node: n, State: op.State})
		h.inside[opKey{op.Instr, op.State}] = true
		// A looked-up element is nil when its key is absent: the
		// model decides its nil tests by the lookup.
		if v := opChan(op.Op); v != nil && chanuse.LookupOf(v) == nil {
			n.Vals[v] = true
		}
	}
	for _, op := range h.mapByFn[fn] {
		if !objs[op.Base] && !objs[h.c.Base(op.Base)] {
			continue
		}
		if n.Map == nil {
			n.Map = map[ssa.Instruction]chanuse.MapKind{}
		}
		n.Map[op.Instr] = op.Kind
	}
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			ci, ok := in.(ssa.CallInstruction)
			if !ok {
				continue
			}
			c := ci.Common()
			t := target(c)
			if t == nil || !h.isRelevant(t, 0) {
				continue
			}
			sub := map[ssa.Value]bool{}
			for i, a := range c.Args {
				if (objs[a] || objs[h.c.Base(a)]) && i < len(t.Params) {
					sub[t.Params[i]] = true
				}
			}
			mk, ok := c.Value.(*ssa.MakeClosure)
			if !ok {
				mk = onceDo(c)
			}
			if mk != nil {
				for i, bv := range mk.Bindings {
					if (objs[bv] || refs[bv] || objs[h.c.Base(bv)]) && i < len(t.FreeVars) {
						sub[t.FreeVars[i]] = true
					}
				}
			}
			if len(sub) == 0 {
				continue // another instance
			}
			var k *chanuse.Node
			if gi, ok := in.(*ssa.Go); ok {
				k = h.grow(n, t, sub, gi, nil, depth+1)
			} else {
				k = h.grow(n, t, sub, nil, ci, depth+1)
			}
			if k == nil {
				return nil
			}
		}
	}
	return n
}

// refsOf adds to objs the loads of the variables that hold the object in
// fn (go/ssa captures variables by address: a closure's free variable
// points at the variable holding the object, an Alloc its parameter is
// spilled to), and returns those variables. A free variable in objs
// stands for such a variable of the enclosing function.
func refsOf(fn *ssa.Function, objs map[ssa.Value]bool) map[ssa.Value]bool {
	refs := map[ssa.Value]bool{}
	for _, fv := range fn.FreeVars {
		if objs[fv] {
			if _, ok := fv.Type().Underlying().(*types.Pointer); ok {
				refs[fv] = true
			}
		}
	}
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			a, ok := in.(*ssa.Alloc)
			if !ok {
				continue
			}
			holds := false
			for _, r := range *a.Referrers() {
				switch r := r.(type) {
				case *ssa.Store:
					if r.Addr != a || !objs[r.Val] {
						holds = false
						goto next
					}
					holds = true
				case *ssa.UnOp, *ssa.MakeClosure, *ssa.DebugRef:
				default:
					holds = false
					goto next
				}
			}
		next:
			if holds {
				refs[a] = true
			}
		}
	}
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			if u, ok := in.(*ssa.UnOp); ok && u.Op == token.MUL && refs[u.X] {
				objs[u] = true
			}
		}
	}
	return refs
}

// opChan returns the channel value op operates on.
func opChan(op chanuse.Op) ssa.Value {
	switch in := op.Instr.(type) {
	case *ssa.Send:
		return in.Chan
	case *ssa.UnOp:
		return in.X
	case *ssa.Select:
		return in.States[op.State].Chan
	case ssa.CallInstruction:
		if args := in.Common().Args; len(args) > 0 {
			return args[0]
		}
	}
	return nil
}

// storedIn returns the struct pointer whose field f mc is stored in (or
// whose map field f holds mc as an element).
func storedIn(mc *ssa.MakeChan, f *types.Var) ssa.Value {
	for _, b := range mc.Parent().Blocks {
		for _, in := range b.Instrs {
			u, ok := in.(*ssa.MapUpdate)
			if !ok {
				continue
			}
			if m, _ := chanuse.MadeIn(u.Value); m != mc {
				continue
			}
			if ld, ok := u.Map.(*ssa.UnOp); ok && ld.Op == token.MUL {
				if fa, ok := ld.X.(*ssa.FieldAddr); ok && chanuse.StructFieldOf(fa) == f {
					return fa.X
				}
			}
		}
	}
	for _, r := range *mc.Referrers() {
		if s, ok := r.(*ssa.Store); ok && s.Val == ssa.Value(mc) {
			if fa, ok := s.Addr.(*ssa.FieldAddr); ok && chanuse.StructFieldOf(fa) == f {
				return fa.X
			}
		}
	}
	return nil
}

// storesNil reports whether a function of the package stores nil in
// field f (s.ch = nil after a close).
func storesNil(funcs []*ssa.Function, f *types.Var) bool {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				if st, ok := in.(*ssa.Store); ok && chanuse.StructFieldOf(st.Addr) == f {
					if c, ok := st.Val.(*ssa.Const); ok && c.IsNil() {
						return true
					}
				}
			}
		}
	}
	return false
}
