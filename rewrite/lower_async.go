package rewrite

// The async front end: //asyncgo:async functions, whose body is
// `return aio.Async(func(t *aio.Task) (R, error) { ... })`, lowered onto
// runtime/aio's Machine contract (Step) with the core the generators use.

import (
	"fmt"
	"go/ast"
	"go/types"
)

const aioPath = "github.com/asyncgo/asyncgo/runtime/aio"

// async suspension kinds (after the generator's)
const (
	kAwait = kRaise + 1 + iota
	kSleep
)

// taskMethods are the methods of *aio.Task a lowered body may call: none
// suspends.
var taskMethods = map[string]bool{"Name": true, "SetName": true, "Done": true, "Cancel": true, "Loop": true,
	"Cancelling": true, "Uncancel": true, "Context": true, "String": true}

// asyncVocab is the async front end's vocabulary (aio.Machine).
type asyncVocab struct{ aio string }

func (fl *fileLowerer) lowerAsync(fd *ast.FuncDecl) {
	aio := fl.imports[aioPath]
	if aio == "" {
		fl.errorf(fd.Pos(), "%s: the file must import %s by name", fd.Name.Name, aioPath)
		return
	}
	bad := func() {
		fl.errorf(fd.Pos(), "%s: an async function's body must be a single `return aio.Async(func(t *aio.Task) (R, error) { ... })`", fd.Name.Name)
	}
	lit, targs := fl.bodyForm(fd, func(e ast.Expr) bool { return fl.isPkgFunc(e, aioPath, "Async") }, 2, 1)
	if lit == nil {
		bad()
		return
	}
	f := fl.newFn(fd, lit, asyncVocab{aio})
	rT, err := fl.typeString(targs.At(0))
	if err != nil {
		fl.errorf(fd.Pos(), "%s: cannot lower: %v", fd.Name.Name, err)
		return
	}
	f.rT = rT
	if p := lit.Type.Params.List[0]; len(p.Names) == 1 && p.Names[0].Name != "_" {
		f.co = fl.info.Defs[p.Names[0]]
		f.alias[f.co] = "_agT"
	}
	var res []*ast.Ident
	for _, r := range lit.Type.Results.List {
		res = append(res, r.Names...)
	}
	if len(res) == 2 {
		if res[0].Name != "_" {
			f.named = fl.info.Defs[res[0]]
		}
		if res[1].Name != "_" {
			f.namedErr = fl.info.Defs[res[1]]
		}
	}
	nerr := len(fl.errs)
	f.scan()
	if len(fl.errs) > nerr {
		return
	}
	f.noPanic = false // a Step always recovers: a panic goes on after the defers
	f.lower()
}

// isPkgFunc reports whether e names (maybe instantiated) one of the
// functions names of the package with path.
func (fl *fileLowerer) isPkgFunc(e ast.Expr, path string, names ...string) bool {
	o := fl.calledFunc(e)
	if o == nil || o.Pkg() == nil || o.Pkg().Path() != path || o.Type().(*types.Signature).Recv() != nil {
		return false
	}
	for _, n := range names {
		if o.Name() == n {
			return true
		}
	}
	return false
}

// calledFunc is the function or method e names, if it names one.
func (fl *fileLowerer) calledFunc(e ast.Expr) *types.Func {
	switch x := ast.Unparen(e).(type) {
	case *ast.IndexExpr:
		e = x.X
	case *ast.IndexListExpr:
		e = x.X
	}
	id := calleeIdent(e)
	if id == nil {
		return nil
	}
	o, _ := fl.info.Uses[id].(*types.Func)
	return o
}

// callName names the function a call calls, for messages: aio.Gather,
// aio.Queue.Get, pkg.F, F, or the expression.
func (fl *fileLowerer) callName(c *ast.CallExpr) string {
	o := fl.calledFunc(c.Fun)
	if o == nil {
		return fl.text(c.Fun)
	}
	name := o.Name()
	if r := o.Type().(*types.Signature).Recv(); r != nil {
		t := r.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok {
			name = n.Obj().Name() + "." + name
		}
	}
	if o.Pkg() != nil && o.Pkg() != fl.pkg {
		name = o.Pkg().Name() + "." + name
	}
	return name
}

func (asyncVocab) handleUse(f *fn, x *ast.Ident, stack []ast.Node, inLit int) (*ast.CallExpr, int) {
	stack = stripHandle(f, stack)
	if inLit > 0 {
		f.errorf(x.Pos(), "cannot use %s inside a function literal in a lowered async body: only the body itself can suspend, and %s must not escape it", x.Name, x.Name)
		return nil, -1
	}
	if len(stack) >= 2 {
		// t.Name(), t.Cancel(), ...: methods that do not suspend.
		if sel, ok := stack[len(stack)-1].(*ast.SelectorExpr); ok {
			if c, ok := stack[len(stack)-2].(*ast.CallExpr); ok && ast.Unparen(c.Fun) == sel && taskMethods[sel.Sel.Name] {
				return nil, -1
			}
		}
	}
	if len(stack) >= 1 {
		if c, ok := stack[len(stack)-1].(*ast.CallExpr); ok && ast.Unparen(c.Fun) != ast.Expr(x) {
			first := len(c.Args) > 0 && ast.Unparen(c.Args[0]) == ast.Expr(x)
			kind := -1
			switch {
			case first && len(c.Args) == 2 && f.isPkgFunc(c.Fun, aioPath, "Await"):
				kind = kAwait
			case first && len(c.Args) == 2 && f.isPkgFunc(c.Fun, aioPath, "Sleep"):
				kind = kSleep
			case first && f.isPkgFunc(c.Fun, aioPath, "CreateTask"):
				return nil, -1 // schedules a task: does not suspend
			}
			if kind < 0 {
				o := f.calledFunc(c.Fun)
				if o != nil && o.Pkg() == f.pkg && f.noSuspend(o) {
					return nil, -1 // a helper that only reads the task
				}
				if o != nil && o.Pkg() != nil && o.Pkg().Path() == aioPath {
					f.errorf(c.Pos(), "cannot lower %s yet: in a lowered async body only aio.Await and aio.Sleep suspend (and aio.CreateTask may take %s); await a direct-mode coroutine that calls it, or leave this function unannotated", f.callName(c), x.Name)
				} else {
					f.errorf(c.Pos(), "cannot lower the call of %s: it is passed %s, so it may suspend, which a call cannot do from a lowered async body; make it an async function returning *aio.Coroutine and await it", f.callName(c), x.Name)
				}
				return nil, -1
			}
			f.susp[c] = kind
			if len(stack) >= 2 {
				switch p := stack[len(stack)-2].(type) {
				case *ast.DeferStmt:
					if p.Call == c {
						f.errorf(p.Pos(), "cannot defer a suspension: %s would suspend while the async body unwinds", f.callName(c))
					}
				case *ast.GoStmt:
					if p.Call == c {
						f.errorf(p.Pos(), "cannot suspend in a go statement: %s would run on another goroutine; only the async body itself can suspend", f.callName(c))
					}
				}
			}
			return c, kind
		}
	}
	f.errorf(x.Pos(), "%s may only be passed to aio.Await, aio.Sleep and aio.CreateTask, or have its methods called, in a lowered async body: it must not escape the body", x.Name)
	return nil, -1
}

func (v asyncVocab) suspend(f *fn, call *ast.CallExpr, kind int) string {
	f.npc++
	k := f.npc
	var st string
	switch kind {
	case kAwait:
		rT, err := f.typeString(f.info.TypeOf(call).(*types.Tuple).At(0).Type())
		if err != nil {
			f.errorf(call.Pos(), "cannot lower this await: %v", err)
		}
		st = f.temp("aw", fmt.Sprintf("%s.Awaiter[%s]", v.aio, rT))
	case kSleep:
		st = f.temp("sl", v.aio+".Sleeper")
	}
	f.emit("%s.Start(_agT, %s)", st, f.expr(call.Args[1]))
	f.emit("_agThrown = nil")
	l := fmt.Sprintf("_agS%d", k)
	f.place(l)
	f.used[l] = true
	f.emit("if _agw, _ags := %s.Step(_agT, _agThrown); _ags {\n_agW = _agw\n_agm._agpc = %d\nreturn\n}", st, k)
	return st + ".Result()"
}

func (asyncVocab) twoValued(kind int) bool { return kind == kAwait }
func (asyncVocab) what() string            { return "async" }
func (v asyncVocab) frame(f *fn) string    { return fmt.Sprintf("%s.Frame[%s]", v.aio, f.rT) }

func (v asyncVocab) constructor(f *fn, mname, targs string) string {
	return fmt.Sprintf("\n// _agNew returns the coroutine that runs the machine (and refers to Step,\n// so that package initialisation sees the dependencies of the body).\nfunc (_agm *%s%s) _agNew() *%s.Coroutine[%s] {\n\t_ = (*%s%s).Step\n\treturn %s.FromMachine[%s](_agm)\n}\n",
		mname, targs, v.aio, f.rT, mname, targs, v.aio, f.rT)
}

func (v asyncVocab) resume(f *fn, mname, targs string) string {
	return fmt.Sprintf("\n// Step implements %s.Machine.\nfunc (_agm *%s%s) Step(_agT *%s.Task, _agThrown error) (_agW %s.Waitable, _agDone bool, _agR %s, _agErr error) {\n", v.aio, mname, targs, v.aio, v.aio, f.rT)
}

// noSuspend reports whether fn, a function or method of the package
// (not annotated), surely does not suspend the *aio.Task it is passed:
// its *aio.Task parameters are only used to call the task's methods that
// do not suspend (taskMethods), or passed on as the task of aio.CreateTask
// or to functions of the package that do not suspend either, and never
// inside a function literal. Such a helper (logging the task's name, say)
// may be called with t from a lowered body.
func (fl *fileLowerer) noSuspend(fn *types.Func) bool {
	fn = fn.Origin()
	if fl.taskSafe == nil {
		fl.taskSafe = map[*types.Func]bool{}
		fl.funcDecls = map[*types.Func]*ast.FuncDecl{}
		for _, file := range fl.pkgFiles {
			for _, d := range file.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					if o, ok := fl.info.Defs[fd.Name].(*types.Func); ok {
						fl.funcDecls[o] = fd
					}
				}
			}
		}
	}
	if ok, seen := fl.taskSafe[fn]; seen {
		return ok // false while it is being checked: recursion is not followed
	}
	fd := fl.funcDecls[fn]
	if fd == nil || fd.Body == nil || annotated(fd) {
		fl.taskSafe[fn] = false
		return false
	}
	fl.taskSafe[fn] = false
	params := map[types.Object]bool{}
	for _, p := range fd.Type.Params.List {
		for _, n := range p.Names {
			if o := fl.info.Defs[n]; o != nil && fl.isTaskType(o.Type()) {
				params[o] = true
			}
		}
	}
	ok := true
	ast.PreorderStack(fd.Body, nil, func(n ast.Node, stack []ast.Node) bool {
		id, isID := n.(*ast.Ident)
		if !ok || !isID || !params[fl.info.Uses[id]] {
			return ok
		}
		for _, s := range stack {
			if _, lit := s.(*ast.FuncLit); lit {
				ok = false
				return false
			}
		}
		var top ast.Node
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch p := top.(type) {
		case *ast.SelectorExpr:
			if len(stack) >= 2 {
				if c, isCall := stack[len(stack)-2].(*ast.CallExpr); isCall && c.Fun == p && taskMethods[p.Sel.Name] {
					return true
				}
			}
		case *ast.CallExpr:
			if p.Fun != ast.Expr(id) {
				if len(p.Args) > 0 && p.Args[0] == ast.Expr(id) && fl.isPkgFunc(p.Fun, aioPath, "CreateTask") {
					return true
				}
				if o := fl.calledFunc(p.Fun); o != nil && o.Pkg() == fl.pkg && fl.noSuspend(o) {
					return true
				}
			}
		}
		ok = false
		return false
	})
	fl.taskSafe[fn] = ok
	return ok
}

// isTaskType reports whether t is *aio.Task.
func (fl *fileLowerer) isTaskType(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := types.Unalias(p.Elem()).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == aioPath && n.Obj().Name() == "Task"
}
