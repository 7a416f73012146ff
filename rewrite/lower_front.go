package rewrite

// The annotation front end: the lowering of one file, what an annotated
// function must look like, and the generator vocabulary it recognises.

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
)

// Generated names all start with this prefix; user code may not use it.
const pfx = "_ag"

// fileLowerer lowers the annotated functions of one file.
type fileLowerer struct {
	fset      *token.FileSet
	pkg       *types.Package
	info      *types.Info
	file      *ast.File
	dec       *decorator.Decorator // maps file's go/ast nodes to dst nodes
	dfile     *dst.File            // file, decorated: printed as the generated file
	name      string
	src       []byte
	errs      ErrorList
	usedAnnot map[*ast.Comment]bool
	funcs     []*loweredFunc

	imports      map[string]string // path -> name in this file
	extraImports map[string]string // path -> alias added to the generated file
	coroName     string
	lineDelta    int // added to source lines in //line directives

	pkgFiles  []*ast.File                   // the package's files
	funcDecls map[*types.Func]*ast.FuncDecl // their functions, made on first use
	taskSafe  map[*types.Func]bool          // see noSuspend
	reuse     map[*ast.FuncDecl]bool        // see reusable
}

type loweredFunc struct {
	decl    *ast.FuncDecl
	newBody string
	machine string
}

func newFileLowerer(fset *token.FileSet, pkg *types.Package, info *types.Info, f *ast.File, name string, src []byte) *fileLowerer {
	fl := &fileLowerer{fset: fset, pkg: pkg, info: info, file: f, name: name, src: src,
		usedAnnot: map[*ast.Comment]bool{}, imports: map[string]string{}, extraImports: map[string]string{}}
	for _, is := range f.Imports {
		pn := info.PkgNameOf(is)
		if pn == nil || pn.Name() == "_" || pn.Name() == "." {
			continue
		}
		fl.imports[pn.Imported().Path()] = pn.Name()
	}
	fl.coroName = fl.imports[coroPath]
	// Generated names must not clash with the user's.
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && strings.HasPrefix(id.Name, pfx) {
			fl.errorf(id.Pos(), "identifier %s: names starting with %q are reserved for asyncgo rewrite", id.Name, pfx)
		}
		return true
	})
	fl.dec = decorator.NewDecorator(fset)
	df, err := fl.dec.DecorateFile(f)
	if err != nil {
		fl.errorf(f.Package, "internal error: %v", err)
	}
	fl.dfile = df
	return fl
}

func (fl *fileLowerer) errorf(p token.Pos, format string, args ...any) {
	pos := fl.fset.Position(p)
	fl.errs = append(fl.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

func (fl *fileLowerer) text(n ast.Node) string {
	tf := fl.fset.File(n.Pos())
	return string(fl.src[tf.Offset(n.Pos()):tf.Offset(n.End())])
}

// pkgName names the package with path in the generated file, importing it
// if the source does not.
func (fl *fileLowerer) pkgName(path, name string) string {
	if n, ok := fl.imports[path]; ok {
		return n
	}
	if n, ok := fl.extraImports[path]; ok {
		return n
	}
	alias := pfx + name
	for i := 2; ; i++ {
		// Not taken by another import, nor by a declaration of the
		// package (in a file without annotations, where _ag names are
		// the user's).
		taken := fl.pkg.Scope().Lookup(alias) != nil
		for _, a := range fl.extraImports {
			taken = taken || a == alias
		}
		if !taken {
			break
		}
		alias = fmt.Sprintf("%s%s%d", pfx, name, i)
	}
	fl.extraImports[path] = alias
	return alias
}

func (fl *fileLowerer) importText() string {
	paths := make([]string, 0, len(fl.extraImports))
	for p := range fl.extraImports {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b strings.Builder
	b.WriteString("\n\nimport (\n")
	for _, p := range paths {
		fmt.Fprintf(&b, "\t%s %q\n", fl.extraImports[p], p)
	}
	b.WriteString(")")
	return b.String()
}

// lowerHook, when set (by tests), is called before each annotated function
// is lowered.
var lowerHook func(fd *ast.FuncDecl)

func (fl *fileLowerer) lowerFunc(fd *ast.FuncDecl) {
	// A bug of the rewriter's must not crash the CLI: it is an error
	// positioned at the function being lowered, and nothing is written.
	async := false
	defer func() {
		if r := recover(); r != nil {
			what := "generator"
			if async {
				what = "async function"
			}
			fl.errorf(fd.Pos(), "%s: internal error: cannot lower this %s (a bug in asyncgo rewrite%s; please report it): %v", fd.Name.Name, what, panicSite(), r)
		}
	}()
	for _, c := range fd.Doc.List {
		if isAnnotation(c.Text) {
			fl.usedAnnot[c] = true
			async = async || strings.TrimSpace(c.Text) == AsyncAnnotation
		}
	}
	if lowerHook != nil {
		lowerHook(fd)
	}
	if async {
		fl.lowerAsync(fd)
		return
	}
	if fl.coroName == "" {
		fl.errorf(fd.Pos(), "%s: the file must import %s", fd.Name.Name, coroPath)
		return
	}
	// The form: return coro.New(func(co *coro.Co[Y, S]) R { ... })
	bad := func() {
		fl.errorf(fd.Pos(), "%s: a generator function's body must be a single `return coro.New(func(co *coro.Co[Y, S]) R { ... })`", fd.Name.Name)
	}
	// Y, S, R from the generator's type.
	lit, targs := fl.bodyForm(fd, func(e ast.Expr) bool { return fl.isCoroFunc(e, "New") }, 1, 3)
	if lit == nil {
		bad()
		return
	}
	f := fl.newFn(fd, lit, genVocab{})
	var err error
	ts := make([]string, 3)
	for i := range ts {
		if ts[i], err = fl.typeString(targs.At(i)); err != nil {
			fl.errorf(fd.Pos(), "%s: cannot lower: %v", fd.Name.Name, err)
			return
		}
	}
	f.yT, f.sT, f.rT = ts[0], ts[1], ts[2]
	p := lit.Type.Params.List[0]
	if len(p.Names) == 1 {
		f.co = fl.info.Defs[p.Names[0]]
	}
	if r := lit.Type.Results.List[0]; len(r.Names) == 1 && r.Names[0].Name != "_" {
		f.named = fl.info.Defs[r.Names[0]]
	}
	nerr := len(fl.errs)
	f.scan()
	if len(fl.errs) > nerr {
		return
	}
	f.noPanic = f.cannotPanic(lit.Body)
	f.lower()
}

// newFn starts the lowering of fd, whose body is lit, with the
// vocabulary v of its front end.
func (fl *fileLowerer) newFn(fd *ast.FuncDecl, lit *ast.FuncLit, v vocabulary) *fn {
	f := &fn{fileLowerer: fl, decl: fd, lit: lit, vocab: v, hoisted: map[types.Object]*field{}, names: map[string]bool{},
		escapes: map[types.Object]bool{}, susp: map[*ast.CallExpr]int{}, hasSusp: map[ast.Node]bool{}, used: map[string]bool{}, ph: map[string]string{}, alias: map[types.Object]string{},
		renamed: map[*dst.Ident]bool{}, trailAt: -1, term: map[int]bool{}, gen: map[int]bool{}, early: map[ast.Node]bool{}, gotoTargets: map[types.Object]bool{}, phPrefix: pfx + "P",
		inline: map[*ast.FuncLit]*ast.CallExpr{}, labelNames: map[string]*ast.CallExpr{}, valueAt: -1}
	for bytes.Contains(fl.src, []byte(f.phPrefix)) {
		f.phPrefix += "x"
	}
	return f
}

// vocabulary is what a front end (generators, async functions) adds to
// the shared lowering core: the uses of its handle that suspend, the code
// of a resume point, and the machine's contract (frame, constructor,
// resume method).
type vocabulary interface {
	// handleUse classifies a use x of the handle (stack: its ancestors,
	// parentheses and dereferences stripped), reporting the errors: the
	// suspension call and its kind (kind < 0: not a suspension).
	handleUse(f *fn, x *ast.Ident, stack []ast.Node, inLit int) (call *ast.CallExpr, kind int)
	// suspend emits the resume point of call and returns the text of
	// its value(s) after resumption.
	suspend(f *fn, call *ast.CallExpr, kind int) string
	// twoValued reports whether a suspension of kind has two values.
	twoValued(kind int) bool
	// what names the lowered body in messages and comments.
	what() string
	// frame is the type of the machine's Frame field.
	frame(f *fn) string
	// constructor is the machine's _agNew method; resume the header of
	// the method that runs the body (its results are named _agDone, _agR
	// and _agErr, its thrown error _agThrown).
	constructor(f *fn, mname, targs string) string
	resume(f *fn, mname, targs string) string
}

// article is what (a vocabulary's what) with its indefinite article, for
// messages shared by the front ends: "a generator", "an async".
func article(what string) string {
	if strings.ContainsRune("aeiou", rune(what[0])) {
		return "an " + what
	}
	return "a " + what
}

// genVocab is the generator front end's vocabulary (coro.Machine).
type genVocab struct{}

func (genVocab) handleUse(f *fn, x *ast.Ident, stack []ast.Node, inLit int) (*ast.CallExpr, int) {
	return f.genHandleUse(x, stack, inLit)
}
func (genVocab) suspend(f *fn, call *ast.CallExpr, kind int) string { return f.suspendGen(call, kind) }
func (genVocab) twoValued(kind int) bool                            { return kind == kYieldErr || kind == kYieldFromErr }
func (genVocab) what() string                                       { return "generator" }
func (genVocab) frame(f *fn) string                                 { return fmt.Sprintf("%s.Frame[%s]", f.coroName, f.rT) }

func (genVocab) constructor(f *fn, mname, targs string) string {
	c := f.coroName
	newM := fmt.Sprintf("\n// _agNew returns the generator that runs the machine (and refers to Resume,\n// so that package initialisation sees the dependencies of the body).\nfunc (_agm *%s%s) _agNew() *%s.Generator[%s, %s, %s] {\n\t_ = (*%s%s).Resume\n", mname, targs, c, f.yT, f.sT, f.rT, mname, targs)
	if f.closes {
		// Deferred calls or an iterator to finish if dropped suspended.
		newM += fmt.Sprintf("\treturn %s.FromLowered[%s, %s, %s](_agm, &_agm._agpc, &_agm._agf)\n}\n", c, f.yT, f.sT, f.rT)
	} else {
		newM += fmt.Sprintf("\treturn %s.FromMachine[%s, %s, %s](_agm)\n}\n", c, f.yT, f.sT, f.rT)
	}
	return newM
}

func (genVocab) resume(f *fn, mname, targs string) string {
	return fmt.Sprintf("\n// Resume implements %s.Machine.\nfunc (_agm *%s%s) Resume(_agSent %s, _agThrown error) (_agY %s, _agDone bool, _agR %s, _agErr error) {\n", f.coroName, mname, targs, f.sT, f.yT, f.rT)
}

// coroRef names runtime/coro in the generated file (range-over-func loops
// use its Pull in every kind of body).
func (f *fn) coroRef() string {
	if f.coroName != "" {
		return f.coroName
	}
	return f.pkgName(coroPath, "coro")
}

// panicSite, called by a deferred function recovering a panic, names the
// rewriter's line that panicked (" at lower_print.go:25"), or is empty.
func panicSite() string {
	pc := make([]uintptr, 64)
	frames := runtime.CallersFrames(pc[:runtime.Callers(3, pc)])
	panicking := false
	for {
		fr, more := frames.Next()
		if fr.Function == "runtime.gopanic" {
			panicking = true
		} else if panicking && strings.HasPrefix(fr.Function, "github.com/asyncgo/asyncgo/rewrite.") {
			return fmt.Sprintf(" at %s:%d", filepath.Base(fr.File), fr.Line)
		}
		if !more {
			return ""
		}
	}
}

func (fl *fileLowerer) isCoroFunc(e ast.Expr, names ...string) bool {
	switch x := e.(type) {
	case *ast.IndexExpr:
		e = x.X
	case *ast.IndexListExpr:
		e = x.X
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	o := fl.info.Uses[sel.Sel]
	if o == nil || o.Pkg() == nil || o.Pkg().Path() != coroPath {
		return false
	}
	if _, ok := o.(*types.Func); !ok {
		return false
	}
	for _, n := range names {
		if o.Name() == n {
			return true
		}
	}
	return false
}

// bodyForm checks that fd's body is exactly `return C(func(h H) ... { ... })`,
// where isCtor accepts C, the literal has one parameter and results
// results, and C's result is a pointer to a named type with typeArgs type
// arguments (coro.New's *Generator[Y, S, R], aio.Async's *Coroutine[R]). It
// returns the literal and those type arguments, or nil if fd is not of the
// form.
func (fl *fileLowerer) bodyForm(fd *ast.FuncDecl, isCtor func(ast.Expr) bool, results, typeArgs int) (*ast.FuncLit, *types.TypeList) {
	if fd.Body == nil || len(fd.Body.List) != 1 {
		return nil, nil
	}
	ret, ok := fd.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return nil, nil
	}
	call, ok := ret.Results[0].(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || !isCtor(call.Fun) {
		return nil, nil
	}
	lit, ok := call.Args[0].(*ast.FuncLit)
	if !ok || lit.Type.Params.NumFields() != 1 || lit.Type.Results.NumFields() != results {
		return nil, nil
	}
	pt, ok := fl.info.TypeOf(call).(*types.Pointer)
	if !ok {
		return nil, nil
	}
	named, ok := pt.Elem().(*types.Named)
	if !ok || named.TypeArgs().Len() != typeArgs {
		return nil, nil
	}
	return lit, named.TypeArgs()
}
