package chanmodel

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/census"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/ssa"
)

// A sync.Cond among the model's objects (session 22), with the semantics
// of the sync docs: c.Wait() atomically unlocks c.L and joins the Cond's
// queue; it returns only after a Signal or Broadcast made while it is in
// the queue (a Signal with nobody queued is lost), and relocks c.L first.
// Signal wakes the first goroutine queued (the runtime's notify list is
// FIFO: the longest waiting), Broadcast every one.
//
// Identity: a Cond made by sync.NewCond(&mu) in the model's functions, or
// a sync.Cond variable or new value (or a field of a local value) whose L
// is set once (&sync.Cond{L: &mu}, f.cond.L = &f.mu), L being a modelled
// Mutex or RWMutex. Every use of the Cond is a Wait, Signal or Broadcast
// in the model's functions, or c.L.Lock() / c.L.Unlock(), which are
// operations on L; otherwise the Cond and its L are not modelled (their
// calls return, as before).
//
// Wait and Signal do not commute, so entering Wait, Signal and Broadcast
// are scheduling points: both orders of a Signal and a Wait are explored.
//
// Values are unknown to the model, and a Wait guarded by a predicate
// (for !ready { c.Wait() }) is correct exactly when the predicate is set
// before the wake: a model taking the Wait way on a predicate it does not
// know would report a wait the program never makes. So every If from
// which a Cond's operation can be reached and that the operation does not
// post-dominate (in its function and, up the calls and go statements, in
// those that lead to it) must be one the model decides (a counted loop's
// test, a select's index, a receive's ok, a tracked predicate: a bool
// variable of the maker set only to constants, findPreds) or one whose
// value no goroutine of the model can change (constants and parameters,
// through the calls that pass them); otherwise the Cond is given up, with
// a census line.

// The Cond's kind and operations (numbered apart from sync.go's), and
// a tracked predicate's.
const (
	kCond objKind = 100
	kPred objKind = 101
)

const (
	sCondWait  syncKind = 100 + iota // c.Wait
	sSignal                          // c.Signal
	sBroadcast                       // c.Broadcast
	sSetPred                         // a store to a tracked predicate (delta: its value)
)

// condModel is what the exploration needs of the tracked predicates.
type condModel struct {
	preds    map[ssa.Value]int           // a predicate's variable and the free variables bound to it
	predSets map[ssa.Instruction]*syncOp // the stores to them after the make: scheduling points
}

// condBuild is what buildSync learns of the Conds' L bindings.
type condBuild struct {
	stores    map[int][]*ssa.Store          // stores to a Cond's L field met by its walk
	ptrStores map[int][]*ssa.Store          // stores to the *sync.Cond field holding it
	calls     map[int][]ssa.CallInstruction // c.L.Lock() / Unlock() met by its walk
	lUses     map[int][]ssa.Instruction     // a lock's uses as some Cond's L (NewCond call, store to L)
	claim     map[ssa.Instruction]int       // those uses by the Cond that binds them
	why       map[int]string                // why a Cond is given up
}

func (cb *condBuild) init() {
	if cb.stores == nil {
		cb.stores = map[int][]*ssa.Store{}
		cb.ptrStores = map[int][]*ssa.Store{}
		cb.calls = map[int][]ssa.CallInstruction{}
		cb.lUses = map[int][]ssa.Instruction{}
		cb.claim = map[ssa.Instruction]int{}
		cb.why = map[int]string{}
	}
}

// wakes reports whether the operation wakes a Cond's waiters.
func (o *syncOp) wakes() bool {
	return o.kind == sSignal || o.kind == sBroadcast
}

// visible reports whether the operation never blocks but is seen by the
// other goroutines, so it is a scheduling point: a wake, or a store to a
// tracked predicate (a test of it in another goroutine may come before
// or after it).
func (o *syncOp) visible() bool {
	return o.wakes() || o.kind == sSetPred
}

// isNewCond reports whether c calls sync.NewCond.
func isNewCond(c *ssa.Call) bool {
	fn := c.Call.StaticCallee()
	return fn != nil && fn.Pkg != nil && fn.Pkg.Pkg.Path() == "sync" && fn.Name() == "NewCond" && len(c.Call.Args) == 1
}

// debugName returns the name of the variable a NewCond call is assigned
// to (c := sync.NewCond(&mu)), found in its function's syntax; "" when it
// is not assigned to a plain name.
func debugName(call *ssa.Call) string {
	fn := call.Parent()
	if fn == nil || fn.Syntax() == nil {
		return ""
	}
	name := ""
	ast.Inspect(fn.Syntax(), func(x ast.Node) bool {
		if name != "" {
			return false
		}
		var lhs []ast.Expr
		var rhs []ast.Expr
		switch x := x.(type) {
		case *ast.AssignStmt:
			lhs, rhs = x.Lhs, x.Rhs
		case *ast.ValueSpec:
			for _, id := range x.Names {
				lhs = append(lhs, id)
			}
			rhs = x.Values
		default:
			return true
		}
		if len(lhs) != len(rhs) {
			return true
		}
		for i, r := range rhs {
			if c, ok := r.(*ast.CallExpr); ok && c.Lparen == call.Pos() {
				if id, ok := lhs[i].(*ast.Ident); ok && id.Name != "_" {
					name = id.Name
				}
			}
		}
		return true
	})
	return name
}

// isCondPtr reports whether t is *sync.Cond.
func isCondPtr(t types.Type) bool {
	p, ok := t.Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	nt, ok := p.Elem().(*types.Named)
	return ok && nt.Obj().Pkg() != nil && nt.Obj().Pkg().Path() == "sync" && nt.Obj().Name() == "Cond"
}

// lockerPtr reports whether t is *sync.Mutex or *sync.RWMutex.
func lockerPtr(t types.Type) bool {
	p, ok := t.Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	nt, ok := p.Elem().(*types.Named)
	if !ok || nt.Obj().Pkg() == nil || nt.Obj().Pkg().Path() != "sync" {
		return false
	}
	return nt.Obj().Name() == "Mutex" || nt.Obj().Name() == "RWMutex"
}

// isCondL reports whether fa is &c.L of a *sync.Cond c.
func isCondL(fa *ssa.FieldAddr) bool {
	if !isCondPtr(fa.X.Type()) {
		return false
	}
	st, ok := deref(fa.X.Type()).Underlying().(*types.Struct)
	return ok && fa.Field < st.NumFields() && st.Field(fa.Field).Name() == "L"
}

// condL returns the c of c.L when v is a load of c.L.
func condL(v ssa.Value) (ssa.Value, bool) {
	ld, ok := v.(*ssa.UnOp)
	if !ok || ld.Op != token.MUL {
		return nil, false
	}
	fa, ok := ld.X.(*ssa.FieldAddr)
	if !ok || !isCondL(fa) {
		return nil, false
	}
	return fa.X, true
}

// condLoop reports whether counted loop l calls a Cond's Wait, Signal or
// Broadcast, with a trip count the model runs (a constant up to 4, or a
// key): its trips then decide them.
func condLoop(l *loop) bool {
	if v, ok := constKey(l.key); ok && v > 4 {
		return false
	}
	for b := range l.body {
		for _, in := range b.Instrs {
			if c, ok := in.(ssa.CallInstruction); ok {
				if typ, _ := syncMethod(c.Common()); typ == "Cond" {
					return true
				}
			}
		}
	}
	return false
}

// scanCond records a Cond's Wait, Signal or Broadcast, or a c.L.Lock()
// or c.L.Unlock() as an operation on L; handled is false when c is
// neither.
func (b *syncBuild) scanCond(n *chanuse.Node, in ssa.Instruction, c *ssa.CallCommon, deferred bool) (ok, handled bool) {
	if typ, meth := syncMethod(c); typ == "Cond" {
		k, name := b.resolve(c.Args[0], n, 0)
		if k.base == nil {
			return false, true
		}
		switch name {
		case "", "new", "complit":
			name = "Cond"
		}
		obj := b.object(k, kCond, name)
		op := &syncOp{obj: obj, instr: in, name: b.sm.objs[obj].name}
		switch meth {
		case "Wait":
			op.kind = sCondWait
		case "Signal":
			op.kind = sSignal
		case "Broadcast":
			op.kind = sBroadcast
		default:
			b.bad[obj] = true
			return false, true
		}
		if deferred && op.kind == sCondWait {
			b.bad[obj] = true
			return false, true
		}
		b.add(n, in, op)
		return true, true
	}
	if !c.IsInvoke() || c.Method.Name() != "Lock" && c.Method.Name() != "Unlock" {
		return false, false
	}
	cv, ok := condL(c.Value)
	if !ok {
		return false, false
	}
	k, name := b.resolve(cv, n, 0)
	if k.base == nil {
		return false, true
	}
	switch name {
	case "", "new", "complit":
		name = "Cond"
	}
	obj := b.object(k, kCond, name)
	l := b.sm.objs[obj].l
	if l < 0 {
		b.bad[obj] = true
		return false, true
	}
	op := &syncOp{kind: sLock, obj: l, instr: in, name: b.sm.objs[l].name}
	if c.Method.Name() == "Unlock" {
		op.kind = sUnlock
	}
	if deferred && op.kind == sLock {
		b.bad[obj] = true
		return false, true
	}
	b.add(n, in, op)
	return true, true
}

// condUse checks a use r of v on a Cond's walk (its L field) or a lock's
// (handed to a Cond as its L); handled is false for the other uses.
func (b *syncBuild) condUse(v ssa.Value, r ssa.Instruction, path string, obj int) (ok, handled bool) {
	b.cb.init()
	switch b.sm.objs[obj].kind {
	case kCond:
		if pf, ok := v.(*ssa.FieldAddr); ok && path == "" && isCondPtr(deref(pf.Type())) {
			// A *sync.Cond field: set once, its loads are the Cond.
			switch r := r.(type) {
			case *ssa.Store:
				if r.Addr != v {
					return false, true
				}
				b.cb.ptrStores[obj] = append(b.cb.ptrStores[obj], r)
				return true, true
			case *ssa.UnOp:
				if r.Op != token.MUL {
					return false, true
				}
				return b.confined(r, "", obj, map[ssa.Value]bool{}, 1), true
			}
			return false, true
		}
		fa, isFA := r.(*ssa.FieldAddr)
		if !isFA || path != "" || fa.X != v || !isCondL(fa) {
			return false, false
		}
		for _, x := range *fa.Referrers() {
			switch x := x.(type) {
			case *ssa.DebugRef:
			case *ssa.Store:
				if x.Addr != fa {
					return false, true
				}
				b.cb.stores[obj] = append(b.cb.stores[obj], x)
			case *ssa.UnOp:
				if x.Op != token.MUL {
					return false, true
				}
				for _, y := range *x.Referrers() {
					switch y := y.(type) {
					case *ssa.DebugRef:
					case ssa.CallInstruction:
						cc := y.Common()
						if !cc.IsInvoke() || cc.Value != x || cc.Method.Name() != "Lock" && cc.Method.Name() != "Unlock" || !b.fns[y.Parent()] {
							return false, true
						}
						b.cb.calls[obj] = append(b.cb.calls[obj], y)
					default:
						return false, true
					}
				}
			default:
				return false, true
			}
		}
		return true, true
	case kMu:
		mi, isMI := r.(*ssa.MakeInterface)
		if !isMI || mi.X != v || path != "" {
			return false, false
		}
		for _, x := range *mi.Referrers() {
			switch x := x.(type) {
			case *ssa.DebugRef:
			case *ssa.Call:
				if !isNewCond(x) {
					return false, true
				}
				b.cb.lUses[obj] = append(b.cb.lUses[obj], x)
			case *ssa.Store:
				fa, ok := x.Addr.(*ssa.FieldAddr)
				if !ok || x.Val != mi || !isCondL(fa) {
					return false, true
				}
				b.cb.lUses[obj] = append(b.cb.lUses[obj], x)
			default:
				return false, true
			}
		}
		return true, true
	}
	return false, false
}

// nodeFor returns a (canonical) node of the model running fn, or nil.
func (b *syncBuild) nodeFor(fn *ssa.Function) *chanuse.Node {
	for _, n := range b.m.ch.Nodes {
		if b.m.canon[n] == n && n.Fn == fn {
			return n
		}
	}
	return nil
}

// condInit binds Cond i (key k, walked) to its L: NewCond's argument, or
// the one store to its L field; an L that is not a modelled lock, or a
// Cond whose L is not set once before it is used, is given up.
func (b *syncBuild) condInit(i int, k objKey) {
	b.cb.init()
	give := func(why string) {
		b.bad[i] = true
		if b.cb.why[i] == "" {
			b.cb.why[i] = why
		}
	}
	if base, ok := k.base.(ssa.Instruction); !ok || !b.once(base) {
		give("made more than once in the model")
		return
	}
	var lv ssa.Value
	var at ssa.Instruction
	stores := b.cb.stores[i]
	if call, ok := k.base.(*ssa.Call); ok && k.path == "" {
		if len(stores) > 0 {
			give("its L is set again")
			return
		}
		lv, at = call.Call.Args[0], call
	} else if ps := b.cb.ptrStores[i]; len(ps) > 0 {
		// A *sync.Cond field set once to NewCond's result, which has no
		// other use, before the Cond can be used.
		st := ps[0]
		call, ok := st.Val.(*ssa.Call)
		base, _ := k.base.(ssa.Instruction)
		switch {
		case len(ps) != 1 || len(stores) > 0:
			give("its field or its L is set more than once")
			return
		case !ok || !isNewCond(call) || !onlyUse(call, st):
			give("its field is not set to a NewCond of its own")
			return
		case base == nil || st.Parent() != base.Parent() || ssaloop.InLoop(st.Block()) || !b.setEarly(st, base):
			give("its field is set late")
			return
		}
		lv, at = call.Call.Args[0], call
	} else {
		if len(stores) == 0 {
			give("reached through a *sync.Cond field, or its L never set")
			return
		}
		if len(stores) != 1 {
			give("its L is set more than once")
			return
		}
		st := stores[0]
		base, _ := k.base.(ssa.Instruction)
		if base == nil || st.Parent() != base.Parent() || ssaloop.InLoop(st.Block()) || !b.setEarly(st, base) {
			give("its L is set late")
			return
		}
		lv, at = st.Val, st
	}
	mi, ok := lv.(*ssa.MakeInterface)
	if !ok || !lockerPtr(mi.X.Type()) {
		give("its L is not a Mutex or RWMutex")
		return
	}
	n := b.nodeFor(at.Parent())
	if n == nil {
		give("made outside the model")
		return
	}
	lk, lname := b.resolve(mi.X, n, 0)
	if lk.base == nil {
		give("its L is not certain")
		return
	}
	switch lname {
	case "", "new", "complit":
		lname = b.sm.objs[i].name + ".L"
	}
	l := b.object(lk, kMu, lname)
	b.sm.objs[i].l = l
	b.cb.claim[at] = i
	for _, c := range b.cb.calls[i] {
		b.reached[l][c] = true
	}
}

// once reports whether in runs at most once in the model: outside loops,
// in a function one node of the model runs, started or called outside
// loops all the way up.
func (b *syncBuild) once(in ssa.Instruction) bool {
	var n *chanuse.Node
	for _, x := range b.m.ch.Nodes {
		if b.m.canon[x] == x && x.Fn == in.Parent() {
			if n != nil {
				return false
			}
			n = x
		}
	}
	if n == nil {
		return false
	}
	for at := in; ; {
		if at == nil || at.Block() == nil || ssaloop.InLoop(at.Block()) {
			return false
		}
		if n.Parent == nil {
			return true
		}
		if at = startOf(n); at == nil {
			return false
		}
		n = n.Parent
	}
}

// condBegin is where the model's exploration begins: the channel's make,
// or the root object's allocation (roots.go).
func (m *model) condBegin() ssa.Instruction {
	if m.start == nil && m.ch.Make == nil {
		return nil
	}
	return m.begin()
}

// onlyUse reports whether use is v's one use (besides debug references).
func onlyUse(v ssa.Value, use ssa.Instruction) bool {
	for _, r := range *v.Referrers() {
		if _, ok := r.(*ssa.DebugRef); !ok && r != use {
			return false
		}
	}
	return true
}

// setEarly reports whether st (the store of a Cond's L) runs before the
// Cond can be used: in the block of its making (a composite literal), or
// before the channel's make, dominating it.
func (b *syncBuild) setEarly(st *ssa.Store, base ssa.Instruction) bool {
	if st.Block() == base.Block() {
		return true
	}
	mk := b.m.condBegin()
	if st.Parent() != mk.Parent() {
		return false
	}
	if st.Block() != mk.Block() {
		return st.Block().Dominates(mk.Block())
	}
	for _, in := range mk.Block().Instrs {
		if in == ssa.Instruction(st) {
			return true
		}
		if in == ssa.Instruction(mk) {
			return false
		}
	}
	return false
}

// condChecks gives up the Conds whose predicates the model does not know
// and ties each Cond to its L: a lock handed to a Cond the model does
// not follow is not followed either, nor a Cond whose L is not.
func (b *syncBuild) condChecks() {
	b.cb.init()
	any := false
	for i, o := range b.sm.objs {
		if o.kind == kCond {
			any = true
			if o.l < 0 {
				b.bad[i] = true
			}
		}
	}
	if !any {
		return
	}
	b.findPreds()
	b.condGuards()
	for changed := true; changed; {
		changed = false
		mark := func(i int, why string) {
			if !b.bad[i] {
				b.bad[i], changed = true, true
				if b.cb.why[i] == "" {
					b.cb.why[i] = why
				}
			}
		}
		for l, uses := range b.cb.lUses {
			for _, u := range uses {
				c, ok := b.cb.claim[u]
				if !ok || b.bad[c] || b.sm.objs[c].l != l {
					mark(l, "")
				}
			}
		}
		if why := b.unorderedWait(); why != "" {
			for i, o := range b.sm.objs {
				if o.kind == kCond {
					mark(i, why)
				}
			}
		}
		for i, o := range b.sm.objs {
			if o.kind != kCond || o.l < 0 {
				continue
			}
			if b.bad[o.l] {
				mark(i, "its L is not followed")
			}
			if b.bad[i] {
				mark(o.l, "")
			}
		}
	}
	if census.On() {
		fset := b.m.condBegin().Parent().Prog.Fset
		for i, o := range b.sm.objs {
			if o.kind == kCond && b.bad[i] {
				why := b.cb.why[i]
				if why == "" {
					why = "a use outside the model"
				}
				census.Printf(fset, o.pos, "cond %s not followed: %s", o.name, why)
			}
		}
	}
}

// unorderedWait names an operation of the model's functions that may
// wait but that the model lets return at once: one on a channel it does
// not follow (every channel, in a model rooted at a sync object), or a
// wait on a sync object it does not follow. Letting it return lets the
// goroutines run in orders the program forbids, harmless for a channel's
// deadlock but not for a Cond: a handshake that orders a Signal after the
// Wait (each waiter reports on a channel that it holds the lock) would
// become a lost wake-up. "" when there is none.
func (b *syncBuild) unorderedWait() string {
	for _, n := range b.m.ch.Nodes {
		if b.m.canon[n] != n {
			continue
		}
		for _, blk := range n.Fn.Blocks {
			for _, in := range blk.Instrs {
				what := ""
				switch x := in.(type) {
				case *ssa.Send:
					if len(b.m.ops[n][in]) == 0 {
						what = "a send"
					}
				case *ssa.UnOp:
					if x.Op == token.ARROW && len(b.m.ops[n][in]) == 0 {
						what = "a receive"
					}
				case *ssa.Select:
					if !b.selectFollowed(n, x) {
						what = "a select"
					}
				case ssa.CallInstruction:
					c := x.Common()
					if fn := c.StaticCallee(); fn != nil && fn.Pkg != nil && (fn.Pkg.Pkg.Path() == "time" && fn.Name() == "Sleep" || strings.HasSuffix(fn.Pkg.Pkg.Path(), "synctest")) {
						// A sleep orders goroutines in practice, and
						// deterministically in a synctest bubble.
						what = "a sleep"
					}
					if blockingSync(c) {
						if op := b.sm.ops[n][in]; op == nil || b.bad[op.obj] {
							what = "a wait"
						}
					}
				}
				if what != "" {
					line := n.Fn.Prog.Fset.Position(in.Pos()).Line
					return what + " the model does not follow (line " + strconv.Itoa(line) + ")"
				}
			}
		}
	}
	return ""
}

// condGuards gives up each Cond with an operation that an If the model
// cannot decide, on a value another goroutine may change, can lead to.
func (b *syncBuild) condGuards() {
	for n, ops := range b.sm.ops {
		for in, op := range ops {
			if op.kind != sCondWait && !op.wakes() || b.bad[op.obj] {
				continue
			}
			if iff := b.guardOf(n, in); iff != nil {
				b.bad[op.obj] = true
				line := "?"
				if iff.Cond != nil {
					if p := n.Fn.Prog.Fset.Position(iff.Cond.Pos()); p.IsValid() {
						line = strconv.Itoa(p.Line)
					} else if iff.Block() != nil {
						line = strconv.Itoa(n.Fn.Prog.Fset.Position(iff.Block().Instrs[0].Pos()).Line)
					}
				}
				if b.cb.why[op.obj] == "" {
					b.cb.why[op.obj] = "a predicate the model does not know leads to " + op.what() + " (line " + line + ")"
				}
			}
		}
	}
}

// guardOf returns an If that can lead to in (in node n), up through the
// calls and go statements that lead to n, whose value the model neither
// decides nor knows to be steady; nil when there is none.
func (b *syncBuild) guardOf(n *chanuse.Node, in ssa.Instruction) *ssa.If {
	m := b.m
	for cur, at := n, in; cur != nil; {
		fn := cur.Fn
		from := map[*ssa.BasicBlock]bool(nil)
		if mk := m.condBegin(); cur.Parent == nil && mk != nil && mk.Parent() == fn {
			// The root runs from the make on.
			mb := mk.Block()
			from = map[*ssa.BasicBlock]bool{mb: true}
			stack := []*ssa.BasicBlock{mb}
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for _, s := range x.Succs {
					if !from[s] {
						from[s] = true
						stack = append(stack, s)
					}
				}
			}
		}
		seen := map[*ssa.BasicBlock]bool{}
		stack := []*ssa.BasicBlock{at.Block()}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, p := range x.Preds {
				if seen[p] || from != nil && !from[p] {
					continue
				}
				seen[p] = true
				stack = append(stack, p)
				iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
				if ok && !postDominates(at.Block(), p) && !b.decidedIf(cur, p, iff) {
					return iff
				}
			}
		}
		if cur.Parent == nil {
			break
		}
		if at = startOf(cur); at == nil {
			return &ssa.If{} // no start: not known
		}
		cur = cur.Parent
	}
	return nil
}

// postDominates reports whether every way from x (another block) to a
// return passes blk: the If ending x then decides nothing about blk. A
// way that ends in a panic does not count (the model prunes it).
func postDominates(blk, x *ssa.BasicBlock) bool {
	if blk == x {
		return false
	}
	seen := map[*ssa.BasicBlock]bool{x: true}
	stack := []*ssa.BasicBlock{x}
	for len(stack) > 0 {
		y := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if len(y.Succs) == 0 {
			if _, ok := y.Instrs[len(y.Instrs)-1].(*ssa.Return); ok {
				return false
			}
		}
		for _, s := range y.Succs {
			if s != blk && !seen[s] {
				seen[s] = true
				stack = append(stack, s)
			}
		}
	}
	return true
}

// decidedIf reports whether the model decides iff (a counted loop's
// test) or its value is steady.
func (b *syncBuild) decidedIf(n *chanuse.Node, blk *ssa.BasicBlock, iff *ssa.If) bool {
	m := b.m
	if l := m.loops[n.Fn][blk]; l != nil && l.exit == iff && l.key != "" {
		return true
	}
	return b.steady(n, iff.Cond, 0)
}

// steady reports whether no goroutine of the model can change v while it
// runs, or the model tracks it: constants, parameters (through the
// arguments that pass them), values captured by value, the index of a
// select and the ok of a receive on the channels the model follows, and
// what is computed from them.
func (b *syncBuild) steady(n *chanuse.Node, v ssa.Value, depth int) bool {
	if depth > 8 {
		return false
	}
	switch x := v.(type) {
	case *ssa.Const:
		return true
	case *ssa.UnOp:
		switch x.Op {
		case token.NOT, token.SUB, token.XOR:
			return b.steady(n, x.X, depth+1)
		case token.MUL:
			_, ok := b.sm.cm.preds[x.X]
			return ok // a tracked predicate
		}
	case *ssa.BinOp:
		return b.steady(n, x.X, depth+1) && b.steady(n, x.Y, depth+1)
	case *ssa.Convert:
		return b.steady(n, x.X, depth+1)
	case *ssa.ChangeType:
		return b.steady(n, x.X, depth+1)
	case *ssa.Extract:
		// A select or receive the model runs on the channels it
		// follows: every case's, so the index and the ok follow them.
		ops := b.m.ops[b.m.canon[n]]
		switch t := x.Tuple.(type) {
		case *ssa.Select:
			return x.Index <= 1 && b.selectFollowed(n, t)
		case *ssa.UnOp:
			return t.Op == token.ARROW && x.Index == 1 && len(ops[t]) == 1
		}
	case *ssa.Parameter:
		if n == nil || x.Parent() != n.Fn {
			return false
		}
		if n.Parent == nil {
			return true // the root's: an input
		}
		c := callOf(n)
		if c == nil || c.IsInvoke() {
			return false
		}
		for i, p := range n.Fn.Params {
			if p == x && i < len(c.Args) {
				return b.steady(n.Parent, c.Args[i], depth+1)
			}
		}
	case *ssa.FreeVar:
		if n == nil || n.Parent == nil {
			return false
		}
		mk := closureOf(n)
		if mk == nil {
			return false
		}
		bv := chanuse.Bound(mk, x)
		if bv == nil {
			return false
		}
		if _, ok := bv.(*ssa.Alloc); ok {
			return false // captured by reference
		}
		return b.steady(n.Parent, bv, depth+1)
	}
	return false
}

// findPreds finds the predicates the model tracks once it has a Cond: a
// bool variable of the maker (made once, captured by the model's function
// literals), whose every use is a load or a store of a constant in the
// model's functions, false before the make. Its value is then an object's
// state (0 or 1), set by the stores as the goroutines run, so a predicate
// loop on it (for !done { c.Wait() }) is followed as the program runs it.
func (b *syncBuild) findPreds() {
	mk := b.m.condBegin()
	root := mk.Parent()
	after := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{mk.Block()}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, s := range x.Succs {
			if !after[s] {
				after[s] = true
				stack = append(stack, s)
			}
		}
	}
	mkAt := 0
	for i, in := range mk.Block().Instrs {
		if in == ssa.Instruction(mk) {
			mkAt = i
		}
	}
	before := func(in ssa.Instruction) bool {
		if in.Parent() != root || after[in.Block()] {
			return false
		}
		if in.Block() != mk.Block() {
			return true
		}
		for i, x := range in.Block().Instrs {
			if x == in {
				return i < mkAt
			}
		}
		return false
	}
	for _, blk := range root.Blocks {
		for _, in := range blk.Instrs {
			a, ok := in.(*ssa.Alloc)
			if !ok || !a.Heap {
				continue
			}
			if bt, ok := deref(a.Type()).Underlying().(*types.Basic); !ok || bt.Kind() != types.Bool {
				continue
			}
			if !b.once(a) {
				continue
			}
			vs := map[ssa.Value]bool{}
			if !b.predUses(a, vs, before, 0) {
				continue
			}
			i := len(b.sm.objs)
			b.sm.objs = append(b.sm.objs, syncObj{kind: kPred, name: a.Comment, pos: a.Pos(), l: -1})
			b.sm.init = append(b.sm.init, 0)
			if b.sm.cm.preds == nil {
				b.sm.cm.preds = map[ssa.Value]int{}
			}
			for v := range vs {
				b.sm.cm.preds[v] = i
				for _, r := range *v.Referrers() {
					st, ok := r.(*ssa.Store)
					if !ok || st.Addr != v || before(st) {
						continue
					}
					c := st.Val.(*ssa.Const)
					op := &syncOp{kind: sSetPred, obj: i, instr: st, name: a.Comment}
					if constant.BoolVal(c.Value) {
						op.delta = 1
					}
					if b.sm.cm.predSets == nil {
						b.sm.cm.predSets = map[ssa.Instruction]*syncOp{}
					}
					b.sm.cm.predSets[st] = op
				}
			}
		}
	}
}

// predUses reports whether every use of v (the variable or a free
// variable bound to it) is a load, a store of a constant (false before
// the make), or a binding into a function literal of the model; vs
// gathers v and those free variables.
func (b *syncBuild) predUses(v ssa.Value, vs map[ssa.Value]bool, before func(ssa.Instruction) bool, depth int) bool {
	if depth > 6 || vs[v] {
		return depth <= 6
	}
	vs[v] = true
	for _, r := range *v.Referrers() {
		if _, ok := r.(*ssa.DebugRef); ok {
			continue
		}
		if r.Parent() == nil || !b.fns[r.Parent()] && !before(r) {
			return false
		}
		switch r := r.(type) {
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return false
			}
		case *ssa.Store:
			c, ok := r.Val.(*ssa.Const)
			if r.Addr != v || !ok || c.Value == nil || c.Value.Kind() != constant.Bool {
				return false
			}
			if before(r) && constant.BoolVal(c.Value) {
				return false
			}
		case *ssa.MakeClosure:
			fn, _ := r.Fn.(*ssa.Function)
			if fn == nil || !b.fns[fn] {
				return false
			}
			for i, x := range r.Bindings {
				if x == v && !b.predUses(fn.FreeVars[i], vs, before, depth+1) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// setPred runs a store to a tracked predicate in s (owned).
func (sm *syncModel) setPred(s *state, st *ssa.Store) {
	o, ok := sm.cm.preds[st.Addr]
	if !ok {
		return
	}
	c, ok := st.Val.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.Bool {
		return // never: findPreds saw only constants
	}
	v := 0
	if constant.BoolVal(c.Value) {
		v = 1
	}
	if s.sy[o] != v {
		s.sy = append([]int(nil), s.sy...)
		s.sy[o] = v
	}
}

// selectFollowed reports whether the model decides which case of sel
// fires: each is on a channel it follows, on a modelled context's Done,
// or on the Done of a context from outside the model when no goroutine
// of the model cancels anything (it fires at any time, as the program's
// caller decides).
func (b *syncBuild) selectFollowed(n *chanuse.Node, sel *ssa.Select) bool {
	n = b.m.canon[n]
	on := map[int]bool{}
	for _, o := range b.m.ops[n][sel] {
		on[o.state] = true
	}
	for k, st := range sel.States {
		if on[k] {
			continue
		}
		if obj, ok := b.sm.cases[n][sel][k]; ok && !b.bad[obj] {
			continue
		}
		if st.Dir == types.RecvOnly && b.outsideDone(st.Chan) {
			continue
		}
		return false
	}
	return true
}

// outsideDone reports whether v is ctx.Done() of a context no goroutine
// of the model can cancel: the model calls no function value of type
// context.CancelFunc (or CancelCauseFunc).
func (b *syncBuild) outsideDone(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok || !call.Call.IsInvoke() || call.Call.Method.Name() != "Done" || call.Call.Method.Pkg() == nil || call.Call.Method.Pkg().Path() != "context" {
		return false
	}
	for fn := range b.fns {
		for _, blk := range fn.Blocks {
			for _, in := range blk.Instrs {
				c, ok := in.(ssa.CallInstruction)
				if !ok || c.Common().IsInvoke() || c.Common().StaticCallee() != nil {
					continue
				}
				if nt, ok := c.Common().Value.Type().(*types.Named); ok && nt.Obj().Pkg() != nil && nt.Obj().Pkg().Path() == "context" {
					return false
				}
			}
		}
	}
	return true
}

// wake runs a Signal (the first in o's queue) or a Broadcast (all) in s,
// whose goroutines it clones as it changes them.
func (e *explorer) wake(s *state, o int, all bool) {
	if s.sy[o] == 0 {
		return // nobody waits: lost
	}
	for j, h := range s.gs {
		if h.sync == nil || h.sync.kind != sCondWait || h.sync.obj != o || h.cw <= 0 {
			continue
		}
		h = h.clone()
		s.gs[j] = h
		switch {
		case all || h.cw == 1:
			h.cw = -1
		default:
			h.cw--
		}
	}
	if all {
		s.sy[o] = 0
	} else {
		s.sy[o]--
	}
}

// takeCond moves goroutine i of c (owned): into its Wait (L released, at
// the end of the Cond's queue), out of it (L locked again), or past its
// Signal or Broadcast; false prunes the path (Wait with L unlocked
// panics).
func (e *explorer) takeCond(c *state, i int) bool {
	g := c.gs[i]
	op := g.sync
	f := g.frames[len(g.frames)-1]
	c.sy = append([]int(nil), c.sy...)
	l := e.m.sy.objs[op.obj].l
	switch {
	case op.kind == sSetPred:
		c.sy[op.obj] = op.delta
		g.sync = nil
	case op.wakes():
		e.wake(c, op.obj, op.kind == sBroadcast)
		g = c.gs[i]
		g.sync = nil
	case g.cw == 0:
		if c.sy[l] != -1 {
			return false // fatal: unlock of an unlocked mutex
		}
		c.sy[l] = 0
		e.release(c, i, l)
		c.sy[op.obj]++
		c.gs[i].cw = c.sy[op.obj]
		return true
	default:
		c.sy[l] = -1
		g.holds = append(append([]int(nil), g.holds...), l)
		g.sync, g.cw = nil, 0
	}
	f = g.frames[len(g.frames)-1]
	if !f.unwinding {
		f.idx++
	}
	return true
}
