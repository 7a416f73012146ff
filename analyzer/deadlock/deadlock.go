// Package deadlock defines an Analyzer that finds deadlocks among asyncgo
// futures, tasks, pools and event loops before they happen.
//
// # Analyzer deadlock
//
// deadlock: report waits among asyncgo futures and tasks that can never end.
//
// It follows the functions submitted to executors (futures.Submit) and the
// coroutines scheduled as tasks (aio.CreateTask of aio.Async), with the
// futures and task handles they produce when those are kept in package
// variables or in variables the functions capture, and reports:
//
//   - a wait-for cycle: the task producing future a waits on b while the
//     task producing b waits on a (the concurrent.futures documentation's
//     wait_on_a/wait_on_b), or a longer cycle; each waits forever;
//   - a task that waits on its own future or handle;
//   - submit-and-wait inside a task of the same bounded pool: the inner
//     function needs a free worker while this one holds a worker waiting
//     for it — certain with one worker, possible with N when N such tasks
//     run at once (the message says which, using the constant worker count
//     when visible);
//   - Shutdown with wait from inside one of the pool's own tasks: it waits
//     for every running task, including the one calling it;
//   - running an event loop (aio.Run, (*aio.Loop).RunUntilComplete) from
//     inside a running task, directly or through callees (a fact marks the
//     functions that run a loop): the outer loop cannot run until the inner
//     one ends;
//   - awaiting, in a task of one loop, a task handle created on another
//     loop;
//   - awaiting from another thread: a goroutine or a function run by an
//     executor (or aio.ToThread) that suspends the *aio.Task of the
//     coroutine that started it.
//
// The other blocking waits of async code (a mutex held across an await,
// sleeps, I/O) belong to the holdlock and blocking analyzers.
package deadlock

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

const (
	futuresPath = "github.com/asyncgo/asyncgo/runtime/futures"
	aioPath     = "github.com/asyncgo/asyncgo/runtime/aio"
)

// Analyzer reports wait-for cycles among futures and tasks, self-waits,
// nested submit-and-wait in a bounded pool, Shutdown from a pool's own
// worker, nested event loops and cross-loop awaits.
var Analyzer = &analysis.Analyzer{
	Name:      "deadlock",
	Doc:       "report asyncgo futures and tasks that wait on each other or on themselves, nested submit-and-wait in a bounded pool, Shutdown from a worker and nested event loops",
	URL:       "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/deadlock",
	Requires:  []*analysis.Analyzer{inspect.Analyzer},
	FactTypes: []analysis.Fact{(*RunsLoop)(nil)},
	Run:       run,
}

// RunsLoop is the fact that a function runs an event loop to completion
// (directly or through callees), which blocks its caller's loop.
type RunsLoop struct {
	Where string // "file.go:12: aio.Run", the call that runs the loop
}

// AFact marks RunsLoop as an analysis fact.
func (*RunsLoop) AFact() {}

func (f *RunsLoop) String() string { return "runs a loop at " + f.Where }

// A submission is a function handed to an executor or a coroutine
// scheduled as a task.
type submission struct {
	call   *ast.CallExpr
	kind   string       // "futures" or "aio"
	pool   types.Object // the executor (futures), or nil
	future types.Object // variable the future/handle is stored in, or nil
	body   ast.Node     // *ast.FuncLit or *ast.FuncDecl run by the task
}

// events are what a task body does, transitively through same-package
// callees.
type events struct {
	waits     []waitEv
	nested    []waitEv // submit-and-wait on a pool: target is the pool
	shutdowns []waitEv // target is the pool
}

type waitEv struct {
	target types.Object
	pos    token.Pos
	via    string // "through f (line n)" when inside a callee
	what   string // "a.Result", "aio.Await(t, h)", ...
}

// bounded reports whether the wait gives up after a timeout (ResultTimeout,
// aio.WaitFor): then the deadlock ends in a timeout error, not a hang.
func (w waitEv) bounded() bool {
	return strings.Contains(w.what, "Timeout") || strings.Contains(w.what, "WaitFor")
}

// forever says how long a set of waits lasts.
func forever(ws ...waitEv) string {
	for _, w := range ws {
		if !w.bounded() {
			return "forever"
		}
	}
	return "until its timeout expires"
}

type checker struct {
	pass   *analysis.Pass
	decls  map[*types.Func]*ast.FuncDecl
	subs   []*submission
	byFut  map[types.Object]*submission
	pools  map[types.Object]poolInfo
	runsFn map[*types.Func]string // same-package functions that run a loop
	done   map[token.Pos]bool
}

type poolInfo struct {
	workers int64 // 0 if unknown
	pos     token.Pos
}

func run(pass *analysis.Pass) (any, error) {
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	c := &checker{
		pass:   pass,
		decls:  map[*types.Func]*ast.FuncDecl{},
		byFut:  map[types.Object]*submission{},
		pools:  map[types.Object]poolInfo{},
		runsFn: map[*types.Func]string{},
		done:   map[token.Pos]bool{},
	}
	usesRuntime := false
	for _, imp := range pass.Pkg.Imports() {
		if imp.Path() == futuresPath || imp.Path() == aioPath {
			usesRuntime = true
		}
	}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					c.decls[fn] = fd
				}
			}
		}
	}
	c.computeRunsLoop()
	if !usesRuntime && len(c.runsFn) == 0 {
		return nil, nil
	}
	c.collect(insp)
	c.checkCycles()
	c.checkPools()
	c.checkNestedLoops(insp)
	c.checkCrossLoop(insp)
	c.checkForeignTask(insp)
	return nil, nil
}

// callee returns the function called, or nil.
func (c *checker) callee(call *ast.CallExpr) *types.Func {
	fn, _ := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	return fn
}

func pkgOf(fn *types.Func) string {
	if fn == nil || fn.Pkg() == nil {
		return ""
	}
	return fn.Pkg().Path()
}

func isRuntimeCall(fn *types.Func, path string, names ...string) bool {
	if pkgOf(fn) != path {
		return false
	}
	for _, n := range names {
		if fn.Name() == n {
			return true
		}
	}
	return false
}

// objOf names the variable an expression denotes: a local or package
// variable, or a struct field (coarse: every instance of the field).
func (c *checker) objOf(e ast.Expr) types.Object {
	if e == nil {
		return nil
	}
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
			continue
		case *ast.StarExpr:
			e = x.X
			continue
		case *ast.UnaryExpr:
			if x.Op == token.AND {
				e = x.X
				continue
			}
		case *ast.Ident:
			if v, ok := c.pass.TypesInfo.Uses[x].(*types.Var); ok {
				return v
			}
			if v, ok := c.pass.TypesInfo.Defs[x].(*types.Var); ok {
				return v
			}
		case *ast.SelectorExpr:
			if v, ok := c.pass.TypesInfo.Uses[x.Sel].(*types.Var); ok {
				return v
			}
		}
		return nil
	}
}

func (c *checker) line(pos token.Pos) int { return c.pass.Fset.Position(pos).Line }

func (c *checker) report(pos token.Pos, msg string, related ...analysis.RelatedInformation) {
	if c.done[pos] {
		return
	}
	c.done[pos] = true
	c.pass.Report(analysis.Diagnostic{Pos: pos, Category: "deadlock", Message: msg, Related: related})
}

func rel(pos token.Pos, msg string) analysis.RelatedInformation {
	return analysis.RelatedInformation{Pos: pos, Message: msg}
}

// funcBody resolves a function expression to the code it runs: a literal,
// or a function declared in this package.
func (c *checker) funcBody(e ast.Expr) ast.Node {
	e = ast.Unparen(e)
	if lit, ok := e.(*ast.FuncLit); ok {
		return lit
	}
	var id *ast.Ident
	switch x := e.(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		id = x.Sel
	case *ast.IndexExpr:
		return c.funcBody(x.X)
	}
	if id != nil {
		if fn, ok := c.pass.TypesInfo.Uses[id].(*types.Func); ok {
			if fd := c.decls[fn.Origin()]; fd != nil {
				return fd
			}
		}
	}
	return nil
}

// coroutineBody resolves a coroutine expression — aio.Async(lit) or a call
// of a same-package async function that returns one — to the literal.
func (c *checker) coroutineBody(e ast.Expr) ast.Node {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return nil
	}
	fn := c.callee(call)
	if isRuntimeCall(fn, aioPath, "Async") && len(call.Args) == 1 {
		return c.funcBody(call.Args[0])
	}
	if fd := c.decls[originOf(fn)]; fd != nil {
		var found ast.Node
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if found != nil {
				return false
			}
			if _, ok := n.(*ast.FuncLit); ok {
				return false
			}
			if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
				if inner, ok := ast.Unparen(r.Results[0]).(*ast.CallExpr); ok && isRuntimeCall(c.callee(inner), aioPath, "Async") && len(inner.Args) == 1 {
					found = c.funcBody(inner.Args[0])
				}
			}
			return true
		})
		return found
	}
	return nil
}

func originOf(fn *types.Func) *types.Func {
	if fn == nil {
		return nil
	}
	return fn.Origin()
}

// submitParts recognises futures.Submit(ex, fn) (or ex.Submit(fn)) and
// aio.CreateTask(t, coro), returning the executor and the body.
func (c *checker) submitParts(call *ast.CallExpr) (kind string, pool types.Object, body ast.Node, ok bool) {
	fn := c.callee(call)
	switch {
	case pkgOf(fn) == futuresPath && strings.HasPrefix(fn.Name(), "Submit"):
		var exec ast.Expr
		args := call.Args
		if sig := fn.Type().(*types.Signature); sig.Recv() != nil {
			if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
				exec = sel.X
			}
		} else if len(args) > 0 {
			exec, args = args[0], args[1:]
		}
		for _, a := range args {
			if t := c.pass.TypesInfo.TypeOf(a); t == nil {
				continue
			} else if _, isFunc := t.Underlying().(*types.Signature); isFunc {
				body = c.funcBody(a)
				break
			}
		}
		if exec != nil {
			pool = c.objOf(exec)
		}
		return "futures", pool, body, true
	case isRuntimeCall(fn, aioPath, "CreateTask", "EnsureFuture") && len(call.Args) >= 2:
		return "aio", nil, c.coroutineBody(call.Args[1]), true
	}
	return "", nil, nil, false
}

// poolCount returns the constant worker count of a pool constructor call.
func (c *checker) poolCount(call *ast.CallExpr) (int64, bool) {
	fn := c.callee(call)
	if !isRuntimeCall(fn, futuresPath, "NewThreadPool", "NewProcessPool", "NewThreadPoolExecutor", "NewProcessPoolExecutor") {
		return 0, false
	}
	var n int64
	for _, a := range call.Args {
		a = ast.Unparen(a)
		if inner, ok := a.(*ast.CallExpr); ok {
			if f := c.callee(inner); f != nil && strings.Contains(strings.ToLower(f.Name()), "worker") && len(inner.Args) == 1 {
				a = inner.Args[0]
			}
		}
		if tv, ok := c.pass.TypesInfo.Types[a]; ok && tv.Value != nil && tv.Value.Kind() == constant.Int {
			if v, exact := constant.Int64Val(tv.Value); exact {
				n = v
			}
		}
	}
	return n, true
}

// collect finds pools and submissions with the variables they are stored
// in.
func (c *checker) collect(insp *inspector.Inspector) {
	assigned := map[*ast.CallExpr]types.Object{}
	insp.Preorder([]ast.Node{(*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil)}, func(n ast.Node) {
		var lhs, rhs []ast.Expr
		switch n := n.(type) {
		case *ast.AssignStmt:
			lhs, rhs = n.Lhs, n.Rhs
		case *ast.ValueSpec:
			for _, id := range n.Names {
				lhs = append(lhs, id)
			}
			rhs = n.Values
		}
		if len(rhs) == 1 && len(lhs) > 1 {
			lhs = lhs[:1] // f, err := Submit(...): the future comes first
		}
		if len(lhs) != len(rhs) {
			return
		}
		for i, r := range rhs {
			call, ok := ast.Unparen(r).(*ast.CallExpr)
			if !ok {
				continue
			}
			obj := c.objOf(lhs[i])
			if obj == nil {
				continue
			}
			assigned[call] = obj
			if n, ok := c.poolCount(call); ok {
				if old, seen := c.pools[obj]; !seen || old.workers == n {
					c.pools[obj] = poolInfo{workers: n, pos: call.Pos()}
				} else {
					c.pools[obj] = poolInfo{pos: old.pos} // conflicting sizes: unknown
				}
			}
		}
	})
	insp.Preorder([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node) {
		call := n.(*ast.CallExpr)
		kind, pool, body, ok := c.submitParts(call)
		if !ok || body == nil {
			return
		}
		s := &submission{call: call, kind: kind, pool: pool, body: body, future: assigned[call]}
		c.subs = append(c.subs, s)
		if s.future != nil {
			if _, dup := c.byFut[s.future]; dup {
				c.byFut[s.future] = nil // several producers: not one future
			} else {
				c.byFut[s.future] = s
			}
		}
	})
}

// eventsOf lists the waits, nested submit-and-waits and shutdowns of a body
// and of the same-package functions it calls.
func (c *checker) eventsOf(body ast.Node) *events {
	ev := new(events)
	c.walk(body, ev, "", map[ast.Node]bool{}, nil, 0)
	return ev
}

func bodyOf(n ast.Node) *ast.BlockStmt {
	switch n := n.(type) {
	case *ast.FuncLit:
		return n.Body
	case *ast.FuncDecl:
		return n.Body
	}
	return nil
}

// resolve is objOf seen from the task: a callee's parameter stands for the
// caller's argument.
func (c *checker) resolve(e ast.Expr, subst map[types.Object]types.Object) types.Object {
	obj := c.objOf(e)
	if to, ok := subst[obj]; ok {
		return to
	}
	return obj
}

func (c *checker) walk(fnNode ast.Node, ev *events, via string, seen map[ast.Node]bool, subst map[types.Object]types.Object, depth int) {
	body := bodyOf(fnNode)
	if body == nil || seen[fnNode] || depth > 4 {
		return
	}
	seen[fnNode] = true
	// Futures submitted in this body and kept in a local: variable -> pool.
	localSubs := map[types.Object]types.Object{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // runs elsewhere (a goroutine, a callback)
		case *ast.GoStmt:
			return false
		case *ast.AssignStmt:
			lhs := n.Lhs
			if len(n.Rhs) == 1 && len(lhs) > 1 {
				lhs = lhs[:1]
			}
			if len(lhs) == len(n.Rhs) {
				for i, r := range n.Rhs {
					if call, ok := ast.Unparen(r).(*ast.CallExpr); ok {
						if kind, pool, _, ok := c.submitParts(call); ok && kind == "futures" && pool != nil {
							if to, ok := subst[pool]; ok {
								pool = to
							}
							if obj := c.objOf(lhs[i]); obj != nil {
								localSubs[obj] = pool
							}
						}
					}
				}
			}
		case *ast.CallExpr:
			c.visitCall(n, ev, via, localSubs, seen, subst, depth)
		}
		return true
	})
}

func (c *checker) visitCall(call *ast.CallExpr, ev *events, via string, localSubs map[types.Object]types.Object, seen map[ast.Node]bool, subst map[types.Object]types.Object, depth int) {
	fn := c.callee(call)
	if fn == nil {
		return
	}
	sig := fn.Type().(*types.Signature)
	sel, _ := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	switch {
	case pkgOf(fn) == futuresPath && sig.Recv() != nil && sel != nil && (strings.HasPrefix(fn.Name(), "Result") || strings.HasPrefix(fn.Name(), "Exception")):
		what := exprString(sel.X) + "." + fn.Name()
		if inner, ok := ast.Unparen(sel.X).(*ast.CallExpr); ok {
			// Submit(p, f).Result(...): waits on a future just submitted.
			if kind, pool, _, ok := c.submitParts(inner); ok && kind == "futures" && pool != nil {
				if to, ok := subst[pool]; ok {
					pool = to
				}
				ev.nested = append(ev.nested, waitEv{target: pool, pos: call.Pos(), via: via, what: "Submit(...)." + fn.Name()})
			}
			return
		}
		target := c.resolve(sel.X, subst)
		if target == nil {
			return
		}
		if pool, ok := localSubs[target]; ok {
			ev.nested = append(ev.nested, waitEv{target: pool, pos: call.Pos(), via: via, what: what})
			return
		}
		ev.waits = append(ev.waits, waitEv{target: target, pos: call.Pos(), via: via, what: what})
	case isRuntimeCall(fn, futuresPath, "Wait") && len(call.Args) == 3 && c.isConst(call.Args[2], "AllCompleted"):
		// Wait(ctx, []F{a, b}, AllCompleted) waits on each future listed.
		if lit, ok := ast.Unparen(call.Args[1]).(*ast.CompositeLit); ok {
			for _, e := range lit.Elts {
				target := c.resolve(e, subst)
				if target == nil {
					continue
				}
				w := waitEv{target: target, pos: call.Pos(), via: via, what: "futures.Wait(..." + exprString(e) + "...)"}
				if pool, ok := localSubs[target]; ok {
					w.target = pool
					ev.nested = append(ev.nested, w)
				} else {
					ev.waits = append(ev.waits, w)
				}
			}
		}
	case isRuntimeCall(fn, futuresPath, "Map") && len(call.Args) > 0:
		if pool := c.resolve(c.executorArg(call), subst); pool != nil {
			ev.nested = append(ev.nested, waitEv{target: pool, pos: call.Pos(), via: via, what: "futures.Map"})
		}
	case pkgOf(fn) == futuresPath && sig.Recv() != nil && sel != nil && fn.Name() == "Shutdown":
		if !c.waits(call) {
			return
		}
		if pool := c.resolve(sel.X, subst); pool != nil {
			ev.shutdowns = append(ev.shutdowns, waitEv{target: pool, pos: call.Pos(), via: via, what: exprString(sel.X) + ".Shutdown"})
		}
	case isRuntimeCall(fn, aioPath, "Await", "WaitFor", "Shield") && len(call.Args) >= 2:
		if target := c.resolve(call.Args[1], subst); target != nil {
			ev.waits = append(ev.waits, waitEv{target: target, pos: call.Pos(), via: via, what: "aio." + fn.Name() + "(" + exprString(call.Args[1]) + ")"})
		}
	case isRuntimeCall(fn, aioPath, "Gather"):
		for _, a := range call.Args[1:] {
			if target := c.resolve(a, subst); target != nil {
				ev.waits = append(ev.waits, waitEv{target: target, pos: call.Pos(), via: via, what: "aio.Gather(..." + exprString(a) + "...)"})
			}
		}
	default:
		if fd := c.decls[fn.Origin()]; fd != nil {
			v := via
			if v == "" {
				v = fmt.Sprintf(" (through %s, line %d)", fn.Name(), c.line(call.Pos()))
			}
			inner := map[types.Object]types.Object{}
			sig := fn.Origin().Type().(*types.Signature)
			for i := 0; i < sig.Params().Len() && i < len(call.Args); i++ {
				if obj := c.resolve(call.Args[i], subst); obj != nil {
					inner[sig.Params().At(i)] = obj
				}
			}
			if sig.Recv() != nil && sel != nil {
				if obj := c.resolve(sel.X, subst); obj != nil {
					inner[sig.Recv()] = obj
				}
			}
			c.walk(fd, ev, v, seen, inner, depth+1)
		}
	}
}

// waits reports whether a Shutdown call waits: Python's default is
// wait=True; a constant false argument turns it off.
func (c *checker) waits(call *ast.CallExpr) bool {
	for _, a := range call.Args {
		if tv, ok := c.pass.TypesInfo.Types[a]; ok && tv.Value != nil && tv.Value.Kind() == constant.Bool {
			return constant.BoolVal(tv.Value)
		}
	}
	return true
}

func exprString(e ast.Expr) string {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	case *ast.StarExpr:
		return "*" + exprString(x.X)
	case *ast.CallExpr:
		return exprString(x.Fun) + "(...)"
	case *ast.IndexExpr:
		return exprString(x.X) + "[...]"
	}
	return "…"
}

func (c *checker) describe(s *submission) string {
	name := "the function"
	switch b := s.body.(type) {
	case *ast.FuncDecl:
		name = b.Name.Name
	case *ast.FuncLit:
		name = fmt.Sprintf("the function literal at line %d", c.line(b.Pos()))
	}
	return name
}

// checkCycles reports wait-for cycles among futures (and self-waits).
func (c *checker) checkCycles() {
	type edgeT struct {
		to *submission
		ev waitEv
	}
	graph := map[*submission][]edgeT{}
	var nodes []*submission
	for _, s := range c.subs {
		if s.future == nil || c.byFut[s.future] != s {
			continue
		}
		nodes = append(nodes, s)
		for _, w := range c.eventsOf(s.body).waits {
			if t := c.byFut[w.target]; t != nil {
				graph[s] = append(graph[s], edgeT{to: t, ev: w})
			}
		}
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].call.Pos() < nodes[j].call.Pos() })
	reported := map[*submission]bool{}
	for _, start := range nodes {
		if reported[start] {
			continue
		}
		// Shortest cycle through start (BFS).
		type step struct {
			s    *submission
			path []edgeT
		}
		queue := []step{{s: start}}
		visited := map[*submission]bool{start: true}
		var cycle []edgeT
		for len(queue) > 0 && cycle == nil {
			cur := queue[0]
			queue = queue[1:]
			for _, e := range graph[cur.s] {
				path := append(append([]edgeT(nil), cur.path...), e)
				if e.to == start {
					cycle = path
					break
				}
				if !visited[e.to] {
					visited[e.to] = true
					queue = append(queue, step{s: e.to, path: path})
				}
			}
		}
		if cycle == nil {
			continue
		}
		for _, e := range cycle {
			reported[e.to] = true
		}
		first := cycle[0]
		unit := "future"
		if start.kind == "aio" {
			unit = "task"
		}
		if len(cycle) == 1 {
			c.report(first.ev.pos, fmt.Sprintf("%s waits on %s%s, the %s of the very %s it runs in (created at line %d): it can only finish after it has finished, so it waits %s",
				c.describe(start), start.future.Name(), first.ev.via, unit, unit, c.line(start.call.Pos()), forever(first.ev)),
				rel(start.call.Pos(), fmt.Sprintf("%s is created here, running %s", start.future.Name(), c.describe(start))))
			continue
		}
		var chain []string
		var related []analysis.RelatedInformation
		for i, e := range cycle {
			from := start
			if i > 0 {
				from = cycle[i-1].to
			}
			chain = append(chain, fmt.Sprintf("%s (producing %s) waits on %s", c.describe(from), from.future.Name(), e.to.future.Name()))
			related = append(related,
				rel(from.call.Pos(), fmt.Sprintf("%s is created here, running %s", from.future.Name(), c.describe(from))))
			if i > 0 {
				related = append(related, rel(e.ev.pos, fmt.Sprintf("%s waits on %s here%s", c.describe(from), e.to.future.Name(), e.ev.via)))
			}
		}
		var evs []waitEv
		for _, e := range cycle {
			evs = append(evs, e.ev)
		}
		c.report(first.ev.pos, fmt.Sprintf("wait-for cycle: %s%s, while %s: once all have started, each waits %s for the next",
			chain[0], first.ev.via, strings.Join(chain[1:], ", and "), forever(evs...)), related...)
	}
}

// checkPools reports nested submit-and-wait and Shutdown in a pool's own
// tasks.
func (c *checker) checkPools() {
	for _, s := range c.subs {
		if s.kind != "futures" || s.pool == nil {
			continue
		}
		ev := c.eventsOf(s.body)
		info, known := c.pools[s.pool]
		for _, w := range ev.nested {
			if w.target != s.pool {
				continue
			}
			var how string
			switch {
			case known && info.workers == 1:
				how = fmt.Sprintf("certain deadlock: %s has one worker, which runs %s and waits for a function that needs a free worker", s.pool.Name(), c.describe(s))
			case known && info.workers > 1:
				how = fmt.Sprintf("possible deadlock: when %d tasks like %s occupy all %d workers of %s, each waits for a function that needs a free worker, and none is ever freed", info.workers, c.describe(s), info.workers, s.pool.Name())
			default:
				how = fmt.Sprintf("possible deadlock: when tasks like %s occupy every worker of %s, each waits for a function that needs a free worker, and none is ever freed", c.describe(s), s.pool.Name())
			}
			r := []analysis.RelatedInformation{rel(s.call.Pos(), fmt.Sprintf("%s is submitted to %s here", c.describe(s), s.pool.Name()))}
			if known {
				r = append(r, rel(info.pos, fmt.Sprintf("%s is created here", s.pool.Name())))
			}
			if w.bounded() {
				how += " (until the wait times out)"
			}
			c.report(w.pos, fmt.Sprintf("%s%s waits inside a task of the same pool: %s", w.what, w.via, how), r...)
		}
		for _, w := range ev.shutdowns {
			if w.target != s.pool {
				continue
			}
			c.report(w.pos, fmt.Sprintf("%s%s with wait, inside a task of %s: Shutdown waits for every running task to finish, including this one, which is waiting in Shutdown: certain deadlock", w.what, w.via, s.pool.Name()),
				rel(s.call.Pos(), fmt.Sprintf("%s runs on %s, submitted here", c.describe(s), s.pool.Name())))
		}
	}
}

// executorArg returns the argument of call that is an executor (a pool
// of package futures, or its Executor interface), or nil.
func (c *checker) executorArg(call *ast.CallExpr) ast.Expr {
	for _, a := range call.Args {
		t := c.pass.TypesInfo.TypeOf(a)
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == futuresPath && n.Obj().Name() != "Future" {
			return a
		}
	}
	return nil
}

// isConst reports whether e names the constant of package futures called
// name.
func (c *checker) isConst(e ast.Expr, name string) bool {
	var id *ast.Ident
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		id = x.Sel
	}
	if id == nil {
		return false
	}
	k, ok := c.pass.TypesInfo.Uses[id].(*types.Const)
	return ok && k.Name() == name && k.Pkg() != nil && k.Pkg().Path() == futuresPath
}
