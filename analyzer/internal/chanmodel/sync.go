package chanmodel

import (
	"go/token"
	"go/types"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/ssa"
)

// The synchronisation objects the model's goroutines share: a
// sync.WaitGroup, a sync.Mutex or RWMutex, and a context made by
// context.WithCancel(context.Background()) in the model. An object is
// modelled only when its identity is certain (a local variable or new
// value, or a field of one, reached through free variables and the
// parameters of the model's calls) and every use of it is a call in the
// model's functions; otherwise its operations return, as before.

// noSync (CHANMODEL_NOSYNC set) switches the objects off, to compare.
var noSync = os.Getenv("CHANMODEL_NOSYNC") != ""

type objKind int

const (
	kWG objKind = iota
	kMu
	kCtx
	kStop // a stop channel (stopchan.go)
)

type syncKind int

const (
	sAdd     syncKind = iota // wg.Add(delta), wg.Done (delta -1)
	sGo                      // wg.Go(f): Add(1), Done at f's return
	sWait                    // wg.Wait
	sLock                    // mu.Lock
	sUnlock                  // mu.Unlock
	sRLock                   // mu.RLock
	sRUnlock                 // mu.RUnlock
	sCancel                  // cancel()
	sDone                    // <-ctx.Done()
)

// syncOp is one operation on a modelled object.
type syncOp struct {
	kind  syncKind
	obj   int
	delta int
	key   string // an Add of a counted loop's bound (Add(len(xs))): its delta is the trips of that key
	instr ssa.Instruction
	name  string // the object as the source names it (wg, s.mu, ctx)
}

// blocks reports whether the operation may wait.
func (o *syncOp) blocks() bool {
	return o.kind == sWait || o.kind == sLock || o.kind == sRLock || o.kind == sDone || o.kind == sCondWait
}

// what names the operation for a report.
func (o *syncOp) what() string {
	switch o.kind {
	case sWait:
		return o.name + ".Wait"
	case sLock:
		return o.name + ".Lock"
	case sRLock:
		return o.name + ".RLock"
	case sDone:
		return "<-" + o.name + ".Done()"
	case sCondWait:
		return o.name + ".Wait"
	case sSignal:
		return o.name + ".Signal"
	case sBroadcast:
		return o.name + ".Broadcast"
	}
	return o.name
}

type syncObj struct {
	kind objKind
	name string
	pos  token.Pos // where it is made
	l    int       // a Cond's L (cond.go)
	// shared: a lock kept in a map the model does not own
	// (syncmap.go): others may look it up and lock it.
	shared bool
}

// syncModel is what the exploration needs of the objects.
type syncModel struct {
	objs  []syncObj
	ops   map[*chanuse.Node]map[ssa.Instruction]*syncOp
	cases map[*chanuse.Node]map[*ssa.Select]map[int]int // a select's case on a modelled ctx's Done
	init  []int                                         // the objects' state at the make
	holds []int                                         // what the maker holds at the make
	defs  []*syncOp                                     // what the maker deferred before the make
	index map[objKey]int                                // the objects by key, bad ones too
	cm    condModel                                     // the tracked predicates (cond.go)
	// nonNil lists the nil tests of pointers to the modelled objects
	// (or what holds them), by node: the object is made, so never nil
	// (syncmap.go).
	nonNil map[*chanuse.Node]map[*ssa.BinOp]bool
}

type objKey struct {
	base ssa.Value
	path string
}

type syncBuild struct {
	m       *model
	fns     map[*ssa.Function]bool
	index   map[objKey]int
	bad     map[int]bool
	reached map[int]map[ssa.Instruction]bool // the calls the confinement walk met, by object
	kept    map[ssa.Instruction]bool         // the stores keeping an object in a map, and the map in a field (syncmap.go)
	sm      *syncModel
	cb      condBuild // the Conds' L bindings (cond.go)
	// pkgFuncs are the functions of the package, once a package
	// variable's object needs them (globals.go).
	pkgFuncs []*ssa.Function
}

// buildSync finds the objects and their operations; nil when there are
// none.
func (m *model) buildSync() *syncModel {
	if noSync {
		return nil
	}
	b := &syncBuild{m: m, fns: map[*ssa.Function]bool{}, index: map[objKey]int{}, bad: map[int]bool{},
		reached: map[int]map[ssa.Instruction]bool{}, kept: map[ssa.Instruction]bool{},
		sm: &syncModel{ops: map[*chanuse.Node]map[ssa.Instruction]*syncOp{},
			cases: map[*chanuse.Node]map[*ssa.Select]map[int]int{}}}
	for _, n := range m.ch.Nodes {
		b.fns[n.Fn] = true
	}
	any := false
	for _, n := range m.ch.Nodes {
		if m.canon[n] != n {
			continue
		}
		for _, blk := range n.Fn.Blocks {
			for _, in := range blk.Instrs {
				if b.scan(n, in) {
					any = true
				}
			}
		}
	}
	if !any {
		return nil
	}
	// Every call the confinement walk met must be an operation the
	// model runs on the same object, in every node of its function.
	for obj, ins := range b.reached {
		for in := range ins {
			for _, n := range m.ch.Nodes {
				if m.canon[n] != n || n.Fn != in.Parent() {
					continue
				}
				if op := b.sm.ops[n][in]; op == nil || op.obj != obj {
					b.bad[obj] = true
				}
			}
		}
	}
	// wg.Go must start a goroutine of the model.
	for n, ops := range b.sm.ops {
		for in, op := range ops {
			if op.kind == sGo && len(m.children[n][in]) == 0 {
				b.bad[op.obj] = true
			}
		}
	}
	b.nilTests()
	b.loopAdds()
	b.loopDones()
	b.freshChecks()
	b.prelude()
	b.condChecks()
	for n, ops := range b.sm.ops {
		for in, op := range ops {
			if b.bad[op.obj] {
				delete(ops, in)
			}
		}
		if len(ops) == 0 {
			delete(b.sm.ops, n)
		}
	}
	for n, sels := range b.sm.cases {
		for sel, ks := range sels {
			for k, obj := range ks {
				if b.bad[obj] {
					delete(ks, k)
				}
			}
			if len(ks) == 0 {
				delete(sels, sel)
			}
		}
		if len(sels) == 0 {
			delete(b.sm.cases, n)
		}
	}
	b.sm.index = b.index
	dbg("  sync: %d objects, bad %v, ops %d, cases %d", len(b.sm.objs), b.bad, len(b.sm.ops), len(b.sm.cases))
	if len(b.sm.ops) == 0 && !b.ctxCases() {
		return nil
	}
	var holds []int
	for _, h := range b.sm.holds {
		if !b.bad[h] {
			holds = append(holds, h)
		}
	}
	b.sm.holds = holds
	var defs []*syncOp
	for _, d := range b.sm.defs {
		if !b.bad[d.obj] {
			defs = append(defs, d)
		}
	}
	b.sm.defs = defs
	return b.sm
}

// loopAdds makes unknown a WaitGroup added to in a loop that is neither
// counted (its trips shared with the loops that start the goroutines)
// nor starts a goroutine itself: the adds and the Dones would not keep
// step.
func (b *syncBuild) loopAdds() {
	for n, ops := range b.sm.ops {
		for in, op := range ops {
			if op.kind != sAdd || op.delta <= 0 && op.key == "" || b.bad[op.obj] {
				continue
			}
			for _, l := range b.m.loops[n.Fn] {
				if !l.body[in.Block()] || l.key != "" {
					continue
				}
				starts := false
				for blk := range l.body {
					for _, x := range blk.Instrs {
						if len(b.m.children[n][x]) > 0 {
							if _, ok := x.(*ssa.Go); ok || b.m.children[n][x][0].Start != nil {
								starts = true
							}
						}
					}
				}
				if !starts {
					b.bad[op.obj] = true
				}
			}
		}
	}
}

// loopDones makes unknown a WaitGroup whose Done runs in a loop that is
// not counted (for i := 0; i < 1000; i++ { wg.Done() }, a conditional
// Done in a for {}), in its function or around the calls that lead to it
// in its goroutine: the model would run it at most twice, where the
// program runs it as often as the Adds ask. Likewise a goroutine calling
// Done that is started in such a loop without an Add of the group in the
// loop: its starts and the Adds would not keep step.
func (b *syncBuild) loopDones() {
	// Inside a loop: its body and what leaves it from within (a Done
	// before a return in a for {}), not what runs after it.
	uncounted := func(n *chanuse.Node, blk *ssa.BasicBlock) *loop {
		for _, l := range b.m.loops[n.Fn] {
			if l.key == "" && (l.body[blk] || inside(n.Fn, l)[blk]) {
				return l
			}
		}
		return nil
	}
	for n, ops := range b.sm.ops {
		for in, op := range ops {
			if op.kind != sAdd || op.delta >= 0 || b.bad[op.obj] || b.sm.objs[op.obj].kind != kWG {
				continue
			}
			// Up the goroutine's calls to where it starts.
			x, at := n, in
			for !b.bad[op.obj] {
				if uncounted(x, at.Block()) != nil {
					b.bad[op.obj] = true
					break
				}
				if x.Parent == nil {
					break
				}
				p := b.m.canon[x.Parent]
				if p == nil {
					b.bad[op.obj] = true
					continue
				}
				if at = startOf(x); at == nil {
					b.bad[op.obj] = true
					continue
				}
				if x.G == x {
					// The start: in an uncounted loop it must add.
					if l := uncounted(p, at.Block()); l != nil && !b.addsIn(p, l, op.obj) {
						b.bad[op.obj] = true
					}
					break
				}
				x = p
			}
		}
	}
}

// addsIn reports whether loop l of n's function adds to WaitGroup obj.
func (b *syncBuild) addsIn(n *chanuse.Node, l *loop, obj int) bool {
	for in, op := range b.sm.ops[n] {
		if op.obj == obj && (op.kind == sAdd && (op.delta > 0 || op.key != "") || op.kind == sGo) && l.body[in.Block()] {
			return true
		}
	}
	return false
}

// prelude applies the maker's operations that run before the make (they
// dominate it): an Add, a Lock, a deferred Unlock or cancel. One that
// neither runs before the make nor after it for sure, or runs in a loop,
// makes its object unknown.
func (b *syncBuild) prelude() {
	mk := b.m.begin()
	root := b.m.ch.Nodes[0]
	mb := mk.Block()
	after := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{mb}
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
	b.sm.init = make([]int, len(b.sm.objs))
	pos := map[ssa.Instruction]int{}
	for i, in := range mb.Instrs {
		pos[in] = i
	}
	mkAt := pos[mk]
	// In the field harness (hobj), ops on a path that never reaches the
	// make are not the root's (it starts at the make: a registry's
	// "already there, wait" branch), and ops before the make run in
	// dominance order, so a Lock then an Unlock leaves the lock free.
	reaches := map[*ssa.BasicBlock]bool{mb: true}
	if b.m.hobj != nil {
		stack = []*ssa.BasicBlock{mb}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, p := range x.Preds {
				if !reaches[p] {
					reaches[p] = true
					stack = append(stack, p)
				}
			}
		}
	}
	var seq []*syncOp
	for _, blk := range root.Fn.Blocks {
		for i, in := range blk.Instrs {
			op := b.sm.ops[root][in]
			if op == nil || b.bad[op.obj] {
				continue
			}
			before := blk == mb && i < mkAt || blk != mb && blk.Dominates(mb)
			later := after[blk] || blk == mb && i > mkAt
			if b.m.hobj != nil && !before && !later && !reaches[blk] {
				continue
			}
			if b.m.hobj != nil && before && !ssaloop.InLoop(blk) && (op.kind == sLock || op.kind == sUnlock) && !later {
				if _, ok := in.(*ssa.Defer); !ok {
					seq = append(seq, op)
					continue
				}
			}
			switch {
			case before && later, !before && !later:
				b.bad[op.obj] = true
			case before && ssaloop.InLoop(blk):
				b.bad[op.obj] = true
			case before:
				if _, ok := in.(*ssa.Defer); ok {
					b.sm.defs = append(b.sm.defs, op)
					continue
				}
				switch op.kind {
				case sAdd:
					if op.key != "" {
						b.bad[op.obj] = true // the trips are the run's, not the model's
						continue
					}
					b.sm.init[op.obj] += op.delta
				case sLock:
					b.sm.init[op.obj] = -1
					b.sm.holds = append(b.sm.holds, op.obj)
				case sCancel:
					b.sm.init[op.obj] = 1
				default:
					b.bad[op.obj] = true
				}
			}
		}
	}
	if len(seq) > 0 {
		b.lockPrelude(seq)
	}
	for i, v := range b.sm.init {
		if v < 0 && b.sm.objs[i].kind == kWG {
			b.bad[i] = true
		}
	}
}

// lockPrelude applies the root's Locks and Unlocks before the make (all
// in blocks dominating it, so each runs once on the way there) in the
// order they run: by block dominance, then by index.
func (b *syncBuild) lockPrelude(seq []*syncOp) {
	idx := func(in ssa.Instruction) int {
		for i, x := range in.Block().Instrs {
			if x == in {
				return i
			}
		}
		return -1
	}
	sort.SliceStable(seq, func(i, j int) bool {
		bi, bj := seq[i].instr.Block(), seq[j].instr.Block()
		if bi == bj {
			return idx(seq[i].instr) < idx(seq[j].instr)
		}
		return bi.Dominates(bj)
	})
	held := map[int]bool{}
	for _, op := range seq {
		if b.bad[op.obj] {
			continue
		}
		switch op.kind {
		case sLock:
			if held[op.obj] || b.sm.init[op.obj] != 0 {
				b.bad[op.obj] = true
				continue
			}
			held[op.obj] = true
		case sUnlock:
			if !held[op.obj] {
				b.bad[op.obj] = true
				continue
			}
			held[op.obj] = false
		}
	}
	for obj, h := range held {
		if h && !b.bad[obj] {
			b.sm.init[obj] = -1
			b.sm.holds = append(b.sm.holds, obj)
		}
	}
}

// scan records in's operation on an object, if any.
func (b *syncBuild) scan(n *chanuse.Node, in ssa.Instruction) bool {
	switch in := in.(type) {
	case *ssa.Call, *ssa.Defer:
		c := in.(ssa.CallInstruction).Common()
		_, deferred := in.(*ssa.Defer)
		if ok, handled := b.scanCond(n, in, c, deferred); handled {
			return ok
		}
		if typ, meth := syncMethod(c); typ != "" {
			k, name := b.resolve(c.Args[0], n, 0)
			if k.base == nil {
				return false
			}
			kind := kMu
			if typ == "WaitGroup" {
				kind = kWG
			}
			switch name {
			case "", "new", "complit":
				name = typ // no variable's name: the type's
			}
			obj := b.object(k, kind, name)
			op := &syncOp{obj: obj, instr: in, name: name}
			switch meth {
			case "Add":
				op.kind = sAdd
				cv, ok := c.Args[1].(*ssa.Const)
				if !ok {
					// wg.Add(len(xs)) before a loop over xs starting
					// the goroutines: the delta is that loop's count.
					if v, ok := b.m.keys[root(c.Args[1], n, 0)]; ok && v < 0 && !deferred {
						op.kind, op.key = sAdd, root(c.Args[1], n, 0)
						b.add(n, in, op)
						return true
					}
					b.bad[obj] = true
					return false
				}
				v, ok := constKey("c:" + cv.Value.ExactString())
				if !ok {
					b.bad[obj] = true
					return false
				}
				op.delta = v
			case "Done":
				op.kind, op.delta = sAdd, -1
			case "Go":
				op.kind = sGo
			case "Wait":
				op.kind = sWait
			case "Lock":
				op.kind = sLock
			case "Unlock":
				op.kind = sUnlock
			case "RLock":
				op.kind = sRLock
			case "RUnlock":
				op.kind = sRUnlock
			default:
				b.bad[obj] = true
				return false
			}
			// A deferred Wait waits at the return (defer wg.Wait()).
			if deferred && (op.blocks() && op.kind != sWait || op.kind == sGo) {
				b.bad[obj] = true
				return false
			}
			b.add(n, in, op)
			return true
		}
		if b.scanClose(n, in, c) {
			return true
		}
		if c.IsInvoke() {
			return false
		}
		k, name := b.resolve(c.Value, n, 0)
		if k.base == nil || k.path != "#1" {
			return false
		}
		obj := b.object(objKey{k.base, "#0"}, kCtx, "ctx")
		_ = name
		b.add(n, in, &syncOp{kind: sCancel, obj: obj, instr: in, name: "cancel"})
		return true
	case *ssa.UnOp:
		if in.Op != token.ARROW {
			return false
		}
		obj, name, ok := b.doneOf(n, in.X)
		if !ok {
			return false
		}
		b.add(n, in, &syncOp{kind: sDone, obj: obj, instr: in, name: name})
		return true
	case *ssa.Select:
		found := false
		for k, st := range in.States {
			if st.Dir != types.RecvOnly {
				continue
			}
			obj, _, ok := b.doneOf(n, st.Chan)
			if !ok {
				if obj, ok = b.stopCase(n, st.Chan); !ok {
					continue
				}
			}
			if b.sm.cases[n] == nil {
				b.sm.cases[n] = map[*ssa.Select]map[int]int{}
			}
			if b.sm.cases[n][in] == nil {
				b.sm.cases[n][in] = map[int]int{}
			}
			b.sm.cases[n][in][k] = obj
			found = true
		}
		return found
	}
	return false
}

// doneOf returns the modelled context whose Done() v is.
func (b *syncBuild) doneOf(n *chanuse.Node, v ssa.Value) (int, string, bool) {
	call, ok := v.(*ssa.Call)
	if !ok || !call.Call.IsInvoke() || call.Call.Method.Name() != "Done" || len(call.Call.Args) != 0 {
		return 0, "", false
	}
	k, name := b.resolve(call.Call.Value, n, 0)
	if k.base == nil || k.path != "#0" {
		return 0, "", false
	}
	return b.object(k, kCtx, name), name, true
}

func (b *syncBuild) add(n *chanuse.Node, in ssa.Instruction, op *syncOp) {
	if b.sm.ops[n] == nil {
		b.sm.ops[n] = map[ssa.Instruction]*syncOp{}
	}
	b.sm.ops[n][in] = op
}

// object returns the index of the object k, made on first sight; its
// uses are checked then.
func (b *syncBuild) object(k objKey, kind objKind, name string) int {
	if i, ok := b.index[k]; ok {
		if b.sm.objs[i].kind != kind {
			b.bad[i] = true
		}
		return i
	}
	i := len(b.sm.objs)
	b.index[k] = i
	b.sm.objs = append(b.sm.objs, syncObj{kind: kind, name: name, pos: k.base.Pos(), l: -1})
	b.reached[i] = map[ssa.Instruction]bool{}
	start := k.base
	if kind == kCtx {
		// What may cancel it: the cancel function's uses.
		start = nil
		for _, r := range *k.base.Referrers() {
			if e, ok := r.(*ssa.Extract); ok && e.Index == 1 {
				start = e
			}
		}
		if start == nil {
			return i // never cancelled: nothing to confine
		}
	}
	if (kind == kWG || kind == kMu) && b.harnessField(k) {
		return i // one instance in the harness, its uses checked (harnesssync.go)
	}
	if g, ok := k.base.(*ssa.Global); ok {
		// A package variable's: its uses in the whole package (globals.go).
		if !b.globalConfined(g, k.path, kind, i) {
			b.bad[i] = true
		}
		return i
	}
	path := k.path
	if kind == kCtx {
		path = ""
	}
	if !b.confined(start, path, i, map[ssa.Value]bool{}, 0) {
		b.bad[i] = true
	}
	if kind == kCond {
		b.condInit(i, k)
	}
	return i
}

// confined reports whether every use of v (a pointer to the object or to
// what holds it, or a cancel function) is an operation on it in the
// model's functions, or hands it on to one of them.
// Path is the field path from what v points to down to the object: a
// field off that path cannot reach it.
func (b *syncBuild) confined(v ssa.Value, path string, obj int, seen map[ssa.Value]bool, depth int) bool {
	if depth > 16 {
		return false
	}
	if seen[v] {
		return true
	}
	seen[v] = true
	refs := v.Referrers()
	if refs == nil {
		return false
	}
	for _, r := range *refs {
		if r.Parent() == nil || !b.fns[r.Parent()] {
			if _, ok := r.(*ssa.DebugRef); !ok {
				return false
			}
		}
		if b.sm.objs[obj].kind == kStop {
			if ok, handled := b.stopUse(v, r, path, obj); handled {
				if !ok {
					return false
				}
				continue
			}
		}
		if ok, handled := b.condUse(v, r, path, obj); handled {
			if !ok {
				return false
			}
			continue
		}
		if ok, handled := b.confinedMap(v, r, path, obj, seen, depth); handled {
			if !ok {
				return false
			}
			continue
		}
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.BinOp:
			// A map's element tested against nil (the lookup missed).
			if (r.Op != token.EQL && r.Op != token.NEQ) || !isNil(r.X) && !isNil(r.Y) {
				return false
			}
		case *ssa.ChangeType:
			if b.sm.objs[obj].kind != kStop || !b.confined(r, path, obj, seen, depth+1) {
				return false
			}
		case *ssa.FieldAddr:
			f := "." + strconv.Itoa(r.Field)
			if path == f || strings.HasPrefix(path, f+".") || strings.HasPrefix(path, f+"[]") {
				if !b.confined(r, path[len(f):], obj, seen, depth+1) {
					return false
				}
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return false
			}
			// A load through a pointer variable yields the pointer; a
			// load of a field or of the object is a copy.
			_, field := v.(*ssa.FieldAddr)
			if strings.HasPrefix(path, "[]") {
				field = false // a map field's load is the map
			}
			if !field && reference(r.Type()) && !b.confined(r, path, obj, seen, depth+1) {
				return false
			}
		case *ssa.Store:
			if r.Addr == v {
				if strings.HasPrefix(path, "[]") && !b.kept[r] && !b.mapFieldSet(r, path, obj, seen, depth) {
					return false // the field gets another map
				}
				if a, ok := v.(*ssa.Alloc); ok && reference(deref(a.Type())) && chanuse.OnlyStore(a) == nil {
					return false // a pointer variable set twice
				}
				continue
			}
			a, ok := r.Addr.(*ssa.Alloc)
			if !ok || chanuse.OnlyStore(a) != v || !b.confined(a, path, obj, seen, depth+1) {
				return false
			}
		case *ssa.MakeClosure:
			fn, _ := r.Fn.(*ssa.Function)
			if fn == nil || !b.fns[fn] {
				return false
			}
			for i, x := range r.Bindings {
				if x == v && !b.confined(fn.FreeVars[i], path, obj, seen, depth+1) {
					return false
				}
			}
		case ssa.CallInstruction:
			c := r.Common()
			if c.Value == v && !c.IsInvoke() {
				b.reached[obj][r] = true // cancel()
				continue
			}
			if typ, _ := syncMethod(c); typ != "" && c.Args[0] == v && path == "" {
				b.reached[obj][r] = true
				continue
			}
			callee := c.StaticCallee()
			if callee == nil || !b.fns[callee] || c.IsInvoke() {
				return false
			}
			for i, a := range c.Args {
				if a == v && (i >= len(callee.Params) || !b.confined(callee.Params[i], path, obj, seen, depth+1)) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// reference reports whether a loaded value of type t still reaches what
// it was loaded from (a pointer, a function, an interface).
func reference(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Pointer, *types.Signature, *types.Interface, *types.Map, *types.Slice, *types.Chan:
		return true
	}
	return false
}

// resolve names the object v points to: its base (a local Alloc, or the
// call of context.WithCancel) and the field path from it; a zero key when
// its identity is not certain.
func (b *syncBuild) resolve(v ssa.Value, n *chanuse.Node, depth int) (objKey, string) {
	if depth > 12 {
		return objKey{}, ""
	}
	switch x := v.(type) {
	case *ssa.MakeChan:
		return objKey{base: x}, "" // a stop channel (stopchan.go)
	case *ssa.Call:
		if isNewCond(x) {
			return objKey{base: x}, debugName(x) // a Cond (cond.go)
		}
		if neverCanceled(x) {
			return objKey{x, "#0"}, "ctx" // its Done never closes (context.go)
		}
		if p, ok := valueParent(x); ok {
			return b.resolve(p, n, depth+1) // its parent's Done (context.go)
		}
	case *ssa.ChangeType:
		if isChanType(x.Type()) {
			return b.resolve(x.X, n, depth+1)
		}
	case *ssa.MakeMap:
		return b.mapKeyOf(x, n, depth)
	case *ssa.Lookup:
		return b.mapElem(x, n, depth)
	case *ssa.Global:
		// One object wherever the package names it; whether the model
		// follows it is globalConfined's to tell.
		return objKey{base: x}, x.Name()
	case *ssa.Alloc:
		if reference(deref(x.Type())) {
			// A variable holding a pointer: what it was set to once.
			if s := chanuse.OnlyStore(x); s != nil {
				k, _ := b.resolve(s, b.spilledRecv(x, s, n), depth+1)
				return k, x.Comment
			}
			return objKey{}, ""
		}
		return objKey{base: x}, x.Comment
	case *ssa.FieldAddr:
		k, name := b.resolve(x.X, n, depth+1)
		if k.base == nil {
			return k, ""
		}
		fname := ""
		if p, ok := x.X.Type().Underlying().(*types.Pointer); ok {
			if st, ok := p.Elem().Underlying().(*types.Struct); ok && x.Field < st.NumFields() {
				fname = st.Field(x.Field).Name()
			}
		}
		switch name {
		case "", "new", "complit":
		default:
			fname = name + "." + fname
		}
		return objKey{k.base, k.path + "." + strconv.Itoa(x.Field)}, fname
	case *ssa.UnOp:
		if x.Op != token.MUL {
			return objKey{}, ""
		}
		// A load of a variable that holds a pointer (captured).
		if !reference(x.Type()) {
			return objKey{}, "" // a copy
		}
		return b.resolve(x.X, n, depth+1)
	case *ssa.FreeVar:
		if n == nil || n.Parent == nil {
			return objKey{}, ""
		}
		mk := closureOf(n)
		if mk == nil {
			return objKey{}, ""
		}
		bv := chanuse.Bound(mk, x)
		if bv == nil {
			return objKey{}, ""
		}
		k, _ := b.resolve(bv, n.Parent, depth+1)
		return k, x.Name()
	case *ssa.Parameter:
		if k, ok := b.harnessParam(x, n, depth); ok {
			return k, x.Name()
		}
		if n == nil || n.Parent == nil || n.Fn != x.Parent() {
			return objKey{}, ""
		}
		c := callOf(n)
		if c == nil || c.IsInvoke() {
			return objKey{}, ""
		}
		for i, p := range x.Parent().Params {
			if p == x && i < len(c.Args) {
				k, _ := b.resolve(c.Args[i], n.Parent, depth+1)
				return k, x.Name()
			}
		}
	case *ssa.Extract:
		if k, name := b.mapElem(x, n, depth); k.base != nil {
			return k, name
		}
		call, ok := x.Tuple.(*ssa.Call)
		if !ok || (x.Index != 0 && x.Index != 1) || !cancelCtx(&call.Call) {
			return objKey{}, ""
		}
		return objKey{call, "#" + strconv.Itoa(x.Index)}, "ctx"
	}
	return objKey{}, ""
}

func deref(t types.Type) types.Type {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		return p.Elem()
	}
	return t
}

// cancelCtx reports whether c is context.WithCancel (or WithCancelCause)
// of context.Background(), TODO() or WithoutCancel(x), through WithValue
// wrappers: its Done closes only when its cancel function runs.
func cancelCtx(c *ssa.CallCommon) bool {
	fn := c.StaticCallee()
	if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "context" || len(c.Args) != 1 {
		return false
	}
	if fn.Name() != "WithCancel" && fn.Name() != "WithCancelCause" {
		return false
	}
	p, ok := c.Args[0].(*ssa.Call)
	for ok {
		if q, isValue := valueParent(p); isValue {
			p, ok = q.(*ssa.Call) // WithValue: its parent's cancellation (context.go)
			continue
		}
		break
	}
	return ok && neverCanceled(p)
}

// syncMethod returns the type and method when c calls a method of
// sync.WaitGroup, Mutex or RWMutex.
func syncMethod(c *ssa.CallCommon) (string, string) {
	fn := c.StaticCallee()
	if fn == nil || fn.Signature.Recv() == nil || len(c.Args) == 0 {
		return "", ""
	}
	obj := fn.Object()
	if obj == nil || obj.Pkg() == nil || obj.Pkg().Path() != "sync" {
		return "", ""
	}
	p, ok := fn.Signature.Recv().Type().(*types.Pointer)
	if !ok {
		return "", ""
	}
	nt, ok := p.Elem().(*types.Named)
	if !ok {
		return "", ""
	}
	switch nt.Obj().Name() {
	case "WaitGroup", "Mutex", "RWMutex", "Cond":
		return nt.Obj().Name(), fn.Name()
	}
	return "", ""
}

func isDefer(in ssa.Instruction) bool {
	_, ok := in.(*ssa.Defer)
	return ok
}

// apply runs a non-blocking operation of goroutine i of s (owned);
// false prunes the path (a negative counter or an unlock of a lock not
// held panics).
func (e *explorer) apply(s *state, i int, op *syncOp) bool {
	s.sy = append([]int(nil), s.sy...)
	o := op.obj
	switch op.kind {
	case sAdd:
		if op.key != "" {
			s.sy[o] += s.trips[op.key]
		} else {
			s.sy[o] += op.delta
		}
		return s.sy[o] >= 0
	case sUnlock:
		if s.sy[o] != -1 {
			return false
		}
		s.sy[o] = 0
		e.release(s, i, o)
	case sRUnlock:
		if s.sy[o] <= 0 {
			return false
		}
		s.sy[o]--
		e.release(s, i, o)
	case sCancel:
		s.sy[o] = 1
	case sSignal, sBroadcast:
		e.wake(s, o, op.kind == sBroadcast)
	}
	return true
}

// release drops lock o from what goroutine i holds, or another holder
// (a lock may be unlocked by another goroutine).
func (e *explorer) release(s *state, i int, o int) {
	order := []int{i}
	for j := range s.gs {
		if j != i {
			order = append(order, j)
		}
	}
	for _, j := range order {
		for k, h := range s.gs[j].holds {
			if h != o {
				continue
			}
			if j != i {
				s.gs[j] = s.gs[j].clone()
			}
			g := s.gs[j]
			g.holds = append(append([]int(nil), g.holds[:k]...), g.holds[k+1:]...)
			return
		}
	}
}

// ready reports whether a blocking operation can proceed in s.
func (e *explorer) ready(s *state, g *gor, op *syncOp) bool {
	v := s.sy[op.obj]
	switch op.kind {
	case sCondWait:
		return g.cw == 0 || g.cw < 0 && s.sy[e.m.sy.objs[op.obj].l] == 0
	case sSignal, sBroadcast, sSetPred:
		return true
	case sWait, sLock:
		return v == 0
	case sRLock:
		return v >= 0
	case sDone:
		return v == 1
	}
	return false
}

// take moves goroutine i of c (owned) past its blocking operation (or
// into a Cond's Wait); false prunes the path.
func (e *explorer) take(c *state, i int) bool {
	g := c.gs[i]
	op := g.sync
	if op.kind == sCondWait || op.visible() {
		return e.takeCond(c, i)
	}
	g.sync = nil
	switch op.kind {
	case sLock, sRLock:
		c.sy = append([]int(nil), c.sy...)
		if op.kind == sLock {
			c.sy[op.obj] = -1
		} else {
			c.sy[op.obj]++
		}
		g.holds = append(append([]int(nil), g.holds...), op.obj)
	}
	g.frames[len(g.frames)-1].idx++
	return true
}

// exitOf tells how goroutine h ended in s.
func (e *explorer) exitOf(s *state, h *gor) Exit {
	x := Exit{Fn: h.g.Fn, Pos: h.exit, Other: h.other, Sends: e.m.sends[h.g], Recvs: e.m.recvs[h.g]}
	if len(h.parked) > 0 {
		x.Blocked, x.Pos, x.Polls = true, h.parked[0].op.Instr.Pos(), pollsAt(h)
	}
	if h.sync != nil {
		x.Blocked, x.Pos, x.Sync = true, syncPos(h.sync), h.sync.what()
	}
	if e.m.sy != nil {
		for _, o := range h.holds {
			x.Holds = append(x.Holds, e.m.sy.objs[o].name)
		}
	}
	return x
}

func syncPos(op *syncOp) token.Pos {
	if c, ok := op.instr.(ssa.CallInstruction); ok {
		return c.Common().Pos()
	}
	return op.instr.Pos()
}

// syncStuck records the waits on modelled objects left blocked in s, a
// state where nothing can move and no goroutine waits on the channel.
func (e *explorer) syncStuck(s *state) {
	for i, g := range s.gs {
		if g.sync == nil {
			continue
		}
		k := opKey{g.sync.instr, -2}
		if e.stuckOp[k] {
			continue
		}
		e.stuckOp[k] = true
		op := g.sync
		lk := op.obj // the lock it waits for
		ss := &SyncStuck{Pos: syncPos(op), What: op.what(), Object: e.m.sy.objs[op.obj].name, Holder: -1}
		switch op.kind {
		case sCondWait:
			ss.Kind = "cond"
			if g.cw < 0 {
				// Woken, it waits to lock L again.
				lk = e.m.sy.objs[op.obj].l
				ss.Kind, ss.Object = "lock", e.m.sy.objs[lk].name
			}
		case sWait:
			ss.Kind, ss.Count = "wait", s.sy[op.obj]
		case sDone:
			ss.Kind = "done"
		default:
			ss.Kind = "lock"
		}
		st := Stuck{Sync: ss}
		for _, h := range g.holds {
			if h == lk {
				ss.Holder = -2
			}
		}
		for j, h := range s.gs {
			if j == i {
				continue
			}
			for _, o := range h.holds {
				if o == lk && ss.Holder == -1 {
					ss.Holder = len(st.Others)
				}
			}
			x := e.exitOf(s, h)
			x.Dones = op.kind == sWait && e.m.dones(h, op.obj)
			st.Others = append(st.Others, x)
		}
		st.Objects = e.objects()
		dbg("  stuck %s", ss.What)
		e.found = append(e.found, st)
		return // one wait per state: the others wait on the same cycle
	}
}

// objects returns where the modelled objects are made.
func (e *explorer) objects() []token.Pos {
	if e.m.sy == nil {
		return nil
	}
	var ps []token.Pos
	for _, o := range e.m.sy.objs {
		ps = append(ps, o.pos)
	}
	return ps
}

// dones reports whether goroutine h calls Done on WaitGroup obj
// somewhere in its functions, or was started by its Go.
func (m *model) dones(h *gor, obj int) bool {
	if h.group == obj+1 {
		return true
	}
	for n, ops := range m.sy.ops {
		if n.G != h.g {
			continue
		}
		for _, op := range ops {
			if op.obj == obj && op.kind == sAdd && op.delta < 0 {
				return true
			}
		}
	}
	return false
}
