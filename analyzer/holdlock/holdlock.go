package holdlock

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"maps"
	"reflect"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"

	"github.com/asyncgo/asyncgo/analyzer/internal/asyncctx"
)

// Analyzer reports sync mutexes held across a suspension point.
var Analyzer = &analysis.Analyzer{
	Name:       "holdlock",
	Doc:        Doc,
	URL:        "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/holdlock",
	Run:        run,
	FactTypes:  []analysis.Fact{(*Suspends)(nil), (*LockEffect)(nil)},
	ResultType: reflect.TypeFor[*Result](),
}

// Result is what holdlock tells the analyzers that require it: the lock
// calls it owns. The blocking analyzer leaves these to it, so that a
// mutex held across a suspension is reported once, at the suspension.
type Result struct {
	held map[*ast.CallExpr]bool
}

// HeldAcrossSuspension reports whether the lock that call takes (a
// Lock, RLock, TryLock or TryRLock, or a call of a lock helper) is held,
// on some path, at a suspension that holdlock reports.
func (r *Result) HeldAcrossSuspension(call *ast.CallExpr) bool { return r.held[call] }

// Suspends is the fact that a function taking the task handle may
// suspend the task: at What (a runtime call), through Via (callees).
// Releases lists the locks it has released at every suspension (a lock
// the caller holds and the function unlocks around its waits, as
// sync.Cond.Wait does): they are not held across the call.
type Suspends struct {
	What     string
	Via      []string
	Releases []LockPath
}

// AFact marks Suspends as a fact.
func (*Suspends) AFact() {}

func (s *Suspends) String() string {
	str := "suspends: " + s.describe()
	for _, p := range s.Releases {
		str += ", releasing " + p.Name
	}
	return str
}

func (s *Suspends) describe() string {
	if len(s.Via) == 0 {
		return s.What
	}
	return strings.Join(s.Via, " → ") + " → " + s.What
}

// LockPath names a lock relative to a function: a field path from its
// receiver (Param -1), a parameter (Param >= 0) or a package variable
// (Param -2, Global "pkgpath.name").
type LockPath struct {
	Param  int
	Global string
	Fields string // ".a.b", or ""
	Read   bool
	Typ    string // sync.Mutex, sync.RWMutex, sync.Locker
	Name   string // as the function spells it
}

// LockEffect is the fact that a function returns with locks held that it
// took (Acquires), or with locks released that it did not take (Releases),
// on every path.
type LockEffect struct {
	Acquires, Releases []LockPath
}

// AFact marks LockEffect as a fact.
func (*LockEffect) AFact() {}

func (e *LockEffect) String() string {
	var parts []string
	for _, p := range e.Acquires {
		verb := "locks "
		if p.Read {
			verb = "read-locks "
		}
		parts = append(parts, verb+p.Name)
	}
	for _, p := range e.Releases {
		parts = append(parts, "unlocks "+p.Name)
	}
	return strings.Join(parts, ", ")
}

type opKind int

const (
	opLock opKind = iota
	opUnlock
	opSuspend
)

// op is one lock operation or suspension, in evaluation order.
type op struct {
	kind opKind
	key  string // the lock's identity
	name string // the lock as the source spells it
	typ  string // "sync.Mutex", "sync.RWMutex", "sync.Locker"
	read bool
	call *ast.CallExpr
	what string // the suspension, or how a helper took the lock
	// spares are the locks a suspending callee releases around its
	// suspensions.
	spares map[string]op
}

type checker struct {
	pass     *analysis.Pass
	result   *Result
	decls    map[*types.Func]*ast.FuncDecl
	suspends map[*types.Func]*Suspends
	effects  map[*types.Func]*LockEffect
	busy     map[*types.Func]bool
	busyS    map[*types.Func]bool
	flows    map[*ast.BlockStmt]*flow
}

func run(pass *analysis.Pass) (any, error) {
	c := &checker{
		pass:     pass,
		result:   &Result{held: make(map[*ast.CallExpr]bool)},
		decls:    make(map[*types.Func]*ast.FuncDecl),
		suspends: make(map[*types.Func]*Suspends),
		effects:  make(map[*types.Func]*LockEffect),
		busy:     make(map[*types.Func]bool),
		busyS:    make(map[*types.Func]bool),
		flows:    make(map[*ast.BlockStmt]*flow),
	}
	var decls []*ast.FuncDecl
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if obj, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					c.decls[obj] = fd
					decls = append(decls, fd)
				}
			}
		}
	}
	// Facts first, so that reports see every callee's.
	for _, fd := range decls {
		// Other packages can call only exported names (promoted
		// methods of unexported types included).
		obj := pass.TypesInfo.Defs[fd.Name].(*types.Func)
		s, e := c.suspendsFn(obj), c.effectFn(obj)
		if !obj.Exported() {
			continue
		}
		if s != nil {
			pass.ExportObjectFact(obj, s)
		}
		if e != nil {
			pass.ExportObjectFact(obj, e)
		}
	}
	// Reports: every function body, declarations and literals, except
	// literals called on the spot, which are part of the enclosing body. A
	// literal in a defer or go statement runs apart: it is analysed alone.
	// (Preorder: a statement comes before its call, a call before its
	// literal.)
	for _, f := range pass.Files {
		apart := make(map[*ast.CallExpr]bool)
		inlined := make(map[*ast.FuncLit]bool)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.DeferStmt:
				apart[n.Call] = true
			case *ast.GoStmt:
				apart[n.Call] = true
			case *ast.CallExpr:
				if lit, ok := ast.Unparen(n.Fun).(*ast.FuncLit); ok && !apart[n] {
					inlined[lit] = true
				}
			case *ast.FuncDecl:
				if n.Body != nil {
					c.report(n.Body)
				}
			case *ast.FuncLit:
				if !inlined[n] {
					c.report(n.Body)
				}
			}
			return true
		})
	}
	return c.result, nil
}

// ---- Which calls lock, unlock and suspend ----

// lockMethod recognises the lock and unlock methods of sync.Mutex,
// sync.RWMutex and sync.Locker.
func lockMethod(fn *types.Func) (typ string, lock, read, ok bool) {
	path, recv := asyncctx.RecvNamed(fn)
	if path != "sync" || (recv != "Mutex" && recv != "RWMutex" && recv != "Locker") {
		return "", false, false, false
	}
	typ = "sync." + recv
	switch fn.Name() {
	case "Lock":
		return typ, true, false, true
	case "RLock":
		return typ, true, true, true
	case "Unlock", "RUnlock":
		return typ, false, fn.Name() == "RUnlock", true
	}
	return "", false, false, false
}

// tryLock recognises x.TryLock() and x.TryRLock().
func (c *checker) tryLock(e ast.Expr) (op, bool) {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return op{}, false
	}
	fn := asyncctx.Callee(c.pass.TypesInfo, call)
	path, recv := asyncctx.RecvNamed(fn)
	if path != "sync" || (recv != "Mutex" && recv != "RWMutex") || (fn.Name() != "TryLock" && fn.Name() != "TryRLock") {
		return op{}, false
	}
	key, name, ok := c.recvRef(call)
	if !ok {
		return op{}, false
	}
	return op{kind: opLock, key: key, name: name, typ: "sync." + recv, read: fn.Name() == "TryRLock", call: call}, true
}

// recvRef returns the lock a method call is made on.
func (c *checker) recvRef(call *ast.CallExpr) (key, name string, ok bool) {
	sel, isSel := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !isSel {
		return "", "", false
	}
	key, name, ok = c.ref(sel.X)
	if !ok {
		return "", "", false
	}
	if s, found := c.pass.TypesInfo.Selections[sel]; found {
		k, n := embeddedHops(s)
		key, name = key+k, name+n
	}
	return key, name, true
}

// embeddedHops returns the embedded fields a promoted selection goes
// through, as a key suffix and a name suffix.
func embeddedHops(s *types.Selection) (string, string) {
	idx := s.Index()
	if len(idx) < 2 {
		return "", ""
	}
	var b strings.Builder
	t := s.Recv()
	for _, i := range idx[:len(idx)-1] {
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		st, ok := t.Underlying().(*types.Struct)
		if !ok || i >= st.NumFields() {
			return "", ""
		}
		f := st.Field(i)
		b.WriteString("." + f.Name())
		t = f.Type()
	}
	return b.String(), b.String()
}

// ref returns the identity of the variable or field path e denotes: a key
// (unique in the package, the same in every function for package
// variables) and the name the source uses.
func (c *checker) ref(e ast.Expr) (key, name string, ok bool) {
	info := c.pass.TypesInfo
	e = ast.Unparen(e)
	switch x := e.(type) {
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return c.ref(x.X)
		}
	case *ast.StarExpr:
		return c.ref(x.X)
	case *ast.Ident:
		v, isVar := info.Uses[x].(*types.Var)
		if !isVar {
			return "", "", false
		}
		return rootKey(v), x.Name, true
	case *ast.SelectorExpr:
		if id, isID := ast.Unparen(x.X).(*ast.Ident); isID {
			if _, isPkg := info.Uses[id].(*types.PkgName); isPkg {
				v, isVar := info.Uses[x.Sel].(*types.Var)
				if !isVar {
					return "", "", false
				}
				return rootKey(v), id.Name + "." + x.Sel.Name, true
			}
		}
		s, found := info.Selections[x]
		if !found || s.Kind() != types.FieldVal {
			return "", "", false
		}
		k, n, ok := c.ref(x.X)
		if !ok {
			return "", "", false
		}
		hk, hn := embeddedHops(s)
		return k + hk + "." + x.Sel.Name, n + hn + "." + x.Sel.Name, true
	}
	return "", "", false
}

func isGlobal(v *types.Var) bool {
	return v.Pkg() != nil && v.Parent() == v.Pkg().Scope()
}

func rootKey(v *types.Var) string {
	if isGlobal(v) {
		return v.Pkg().Path() + ":" + v.Name()
	}
	return fmt.Sprintf("%s#%d", v.Name(), v.Pos())
}

// calleeName spells a call's function for messages: aio.Sleep, co.Yield.
func calleeName(call *ast.CallExpr) string {
	fun := ast.Unparen(call.Fun)
	switch f := fun.(type) {
	case *ast.IndexExpr:
		fun = f.X
	case *ast.IndexListExpr:
		fun = f.X
	}
	return types.ExprString(fun)
}

// callOps lists what a call does to locks, or its suspension.
func (c *checker) callOps(call *ast.CallExpr) []op {
	info := c.pass.TypesInfo
	fn := asyncctx.Callee(info, call)
	if fn == nil {
		return nil
	}
	if typ, lock, read, ok := lockMethod(fn); ok {
		key, name, ok := c.recvRef(call)
		if !ok {
			return nil
		}
		k := opUnlock
		if lock {
			k = opLock
		}
		return []op{{kind: k, key: key, name: name, typ: typ, read: read, call: call}}
	}
	if asyncctx.IsSuspension(info, call) {
		return []op{{kind: opSuspend, call: call, what: calleeName(call)}}
	}
	// A callee's suspension (with the locks it releases around it), then
	// the locks it returns holding or has released.
	var ops []op
	if s := c.suspendsOf(fn); s != nil && asyncctx.PassesHandle(info, call) {
		o := op{kind: opSuspend, call: call, what: calleeName(call) + " (which suspends: " + s.describe() + ")"}
		for i := range s.Releases {
			if r, ok := c.mapPath(call, fn, &s.Releases[i]); ok {
				if o.spares == nil {
					o.spares = make(map[string]op)
				}
				o.spares[r.key] = r
			}
		}
		ops = append(ops, o)
	}
	if e := c.effectOf(fn); e != nil {
		for i := range e.Releases {
			if o, ok := c.mapPath(call, fn, &e.Releases[i]); ok {
				o.kind = opUnlock
				ops = append(ops, o)
			}
		}
		for i := range e.Acquires {
			if o, ok := c.mapPath(call, fn, &e.Acquires[i]); ok {
				o.kind = opLock
				ops = append(ops, o)
			}
		}
	}
	return ops
}

// mapPath translates a callee's lock path to the lock at a call site.
func (c *checker) mapPath(call *ast.CallExpr, fn *types.Func, p *LockPath) (op, bool) {
	o := op{call: call, read: p.Read, typ: p.Typ}
	switch {
	case p.Param == -2:
		o.key = p.Global + p.Fields
		o.name = p.Name
		if fn.Pkg() != c.pass.Pkg && strings.HasPrefix(p.Global, fn.Pkg().Path()+":") {
			o.name = fn.Pkg().Name() + "." + p.Name
		}
	case p.Param == -1:
		key, name, ok := c.recvRef(call)
		if !ok {
			return op{}, false
		}
		o.key, o.name = key+p.Fields, name+p.Fields
	default:
		if p.Param >= len(call.Args) || call.Ellipsis.IsValid() {
			return op{}, false
		}
		key, name, ok := c.ref(call.Args[p.Param])
		if !ok {
			return op{}, false
		}
		o.key, o.name = key+p.Fields, name+p.Fields
	}
	o.what = "by " + calleeName(call)
	return o, true
}

func (c *checker) suspendsOf(fn *types.Func) *Suspends {
	if fn.Pkg() == c.pass.Pkg {
		return c.suspendsFn(fn)
	}
	if fn.Pkg() == nil {
		return nil
	}
	var s Suspends
	if c.pass.ImportObjectFact(fn, &s) {
		return &s
	}
	return nil
}

func (c *checker) effectOf(fn *types.Func) *LockEffect {
	if fn.Pkg() == c.pass.Pkg {
		return c.effectFn(fn)
	}
	if fn.Pkg() == nil {
		return nil
	}
	var e LockEffect
	if c.pass.ImportObjectFact(fn, &e) {
		return &e
	}
	return nil
}

// suspendsFn computes whether fn, of this package, takes the task handle
// and may suspend.
func (c *checker) suspendsFn(fn *types.Func) *Suspends {
	if s, done := c.suspends[fn]; done {
		return s
	}
	decl := c.decls[fn]
	sig, _ := fn.Type().(*types.Signature)
	if decl == nil || c.busyS[fn] || !asyncctx.IsAsyncSig(sig) {
		return nil
	}
	c.busyS[fn] = true
	var found *Suspends
	c.walk(decl.Body, func(call *ast.CallExpr) bool {
		info := c.pass.TypesInfo
		if asyncctx.IsSuspension(info, call) {
			found = &Suspends{What: calleeName(call)}
			return false
		}
		callee := asyncctx.Callee(info, call)
		if callee == nil || !asyncctx.PassesHandle(info, call) {
			return true
		}
		if s := c.suspendsOf(callee); s != nil {
			found = &Suspends{What: s.What, Via: append([]string{qualified(callee, c.pass.Pkg)}, s.Via...)}
			return false
		}
		return true
	})
	if found != nil {
		found.Releases = c.releasedAtSuspensions(sig, decl.Body)
	}
	delete(c.busyS, fn)
	c.suspends[fn] = found
	return found
}

// releasedAtSuspensions lists the locks of the receiver, parameters and
// package variables that body has released (without taking them) at every
// one of its suspensions.
func (c *checker) releasedAtSuspensions(sig *types.Signature, body *ast.BlockStmt) []LockPath {
	fl := c.analyse(body)
	if fl == nil {
		return nil
	}
	var common map[string]op // nil until the first suspension
	fl.replay(func(st *state, o op) {
		if o.kind != opSuspend {
			return
		}
		here := maps.Clone(st.rel)
		maps.Copy(here, o.spares)
		if common == nil {
			common = here
			return
		}
		for k := range common {
			if _, ok := here[k]; !ok {
				delete(common, k)
			}
		}
	})
	var out []LockPath
	for _, k := range slices.Sorted(maps.Keys(common)) {
		if p, ok := c.pathOf(sig, common[k]); ok {
			out = append(out, p)
		}
	}
	return out
}

func qualified(fn *types.Func, from *types.Package) string {
	name := fn.Name()
	if sig, ok := fn.Type().(*types.Signature); ok && sig.Recv() != nil {
		if _, recv := asyncctx.RecvNamed(fn); recv != "" {
			name = recv + "." + name
		}
	}
	if fn.Pkg() != nil && fn.Pkg() != from {
		name = fn.Pkg().Name() + "." + name
	}
	return name
}

// walk calls f, in evaluation order, for every call of body that runs when
// body runs, until f returns false: it skips go and defer statements and
// function literals, except literals called on the spot.
func (c *checker) walk(body ast.Node, f func(*ast.CallExpr) bool) {
	stop := false
	var visit func(n ast.Node)
	visit = func(n ast.Node) {
		ast.Inspect(n, func(m ast.Node) bool {
			if stop {
				return false
			}
			switch m := m.(type) {
			case *ast.GoStmt, *ast.DeferStmt, *ast.FuncLit:
				return false
			case *ast.CallExpr:
				if lit, ok := ast.Unparen(m.Fun).(*ast.FuncLit); ok {
					for _, a := range m.Args {
						visit(a)
					}
					visit(lit.Body)
					// The literal's deferred calls run as it returns.
					defers := deferStmts(lit.Body)
					for i := len(defers) - 1; i >= 0 && !stop; i-- {
						call := defers[i].Call
						if dl, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok {
							visit(dl.Body)
						} else if !f(call) {
							stop = true
						}
					}
				} else {
					visit(m.Fun)
					for _, a := range m.Args {
						visit(a)
					}
				}
				if !stop && !f(m) {
					stop = true
				}
				return false
			}
			return true
		})
	}
	visit(body)
}

// deferStmts lists the defer statements of body, outside nested literals.
func deferStmts(body *ast.BlockStmt) []*ast.DeferStmt {
	var out []*ast.DeferStmt
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			out = append(out, n)
			return false
		}
		return true
	})
	return out
}

// ---- Control flow ----

// state is what is known at a program point: the locks held (on some
// path; must when on every path) and the locks released without being
// taken in this function (on every path).
type state struct {
	held map[string]hold
	rel  map[string]op
}

type hold struct {
	op
	must   bool
	relock bool // released, then locked again: the caller's lock
	// from is every call that may have taken the lock on the paths to
	// here (op is the first of them, for messages); shared between
	// states, so never changed in place.
	from map[*ast.CallExpr]bool
}

func (s state) clone() state {
	return state{held: maps.Clone(s.held), rel: maps.Clone(s.rel)}
}

func (s state) equal(t state) bool {
	if len(s.held) != len(t.held) || len(s.rel) != len(t.rel) {
		return false
	}
	for k, h := range s.held {
		if g, ok := t.held[k]; !ok || g.must != h.must || g.call != h.call || g.relock != h.relock || !maps.Equal(g.from, h.from) {
			return false
		}
	}
	for k := range s.rel {
		if _, ok := t.rel[k]; !ok {
			return false
		}
	}
	return true
}

// join merges the state of another incoming path into s.
func join(s, t state) state {
	out := state{held: make(map[string]hold), rel: make(map[string]op)}
	for k, h := range s.held {
		if g, ok := t.held[k]; ok {
			h.must = h.must && g.must
			h.relock = h.relock || g.relock
			if !maps.Equal(h.from, g.from) {
				from := maps.Clone(h.from)
				maps.Copy(from, g.from)
				h.from = from
			}
			if g.call.Pos() < h.call.Pos() {
				h.op = g.op
			}
		} else {
			h.must = false
		}
		out.held[k] = h
	}
	for k, g := range t.held {
		if _, ok := s.held[k]; !ok {
			g.must = false
			out.held[k] = g
		}
	}
	for k, r := range s.rel {
		if _, ok := t.rel[k]; ok {
			out.rel[k] = r
		}
	}
	return out
}

func (s *state) apply(o op) {
	switch o.kind {
	case opLock:
		_, relock := s.rel[o.key]
		delete(s.rel, o.key)
		s.held[o.key] = hold{op: o, must: true, relock: relock, from: map[*ast.CallExpr]bool{o.call: true}}
	case opUnlock:
		if _, ok := s.held[o.key]; ok {
			delete(s.held, o.key)
		} else {
			s.rel[o.key] = o
		}
	}
}

// flow is a function body's control-flow graph with its lock operations.
type flow struct {
	g       *cfg.CFG
	ops     map[*cfg.Block][]op
	cond    map[*cfg.Block]op // a TryLock condition ending the block
	condNeg map[*cfg.Block]bool
	in      map[*cfg.Block]state
	any     bool // some lock operation
	susp    bool // some suspension
}

// mayReturn reports whether a call may return (panic, os.Exit, log.Fatal
// and runtime.Goexit do not).
func (c *checker) mayReturn(call *ast.CallExpr) bool {
	info := c.pass.TypesInfo
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := info.Uses[id].(*types.Builtin); ok && b.Name() == "panic" {
			return false
		}
	}
	fn := asyncctx.Callee(info, call)
	switch {
	case asyncctx.IsFunc(fn, "os", "Exit"),
		asyncctx.IsFunc(fn, "runtime", "Goexit"),
		asyncctx.IsFunc(fn, "log", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln"):
		return false
	}
	return true
}

// analyse builds the flow of body and solves it, or returns nil when the
// body has no lock operation.
func (c *checker) analyse(body *ast.BlockStmt) *flow {
	if fl, ok := c.flows[body]; ok {
		return fl
	}
	fl := c.solve(body)
	c.flows[body] = fl
	return fl
}

func (c *checker) solve(body *ast.BlockStmt) *flow {
	fl := &flow{ops: make(map[*cfg.Block][]op), cond: make(map[*cfg.Block]op), condNeg: make(map[*cfg.Block]bool), in: make(map[*cfg.Block]state)}
	// Cheap test first: most functions take no lock.
	c.walk(body, func(call *ast.CallExpr) bool {
		for _, o := range c.callOps(call) {
			if o.kind == opSuspend {
				fl.susp = true
			} else {
				fl.any = true
			}
		}
		if _, ok := c.tryLock(call); ok {
			fl.any = true
		}
		return true
	})
	if !fl.any {
		return nil
	}
	fl.g = cfg.New(body, c.mayReturn)
	for _, b := range fl.g.Blocks {
		if !b.Live {
			continue
		}
		var ops []op
		for _, n := range b.Nodes {
			c.walk(n, func(call *ast.CallExpr) bool {
				ops = append(ops, c.callOps(call)...)
				return true
			})
		}
		fl.ops[b] = ops
		if len(b.Succs) == 2 && len(b.Nodes) > 0 {
			if e, ok := b.Nodes[len(b.Nodes)-1].(ast.Expr); ok {
				neg := false
				for {
					u, ok := ast.Unparen(e).(*ast.UnaryExpr)
					if !ok || u.Op != token.NOT {
						break
					}
					e, neg = u.X, !neg
				}
				if o, ok := c.tryLock(e); ok {
					fl.cond[b] = o
					fl.condNeg[b] = neg
				}
			}
		}
	}
	// Forward may/must analysis to a fixed point.
	entry := fl.g.Blocks[0]
	fl.in[entry] = state{held: map[string]hold{}, rel: map[string]op{}}
	work := []*cfg.Block{entry}
	queued := map[*cfg.Block]bool{entry: true}
	for len(work) > 0 {
		b := work[0]
		work = work[1:]
		queued[b] = false
		out := fl.in[b].clone()
		for _, o := range fl.ops[b] {
			out.apply(o)
		}
		for i, s := range b.Succs {
			edge := out
			if o, ok := fl.cond[b]; ok && (i == 0) != fl.condNeg[b] {
				edge = out.clone()
				edge.apply(o)
			}
			next := edge
			if old, seen := fl.in[s]; seen {
				next = join(old, edge)
				if next.equal(old) {
					continue
				}
			} else {
				next = edge.clone()
			}
			fl.in[s] = next
			if !queued[s] {
				queued[s] = true
				work = append(work, s)
			}
		}
	}
	return fl
}

// replay calls f for every operation of the live blocks, with the state
// just before it.
func (fl *flow) replay(f func(st *state, o op)) {
	for _, b := range fl.g.Blocks {
		in, ok := fl.in[b]
		if !ok {
			continue
		}
		st := in.clone()
		for _, o := range fl.ops[b] {
			f(&st, o)
			st.apply(o)
		}
	}
}

// ---- Facts: lock helpers ----

// effectFn computes the lock effect of fn, of this package: the locks of
// its receiver, parameters and package variables that it returns holding
// or releases, on every path.
func (c *checker) effectFn(fn *types.Func) *LockEffect {
	if e, done := c.effects[fn]; done {
		return e
	}
	decl := c.decls[fn]
	if decl == nil || c.busy[fn] {
		return nil
	}
	c.busy[fn] = true
	e := c.computeEffect(fn, decl)
	delete(c.busy, fn)
	c.effects[fn] = e
	return e
}

func (c *checker) computeEffect(fn *types.Func, decl *ast.FuncDecl) *LockEffect {
	fl := c.analyse(decl.Body)
	if fl == nil {
		return nil
	}
	var exit *state
	for _, b := range fl.g.Blocks {
		in, ok := fl.in[b]
		if !ok || !b.Live || len(b.Succs) != 0 || !c.exits(b) {
			continue
		}
		out := in.clone()
		for _, o := range fl.ops[b] {
			out.apply(o)
		}
		if exit == nil {
			exit = &out
		} else {
			j := join(*exit, out)
			exit = &j
		}
	}
	if exit == nil {
		return nil
	}
	// Deferred calls run at exit.
	for _, o := range c.deferred(decl.Body) {
		exit.apply(o)
	}
	sig := fn.Type().(*types.Signature)
	var e LockEffect
	for _, k := range slices.Sorted(maps.Keys(exit.held)) {
		h := exit.held[k]
		if !h.must || h.relock {
			continue
		}
		if p, ok := c.pathOf(sig, h.op); ok {
			e.Acquires = append(e.Acquires, p)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(exit.rel)) {
		if p, ok := c.pathOf(sig, exit.rel[k]); ok {
			e.Releases = append(e.Releases, p)
		}
	}
	if len(e.Acquires) == 0 && len(e.Releases) == 0 {
		return nil
	}
	return &e
}

// exits reports whether a block without successors returns (rather than
// panics or exits the program).
func (c *checker) exits(b *cfg.Block) bool {
	if len(b.Nodes) == 0 {
		return true
	}
	if es, ok := b.Nodes[len(b.Nodes)-1].(*ast.ExprStmt); ok {
		if call, ok := ast.Unparen(es.X).(*ast.CallExpr); ok && !c.mayReturn(call) {
			return false
		}
	}
	return true
}

// deferred lists the lock operations of body's defer statements (deferred
// calls, and calls in deferred literals) in the order they run when the
// function returns.
func (c *checker) deferred(body *ast.BlockStmt) []op {
	var ops []op
	collect := func(call *ast.CallExpr) bool {
		for _, o := range c.callOps(call) {
			if o.kind != opSuspend {
				ops = append(ops, o)
			}
		}
		return true
	}
	defers := deferStmts(body)
	for i := len(defers) - 1; i >= 0; i-- {
		d := defers[i]
		if lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit); ok {
			c.walk(lit.Body, collect)
		} else {
			collect(d.Call)
		}
	}
	return ops
}

// pathOf expresses a lock of a function's body relative to its signature,
// when it is rooted at the receiver, a parameter or a package variable.
func (c *checker) pathOf(sig *types.Signature, o op) (LockPath, bool) {
	p := LockPath{Read: o.read, Typ: o.typ, Name: o.name}
	if i := strings.LastIndexByte(o.key, ':'); i >= 0 {
		// A package variable: "pkg/path:name.fields".
		name, fields, _ := strings.Cut(o.key[i+1:], ".")
		p.Param = -2
		p.Global = o.key[:i+1] + name
		if fields != "" {
			p.Fields = "." + fields
		}
		return p, true
	}
	root, fields, _ := strings.Cut(o.key, ".")
	if fields != "" {
		p.Fields = "." + fields
	}
	match := func(v *types.Var) bool { return v != nil && rootKey(v) == root }
	if match(sig.Recv()) {
		p.Param = -1
		return p, true
	}
	for i := 0; i < sig.Params().Len(); i++ {
		if match(sig.Params().At(i)) {
			p.Param = i
			return p, true
		}
	}
	return LockPath{}, false
}

// ---- Reports ----

// report reports the suspensions of a function body reached with a lock
// held.
func (c *checker) report(body *ast.BlockStmt) {
	fl := c.analyse(body)
	if fl == nil || !fl.susp {
		return
	}
	type seen struct {
		call *ast.CallExpr
		key  string
	}
	done := make(map[seen]bool)
	fl.replay(func(st *state, o op) {
		if o.kind != opSuspend {
			return
		}
		for _, k := range slices.Sorted(maps.Keys(st.held)) {
			if _, spared := o.spares[k]; spared {
				continue
			}
			maps.Copy(c.result.held, st.held[k].from)
			if done[seen{o.call, k}] {
				continue
			}
			done[seen{o.call, k}] = true
			c.diag(o, st.held[k])
		}
	})
}

func (c *checker) diag(susp op, h hold) {
	line := c.pass.Fset.Position(h.call.Pos()).Line
	verb := "locked"
	if h.read {
		verb = "read-locked"
	}
	how := fmt.Sprintf("%s at line %d", verb, line)
	if h.what != "" {
		how = fmt.Sprintf("%s %s at line %d", verb, h.what, line)
	}
	held := "is held"
	if !h.must {
		held = "may be held (it is not unlocked on every path)"
	}
	msg := fmt.Sprintf("%s (%s, %s) %s across the suspension %s: another task that locks it will block the event loop, and this task never resumes to unlock it (unlock before suspending, or use aio.Lock)",
		h.name, h.typ, how, held, susp.what)
	c.pass.Report(analysis.Diagnostic{
		Pos:      susp.call.Pos(),
		End:      susp.call.End(),
		Category: "holdlock",
		Message:  msg,
		Related: []analysis.RelatedInformation{{
			Pos: h.call.Pos(), End: h.call.End(), Message: h.name + " " + verb + " here",
		}},
	})
}
