package deadlock

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/tools/go/ast/inspector"
)

// isLoopRun recognises the calls that run an event loop to completion.
func isLoopRun(fn *types.Func) bool {
	return isRuntimeCall(fn, aioPath, "Run", "RunUntilComplete", "RunForever")
}

// shallowCalls calls f for every call in body that runs on the function's
// own goroutine (not inside function literals or go statements).
func shallowCalls(body *ast.BlockStmt, f func(*ast.CallExpr)) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.GoStmt:
			return false
		case *ast.CallExpr:
			f(n)
		}
		return true
	})
}

// runsLoop says whether a call runs a loop, and where (for messages).
func (c *checker) runsLoop(call *ast.CallExpr) (string, bool) {
	fn := c.callee(call)
	if fn == nil {
		return "", false
	}
	if isLoopRun(fn) {
		return "", true
	}
	fn = fn.Origin()
	if w, ok := c.runsFn[fn]; ok {
		return w, true
	}
	if fn.Pkg() != nil && fn.Pkg() != c.pass.Pkg {
		var fact RunsLoop
		if c.pass.ImportObjectFact(fn, &fact) {
			return fact.Where, true
		}
	}
	return "", false
}

// computeRunsLoop marks (and exports a fact for) each function of the
// package that runs a loop, directly or through callees.
func (c *checker) computeRunsLoop() {
	var fns []*types.Func
	for fn := range c.decls {
		fns = append(fns, fn)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Pos() < fns[j].Pos() })
	for changed := true; changed; {
		changed = false
		for _, fn := range fns {
			if _, ok := c.runsFn[fn]; ok {
				continue
			}
			shallowCalls(c.decls[fn].Body, func(call *ast.CallExpr) {
				if _, ok := c.runsFn[fn]; ok {
					return
				}
				if where, ok := c.runsLoop(call); ok {
					if where == "" {
						p := c.pass.Fset.Position(call.Pos())
						where = fmt.Sprintf("%s:%d: %s", filepath.Base(p.Filename), p.Line, exprString(call.Fun))
					}
					c.runsFn[fn] = where
					changed = true
				}
			})
		}
	}
	for _, fn := range fns {
		if w, ok := c.runsFn[fn]; ok {
			c.pass.ExportObjectFact(fn, &RunsLoop{Where: w})
		}
	}
}

// isTaskParam reports whether a function type takes a *aio.Task: an async
// context, run by an event loop.
func (c *checker) isAsync(ft *ast.FuncType) bool {
	if ft.Params == nil {
		return false
	}
	for _, f := range ft.Params.List {
		t := c.pass.TypesInfo.TypeOf(f.Type)
		if p, ok := t.(*types.Pointer); ok {
			if n, ok := p.Elem().(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == aioPath && n.Obj().Name() == "Task" {
				return true
			}
		}
	}
	return false
}

// checkNestedLoops reports loops run from inside a running task.
func (c *checker) checkNestedLoops(insp *inspector.Inspector) {
	insp.Preorder([]ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)}, func(n ast.Node) {
		var ft *ast.FuncType
		var body *ast.BlockStmt
		switch n := n.(type) {
		case *ast.FuncDecl:
			ft, body = n.Type, n.Body
		case *ast.FuncLit:
			ft, body = n.Type, n.Body
		}
		if body == nil || !c.isAsync(ft) {
			return
		}
		shallowCalls(body, func(call *ast.CallExpr) {
			where, ok := c.runsLoop(call)
			if !ok {
				return
			}
			through := ""
			if where != "" {
				through = fmt.Sprintf(" (it runs a loop at %s)", where)
			}
			c.report(call.Pos(), fmt.Sprintf("%s%s runs an event loop inside a running task: the task's own loop is blocked until the inner loop ends, so whatever the inner loop waits for from the outer one never comes (asyncio refuses nested runs)",
				exprString(call.Fun), through),
				rel(ft.Pos(), "this function runs as a task of the outer loop (it takes the *aio.Task)"))
		})
	})
}

// checkCrossLoop reports a task of one loop awaiting a task handle created
// on another loop.
func (c *checker) checkCrossLoop(insp *inspector.Inspector) {
	type loopRef struct {
		name string
		pos  token.Pos
	}
	loopOf := map[ast.Node]loopRef{} // task body -> loop
	insp.Preorder([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node) {
		call := n.(*ast.CallExpr)
		fn := c.callee(call)
		if !isRuntimeCall(fn, aioPath, "Run", "RunUntilComplete") || len(call.Args) == 0 {
			return
		}
		body := c.coroutineBody(call.Args[len(call.Args)-1])
		if body == nil {
			return
		}
		ref := loopRef{name: fmt.Sprintf("the loop of aio.Run at line %d", c.line(call.Pos())), pos: call.Pos()}
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && fn.Type().(*types.Signature).Recv() != nil {
			if obj := c.objOf(sel.X); obj != nil {
				ref = loopRef{name: "loop " + obj.Name(), pos: obj.Pos()}
			}
		}
		loopOf[body] = ref
	})
	if len(loopOf) == 0 {
		return
	}
	// Tasks created inside a loop's task belong to that loop.
	enclosing := func(pos token.Pos) (ast.Node, bool) {
		var best ast.Node
		for b := range loopOf {
			if b.Pos() <= pos && pos < b.End() && (best == nil || b.Pos() > best.Pos()) {
				best = b
			}
		}
		return best, best != nil
	}
	for changed := true; changed; {
		changed = false
		for _, s := range c.subs {
			if s.kind != "aio" || s.body == nil {
				continue
			}
			if _, ok := loopOf[s.body]; ok {
				continue
			}
			if b, ok := enclosing(s.call.Pos()); ok {
				loopOf[s.body] = loopOf[b]
				changed = true
			}
		}
	}
	var bodies []ast.Node
	for b := range loopOf {
		bodies = append(bodies, b)
	}
	sort.Slice(bodies, func(i, j int) bool { return bodies[i].Pos() < bodies[j].Pos() })
	for _, b := range bodies {
		mine := loopOf[b]
		for _, w := range c.eventsOf(b).waits {
			s := c.byFut[w.target]
			if s == nil || s.kind != "aio" {
				continue
			}
			theirs, ok := loopOf[s.body]
			if !ok || theirs.name == mine.name {
				continue
			}
			c.report(w.pos, fmt.Sprintf("%s%s, in a task of %s, waits on %s, a task of %s: that task advances only while its own loop runs, and a loop does not run while another loop runs on its thread or after it has returned, so this await never ends",
				w.what, w.via, mine.name, w.target.Name(), theirs.name),
				rel(s.call.Pos(), fmt.Sprintf("%s is created here, on %s", w.target.Name(), theirs.name)),
				rel(mine.pos, mine.name+" is here"))
		}
	}
}

// isTaskType reports whether t is *aio.Task.
func isTaskType(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := p.Elem().(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == aioPath && n.Obj().Name() == "Task"
}

// checkForeignTask reports a task's handle used to await from another
// thread: a goroutine, or a function run by an executor or aio.ToThread,
// that calls an aio suspension point with the *aio.Task of the coroutine it
// was started from.
func (c *checker) checkForeignTask(insp *inspector.Inspector) {
	insp.WithStack([]ast.Node{(*ast.FuncLit)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		lit := n.(*ast.FuncLit)
		if c.isAsync(lit.Type) || len(stack) < 2 {
			return true
		}
		var how string
		switch p := stack[len(stack)-2].(type) {
		case *ast.CallExpr:
			if len(stack) >= 3 {
				if g, ok := stack[len(stack)-3].(*ast.GoStmt); ok && g.Call == p && p.Fun == lit {
					how = "a goroutine"
				}
			}
			if how == "" {
				fn := c.callee(p)
				switch {
				case pkgOf(fn) == futuresPath && strings.HasPrefix(fn.Name(), "Submit"):
					how = "an executor's worker"
				case isRuntimeCall(fn, aioPath, "ToThread", "RunInExecutor"):
					how = "a worker thread (aio." + fn.Name() + ")"
				}
			}
		}
		if how == "" {
			return true
		}
		shallowCalls(lit.Body, func(call *ast.CallExpr) {
			fn := c.callee(call)
			if pkgOf(fn) != aioPath {
				return
			}
			for _, a := range call.Args {
				if !isTaskType(c.pass.TypesInfo.TypeOf(a)) {
					continue
				}
				obj := c.objOf(a)
				if obj == nil || (lit.Pos() <= obj.Pos() && obj.Pos() < lit.End()) {
					continue
				}
				c.report(call.Pos(), fmt.Sprintf("aio.%s suspends task %s from %s: only %s's loop can suspend and resume it, and that loop does not run this thread, so the wait never ends",
					fn.Name(), obj.Name(), how, obj.Name()),
					rel(obj.Pos(), fmt.Sprintf("%s belongs to the coroutine declared here", obj.Name())),
					rel(lit.Pos(), "this function runs on "+how))
			}
		})
		return true
	})
}
