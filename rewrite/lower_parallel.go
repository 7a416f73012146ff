package rewrite

// The executor markers (docs/parallel.md): //asyncgo:parallel on a
// function (lelo's @parallel) registers the function's body for worker
// processes and submits each call to the parallel executor; on a for
// range loop (python-parallelize) it runs the loop's work on the executor
// and the rest of its body in iteration order, through range-over-func.

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"
	"regexp"
	"strconv"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/dstutil"
)

// ParallelAnnotation marks a function whose calls run on an executor, or
// a for range loop whose iterations do.
const ParallelAnnotation = "//asyncgo:parallel"

const futuresPath = "github.com/asyncgo/asyncgo/runtime/futures"

// linePlaceholder is a comment that generate turns into a //line
// directive at the start of its line once the file is printed (dst
// indents the comments inside function bodies; a directive must start
// its line).
const linePlaceholder = "//_agline:"

var linePlaceholderRE = regexp.MustCompile(`(?m)^[ \t]*//_agline:([0-9]+)$`)

// placeLineDirectives turns the line placeholders of the printed file out
// into //line directives naming base.
func placeLineDirectives(out []byte, base string) []byte {
	return linePlaceholderRE.ReplaceAll(out, []byte("//line "+base+":$1"))
}

func isParallelAnnotation(c string) bool { return strings.TrimSpace(c) == ParallelAnnotation }

// parallelFunc reports whether fd's doc comment holds the parallel
// annotation.
func parallelFunc(fd *ast.FuncDecl) bool {
	if fd.Doc == nil {
		return false
	}
	for _, c := range fd.Doc.List {
		if isParallelAnnotation(c.Text) {
			return true
		}
	}
	return false
}

// placeholderLine is the placeholder directive for the source line of p.
func (fl *fileLowerer) placeholderLine(p token.Pos) string {
	return linePlaceholder + strconv.Itoa(fl.fset.Position(p).Line+fl.lineDelta)
}

// lowerParallelFunc lowers an //asyncgo:parallel function, whose body is
// `return futures.Parallel(func(ctx context.Context) (R, error) { ... })`,
// into a call of a registered Func's Parallel: the body becomes a
// function of the package registered under the function's full name, so
// that a ProcessPool's workers (the same binary) can run it.
func (fl *fileLowerer) lowerParallelFunc(fd *ast.FuncDecl) {
	defer fl.recoverAt(fd.Pos(), fd.Name.Name+": cannot lower this parallel function")
	for _, c := range fd.Doc.List {
		if isAnnotation(c.Text) {
			fl.usedAnnot[c] = true
			if !isParallelAnnotation(c.Text) {
				fl.errorf(c.Pos(), "%s: %s and %s cannot annotate the same function", fd.Name.Name, strings.TrimSpace(c.Text), ParallelAnnotation)
				return
			}
		}
	}
	name := fd.Name.Name
	switch {
	case fd.Recv != nil:
		fl.errorf(fd.Pos(), "%s: %s applies to functions, not methods: a method's receiver would have to travel to a worker process; make it a function taking the receiver as a parameter, or call futures.Parallel without the annotation", name, ParallelAnnotation)
		return
	case fd.Type.TypeParams != nil:
		fl.errorf(fd.Pos(), "%s: %s applies to functions without type parameters: a generic function cannot be registered for worker processes under one name; call futures.Parallel without the annotation", name, ParallelAnnotation)
		return
	}
	lit, targs := fl.bodyForm(fd, func(e ast.Expr) bool { return fl.isPkgFunc(e, futuresPath, "Parallel") }, 2, 1)
	if lit == nil {
		fl.errorf(fd.Pos(), "%s: a parallel function's body must be a single `return futures.Parallel(func(ctx context.Context) (R, error) { ... })`", name)
		return
	}
	// What travels to a worker process must be encodable with gob.
	var fields, args, call []string
	var params []string // the body function's parameters
	litCtx := "_"
	if p := lit.Type.Params.List[0]; len(p.Names) == 1 {
		litCtx = p.Names[0].Name
	}
	shadowed := map[string]bool{litCtx: true} // the literal's names, which hide the function's in the body
	for _, r := range lit.Type.Results.List {
		for _, n := range r.Names {
			shadowed[n.Name] = true
		}
	}
	for _, p := range fd.Type.Params.List {
		t := fl.info.TypeOf(p.Type)
		if why := notGobbable(t); why != "" {
			fl.errorf(p.Type.Pos(), "%s: the parameter type %s %s, so a call could not travel to a worker process; call futures.Parallel without the annotation", name, fl.text(p.Type), why)
			return
		}
		ftype, ptype := fl.text(p.Type), fl.text(p.Type)
		if el, ok := p.Type.(*ast.Ellipsis); ok {
			ftype = "[]" + fl.text(el.Elt)
		}
		for _, n := range p.Names {
			if n.Name == "_" {
				continue // unused by the body: it need not travel
			}
			field := fmt.Sprintf("A%d", len(fields))
			fields = append(fields, field+" "+ftype)
			args = append(args, field+": "+n.Name)
			pname := n.Name
			if shadowed[pname] {
				pname = "_" // hidden by the literal's own name in the body
			}
			params = append(params, pname+" "+ptype)
			_, variadic := p.Type.(*ast.Ellipsis)
			call = append(call, fmt.Sprintf("_agA.%s%s", field, map[bool]string{true: "..."}[variadic]))
		}
	}
	if why := notGobbable(targs.At(0)); why != "" {
		fl.errorf(lit.Type.Results.List[0].Type.Pos(), "%s: the result type %s %s, so a result could not travel back from a worker process; call futures.Parallel without the annotation", name, fl.text(lit.Type.Results.List[0].Type), why)
		return
	}
	fut := fl.pkgName(futuresPath, "futures")
	reg, argsT, bodyF := pfx+"Par"+name, pfx+"Par"+name+"Args", pfx+"Par"+name+"Body"
	body, err := printDst(fl.dstOf(lit.Body))
	if err != nil {
		fl.errorf(fd.Pos(), "%s: internal error: %v", name, err)
		return
	}
	ctxType := fl.text(lit.Type.Params.List[0].Type)
	var m strings.Builder
	fmt.Fprintf(&m, "\n// %s is %s's body, registered for worker processes (%s).\n", reg, name, ParallelAnnotation)
	fmt.Fprintf(&m, "var %s = %s.Register(%q, func(ctx %s, _agA %s) %s {\n\treturn %s(%s)\n})\n",
		reg, fut, fl.pkg.Path()+"."+name, ctxType, argsT, fl.text(lit.Type.Results), bodyF, strings.Join(append([]string{"ctx"}, call...), ", "))
	fmt.Fprintf(&m, "\n// %s holds the arguments of a call of %s.\ntype %s struct {\n", argsT, name, argsT)
	for _, f := range fields {
		fmt.Fprintf(&m, "\t%s\n", f)
	}
	m.WriteString("}\n")
	fmt.Fprintf(&m, "\nfunc %s(%s %s%s) %s ", bodyF, litCtx, ctxType, strings.Join(prepend(", ", params), ""), fl.text(lit.Type.Results))
	inner := strings.TrimPrefix(strings.TrimPrefix(body, "{"), "\n")
	inner = strings.TrimRight(strings.TrimSuffix(strings.TrimRight(inner, " \t\n"), "}"), " \t\n")
	fmt.Fprintf(&m, "{\n//line %s:%d\n%s\n}\n", fl.baseName(), fl.fset.Position(lit.Body.Lbrace).Line+1+fl.lineDelta, inner)
	newBody := fmt.Sprintf("{\n\treturn %s.Parallel(%s{%s})\n}", reg, argsT, strings.Join(args, ", "))
	fl.funcs = append(fl.funcs, &loweredFunc{decl: fd, newBody: newBody, machine: m.String()})
}

// recoverAt turns a panic of the rewriter's into an error at p: a bug
// must not crash the CLI, and nothing is written.
func (fl *fileLowerer) recoverAt(p token.Pos, what string) {
	if r := recover(); r != nil {
		fl.errorf(p, "%s: internal error (a bug in asyncgo rewrite%s; please report it): %v", what, panicSite(), r)
	}
}

func prepend(sep string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = sep + x
	}
	return out
}

func (fl *fileLowerer) baseName() string {
	n := fl.name
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	return n
}

// notGobbable says why gob cannot encode values of t (channels,
// functions, unsafe pointers anywhere in it), or is empty.
func notGobbable(t types.Type) string {
	why := ""
	seen := map[types.Type]bool{}
	var walk func(t types.Type)
	walk = func(t types.Type) {
		if why != "" || seen[t] {
			return
		}
		seen[t] = true
		switch u := t.Underlying().(type) {
		case *types.Chan:
			why = "holds a channel"
		case *types.Signature:
			why = "holds a function"
		case *types.Basic:
			if u.Kind() == types.UnsafePointer {
				why = "holds an unsafe.Pointer"
			}
		case *types.Pointer:
			walk(u.Elem())
		case *types.Slice:
			walk(u.Elem())
		case *types.Array:
			walk(u.Elem())
		case *types.Map:
			walk(u.Key())
			walk(u.Elem())
		case *types.Struct:
			for i := range u.NumFields() {
				if f := u.Field(i); f.Exported() {
					walk(f.Type())
				}
			}
		}
	}
	walk(t)
	return why
}

// The parallel loop.

// rangeKind is what a parallel loop ranges over.
type rangeKind int

const (
	rangeSlice rangeKind = iota
	rangeMap
	rangeInt
	rangeChan
)

var rangeHelper = [...]string{rangeSlice: "ParallelSlice", rangeMap: "ParallelMap", rangeInt: "ParallelInt", rangeChan: "ParallelChan"}

// lowerParallelLoops lowers the for range loops annotated
// //asyncgo:parallel in the file and returns how many it lowered. Each is
// rewritten in place in the file's dst tree.
func (fl *fileLowerer) lowerParallelLoops() int {
	f := fl.file
	// The statement starting on each line, outermost first.
	stmtAt := map[int]ast.Stmt{}
	ast.Inspect(f, func(n ast.Node) bool {
		if s, ok := n.(ast.Stmt); ok {
			if l := fl.fset.Position(s.Pos()).Line; stmtAt[l] == nil {
				stmtAt[l] = s
			}
		}
		return true
	})
	var loops []*ast.RangeStmt
	labels := map[*ast.RangeStmt]*ast.LabeledStmt{}
	tf := fl.fset.File(f.Pos())
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, linePlaceholder) {
				fl.errorf(c.Pos(), "comments starting with %s are reserved for asyncgo rewrite", linePlaceholder)
			}
			if !isParallelAnnotation(c.Text) || fl.usedAnnot[c] || fl.inFuncDoc(cg) {
				continue
			}
			fl.usedAnnot[c] = true
			off := tf.Offset(c.Pos())
			lineStart := bytes.LastIndexByte(fl.src[:off], '\n') + 1
			if len(bytes.TrimSpace(fl.src[lineStart:off])) > 0 {
				fl.errorf(c.Pos(), "%s must be on a line of its own, right before the for … range statement", ParallelAnnotation)
				continue
			}
			s := stmtAt[fl.fset.Position(cg.End()).Line+1]
			lab, _ := s.(*ast.LabeledStmt)
			if lab != nil {
				s = lab.Stmt
			}
			switch s := s.(type) {
			case *ast.RangeStmt:
				loops = append(loops, s)
				labels[s] = lab
			case *ast.ForStmt:
				fl.errorf(s.Pos(), "%s: a parallel loop must be a for … range loop over a slice, map, integer or channel, not a three-clause for loop", ParallelAnnotation)
			default:
				fl.errorf(c.Pos(), "%s must be in the doc comment of a function declaration or on the line right before a for … range statement", ParallelAnnotation)
			}
		}
	}
	n := 0
	for _, rs := range loops {
		nerr := len(fl.errs)
		fl.lowerParallelLoop(rs, labels[rs])
		if len(fl.errs) == nerr {
			n++
		}
	}
	return n
}

// inFuncDoc reports whether cg is the doc comment of a function
// declaration.
func (fl *fileLowerer) inFuncDoc(cg *ast.CommentGroup) bool {
	for _, d := range fl.file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Doc == cg {
			return true
		}
	}
	return false
}

// parLoop is one parallel loop being checked and lowered.
type parLoop struct {
	fl        *fileLowerer
	rs        *ast.RangeStmt
	kind      rangeKind
	key, val  *types.Var // the loop's variables, nil if absent or _
	work      *ast.AssignStmt
	results   []*types.Var // the variables the work defines, nil for _
	workReads map[*types.Var]bool
	rangeRoot *types.Var // the ranged slice or map variable
	inside    func(p token.Pos) bool
}

func (fl *fileLowerer) lowerParallelLoop(rs *ast.RangeStmt, lab *ast.LabeledStmt) {
	defer fl.recoverAt(rs.Pos(), ParallelAnnotation+": cannot lower this loop")
	p := &parLoop{fl: fl, rs: rs, workReads: map[*types.Var]bool{}}
	p.inside = func(pos token.Pos) bool { return pos >= rs.Pos() && pos < rs.End() }
	if v := fl.goVersion(); v != "" && version.Compare(v, "go1.23") < 0 {
		fl.errorf(rs.Pos(), "%s: a parallel loop is lowered into a range-over-func loop, which needs Go 1.23; this file is compiled as %s (go.mod's go line or a //go:build line)", ParallelAnnotation, v)
		return
	}
	if fd := fl.enclosingDecl(rs); fd != nil && annotated(fd) && !parallelFunc(fd) {
		fl.errorf(rs.Pos(), "%s: a parallel loop inside the lowered body of %s is not supported (the work would run outside the generator or task)", ParallelAnnotation, fd.Name.Name)
		return
	}
	t := fl.info.TypeOf(rs.X)
	switch u := t.Underlying().(type) {
	case *types.Slice:
		p.kind = rangeSlice
	case *types.Map:
		p.kind = rangeMap
	case *types.Chan:
		p.kind = rangeChan
		if u.Dir() == types.SendOnly {
			fl.errorf(rs.X.Pos(), "%s: cannot range over a send-only channel", ParallelAnnotation)
			return
		}
	case *types.Basic:
		if u.Info()&types.IsInteger == 0 {
			fl.errorf(rs.X.Pos(), "%s: a parallel loop ranges over a slice, map, integer or channel, not %s", ParallelAnnotation, t)
			return
		}
		p.kind = rangeInt
	default:
		fl.errorf(rs.X.Pos(), "%s: a parallel loop ranges over a slice, map, integer or channel, not %s", ParallelAnnotation, t)
		return
	}
	if rs.Tok == token.ASSIGN {
		fl.errorf(rs.Pos(), "%s: the loop must declare its variables (for k, v := range ...): assigning variables declared outside it would race", ParallelAnnotation)
		return
	}
	p.key, p.val = fl.loopVar(rs.Key), fl.loopVar(rs.Value)
	if len(rs.Body.List) == 0 {
		fl.errorf(rs.Body.Pos(), "%s: the loop body must start with the work, `v := work(...)` or `v, err := work(...)`", ParallelAnnotation)
		return
	}
	work, ok := rs.Body.List[0].(*ast.AssignStmt)
	if !ok || work.Tok != token.DEFINE {
		fl.errorf(rs.Body.List[0].Pos(), "%s: the loop body must start with the work, `v := work(...)` or `v, err := work(...)`, whose right side runs on the executor; the statements after it run in iteration order", ParallelAnnotation)
		return
	}
	p.work = work
	for _, l := range work.Lhs {
		v, _ := fl.info.Defs[l.(*ast.Ident)].(*types.Var)
		p.results = append(p.results, v)
	}
	if p.kind == rangeSlice || p.kind == rangeMap {
		p.rangeRoot = p.captured(rootVar(fl.info, rs.X))
	}
	nerr := len(fl.errs)
	p.checkWork()
	p.checkBody(lab)
	if len(fl.errs) > nerr {
		return
	}
	p.lower(lab)
}

// goVersion is the Go version the file is compiled with, or "".
func (fl *fileLowerer) goVersion() string {
	if v := fl.info.FileVersions[fl.file]; v != "" {
		return v
	}
	return fl.pkg.GoVersion()
}

// enclosingDecl is the function declaration holding n.
func (fl *fileLowerer) enclosingDecl(n ast.Node) *ast.FuncDecl {
	for _, d := range fl.file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Pos() <= n.Pos() && n.End() <= fd.End() {
			return fd
		}
	}
	return nil
}

func (fl *fileLowerer) loopVar(e ast.Expr) *types.Var {
	id, ok := e.(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	v, _ := fl.info.Defs[id].(*types.Var)
	return v
}

// rootVar is the variable an expression that designates a location is
// rooted at: x in x, x.f, x[i], x[i:j], *x, (x); nil if none.
func rootVar(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.SelectorExpr:
			if sel := info.Selections[x]; sel != nil {
				e = x.X
				continue
			}
			v, _ := info.Uses[x.Sel].(*types.Var) // a package's variable
			return v
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.SliceExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.Ident:
			v, _ := info.ObjectOf(x).(*types.Var)
			return v
		default:
			return nil
		}
	}
}

// captured is v if it is a variable declared outside the loop.
func (p *parLoop) captured(v *types.Var) *types.Var {
	if v == nil || v.IsField() || p.inside(v.Pos()) {
		return nil
	}
	return v
}

// writes calls w for each write that n makes to a variable, with the
// location written and what the write is: assignments, ++ and --, taking
// an address, methods with pointer receivers called on addressable
// values (sync's and sync/atomic's types excepted: they are made for
// concurrent use), builtins that change their first argument, channel
// operations.
func (fl *fileLowerer) writes(n ast.Node, w func(at ast.Expr, what string)) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				if id, ok := l.(*ast.Ident); ok && x.Tok == token.DEFINE && fl.info.Defs[id] != nil {
					continue
				}
				w(l, "assigns")
			}
		case *ast.IncDecStmt:
			w(x.X, "assigns")
		case *ast.RangeStmt:
			if x.Tok == token.ASSIGN {
				for _, l := range []ast.Expr{x.Key, x.Value} {
					if l != nil {
						w(l, "assigns")
					}
				}
			}
		case *ast.UnaryExpr:
			switch x.Op {
			case token.AND:
				w(x.X, "takes the address of")
			case token.ARROW:
				w(x.X, "receives from")
			}
		case *ast.SendStmt:
			w(x.Chan, "sends to")
		case *ast.CallExpr:
			if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok && len(x.Args) > 0 {
				if b, ok := fl.info.Uses[id].(*types.Builtin); ok {
					switch b.Name() {
					case "append", "copy", "delete", "clear", "close":
						w(x.Args[0], "changes (with "+b.Name()+")")
					}
				}
			}
			sel, ok := ast.Unparen(x.Fun).(*ast.SelectorExpr)
			if !ok {
				return true
			}
			s := fl.info.Selections[sel]
			if s == nil || s.Kind() != types.MethodVal {
				return true
			}
			recv := s.Obj().(*types.Func).Type().(*types.Signature).Recv()
			if _, ptr := recv.Type().(*types.Pointer); !ptr {
				return true
			}
			if _, isPtr := fl.info.TypeOf(sel.X).Underlying().(*types.Pointer); isPtr {
				return true // through a pointer: the variable itself is not written
			}
			if pkg := s.Obj().Pkg(); pkg != nil && (pkg.Path() == "sync" || pkg.Path() == "sync/atomic") {
				return true
			}
			w(sel.X, "calls the pointer method "+sel.Sel.Name+" on")
		}
		return true
	})
}

// checkWork rejects a work that writes variables declared outside the
// loop or uses a generator's or task's handle: works run at the same
// time, on other goroutines, in any order.
func (p *parLoop) checkWork() {
	fl := p.fl
	for _, e := range p.work.Rhs {
		fl.writes(e, func(at ast.Expr, what string) {
			if v := p.captured(rootVar(fl.info, at)); v != nil {
				fl.errorf(at.Pos(), "%s: the work %s %s, declared outside the loop: works run at the same time on other goroutines; do it after the work, in the loop body, which runs in iteration order", ParallelAnnotation, what, v.Name())
			}
		})
		ast.Inspect(e, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			o := fl.info.ObjectOf(id)
			v, ok := o.(*types.Var)
			if !ok {
				return true
			}
			if fl.isHandle(v.Type()) {
				fl.errorf(id.Pos(), "%s: the work uses %s, a generator's or task's handle, which only its own goroutine may use; the work runs on another", ParallelAnnotation, id.Name)
			}
			if c := p.captured(v); c != nil {
				p.workReads[c] = true
			}
			return true
		})
	}
}

// isHandle reports whether t is *coro.Co[...] or *aio.Task.
func (fl *fileLowerer) isHandle(t types.Type) bool {
	if fl.isTaskType(t) {
		return true
	}
	pt, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := types.Unalias(pt.Elem()).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == coroPath && n.Obj().Name() == "Co"
}

// checkBody rejects, in the statements after the work, the writes that
// later iterations' works (already running) would miss: to a variable a
// work reads, or to the ranged slice or map; and, for a channel, leaving
// the loop early, which would drop the values received ahead.
func (p *parLoop) checkBody(lab *ast.LabeledStmt) {
	fl := p.fl
	for _, s := range p.rs.Body.List[1:] {
		fl.writes(s, func(at ast.Expr, what string) {
			v := rootVar(fl.info, at)
			switch {
			case v == nil:
			case p.workReads[v]:
				fl.errorf(at.Pos(), "%s: the loop body %s %s, which the work reads: the works of later iterations run before this body, in parallel, and would not see it", ParallelAnnotation, what, v.Name())
			case v == p.rangeRoot:
				fl.errorf(at.Pos(), "%s: the loop body %s %s, the ranged %s: later iterations are read before this body runs", ParallelAnnotation, what, v.Name(), map[rangeKind]string{rangeSlice: "slice", rangeMap: "map"}[p.kind])
			}
		})
	}
	if p.kind != rangeChan {
		return
	}
	bad := func(n ast.Node, what string) {
		fl.errorf(n.Pos(), "%s: %s leaves a parallel loop over a channel early, which would drop the values already received for the iterations after it; record what you need and let the loop drain the channel", ParallelAnnotation, what)
	}
	var walk func(n ast.Node, breakable int)
	walk = func(n ast.Node, breakable int) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				bad(x, "return")
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if n != ast.Node(p.rs) {
					switch y := x.(type) {
					case *ast.ForStmt:
						walk(y.Body, breakable+1)
					case *ast.RangeStmt:
						walk(y.Body, breakable+1)
					case *ast.SwitchStmt:
						walk(y.Body, breakable+1)
					case *ast.TypeSwitchStmt:
						walk(y.Body, breakable+1)
					case *ast.SelectStmt:
						walk(y.Body, breakable+1)
					}
					return false
				}
			case *ast.BranchStmt:
				switch {
				case x.Tok == token.GOTO:
					if l, ok := fl.info.Uses[x.Label].(*types.Label); ok && !p.inside(l.Pos()) {
						bad(x, "goto "+x.Label.Name)
					}
				case x.Label != nil:
					l, _ := fl.info.Uses[x.Label].(*types.Label)
					if l != nil && !p.inside(l.Pos()) && (lab == nil || l.Pos() != lab.Label.Pos() || x.Tok == token.BREAK) {
						bad(x, x.Tok.String()+" "+x.Label.Name)
					}
				case x.Tok == token.BREAK && breakable == 0:
					bad(x, "break")
				}
			}
			return true
		})
	}
	for _, s := range p.rs.Body.List[1:] {
		walk(s, 0)
	}
}

// loopTypeString spells t at the loop, where the types declared in the
// enclosing functions are in scope too.
func (p *parLoop) loopTypeString(t types.Type) (string, error) {
	fl := p.fl
	var bad error
	s := types.TypeString(t, func(pk *types.Package) string {
		if pk == fl.pkg {
			return ""
		}
		return fl.pkgName(pk.Path(), pk.Name())
	})
	scope := fl.pkg.Scope().Innermost(p.rs.Pos())
	walkNamed(t, map[types.Type]bool{}, func(n *types.Named) {
		o := n.Obj()
		if o.Pkg() != nil && o.Pkg() != fl.pkg && !o.Exported() {
			bad = fmt.Errorf("its type %s is not exported by %s", o.Name(), o.Pkg().Path())
		}
		if o.Pkg() == fl.pkg && o.Parent() != fl.pkg.Scope() && scope != nil {
			if _, found := scope.LookupParent(o.Name(), p.rs.Pos()); found != o {
				bad = fmt.Errorf("its type %s is not in scope at the loop", o.Name())
			}
		}
	})
	return s, bad
}

// usedIn reports whether v is used in the statements ss.
func (fl *fileLowerer) usedIn(v *types.Var, ss []ast.Stmt) bool {
	if v == nil {
		return false
	}
	used := false
	for _, s := range ss {
		ast.Inspect(s, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && fl.info.Uses[id] == v {
				used = true
			}
			return !used
		})
	}
	return used
}

// lower rewrites the loop in the file's dst tree:
//
//	for k, _agIn := range futures.ParallelSlice(futures.ParallelExecutor(), xs, func(k int, x E) (_agOut struct{ ... }) {
//		v, err := work(x)
//		_agOut.v, _agOut.err = v, err
//		return
//	}) {
//		v, err := _agIn.v, _agIn.err
//		... the rest of the body ...
//	}
func (p *parLoop) lower(lab *ast.LabeledStmt) {
	fl := p.fl
	rs := p.rs
	rest := rs.Body.List[1:]
	fut := fl.pkgName(futuresPath, "futures")
	tstr := func(t types.Type, at ast.Node) (string, bool) {
		s, err := p.loopTypeString(t)
		if err != nil {
			fl.errorf(at.Pos(), "%s: cannot lower this loop: %v", ParallelAnnotation, err)
			return "", false
		}
		return s, true
	}
	name := func(v *types.Var) string {
		if v == nil {
			return "_"
		}
		return v.Name()
	}
	// The work's parameters: the loop's variables.
	var params []string
	kt := fl.info.TypeOf(rs.X)
	switch p.kind {
	case rangeSlice, rangeMap:
		var keyT, valT types.Type
		if p.kind == rangeSlice {
			keyT, valT = types.Typ[types.Int], kt.Underlying().(*types.Slice).Elem()
		} else {
			m := kt.Underlying().(*types.Map)
			keyT, valT = m.Key(), m.Elem()
		}
		ks, ok1 := tstr(keyT, rs.X)
		vs, ok2 := tstr(valT, rs.X)
		if !ok1 || !ok2 {
			return
		}
		params = []string{name(p.key) + " " + ks, name(p.val) + " " + vs}
	case rangeInt:
		it := kt
		if p.key != nil {
			it = p.key.Type()
		} else if b, ok := kt.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 {
			it = types.Typ[types.Int]
		}
		is, ok := tstr(it, rs.X)
		if !ok {
			return
		}
		params = []string{name(p.key) + " " + is}
	case rangeChan:
		es, ok := tstr(kt.Underlying().(*types.Chan).Elem(), rs.X)
		if !ok {
			return
		}
		params = []string{name(p.key) + " " + es}
	}
	// The result: the work's variables, and the loop's value when the
	// rest of the body uses it (the key comes as the iterator's key).
	var fields, outs, ins, names []string
	if p.kind == rangeSlice || p.kind == rangeMap {
		if fl.usedIn(p.val, rest) {
			vs, _ := tstr(p.val.Type(), rs.X)
			fields = append(fields, pfx+"V "+vs)
			names = append(names, p.val.Name())
			ins = append(ins, "_agIn."+pfx+"V")
		}
	}
	var assignL, assignR []string
	for _, v := range p.results {
		if v == nil {
			continue
		}
		ts, ok := tstr(v.Type(), p.work)
		if !ok {
			return
		}
		fields = append(fields, v.Name()+" "+ts)
		assignL = append(assignL, "_agOut."+v.Name())
		assignR = append(assignR, v.Name())
		names = append(names, v.Name())
		ins = append(ins, "_agIn."+v.Name())
	}
	if p.kind == rangeSlice || p.kind == rangeMap {
		if fl.usedIn(p.val, rest) {
			outs = append(outs, "_agOut."+pfx+"V = "+p.val.Name())
		}
	}
	if len(assignL) > 0 {
		outs = append(outs, strings.Join(assignL, ", ")+" = "+strings.Join(assignR, ", "))
	}
	key := "_"
	if fl.usedIn(p.key, rest) {
		key = p.key.Name()
	}
	var src strings.Builder
	// The work declares its results as the loop body did, in a scope of
	// their own: in a block when one is named like a loop variable (a
	// parameter of the work), which := would assign instead.
	work := "_agWork\n" + strings.Join(outs, "\n")
	for _, v := range p.results {
		if v != nil && (v.Name() == name(p.key) || v.Name() == name(p.val)) {
			work = "{\n" + work + "\n}"
			break
		}
	}
	fmt.Fprintf(&src, "package p\nfunc _() {\nfor %s, _agIn := range %s.%s(%s.ParallelExecutor(), _agX, func(%s) (_agOut struct{\n%s\n}) {\n%s\nreturn _agOut\n}) {\n",
		key, fut, rangeHelper[p.kind], fut, strings.Join(params, ", "), strings.Join(fields, "\n"), work)
	if len(names) > 0 {
		fmt.Fprintf(&src, "%s := %s\n", strings.Join(names, ", "), strings.Join(ins, ", "))
	}
	src.WriteString("}\n}\n")
	sk, err := decorator.Parse(src.String())
	if err != nil {
		fl.errorf(rs.Pos(), "internal error: parallel loop skeleton: %v\n%s", err, src.String())
		return
	}
	nrs := sk.Decls[0].(*dst.FuncDecl).Body.List[0].(*dst.RangeStmt)
	drs := fl.dstOf(rs).(*dst.RangeStmt)
	dwork := fl.dstOf(p.work).(dst.Stmt)
	dwork.Decorations().Start.Append(fl.placeholderLine(p.work.Pos()))
	dwork.Decorations().Before = dst.NewLine
	dx := fl.dstOf(rs.X).(dst.Expr)
	call := dstutil.Apply(nrs.X, func(c *dstutil.Cursor) bool {
		switch x := c.Node().(type) {
		case *dst.Ident:
			if x.Name == "_agX" {
				c.Replace(dx)
			}
		case *dst.ExprStmt:
			if id, ok := x.X.(*dst.Ident); ok && id.Name == "_agWork" {
				c.Replace(dwork)
				return false
			}
		}
		return true
	}, nil).(dst.Expr)
	drs.Key, drs.Value, drs.Tok, drs.X = nrs.Key, nrs.Value, token.DEFINE, call
	body := append([]dst.Stmt(nil), nrs.Body.List...)
	tail := drs.Body.List[1:]
	if len(tail) > 0 {
		tail[0].Decorations().Start.Append(fl.placeholderLine(rest[0].Pos()))
		tail[0].Decorations().Before = dst.NewLine
	}
	drs.Body.List = append(body, tail...)
	// Lines: the loop starts on its own line, and the code after it
	// continues on the source's lines.
	var outer dst.Stmt = drs
	if lab != nil {
		outer = fl.dstOf(lab).(dst.Stmt)
	}
	start := token.Pos(rs.Pos())
	if lab != nil {
		start = lab.Pos()
	}
	outer.Decorations().Start.Append(fl.placeholderLine(start))
	outer.Decorations().End.Append("\n", linePlaceholder+strconv.Itoa(fl.fset.Position(rs.End()).Line+1+fl.lineDelta))
}
