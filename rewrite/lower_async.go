package rewrite

// The async front end: //asyncgo:async functions, whose body is
// `return aio.Async(func(t *aio.Task) (R, error) { ... })`, lowered onto
// runtime/aio's Machine contract (Step) with the core the generators use.
// Each call of aio that suspends is a resume point through the resumable
// operation of runtime/aio that its direct-mode function drives too
// (resumePoints: call -> operation type, Start method, Result method);
// a range loop over aio.AsCompleted steps a Completions at the top of
// each iteration (lowerRange); a Timeout, TimeoutAt or WithTaskGroup
// block inlines its callback between its operation's entry and exit
// (scope).

import (
	"fmt"
	"go/ast"
	"go/types"
	"sort"
	"strings"

	"github.com/dave/dst"
)

const aioPath = "github.com/asyncgo/asyncgo/runtime/aio"

// resumePoint is how a lowered body makes one suspending call of aio:
// through typ, a resumable operation of runtime/aio (see its resume.go),
// whose type arguments are the call's (the function's, or those of the
// method's receiver). A field of that type holds the call while it is
// suspended: start is called with the task, the receiver of a method and
// the call's other arguments; Step at the resume point; result gives the
// call's n results. temp names the field.
type resumePoint struct {
	typ, start, result string
	n                  int
	temp               string
}

// resumePoints are the calls of aio a lowered body may make with its
// task, by name (a method's with its receiver's type name). Any other
// call that takes the task is a positioned error, except CreateTask
// (which does not suspend), AsCompleted as a range loop's expression
// (lowerRange), and the scopes, Timeout, TimeoutAt and WithTaskGroup,
// whose callbacks are inlined (see scopes).
var resumePoints = map[string]resumePoint{
	"Await":                    {"Awaiter", "Start", "Result", 2, "aw"},
	"Sleep":                    {"Sleeper", "Start", "Result", 1, "sl"},
	"Lock.Acquire":             {"LockAcquire", "Start", "Result", 1, "op"},
	"Condition.Acquire":        {"LockAcquire", "StartCondition", "Result", 1, "op"},
	"Condition.Wait":           {"ConditionWait", "Start", "Result", 1, "op"},
	"Condition.WaitFor":        {"ConditionWait", "StartFor", "Result", 1, "op"},
	"Semaphore.Acquire":        {"SemaphoreAcquire", "Start", "Result", 1, "op"},
	"BoundedSemaphore.Acquire": {"SemaphoreAcquire", "StartBounded", "Result", 1, "op"},
	"Event.Wait":               {"EventWait", "Start", "Result", 1, "op"},
	"Barrier.Wait":             {"BarrierWait", "Start", "Result", 2, "op"},
	"Barrier.Reset":            {"BarrierChange", "StartReset", "Result", 1, "op"},
	"Barrier.Abort":            {"BarrierChange", "StartAbort", "Result", 1, "op"},
	"Queue.Get":                {"QueueGet", "Start", "Result", 2, "op"},
	"Queue.Put":                {"QueuePut", "Start", "Result", 1, "op"},
	"Queue.Join":               {"QueueJoin", "Start", "Result", 1, "op"},
	"Gather":                   {"Gathering", "Start", "Result", 2, "op"},
	"GatherErrors":             {"Gathering", "StartErrors", "ResultErrors", 3, "op"},
	"Wait":                     {"Waiting", "Start", "Result", 3, "op"},
	"WaitTimeout":              {"Waiting", "StartTimeout", "Result", 3, "op"},
	"WaitFor":                  {"WaitingFor", "Start", "Result", 2, "op"},
	"Shield":                   {"Shielding", "Start", "Result", 2, "op"},
	"ToThread":                 {"InExecutor", "StartThread", "Result", 2, "op"},
	"RunInExecutor":            {"InExecutor", "Start", "Result", 2, "op"},
	"OpenConnection":           {"Connecting", "Start", "Result", 3, "op"},
	"StartServer":              {"ServerStart", "Start", "Result", 2, "op"},
	"StreamReader.Read":        {"Reading", "Start", "Result", 2, "op"},
	"StreamReader.ReadExactly": {"Reading", "StartExactly", "Result", 2, "op"},
	"StreamReader.ReadUntil":   {"Reading", "StartUntil", "Result", 2, "op"},
	"StreamReader.ReadLine":    {"Reading", "StartLine", "Result", 2, "op"},
	"StreamWriter.Drain":       {"Draining", "Start", "Result", 1, "op"},
	"StreamWriter.WaitClosed":  {"Closing", "StartWriter", "Result", 1, "op"},
	"Server.WaitClosed":        {"Closing", "StartServer", "Result", 1, "op"},
	"Server.ServeForever":      {"Closing", "StartServe", "Result", 1, "op"},
}

// resumeNames are resumePoints' names in order: a suspension's kind is
// kOp plus the index of its name.
var resumeNames = func() []string {
	ns := make([]string, 0, len(resumePoints))
	for n := range resumePoints {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}()

// async suspension kinds (after the generator's)
const (
	kAsCompleted = kRaise + 1 + iota // the range expression of a loop
	kScope                           // Timeout, TimeoutAt, WithTaskGroup: see scopes
	kOp                              // kOp + i: resumeNames[i]
)

// scopes are the calls of aio that run a callback inside a block (Python's
// async with): a lowered body inlines the callback, a function literal,
// between the block's entry and its exit, through the block's resumable
// operation (runtime/aio's scope.go): typ's start method enters it with
// the call's arguments but the callback, param gives the callback's
// parameter, Exit and Step (exits suspends: a resume point) end it.
var scopes = map[string]struct {
	typ, start, param string
	exits             bool
}{
	"Timeout":       {"TimeoutBlock", "Start", "Scope", false},
	"TimeoutAt":     {"TimeoutBlock", "StartAt", "Scope", false},
	"WithTaskGroup": {"TaskGroupBlock", "Start", "Group", true},
}

func resumeOf(kind int) resumePoint { return resumePoints[resumeNames[kind-kOp]] }

// aioName is the name of fn in resumePoints if fn is a function or
// method of aio: F, or T.M for a method of T.
func aioName(fn *types.Func) string {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != aioPath {
		return ""
	}
	if r := fn.Type().(*types.Signature).Recv(); r != nil {
		t := r.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok {
			return n.Obj().Name() + "." + fn.Name()
		}
		return ""
	}
	return fn.Name()
}

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
	// Nothing deferred, no scope's Stop, no iterator: nothing is ever
	// pushed on the frame, so a panic has nothing to run on its way out
	// (Frame.Unwind would only raise it again), nor a Goexit: Step defers
	// no Unwind, and returns its results itself (directReturn). Else a
	// Step recovers a panic to run the defers first.
	f.noPanic = !f.mayPush()
	f.lower()
}

// mayPush reports whether the async body may push anything on its frame
// (a defer statement, a scope's Stop, an iterator's stop: what sets
// f.closes when lowered). lower checks the answer once the body is
// lowered: a body found pushing nothing must have pushed nothing.
func (f *fn) mayPush() bool {
	found := false
	ast.Inspect(f.lit.Body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			// A closure's defers are its own; a scope's callback is
			// lowered into the body (and its call found below).
			_, inlined := f.inline[x]
			return inlined && !found
		case *ast.DeferStmt:
			found = true
		case *ast.RangeStmt:
			// Over a function, or over a type parameter's value (which
			// may be one).
			switch f.info.TypeOf(x.X).Underlying().(type) {
			case *types.Signature, *types.Interface:
				found = true
			}
		case *ast.CallExpr:
			if k, ok := f.susp[x]; ok && (k == kScope || k == kAsCompleted) {
				found = true
			}
		}
		return !found
	})
	return found
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

// handleUse classifies a use of the task. Inside a function literal (a
// deferred or stored closure, a callback) the uses that do not suspend
// are allowed as in the body: the literal refers to the task as _agT, the
// parameter of the Step it is evaluated in, and every Step of a machine
// is passed the same task, so the closure sees the task the body runs in
// whenever it is called (during a later Step's unwinding, after the body
// returned). A use that may suspend is a positioned error there (litCall):
// a direct-mode closure called from the body suspends the task, a lowered
// one cannot.
func (asyncVocab) handleUse(f *fn, x *ast.Ident, stack []ast.Node, inLit int) (*ast.CallExpr, int) {
	stack = stripHandle(f, stack)
	litCall := func(c *ast.CallExpr) (*ast.CallExpr, int) {
		f.errorf(c.Pos(), "cannot call %s with %s inside a function literal in a lowered async body: it may suspend, and a function literal cannot suspend the lowered body (only the body itself can); call it in the body, or make the literal an async function and await it", f.callName(c), x.Name)
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
			o := f.calledFunc(c.Fun)
			name := aioName(o)
			kind := -1
			if first {
				if _, ok := resumePoints[name]; ok {
					kind = kOp + sort.SearchStrings(resumeNames, name)
				}
				if _, ok := scopes[name]; ok && inLit == 0 {
					if !f.scopeCallback(c) {
						return nil, -1
					}
					kind = kScope
				}
				switch name {
				case "CreateTask":
					return nil, -1 // schedules a task: does not suspend
				case "AsCompleted":
					if inLit > 0 {
						return litCall(c)
					}
					if len(stack) >= 2 {
						if r, ok := stack[len(stack)-2].(*ast.RangeStmt); ok && ast.Unparen(r.X) == ast.Expr(c) {
							f.susp[c] = kAsCompleted
							return c, kAsCompleted
						}
					}
					f.errorf(c.Pos(), "cannot lower aio.AsCompleted here: a lowered async body iterates over it only as the range expression of a for loop (for f, err := range aio.AsCompleted(%s, fs))", x.Name)
					return nil, -1
				}
			}
			if kind >= 0 && inLit > 0 {
				return litCall(c)
			}
			if kind >= 0 {
				if sel, ok := ast.Unparen(c.Fun).(*ast.SelectorExpr); ok {
					if s := f.info.Selections[sel]; s != nil && len(s.Index()) > 1 {
						f.errorf(c.Pos(), "cannot lower %s called through an embedded field: call it on the field", f.callName(c))
						return nil, -1
					}
				}
			}
			if kind < 0 {
				if o != nil && o.Pkg() == f.pkg && f.noSuspend(o) {
					return nil, -1 // a helper that only reads the task
				}
				if inLit > 0 {
					return litCall(c)
				}
				if o != nil && o.Pkg() != nil && o.Pkg().Path() == aioPath {
					f.errorf(c.Pos(), "cannot lower %s yet: a lowered async body suspends only in the calls of aio that docs/rewrite.md lists, and this is not one (a callback that suspends, or a wait that is not lowered); await a direct-mode coroutine that calls it, or leave this function unannotated", f.callName(c))
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
	if inLit > 0 {
		f.errorf(x.Pos(), "cannot use %s this way inside a function literal in a lowered async body: there it may only have its methods called (Name, Cancel, Loop, ...) or be passed to aio.CreateTask or to a function of the package that does not suspend it; it must not escape the body", x.Name)
		return nil, -1
	}
	f.errorf(x.Pos(), "%s may only be passed to the calls of aio a lowered body can make (aio.Await, aio.Sleep, aio.CreateTask, Lock.Acquire, ...), or have its methods called, in a lowered async body: it must not escape the body", x.Name)
	return nil, -1
}

// scopeCallback checks the callback of a scope's call c, a function
// literal that the lowered body inlines, and marks it so; it reports
// whether it can be lowered.
func (f *fn) scopeCallback(c *ast.CallExpr) bool {
	lit, ok := ast.Unparen(c.Args[len(c.Args)-1]).(*ast.FuncLit)
	if !ok {
		f.errorf(c.Pos(), "cannot lower %s with a callback that is not a function literal: a lowered body inlines the callback of a scope, so it must be written in the call (func(s *aio.TimeoutScope) error { ... }); or await a direct-mode coroutine that makes the call", f.callName(c))
		return false
	}
	if c.Ellipsis.IsValid() {
		f.errorf(c.Pos(), "cannot lower this call of %s", f.callName(c))
		return false
	}
	f.inline[lit] = c
	return true
}

func (v asyncVocab) suspend(f *fn, call *ast.CallExpr, kind int) string {
	if kind == kScope {
		return v.scope(f, call)
	}
	f.npc++
	k := f.npc
	rp := resumeOf(kind)
	targs, err := v.typeArgs(f, call)
	if err != nil {
		f.errorf(call.Pos(), "cannot lower this call of %s: %v", f.callName(call), err)
	}
	st := f.temp(rp.temp, v.aio+"."+rp.typ+targs)
	if rp.typ == "Awaiter" {
		if mtype, margs, ok := f.reuseCall(call.Args[1]); ok {
			c := f.awaitKept(st, mtype, margs)
			f.stepPoint(st, k)
			f.emit("%s._agClear()", c)
			return st + "." + rp.result + "()"
		}
	}
	args := []string{"_agT"}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && f.info.Selections[sel] != nil {
		recv := f.expr(sel.X)
		if _, ptr := f.info.TypeOf(sel.X).Underlying().(*types.Pointer); !ptr {
			recv = "&" + recv // a method of *T called on an addressable T
		}
		args = append(args, recv)
	}
	for _, a := range call.Args[1:] {
		args = append(args, f.expr(a))
	}
	dots := ""
	if call.Ellipsis.IsValid() {
		dots = "..."
	}
	f.emit("%s.%s(%s%s)", st, rp.start, strings.Join(args, ", "), dots)
	f.stepPoint(st, k)
	return st + "." + rp.result + "()"
}

// scope lowers the call of a scope (Timeout, TimeoutAt, WithTaskGroup)
// and returns the text of its value: the block is entered through a field
// of its operation, the callback's parameter is a field, the callback's
// statements are lowered in place (its returns set its result and jump to
// the exit, see scopeReturn), and the block is exited with that result,
// at a resume point for a TaskGroup's wait. A panic (or the unwinding of
// Loop.Close) leaving the callback stops the block through the frame, as
// an iterator's loop is stopped, before the body's deferred calls run.
func (v asyncVocab) scope(f *fn, call *ast.CallExpr) string {
	name := aioName(f.calledFunc(call.Fun))
	sk := scopes[name]
	lit := ast.Unparen(call.Args[len(call.Args)-1]).(*ast.FuncLit)
	st := f.temp("sc", v.aio+"."+sk.typ)
	args := []string{"_agT"}
	for _, a := range call.Args[1 : len(call.Args)-1] {
		args = append(args, f.expr(a))
	}
	f.emit("%s.%s(%s)", st, sk.start, strings.Join(args, ", "))
	// The callback's parameter and its result.
	if ps := lit.Type.Params.List; len(ps) == 1 && len(ps[0].Names) == 1 && ps[0].Names[0].Name != "_" {
		fd := f.hoist(f.info.Defs[ps[0].Names[0]], true)
		if fd.ptr {
			f.emit("_agm.%s = new(%s)", fd.name, fd.typ)
		}
		f.emit("%s = %s.%s()", fd.ref(), st, sk.param)
	}
	sc := &inlineScope{exit: f.label("Exit"), base: len(f.targets)}
	if rs := lit.Type.Results.List; len(rs) == 1 && len(rs[0].Names) == 1 {
		if n := rs[0].Names[0]; n.Name != "_" {
			sc.named = f.info.Defs[n]
			fd := f.hoist(sc.named, true)
			if fd.ptr {
				f.emit("_agm.%s = new(%s)", fd.name, fd.typ)
			} else {
				f.emit("%s = nil", fd.ref())
			}
			sc.res = fd.ref()
		}
	}
	if sc.res == "" {
		sc.res = f.temp("se", "error") // every path to the exit sets it
	}
	// The block's Stop, registered once: once the block is over (or
	// before it is entered again) it does nothing.
	stop := f.temp("stop", "func(any)")
	f.closes = true
	f.emit("if %s == nil {\n%s = %s.Stop\n_agm._agf.Iterate(&%s)\n}", stop, stop, st, stop)
	if !hasReturn(lit.Body) {
		// Every path of the callback panics (or loops forever): its exit
		// and the code after the call are unreachable, which vet would
		// report of the lowered body but not of the source. A jump that
		// is never taken keeps them reachable to the eye.
		f.used[sc.exit] = true
		f.emit("if false {\ngoto %s\n}", sc.exit)
	}
	f.scopes = append(f.scopes, sc)
	if b, ok := f.dstOf(lit.Body).(*dst.BlockStmt); ok {
		f.comments(b.Decs.Lbrace)
	}
	f.stmts(lit.Body.List)
	f.scopes = f.scopes[:len(f.scopes)-1]
	f.trailAt = -1
	f.place(sc.exit)
	f.lineOf(&ast.Ident{NamePos: lit.Body.Rbrace}) // the exit is at the callback's end
	f.emit("%s.Exit(_agT, %s)", st, sc.res)
	if sk.exits {
		f.npc++
		k := f.npc
		f.stepPoint(st, k)
	}
	f.valueAt = len(f.code) - 1
	return st + ".Result()"
}

// hasReturn reports whether body holds a return statement of its own
// (not one of a function literal in it).
func hasReturn(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found = true
		}
		return !found
	})
	return found
}

// typeArgs is the type argument list of call's resume type: the
// instantiation of the function it calls, or its receiver's type
// arguments; "" if there are none.
func (v asyncVocab) typeArgs(f *fn, call *ast.CallExpr) (string, error) {
	var list *types.TypeList
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && f.info.Selections[sel] != nil {
		t := f.info.TypeOf(sel.X)
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok {
			list = n.TypeArgs()
		}
	} else {
		fun := ast.Unparen(call.Fun)
		switch x := fun.(type) {
		case *ast.IndexExpr:
			fun = x.X
		case *ast.IndexListExpr:
			fun = x.X
		}
		if id := calleeIdent(fun); id != nil {
			list = f.info.Instances[id].TypeArgs
		}
	}
	if list.Len() == 0 {
		return "", nil
	}
	var ts []string
	for i := 0; i < list.Len(); i++ {
		s, err := f.typeString(list.At(i))
		if err != nil {
			return "", err
		}
		ts = append(ts, s)
	}
	return "[" + strings.Join(ts, ", ") + "]", nil
}

// lowerRange lowers a range loop over aio.AsCompleted, whose iteration
// suspends: an aio.Completions field steps it at the top of each
// iteration (a resume point), and it is stopped where the loop ends, as
// a range-over-func loop's iterator is (breaks, returns and gotos out of
// the loop, panics and the loop's closing through the frame). It reports
// whether x is such a loop.
func (v asyncVocab) lowerRange(f *fn, x *ast.RangeStmt, label string) bool {
	c, ok := ast.Unparen(x.X).(*ast.CallExpr)
	if !ok || f.susp[c] != kAsCompleted {
		return false
	}
	targs, err := v.typeArgs(f, c)
	if err != nil || targs == "" {
		f.errorf(c.Pos(), "cannot lower this range over aio.AsCompleted: %v", err)
		return true
	}
	st := f.temp("ac", v.aio+".Completions"+targs)
	stop := f.temp("stop", "func(any)")
	f.closes = true
	f.emit("%s.Start(_agT, %s)", st, f.expr(c.Args[1]))
	f.emit("%s = %s.Stop", stop, st)
	f.emit("_agm._agf.Iterate(&%s)", stop)
	top := f.label("Top")
	f.used[top] = true
	f.loop(label, func(brk, cont string) {
		f.used[brk] = true
		f.targets[len(f.targets)-1].stop = stop
		f.targets[len(f.targets)-1].node = x
		f.place(top)
		f.npc++
		k := f.npc
		f.stepPoint(st, k)
		f.iteration(x, st+".Next()", 2, top, brk, cont, stop)
	})
	return true
}

func (asyncVocab) twoValued(kind int) bool { return kind >= kOp && resumeOf(kind).n > 1 }
func (asyncVocab) what() string            { return "async" }
func (v asyncVocab) frame(f *fn) string    { return fmt.Sprintf("%s.Frame[%s]", v.aio, f.rT) }

// constructor emits _agNew, which makes the coroutine object inside the
// machine's frame (aio.Frame.Coroutine): making a lowered coroutine
// allocates its machine alone.
func (v asyncVocab) constructor(f *fn, mname, targs string) string {
	reuse := ""
	if f.reusable(f.decl) {
		reuse = f.reuseMethods(mname, targs)
	}
	return reuse + fmt.Sprintf("\n// _agNew returns the coroutine that runs the machine (and refers to Step,\n// so that package initialisation sees the dependencies of the body).\nfunc (_agm *%s%s) _agNew() *%s.Coroutine[%s] {\n\t_ = (*%s%s).Step\n\treturn _agm._agf.Coroutine(_agm)\n}\n",
		mname, targs, v.aio, f.rT, mname, targs)
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
	}
	if ok, seen := fl.taskSafe[fn]; seen {
		return ok // false while it is being checked: recursion is not followed
	}
	fd := fl.declOf(fn)
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

// stepPoint emits resume point k of a resumable operation held in st: it
// steps st, and while the operation is suspended Step returns its
// waitable, to come back to label _agS<k> with the value or error thrown
// in.
func (f *fn) stepPoint(st string, k int) {
	f.emit("_agThrown = nil")
	l := fmt.Sprintf("_agS%d", k)
	f.place(l)
	f.used[l] = true
	f.emit("if _agw, _ags := %s.Step(_agT, _agThrown); _ags {\n_agW = _agw\n_agm._agpc = %d\nreturn\n}", st, k)
}
