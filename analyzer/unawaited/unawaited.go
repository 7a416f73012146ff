package unawaited

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/asyncgo/asyncgo/analyzer/internal/asyncctx"
	"github.com/asyncgo/asyncgo/analyzer/internal/fixgen"
)

// Analyzer reports coroutines, task handles and generators created and
// dropped.
var Analyzer = &analysis.Analyzer{
	Name:      "unawaited",
	Doc:       Doc,
	URL:       "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/unawaited",
	Requires:  []*analysis.Analyzer{inspect.Analyzer},
	Run:       run,
	FactTypes: []analysis.Fact{(*Reuses)(nil)},
}

// Reuses is the fact that a function returning a coroutine, task handle or
// generator may return an existing one (a field, a parameter, a package
// variable) rather than create it: dropping its result loses nothing.
type Reuses struct{}

// AFact marks Reuses as a fact.
func (*Reuses) AFact() {}

func (*Reuses) String() string { return "reuses" }

type kind int

const (
	none kind = iota
	coroutine
	task
	generator
)

// kindOf classifies t: *aio.Coroutine[R], *aio.Handle[R] or
// *coro.Generator[Y, S, R].
func kindOf(t types.Type) kind {
	if t == nil {
		return none
	}
	if _, ok := types.Unalias(t).(*types.Pointer); !ok {
		return none
	}
	switch {
	case asyncctx.IsNamed(t, asyncctx.AioPath, "Coroutine"):
		return coroutine
	case asyncctx.IsNamed(t, asyncctx.AioPath, "Handle"):
		return task
	case asyncctx.IsNamed(t, asyncctx.CoroPath, "Generator"):
		return generator
	}
	return none
}

type checker struct {
	pass   *analysis.Pass
	decls  map[*types.Func]*ast.FuncDecl
	reuses map[*types.Func]bool // computed for this package's functions
	busy   map[*types.Func]bool // being computed (recursion)
	stmtOK map[ast.Stmt]bool
}

func run(pass *analysis.Pass) (any, error) {
	c := &checker{
		pass:   pass,
		decls:  make(map[*types.Func]*ast.FuncDecl),
		reuses: make(map[*types.Func]bool),
		busy:   make(map[*types.Func]bool),
	}
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if obj, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					c.decls[obj] = fd
				}
			}
		}
	}
	for obj := range c.decls {
		if c.mayReuse(obj) {
			pass.ExportObjectFact(obj, &Reuses{})
		}
	}

	in := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	filter := []ast.Node{(*ast.ExprStmt)(nil), (*ast.AssignStmt)(nil), (*ast.ValueSpec)(nil), (*ast.GoStmt)(nil), (*ast.DeferStmt)(nil)}
	for cur := range in.Root().Preorder(filter...) {
		switch n := cur.Node().(type) {
		case *ast.ExprStmt:
			if call, ok := ast.Unparen(n.X).(*ast.CallExpr); ok {
				c.dropped(cur, call, n, "")
			}
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				continue
			}
			for i, l := range n.Lhs {
				if isBlank(l) {
					if call, ok := ast.Unparen(n.Rhs[i]).(*ast.CallExpr); ok {
						c.dropped(cur, call, nil, "assigned to _")
					}
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) != len(n.Values) {
				continue
			}
			for i, id := range n.Names {
				if id.Name == "_" {
					if call, ok := ast.Unparen(n.Values[i]).(*ast.CallExpr); ok {
						c.dropped(cur, call, nil, "assigned to _")
					}
				}
			}
		case *ast.GoStmt:
			c.dropped(cur, n.Call, nil, "go")
		case *ast.DeferStmt:
			c.dropped(cur, n.Call, nil, "defer")
		}
	}
	return nil, nil
}

func isBlank(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == "_"
}

// creates reports what call creates and drops if its result is dropped:
// a new coroutine, task or generator, or none.
func (c *checker) creates(call *ast.CallExpr) kind {
	info := c.pass.TypesInfo
	tv, ok := info.Types[call]
	if !ok || !tv.IsValue() {
		return none
	}
	k := kindOf(tv.Type)
	if k == none {
		return none
	}
	if ftv, ok := info.Types[call.Fun]; ok && ftv.IsType() {
		return none // a conversion
	}
	fn := asyncctx.Callee(info, call)
	if fn == nil {
		return k // a function value: a factory
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Results().Len() != 1 || kindOf(sig.Results().At(0).Type()) != k {
		return none // a generic result that happens to instantiate to k
	}
	if p, recv := asyncctx.RecvNamed(fn); p == asyncctx.AioPath || p == asyncctx.CoroPath {
		switch recv {
		case "Coroutine", "Handle", "Generator":
			return none // a method of the object itself (a builder returning it)
		case "TaskGroup":
			return none // the group keeps its tasks
		}
	}
	if k == task && inGroup(info, call) {
		return none
	}
	if c.reusesFn(fn) {
		return none
	}
	return k
}

// inGroup reports whether a task-creating call names a TaskGroup among its
// arguments (the group itself, or an option such as aio.InGroup(g)): the
// group keeps the task.
func inGroup(info *types.Info, call *ast.CallExpr) bool {
	found := false
	for _, a := range call.Args {
		ast.Inspect(a, func(n ast.Node) bool {
			if e, ok := n.(ast.Expr); ok && !found {
				if tv, ok := info.Types[e]; ok && tv.IsValue() && asyncctx.IsNamed(tv.Type, asyncctx.AioPath, "TaskGroup") {
					found = true
				}
			}
			_, lit := n.(*ast.FuncLit)
			return !found && !lit
		})
	}
	return found
}

// reusesFn reports whether fn may return an existing object.
func (c *checker) reusesFn(fn *types.Func) bool {
	if fn.Pkg() == c.pass.Pkg {
		if _, ok := c.decls[fn]; ok {
			return c.mayReuse(fn)
		}
		return false
	}
	if fn.Pkg() == nil {
		return false
	}
	var f Reuses
	return c.pass.ImportObjectFact(fn, &f)
}

// mayReuse reports whether the declared function fn, of this package, has a
// coroutine, task or generator result and may return one it did not create.
func (c *checker) mayReuse(fn *types.Func) bool {
	if r, done := c.reuses[fn]; done {
		return r
	}
	if c.busy[fn] {
		return false // recursion: decided by the other returns
	}
	decl := c.decls[fn]
	sig, _ := fn.Type().(*types.Signature)
	if decl == nil || sig == nil || sig.Results().Len() != 1 || kindOf(sig.Results().At(0).Type()) == none {
		c.reuses[fn] = false
		return false
	}
	c.busy[fn] = true
	reuse := false
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if reuse {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(n.Results) == 1 {
				reuse = !c.fresh(n.Results[0], decl, 0)
			} else if len(n.Results) == 0 {
				// A bare return of a named result.
				if res := decl.Type.Results; res != nil && len(res.List) == 1 && len(res.List[0].Names) == 1 {
					reuse = !c.fresh(res.List[0].Names[0], decl, 0)
				}
			}
		}
		return true
	})
	delete(c.busy, fn)
	c.reuses[fn] = reuse
	return reuse
}

// fresh reports whether e, returned from decl, is a newly created object
// (or nil): a call of a creating function, a composite literal, or a local
// variable only ever assigned such values.
func (c *checker) fresh(e ast.Expr, decl *ast.FuncDecl, depth int) bool {
	info := c.pass.TypesInfo
	e = ast.Unparen(e)
	if tv, ok := info.Types[e]; ok && tv.IsNil() {
		return true
	}
	switch e := e.(type) {
	case *ast.CompositeLit:
		return true
	case *ast.UnaryExpr:
		_, lit := ast.Unparen(e.X).(*ast.CompositeLit)
		return lit
	case *ast.CallExpr:
		if ftv, ok := info.Types[e.Fun]; ok && ftv.IsType() {
			return len(e.Args) == 1 && c.fresh(e.Args[0], decl, depth)
		}
		fn := asyncctx.Callee(info, e)
		return fn == nil || !c.reusesFn(fn)
	case *ast.Ident:
		v, ok := info.Uses[e].(*types.Var)
		if !ok {
			v, ok = info.Defs[e].(*types.Var)
		}
		if !ok || depth > 3 || v.Pkg() != c.pass.Pkg || v.Parent() == nil || !within(v.Pos(), decl) || isParam(v, decl) {
			return false
		}
		return c.assignsFresh(v, decl, depth+1)
	}
	return false
}

func within(pos token.Pos, decl *ast.FuncDecl) bool {
	return decl.Pos() <= pos && pos < decl.End()
}

// isParam reports whether v is a parameter or receiver of decl (a named
// result is a local).
func isParam(v *types.Var, decl *ast.FuncDecl) bool {
	lists := []*ast.FieldList{decl.Recv, decl.Type.Params}
	for _, l := range lists {
		if l == nil {
			continue
		}
		for _, f := range l.List {
			for _, id := range f.Names {
				if id.Pos() == v.Pos() {
					return true
				}
			}
		}
	}
	return false
}

// assignsFresh reports whether every value assigned to the local v in decl
// is fresh, and its address is never taken.
func (c *checker) assignsFresh(v *types.Var, decl *ast.FuncDecl, depth int) bool {
	info := c.pass.TypesInfo
	ok := true
	is := func(id ast.Expr) bool {
		x, isID := ast.Unparen(id).(*ast.Ident)
		return isID && (info.Defs[x] == v || info.Uses[x] == v)
	}
	ast.Inspect(decl.Body, func(n ast.Node) bool {
		if !ok {
			return false
		}
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, l := range n.Lhs {
				if !is(l) {
					continue
				}
				if len(n.Lhs) != len(n.Rhs) || !c.fresh(n.Rhs[i], decl, depth) {
					ok = false
				}
			}
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if !is(id) {
					continue
				}
				if len(n.Values) != 0 && (len(n.Values) != len(n.Names) || !c.fresh(n.Values[i], decl, depth)) {
					ok = false
				}
			}
		case *ast.RangeStmt:
			if (n.Key != nil && is(n.Key)) || (n.Value != nil && is(n.Value)) {
				ok = false
			}
		case *ast.UnaryExpr:
			if is(n.X) {
				ok = false // &v: assigned elsewhere
			}
		}
		return true
	})
	return ok
}

// dropped reports call if it creates an object that its statement drops.
// stmt is the expression statement made of call (for fixes), how says how
// it is dropped otherwise ("assigned to _", "go", "defer").
func (c *checker) dropped(cur inspector.Cursor, call *ast.CallExpr, stmt *ast.ExprStmt, how string) {
	k := c.creates(call)
	if k == none {
		return
	}
	name := callName(call)
	var msg string
	switch k {
	case coroutine:
		switch how {
		case "go", "defer":
			msg = fmt.Sprintf("%s %s only creates a coroutine, which is dropped and never runs: schedule it with aio.CreateTask or await it", how, name)
		default:
			msg = fmt.Sprintf("coroutine %s is never awaited: it is created and dropped, so it never runs (await it with aio.Await, schedule it with aio.CreateTask, or return it)", name)
		}
	case task:
		msg = fmt.Sprintf("the task handle returned by %s is dropped: keep it to await or cancel the task and see its error, or create the task in a TaskGroup", name)
	case generator:
		switch how {
		case "go", "defer":
			msg = fmt.Sprintf("%s %s only creates a generator, which is dropped and never runs", how, name)
		default:
			msg = fmt.Sprintf("generator %s is created and dropped: its body never runs (iterate it with All or Next, or remove the call)", name)
		}
	}
	d := analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Category: "unawaited", Message: msg}
	if k == coroutine && stmt != nil {
		if fix, ok := c.awaitFix(cur, call, stmt); ok {
			d.SuggestedFixes = []analysis.SuggestedFix{fix}
		}
	}
	c.pass.Report(d)
}

// callName describes call for messages: F(), aio.Async(...), s.Run(...).
func callName(call *ast.CallExpr) string {
	fun := call.Fun
	if _, ok := ast.Unparen(fun).(*ast.FuncLit); ok {
		return "func(){...}()"
	}
	args := "()"
	if len(call.Args) > 0 {
		args = "(...)"
	}
	return types.ExprString(fun) + args
}

// awaitFix wraps the dropped coroutine of stmt in aio.Await, when the
// innermost enclosing function has a *aio.Task.
func (c *checker) awaitFix(cur inspector.Cursor, call *ast.CallExpr, stmt *ast.ExprStmt) (analysis.SuggestedFix, bool) {
	var none analysis.SuggestedFix
	info, pkg := c.pass.TypesInfo, c.pass.Pkg
	var sig *types.Signature
	for enc := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		switch f := enc.Node().(type) {
		case *ast.FuncDecl:
			if obj, ok := info.Defs[f.Name].(*types.Func); ok {
				sig, _ = obj.Type().(*types.Signature)
			}
		case *ast.FuncLit:
			sig, _ = info.Types[f].Type.(*types.Signature)
		}
		break
	}
	file := fixgen.FileOf(c.pass.Files, call.Pos())
	if sig == nil || file == nil {
		return none, false
	}
	t := asyncctx.TaskInScope(pkg, call.Pos(), sig)
	aioName := fixgen.ImportName(info, file, asyncctx.AioPath)
	if t == nil || aioName == "" || !fixgen.PkgNameAt(pkg, aioName, asyncctx.AioPath, call.Pos()) {
		return none, false
	}
	src := fixgen.Source(c.pass.Fset, call)
	if src == "" {
		return none, false
	}
	q := fixgen.NewQualifier(info, pkg, file)
	var text string
	if ret, ok := q.ErrReturn(sig); ok && c.inStmtList(stmt) {
		text = fmt.Sprintf("if _, err := %s.Await(%s, %s); err != nil {\n%s\n}", aioName, t.Name(), src, ret)
	} else {
		text = fmt.Sprintf("%s.Await(%s, %s)", aioName, t.Name(), src)
	}
	return analysis.SuggestedFix{
		Message:   "Await the coroutine",
		TextEdits: []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(), NewText: []byte(text)}},
	}, true
}

func (c *checker) inStmtList(s ast.Stmt) bool {
	if c.stmtOK == nil {
		c.stmtOK = fixgen.StmtLists(c.pass.Files)
	}
	return c.stmtOK[s]
}
