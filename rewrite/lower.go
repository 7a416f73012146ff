package rewrite

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/dstutil"
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

// typeString spells t in the generated file, or reports why it cannot.
func (fl *fileLowerer) typeString(t types.Type) (string, error) {
	var bad error
	s := types.TypeString(t, func(p *types.Package) string {
		if p == fl.pkg {
			return ""
		}
		return fl.pkgName(p.Path(), p.Name())
	})
	// A named type declared inside a function cannot be named at package level.
	walkNamed(t, map[types.Type]bool{}, func(n *types.Named) {
		o := n.Obj()
		if o.Pkg() != nil && o.Parent() != nil && o.Parent() != o.Pkg().Scope() && o.Parent() != types.Universe {
			bad = fmt.Errorf("its type %s is declared inside a function", o.Name())
		}
		if o.Pkg() != nil && o.Pkg() != fl.pkg && !o.Exported() {
			bad = fmt.Errorf("its type %s is not exported by %s", o.Name(), o.Pkg().Path())
		}
	})
	// An unnamed struct or interface with unexported members of another
	// package: spelled here, its members would be this package's.
	walkUnnamed(t, map[types.Type]bool{}, func(o types.Object) {
		if !o.Exported() && o.Pkg() != nil && o.Pkg() != fl.pkg {
			bad = fmt.Errorf("its type %s has the unexported member %s of %s", s, o.Name(), o.Pkg().Path())
		}
	})
	return s, bad
}

// walkUnnamed calls member for the fields and methods of the unnamed
// struct and interface types that t is built from (not looking into named
// types, whose names say it all).
func walkUnnamed(t types.Type, seen map[types.Type]bool, member func(types.Object)) {
	if seen[t] {
		return
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Named:
		for i := 0; i < t.TypeArgs().Len(); i++ {
			walkUnnamed(t.TypeArgs().At(i), seen, member)
		}
	case *types.Alias:
		walkUnnamed(types.Unalias(t), seen, member)
	case *types.Pointer:
		walkUnnamed(t.Elem(), seen, member)
	case *types.Slice:
		walkUnnamed(t.Elem(), seen, member)
	case *types.Array:
		walkUnnamed(t.Elem(), seen, member)
	case *types.Map:
		walkUnnamed(t.Key(), seen, member)
		walkUnnamed(t.Elem(), seen, member)
	case *types.Chan:
		walkUnnamed(t.Elem(), seen, member)
	case *types.Signature:
		for i := 0; i < t.Params().Len(); i++ {
			walkUnnamed(t.Params().At(i).Type(), seen, member)
		}
		for i := 0; i < t.Results().Len(); i++ {
			walkUnnamed(t.Results().At(i).Type(), seen, member)
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			member(t.Field(i))
			walkUnnamed(t.Field(i).Type(), seen, member)
		}
	case *types.Interface:
		for i := 0; i < t.NumExplicitMethods(); i++ {
			member(t.ExplicitMethod(i))
			walkUnnamed(t.ExplicitMethod(i).Type(), seen, member)
		}
		for i := 0; i < t.NumEmbeddeds(); i++ {
			walkUnnamed(t.EmbeddedType(i), seen, member)
		}
	}
}

func walkNamed(t types.Type, seen map[types.Type]bool, f func(*types.Named)) {
	if seen[t] {
		return
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Named:
		f(t)
		for i := 0; i < t.TypeArgs().Len(); i++ {
			walkNamed(t.TypeArgs().At(i), seen, f)
		}
	case *types.Alias:
		walkNamed(types.Unalias(t), seen, f)
	case *types.Pointer:
		walkNamed(t.Elem(), seen, f)
	case *types.Slice:
		walkNamed(t.Elem(), seen, f)
	case *types.Array:
		walkNamed(t.Elem(), seen, f)
	case *types.Map:
		walkNamed(t.Key(), seen, f)
		walkNamed(t.Elem(), seen, f)
	case *types.Chan:
		walkNamed(t.Elem(), seen, f)
	case *types.Signature:
		for i := 0; i < t.Params().Len(); i++ {
			walkNamed(t.Params().At(i).Type(), seen, f)
		}
		for i := 0; i < t.Results().Len(); i++ {
			walkNamed(t.Results().At(i).Type(), seen, f)
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			walkNamed(t.Field(i).Type(), seen, f)
		}
	}
}

// ---------------------------------------------------------------------------

// suspension kinds
const (
	kYield = iota
	kYieldErr
	kYieldFrom
	kYieldFromErr
	kRaise
)

// field is a hoisted local or a temporary of the machine.
type field struct {
	name string
	typ  string
	ptr  bool // the variable escapes: the field points to it, one per declaration
}

type target struct {
	label     string   // the user's label, if any
	brk, cont string   // generated labels; cont empty for switch and select
	stop      string   // a range-over-func loop's pull iterator stop field
	node      ast.Node // the loop
}

// fn lowers one generator function.
type fn struct {
	*fileLowerer
	decl    *ast.FuncDecl
	lit     *ast.FuncLit
	co      types.Object
	yT, sT  string // Y and S as written
	rT      string
	hoisted map[types.Object]*field
	fields  []*field
	names   map[string]bool
	escapes map[types.Object]bool
	susp    map[*ast.CallExpr]int // suspension calls and their kind
	hasSusp map[ast.Node]bool     // nodes that contain a suspension
	named   types.Object          // the named result, if any
	code    []string              // the lowered body, one statement or label a line
	used    map[string]bool       // labels jumped to
	nlab    int                   // label counter
	npc     int                   // resume points
	targets []target
	ph      map[string]string // placeholder -> text
	alias   map[types.Object]string
	noPanic bool // the body cannot panic and has no defers: Resume needs no recover
	inWrap  bool
	nph     int
	nconst  int               // constants renamed
	closes  bool              // deferred calls or iterators: a dropped generator is closed
	early   map[ast.Node]bool // expressions evaluated before a suspension
	// gotoTargets are the labels goto jumps to in the body (not in
	// function literals).
	gotoTargets map[types.Object]bool
	// The lines of code that end in a terminating statement, and the
	// generated lines that may be left out when unreachable.
	term, gen map[int]bool
	// phPrefix starts every placeholder: a word found nowhere in the
	// source, so that no text of the user's is ever substituted.
	phPrefix string
	renamed  map[*dst.Ident]bool // dst identifiers already renamed
	trailAt  int                 // the line a comment trailing the statement ends, or -1 for the last
}

func (fl *fileLowerer) lowerFunc(fd *ast.FuncDecl) {
	for _, c := range fd.Doc.List {
		if strings.TrimSpace(c.Text) == Annotation {
			fl.usedAnnot[c] = true
		}
	}
	if fl.coroName == "" {
		fl.errorf(fd.Pos(), "%s: the file must import %s", fd.Name.Name, coroPath)
		return
	}
	// The form: return coro.New(func(co *coro.Co[Y, S]) R { ... })
	bad := func() {
		fl.errorf(fd.Pos(), "%s: a generator function's body must be a single `return coro.New(func(co *coro.Co[Y, S]) R { ... })`", fd.Name.Name)
	}
	if fd.Body == nil || len(fd.Body.List) != 1 {
		bad()
		return
	}
	ret, ok := fd.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		bad()
		return
	}
	call, ok := ret.Results[0].(*ast.CallExpr)
	if !ok || len(call.Args) != 1 || !fl.isCoroFunc(call.Fun, "New") {
		bad()
		return
	}
	lit, ok := call.Args[0].(*ast.FuncLit)
	if !ok || lit.Type.Params.NumFields() != 1 || lit.Type.Results.NumFields() != 1 {
		bad()
		return
	}
	// Y, S, R from the generator's type.
	gt, ok := fl.info.TypeOf(call).(*types.Pointer)
	if !ok {
		bad()
		return
	}
	named, ok := gt.Elem().(*types.Named)
	if !ok || named.TypeArgs().Len() != 3 {
		bad()
		return
	}
	f := &fn{fileLowerer: fl, decl: fd, lit: lit, hoisted: map[types.Object]*field{}, names: map[string]bool{},
		escapes: map[types.Object]bool{}, susp: map[*ast.CallExpr]int{}, hasSusp: map[ast.Node]bool{}, used: map[string]bool{}, ph: map[string]string{}, alias: map[types.Object]string{},
		renamed: map[*dst.Ident]bool{}, trailAt: -1, term: map[int]bool{}, gen: map[int]bool{}, early: map[ast.Node]bool{}, gotoTargets: map[types.Object]bool{}, phPrefix: pfx + "P"}
	for bytes.Contains(fl.src, []byte(f.phPrefix)) {
		f.phPrefix += "x"
	}
	var err error
	ts := make([]string, 3)
	for i := range ts {
		if ts[i], err = fl.typeString(named.TypeArgs().At(i)); err != nil {
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

// scan finds the suspension points, checks how co is used, finds the
// variables that escape, and rejects what cannot be lowered.
func (f *fn) scan() {
	ast.PreorderStack(f.lit.Body, nil, func(n ast.Node, stack []ast.Node) bool {
		inLit := 0
		for _, s := range stack {
			if _, ok := s.(*ast.FuncLit); ok {
				inLit++
			}
		}
		switch x := n.(type) {
		case *ast.BranchStmt:
			if x.Tok == token.GOTO && inLit == 0 {
				// The label stays the user's: labels are the function's,
				// and Resume holds the whole body.
				f.gotoTargets[f.info.Uses[x.Label]] = true
			}
		case *ast.Ident:
			o := f.info.Uses[x]
			if o == nil {
				return true
			}
			if o == f.co {
				kind := -1
				// (co).Yield, (*co).Yield: the same call.
				top := len(stack)
				for top > 0 {
					if _, ok := stack[top-1].(*ast.ParenExpr); ok {
						top--
					} else if st, ok := stack[top-1].(*ast.StarExpr); ok && f.info.Types[st].IsValue() {
						top--
					} else {
						break
					}
				}
				stack := stack[:top]
				if len(stack) >= 2 {
					if sel, ok := stack[len(stack)-1].(*ast.SelectorExpr); ok {
						if c, ok := stack[len(stack)-2].(*ast.CallExpr); ok && ast.Unparen(c.Fun) == sel {
							switch sel.Sel.Name {
							case "Yield":
								kind = kYield
							case "YieldErr":
								kind = kYieldErr
							case "Raise":
								kind = kRaise
							}
							if kind >= 0 {
								f.susp[c] = kind
							}
						}
					}
					if c, ok := stack[len(stack)-1].(*ast.CallExpr); ok && len(c.Args) == 2 && ast.Unparen(c.Args[0]) == x {
						switch {
						case f.isCoroFunc(c.Fun, "YieldFrom"):
							kind = kYieldFrom
						case f.isCoroFunc(c.Fun, "YieldFromErr"):
							kind = kYieldFromErr
						}
						if kind >= 0 {
							f.susp[c] = kind
						}
					}
				}
				switch {
				case kind < 0:
					f.errorf(x.Pos(), "%s may only be used to yield (Yield, YieldErr, YieldFrom, YieldFromErr, Raise): it must not escape the generator body", x.Name)
				case inLit > 0:
					f.errorf(x.Pos(), "cannot yield inside a function literal (a deferred or nested function): only the generator body itself can suspend")
				case kind != kRaise:
					for _, s := range stack {
						f.hasSusp[s] = true
						// Go never evaluates the operand of unsafe.Sizeof,
						// Alignof and Offsetof.
						if c, ok := s.(*ast.CallExpr); ok {
							if id := calleeIdent(c.Fun); id != nil {
								if b, ok := f.info.Uses[id].(*types.Builtin); ok && (b.Name() == "Sizeof" || b.Name() == "Alignof" || b.Name() == "Offsetof") {
									f.errorf(c.Pos(), "cannot suspend inside unsafe.%s: its operand is never evaluated", b.Name())
								}
							}
						}
					}
					for _, s := range stack {
						if d, ok := s.(*ast.DeferStmt); ok {
							f.errorf(d.Pos(), "cannot yield in a defer statement")
						}
						if g, ok := s.(*ast.GoStmt); ok {
							f.errorf(g.Pos(), "cannot yield in a go statement")
						}
					}
				}
				return true
			}
			// Escaping locals: used inside a nested function literal.
			if v, ok := o.(*types.Var); ok && inLit > 0 && f.declaredOutsideLit(v, stack) {
				f.escapes[v] = true
			}
		case *ast.UnaryExpr:
			if x.Op == token.AND {
				if id, ok := ast.Unparen(x.X).(*ast.Ident); ok {
					f.escapes[f.info.ObjectOf(id)] = true
				} else {
					f.markRoot(x.X)
				}
			}
		case *ast.SliceExpr:
			if _, ok := f.info.TypeOf(x.X).Underlying().(*types.Array); ok {
				f.markRoot(x.X)
			}
		case *ast.SelectorExpr:
			if sel := f.info.Selections[x]; sel != nil && sel.Kind() == types.MethodVal {
				if _, ptrRecv := sel.Obj().Type().(*types.Signature).Recv().Type().(*types.Pointer); ptrRecv {
					if _, isPtr := f.info.TypeOf(x.X).Underlying().(*types.Pointer); !isPtr {
						f.markRoot(x.X)
					}
				}
			}
		}
		return true
	})
	// The function's own parameters live in the machine.
	var params []*ast.Field
	if f.decl.Recv != nil {
		params = append(params, f.decl.Recv.List...)
	}
	params = append(params, f.decl.Type.Params.List...)
	for _, p := range params {
		for _, n := range p.Names {
			if n.Name == "_" {
				continue
			}
			f.hoist(f.info.Defs[n], false)
		}
	}
	if f.named != nil {
		f.hoisted[f.named] = &field{name: pfx + "f.R"}
	}
}

// markRoot marks the variable an addressable expression is rooted in as
// escaping (its address is taken, maybe implicitly).
func (f *fn) markRoot(e ast.Expr) {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			if o := f.info.ObjectOf(x); o != nil {
				f.escapes[o] = true
			}
			return
		case *ast.SelectorExpr:
			if _, ok := f.info.TypeOf(x.X).Underlying().(*types.Pointer); ok {
				return
			}
			e = x.X
		case *ast.IndexExpr:
			if _, ok := f.info.TypeOf(x.X).Underlying().(*types.Array); !ok {
				return
			}
			e = x.X
		default:
			return
		}
	}
}

// calleeIdent is the identifier naming a called function (f, pkg.f, (f)).
func calleeIdent(e ast.Expr) *ast.Ident {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return x
	case *ast.SelectorExpr:
		return x.Sel
	}
	return nil
}

func (f *fn) declaredOutsideLit(v *types.Var, stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		if l, ok := stack[i].(*ast.FuncLit); ok {
			return !(v.Pos() >= l.Pos() && v.Pos() < l.End())
		}
	}
	return false
}

// hoist makes o a field of the machine.
func (f *fn) hoist(o types.Object, mayEscape bool) *field {
	if fd := f.hoisted[o]; fd != nil {
		return fd
	}
	name := o.Name()
	f.names["Resume"] = true // the machine's method
	for i := 2; f.names[name]; i++ {
		name = fmt.Sprintf("%s%d", o.Name(), i)
	}
	f.names[name] = true
	ts, err := f.typeString(o.Type())
	if err != nil {
		f.errorf(o.Pos(), "cannot keep %s across a suspension: %v", o.Name(), err)
	}
	fd := &field{name: name, typ: ts, ptr: mayEscape && f.escapes[o]}
	f.hoisted[o] = fd
	f.fields = append(f.fields, fd)
	return fd
}

// temp adds a temporary field of type typ.
func (f *fn) temp(kind, typ string) string {
	name := fmt.Sprintf("%s%s%d", pfx, kind, len(f.fields))
	f.fields = append(f.fields, &field{name: name, typ: typ})
	return "_agm." + name
}

// ref is how generated code refers to a hoisted variable.
func (fd *field) ref() string {
	if fd.ptr {
		return "(*_agm." + fd.name + ")"
	}
	return "_agm." + fd.name
}

func (f *fn) label(kind string) string {
	f.nlab++
	return fmt.Sprintf("%s%s%d", pfx, kind, f.nlab)
}

func (f *fn) emit(format string, args ...any) { f.code = append(f.code, fmt.Sprintf(format, args...)) }

func (f *fn) goto_(l string) {
	f.used[l] = true
	f.gen[len(f.code)] = true
	f.term[len(f.code)] = true
	f.emit("goto %s", l)
}

func (f *fn) place(l string) { f.code = append(f.code, l+":") }

func (f *fn) lineOf(n ast.Node) {
	p := f.fset.Position(n.Pos())
	l := fmt.Sprintf("//line %s:%d", filepath.Base(p.Filename), p.Line+f.lineDelta)
	if len(f.code) > 0 && f.code[len(f.code)-1] == l {
		return
	}
	f.code = append(f.code, l)
}

// comments emits the comments of a node's decorations as lines of the
// lowered code, each on its own line; a blank line between comments stays.
func (f *fn) comments(decs []string) {
	afterLine := false
	for _, d := range decs {
		switch {
		case d == "\n":
			if afterLine {
				f.code = append(f.code, "")
			}
			afterLine = false
		case isLineDirective(d):
			afterLine = false
		default:
			f.code = append(f.code, d)
			afterLine = strings.HasPrefix(d, "//")
		}
	}
}

// trailing emits the comments after a statement: the first, when it was on
// the statement's line, ends the last line of code lowered from it.
func (f *fn) trailing(end []string) {
	if len(end) == 0 {
		return
	}
	at := len(f.code) - 1
	if f.trailAt >= 0 && f.trailAt < len(f.code) {
		at = f.trailAt // a suspension whose value is dropped: its yield line
	}
	if c := end[0]; isComment(c) && !isLineDirective(c) && at >= 0 {
		l := f.code[at]
		last := l[strings.LastIndexByte(l, '\n')+1:]
		if l != "" && !isComment(l) && !strings.HasSuffix(l, ":") && !strings.Contains(last, "//") {
			f.code[at] = l + " " + c
			end = end[1:]
		}
	}
	f.comments(end)
}

// otherComments emits the comments a node holds between its tokens (in a
// flattened statement's header, after a block's brace, a case's colon).
func (f *fn) otherComments(n dst.Node) {
	_, _, points := dstutil.Decorations(n)
	for _, p := range points {
		if p.Name != "Start" && p.Name != "End" {
			f.comments(p.Decs)
		}
	}
}

// clauseComments emits the comments before a case clause and in its head
// up to the colon, and returns those after the colon, which go after the
// case's label, and those after the clause (the comment that ends its last
// statement's line, among others).
func (f *fn) clauseComments(c ast.Stmt) (colon, end []string) {
	dc := f.dstOf(c)
	if dc == nil {
		return nil, nil
	}
	d := dc.Decorations()
	if d.Before == dst.EmptyLine && len(f.code) > 0 && f.code[len(f.code)-1] != "" {
		f.code = append(f.code, "")
	}
	f.comments(d.Start)
	_, _, points := dstutil.Decorations(dc)
	for _, p := range points {
		switch p.Name {
		case "Start", "End":
		case "Colon":
			colon = p.Decs
		default:
			f.comments(p.Decs)
		}
	}
	return colon, d.End
}

// ---------------------------------------------------------------------------

func (f *fn) lower() {
	// Comments after the literal's opening brace open the lowered code.
	if b, ok := f.dstOf(f.lit.Body).(*dst.BlockStmt); ok {
		f.comments(b.Decs.Lbrace)
	}
	f.stmts(f.lit.Body.List)
	// Falling off the end only happens when the last statement is a lowered
	// loop or switch that the type checker knows terminates; return anyway.

	var b strings.Builder
	d := f.decl
	tparams, targs := "", ""
	if d.Type.TypeParams != nil && len(d.Type.TypeParams.List) > 0 {
		// A blank type parameter cannot be used by the body: the machine
		// does without it (and could not be instantiated with it).
		var names, decls []string
		for _, fld := range d.Type.TypeParams.List {
			var ns []string
			for _, n := range fld.Names {
				if n.Name != "_" {
					ns = append(ns, n.Name)
				}
			}
			if len(ns) > 0 {
				names = append(names, ns...)
				decls = append(decls, strings.Join(ns, ", ")+" "+f.text(fld.Type))
			}
		}
		if len(names) > 0 {
			tparams = "[" + strings.Join(decls, ", ") + "]"
			targs = "[" + strings.Join(names, ", ") + "]"
		}
	}
	// Function F's machine is _agF, method T.M's _ag<len(T)>T_M: distinct
	// for distinct functions (an identifier never starts with a digit).
	mname := pfx + d.Name.Name
	if d.Recv != nil {
		rt := recvTypeName(d.Recv.List[0].Type)
		mname = fmt.Sprintf("%s%d%s_%s", pfx, len(rt), rt, d.Name.Name)
		if d.Recv.List[0].Type != nil {
			// methods of generic types: reuse the receiver's type parameters
			tparams, targs = f.recvTypeParams(d.Recv.List[0].Type)
		}
	}
	if o := f.pkg.Scope().Lookup(mname); o != nil {
		f.errorf(d.Pos(), "%s: the name of its machine, %s, is declared in this package at %s (names starting with %q are reserved)", d.Name.Name, mname, f.fset.Position(o.Pos()), pfx)
	}
	// The constructor: the function keeps its signature.
	var init []string
	var params []*ast.Field
	if d.Recv != nil {
		params = append(params, d.Recv.List...)
	}
	params = append(params, d.Type.Params.List...)
	for _, p := range params {
		for _, n := range p.Names {
			if n.Name == "_" {
				continue
			}
			init = append(init, fmt.Sprintf("%s: %s", f.hoisted[f.info.Defs[n]].name, n.Name))
		}
	}
	c := f.coroName
	// One statement, as the source's (its comments go with it); _agNew
	// refers to Resume, so that package initialisation sees the
	// dependencies of the body as it does in the source (the spec,
	// "Package initialization": a method expression is a reference).
	fmt.Fprintf(&b, "{\n\treturn (&%s%s{%s})._agNew()\n}", mname, targs, strings.Join(init, ", "))
	newM := fmt.Sprintf("\n// _agNew returns the generator that m runs.\nfunc (_agm *%s%s) _agNew() *%s.Generator[%s, %s, %s] {\n\t_ = (*%s%s).Resume\n", mname, targs, c, f.yT, f.sT, f.rT, mname, targs)
	if f.closes {
		// Deferred calls or an iterator to finish if dropped suspended.
		newM += fmt.Sprintf("\treturn %s.FromLowered[%s, %s, %s](_agm, &_agm._agpc, &_agm._agf)\n}\n", c, f.yT, f.sT, f.rT)
	} else {
		newM += fmt.Sprintf("\treturn %s.FromMachine[%s, %s, %s](_agm)\n}\n", c, f.yT, f.sT, f.rT)
	}
	body := b.String()

	var m strings.Builder
	fmt.Fprintf(&m, "\n// %s is the state machine of %s's generator body.\ntype %s%s struct {\n\t_agpc int\n\t_agf %s.Frame[%s]\n", mname, d.Name.Name, mname, tparams, c, f.rT)
	for _, fd := range f.fields {
		if fd.ptr {
			fmt.Fprintf(&m, "\t%s *%s\n", fd.name, fd.typ)
		} else {
			fmt.Fprintf(&m, "\t%s %s\n", fd.name, fd.typ)
		}
	}
	m.WriteString("}\n")
	m.WriteString(newM)
	fmt.Fprintf(&m, "\n// Resume implements %s.Machine.\nfunc (_agm *%s%s) Resume(_agSent %s, _agThrown error) (_agY %s, _agDone bool, _agR %s, _agErr error) {\n", c, mname, targs, f.sT, f.yT, f.rT)
	// Frame.Unwind recovers a panic of the body (or sees a Goexit: neither
	// a panic nor a return; _agpc is zero from here to the next
	// suspension, _agDone is set by the end) and runs the defers.
	if !f.noPanic {
		m.WriteString("\tdefer _agm._agf.Unwind(&_agm._agpc, &_agDone, &_agR, &_agErr)\n")
	}
	if f.npc > 0 {
		if f.noPanic {
			m.WriteString("\tswitch _agm._agpc {\n")
		} else {
			m.WriteString("\t_agpc := _agm._agpc\n\t_agm._agpc = 0\n\tswitch _agpc {\n")
		}
		for i := 1; i <= f.npc; i++ {
			fmt.Fprintf(&m, "\tcase %d:\n\t\tgoto _agS%d\n", i, i)
		}
		m.WriteString("\t}\n")
	}
	unusedLabel := func(l string) bool {
		return !isComment(l) && strings.HasSuffix(l, ":") && !strings.Contains(l, " ") && !f.used[strings.TrimSuffix(l, ":")]
	}
	// Generated jumps that cannot be reached (after a return, a panic, a
	// jump, an endless loop, up to the next label jumped to) are left out:
	// vet would report them.
	dead := false
	for i, l := range f.code {
		switch {
		case l == "":
			m.WriteString("\n")
		case strings.HasPrefix(l, "//line "):
			m.WriteString(l + "\n") // a directive starts its line
		case isComment(l):
			m.WriteString("\t" + l + "\n")
		case unusedLabel(l):
		case !strings.Contains(l, " ") && strings.HasSuffix(l, ":"):
			dead = false
			m.WriteString("\t" + l + "\n")
		case dead && f.gen[i]:
		default:
			m.WriteString("\t" + l + "\n")
			dead = f.term[i]
		}
	}
	switch {
	case f.used["_agRet"]:
		m.WriteString("_agRet:\n\t_agm._agf.Return(&_agDone, &_agR, &_agErr)\n\treturn\n")
	case !dead:
		m.WriteString("\t_agm._agf.Return(&_agDone, &_agR, &_agErr)\n\treturn\n")
	}
	m.WriteString("}\n")
	f.funcs = append(f.funcs, &loweredFunc{decl: d, newBody: body, machine: m.String()})
}

func recvTypeName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.StarExpr:
		return recvTypeName(x.X)
	case *ast.IndexExpr:
		return recvTypeName(x.X)
	case *ast.IndexListExpr:
		return recvTypeName(x.X)
	case *ast.Ident:
		return x.Name
	}
	return "recv"
}

// recvTypeParams spells the type parameters of a generic receiver with
// their constraints, and as arguments.
func (f *fn) recvTypeParams(e ast.Expr) (string, string) {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	var idx []ast.Expr
	switch x := e.(type) {
	case *ast.IndexExpr:
		idx = []ast.Expr{x.Index}
	case *ast.IndexListExpr:
		idx = x.Indices
	default:
		return "", ""
	}
	var names, decls []string
	for _, i := range idx {
		id, ok := i.(*ast.Ident)
		if !ok {
			continue
		}
		if id.Name == "_" {
			f.errorf(id.Pos(), "a blank type parameter in a generator method's receiver: give it a name (the machine must name the receiver's type)")
		}
		names = append(names, id.Name)
		c := "any"
		if tn, ok := f.info.Defs[id].(*types.TypeName); ok {
			if tp, ok := tn.Type().(*types.TypeParam); ok {
				if s, err := f.typeString(tp.Constraint()); err == nil {
					c = s
				}
			}
		}
		decls = append(decls, id.Name+" "+c)
	}
	return "[" + strings.Join(decls, ", ") + "]", "[" + strings.Join(names, ", ") + "]"
}

func (f *fn) stmts(list []ast.Stmt) {
	for _, s := range list {
		f.stmt(s, "")
	}
}

// stmt lowers one statement at the machine's top level.
func (f *fn) stmt(s ast.Stmt, label string) {
	// The statement's comments: those before it (and, for a flattened
	// compound statement, those inside its header) precede its //line
	// directive, a comment ending its line ends the last line lowered
	// from it.
	f.trailAt = -1
	if ds := f.dstOf(s); ds != nil {
		d := ds.Decorations()
		if d.Before == dst.EmptyLine && len(f.code) > 0 && f.code[len(f.code)-1] != "" {
			f.code = append(f.code, "")
		}
		f.comments(d.Start)
		end := d.End
		d.Start, d.End = nil, nil
		compound := false
		switch s.(type) {
		case *ast.BlockStmt, *ast.LabeledStmt, *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt,
			*ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			compound = f.hasSusp[s]
		}
		defer func() {
			if compound {
				f.trailAt = -1 // a comment after it ends its last line
			}
			f.trailing(end)
		}()
		if compound {
			f.otherComments(ds)
			// The clauses of a switch or select are lowered one by one:
			// the comments after the body's brace go with the header's.
			var body *ast.BlockStmt
			switch x := s.(type) {
			case *ast.SwitchStmt:
				body = x.Body
			case *ast.TypeSwitchStmt:
				body = x.Body
			case *ast.SelectStmt:
				body = x.Body
			}
			if body != nil {
				f.otherComments(f.dstOf(body))
			}
		}
	}
	if !f.hasSusp[s] {
		f.lineOf(s)
		f.simple(s)
		return
	}
	switch x := s.(type) {
	case *ast.BlockStmt:
		f.stmts(x.List)
	case *ast.LabeledStmt:
		if f.gotoTargets[f.info.Defs[x.Label]] {
			f.place(x.Label.Name)
			f.used[x.Label.Name] = true
		}
		switch x.Stmt.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			f.stmt(x.Stmt, x.Label.Name)
		default:
			f.stmt(x.Stmt, "")
		}
	case *ast.IfStmt:
		f.ifStmt(x)
	case *ast.ForStmt:
		f.forStmt(x, label)
	case *ast.RangeStmt:
		f.rangeStmt(x, label)
	case *ast.SwitchStmt:
		f.switchStmt(x, label)
	case *ast.TypeSwitchStmt:
		f.typeSwitch(x, label)
	case *ast.SelectStmt:
		f.selectStmt(x, label)
	case *ast.ExprStmt, *ast.AssignStmt, *ast.DeclStmt, *ast.ReturnStmt, *ast.IncDecStmt, *ast.SendStmt:
		f.lineOf(s)
		f.suspendIn(s)
	default:
		f.errorf(s.Pos(), "cannot lower a %T that suspends", s)
	}
}

// suspendIn lowers a simple statement holding one suspension: the
// suspension first, then the statement with its value.
func (f *fn) suspendIn(s ast.Stmt) {
	calls := f.suspensions(s)
	if len(calls) > 1 {
		// Suspensions on both sides of && or ||: branches.
		b := f.splitSC(s, calls)
		if b == nil {
			f.errorf(s.Pos(), "a statement may hold only one suspension (Yield, YieldErr, YieldFrom), or several separated by && or ||; split it")
			return
		}
		f.hoistEarly(s, calls[0])
		f.replace(s, b, f.placeholder(f.branchSCs(b, calls)))
		f.simple(s)
		return
	}
	call := calls[0]
	kind := f.susp[call]
	two := kind == kYieldErr || kind == kYieldFromErr
	if two && !isWholeRHS(s, call) {
		f.errorf(call.Pos(), "a two-valued suspension must be the whole right-hand side of an assignment")
		return
	}
	f.hoistEarly(s, call)
	if b := f.shortCircuit(s, call); b != nil {
		f.replace(s, b, f.placeholder(f.branchSC(b, call)))
		f.simple(s)
		return
	}
	at := len(f.code)
	val := f.suspend(call, kind)
	if es, ok := s.(*ast.ExprStmt); ok && ast.Unparen(es.X) == call {
		f.trailAt = at // the value is dropped: a trailing comment ends the yield's line
		return
	}
	f.replace(s, call, f.placeholder(val))
	f.simple(s)
}

// hoistEarly evaluates, before the suspension call, what of root is
// written before it and gc evaluates before a later call of the same
// statement, in that order, so that calls happen and panics come as they
// do in direct mode: calls and receives (the spec: in lexical
// left-to-right order), conversions between strings and byte or rune
// slices (runtime calls to gc), type assertions and slice expressions;
// and comparisons that may panic and conversions of slices to arrays when
// they are in an argument of a call that holds the suspension in a later
// argument (elsewhere gc evaluates them after the call, as the lowered
// statement does). What && or || evaluate only if they must is an error;
// the right operand of one that holds the suspension is left to its own
// branch.
func (f *fn) hoistEarly(root ast.Node, call *ast.CallExpr) {
	var early []ast.Expr
	var skip ast.Node // the right operand of && or || holding call
	ast.PreorderStack(root, nil, func(m ast.Node, stack []ast.Node) bool {
		if m.Pos() >= call.Pos() || m == skip || f.early[m] {
			return false // at or after the suspension, in its branch, or done
		}
		if m.End() > call.Pos() {
			// Holds the suspension: look inside.
			if b, ok := m.(*ast.BinaryExpr); ok && (b.Op == token.LAND || b.Op == token.LOR) && b.Y.Pos() <= call.Pos() {
				skip = b.Y
			}
			return true
		}
		hoist := false
		switch x := m.(type) {
		case *ast.FuncLit:
			return false
		case *ast.TypeAssertExpr, *ast.SliceExpr:
			hoist = true
		case *ast.UnaryExpr:
			hoist = x.Op == token.ARROW
		case *ast.BinaryExpr:
			hoist = (x.Op == token.EQL || x.Op == token.NEQ) && mayPanicCompare(f.info.TypeOf(x.X), f.info.TypeOf(x.Y)) && earlierArg(stack, m, call)
		case *ast.CallExpr:
			switch tv := f.info.Types[x.Fun]; {
			case f.info.Types[x].Value != nil:
			case tv.IsType():
				hoist = f.stringSlice(x) || f.sliceToArray(x) && earlierArg(stack, m, call)
			default:
				hoist = true
			}
		}
		if !hoist {
			return true
		}
		for _, a := range stack {
			if b, ok := a.(*ast.BinaryExpr); ok && (b.Op == token.LAND || b.Op == token.LOR) && !(b.Pos() <= call.Pos() && call.End() <= b.End()) {
				f.errorf(m.Pos(), "this runs before the suspension that follows it only if && or || let it; evaluate it into a variable first")
				return false
			}
		}
		early = append(early, m.(ast.Expr))
		f.early[m] = true
		return false
	})
	for _, e := range early {
		ts, err := f.typeString(types.Default(f.info.TypeOf(e)))
		if err != nil {
			f.errorf(e.Pos(), "cannot evaluate this before the suspension that follows it: %v", err)
			continue
		}
		t := f.temp("e", ts)
		f.emit("%s = %s", t, f.expr(e))
		f.replace(root, e, f.placeholder(t))
	}
}

// stringSlice reports whether c converts between a string and a byte or
// rune slice.
func (f *fn) stringSlice(c *ast.CallExpr) bool {
	if len(c.Args) != 1 {
		return false
	}
	to, from := f.info.TypeOf(c).Underlying(), f.info.TypeOf(c.Args[0]).Underlying()
	isStr := func(t types.Type) bool { b, ok := t.(*types.Basic); return ok && b.Info()&types.IsString != 0 }
	_, toSlice := to.(*types.Slice)
	_, fromSlice := from.(*types.Slice)
	return isStr(to) && fromSlice || toSlice && isStr(from)
}

// earlierArg reports whether m is in an argument of a call (in stack, m's
// ancestors) that holds call in a later argument.
func earlierArg(stack []ast.Node, m ast.Node, call *ast.CallExpr) bool {
	for _, a := range stack {
		k, ok := a.(*ast.CallExpr)
		if !ok || !(k.Pos() <= call.Pos() && call.End() <= k.End()) {
			continue
		}
		for _, arg := range k.Args {
			if arg.Pos() <= m.Pos() && m.End() <= arg.End() {
				return !(arg.Pos() <= call.Pos() && call.End() <= arg.End())
			}
		}
	}
	return false
}

// sliceToArray reports whether c converts a slice to an array or an array
// pointer, which panics when the slice is too short.
func (f *fn) sliceToArray(c *ast.CallExpr) bool {
	tv := f.info.Types[c.Fun]
	if !tv.IsType() || len(c.Args) != 1 {
		return false
	}
	if _, ok := f.info.TypeOf(c.Args[0]).Underlying().(*types.Slice); !ok {
		return false
	}
	to := tv.Type.Underlying()
	if p, ok := to.(*types.Pointer); ok {
		to = p.Elem().Underlying()
	}
	_, ok := to.(*types.Array)
	return ok
}

// mayPanicCompare reports whether comparing values of types x and y may
// panic: when an interface holds an uncomparable value (also inside a
// struct or an array, or as a type argument).
func mayPanicCompare(x, y types.Type) bool {
	var may func(t types.Type) bool
	may = func(t types.Type) bool {
		switch u := t.Underlying().(type) {
		case *types.Interface:
			return true
		case *types.Struct:
			for i := 0; i < u.NumFields(); i++ {
				if may(u.Field(i).Type()) {
					return true
				}
			}
		case *types.Array:
			return may(u.Elem())
		}
		return false
	}
	return x != nil && may(x) || y != nil && may(y)
}

// shortCircuit returns the outermost && or || in root whose right operand
// holds call: Go evaluates that operand only when the left one does not
// decide, so the suspension must not run unconditionally.
func (f *fn) shortCircuit(root ast.Node, call *ast.CallExpr) *ast.BinaryExpr {
	var found *ast.BinaryExpr
	ast.Inspect(root, func(n ast.Node) bool {
		if found != nil || n == nil {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if n.Pos() > call.Pos() || n.End() < call.End() {
			return false // call is not inside n
		}
		if b, ok := n.(*ast.BinaryExpr); ok && (b.Op == token.LAND || b.Op == token.LOR) && b.Y.Pos() <= call.Pos() && call.End() <= b.Y.End() {
			found = b
			return false
		}
		return true
	})
	return found
}

// branchSC lowers b, an && or || whose right operand suspends, into
// explicit branches and returns the temporary holding its value.
func (f *fn) branchSC(b *ast.BinaryExpr, call *ast.CallExpr) string {
	ts, err := f.typeString(types.Default(f.info.TypeOf(b)))
	if err != nil {
		f.errorf(b.Pos(), "cannot lower this %s: %v", b.Op, err)
		return "false"
	}
	t := f.temp("sc", ts)
	skip := f.label("SC")
	f.used[skip] = true
	f.emit("%s = %s", t, f.expr(b.X))
	if b.Op == token.LAND {
		f.emit("if !%s {\ngoto %s\n}", t, skip)
	} else {
		f.emit("if %s {\ngoto %s\n}", t, skip)
	}
	f.emit("%s = %s", t, f.suspendExpr(b.Y, call))
	f.place(skip)
	return t
}

// splitSC returns the outermost && or || of root that holds all of calls
// (several suspensions) with at least one in its right operand and, when
// it holds them all in one operand, one that splits them in that operand
// too (checked by the recursion of branchSCs); nil if there is none.
func (f *fn) splitSC(root ast.Node, calls []*ast.CallExpr) *ast.BinaryExpr {
	first, last := calls[0], calls[len(calls)-1]
	var found *ast.BinaryExpr
	ast.Inspect(root, func(n ast.Node) bool {
		if found != nil || n == nil {
			return false
		}
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if n.Pos() > first.Pos() || n.End() < last.End() {
			return false // does not hold them all
		}
		if b, ok := n.(*ast.BinaryExpr); ok && (b.Op == token.LAND || b.Op == token.LOR) && b.Y.Pos() <= last.Pos() {
			found = b
			return false
		}
		return true
	})
	return found
}

// branchSCs is branchSC for several suspensions: those of b.X (in
// b.X's own branches), then, if b.X does not decide, those of b.Y.
func (f *fn) branchSCs(b *ast.BinaryExpr, calls []*ast.CallExpr) string {
	var xs, ys []*ast.CallExpr
	for _, c := range calls {
		if c.Pos() < b.Y.Pos() {
			xs = append(xs, c)
		} else {
			ys = append(ys, c)
		}
	}
	ts, err := f.typeString(types.Default(f.info.TypeOf(b)))
	if err != nil {
		f.errorf(b.Pos(), "cannot lower this %s: %v", b.Op, err)
		return "false"
	}
	t := f.temp("sc", ts)
	skip := f.label("SC")
	f.used[skip] = true
	x := f.expr(b.X)
	if len(xs) > 0 {
		x = f.suspendExprs(b.X, xs)
	}
	f.emit("%s = %s", t, x)
	if b.Op == token.LAND {
		f.emit("if !%s {\ngoto %s\n}", t, skip)
	} else {
		f.emit("if %s {\ngoto %s\n}", t, skip)
	}
	f.emit("%s = %s", t, f.suspendExprs(b.Y, ys))
	f.place(skip)
	return t
}

// suspendExprs is suspendExpr for one or more suspensions.
func (f *fn) suspendExprs(e ast.Expr, calls []*ast.CallExpr) string {
	if len(calls) == 1 {
		return f.suspendExpr(e, calls[0])
	}
	b := f.splitSC(e, calls)
	if b == nil {
		f.errorf(calls[1].Pos(), "an expression may hold only one suspension, or several separated by && or ||; split it")
		return "false"
	}
	f.hoistEarly(e, calls[0])
	t := f.branchSCs(b, calls)
	if ast.Unparen(e) == ast.Expr(b) {
		return t
	}
	f.replace(e, b, f.placeholder(t))
	return f.exprDst(f.dstOf(e).(dst.Expr))
}

// suspendExpr emits the suspension call held by e and returns the text of
// e with the suspension's value in its place.
func (f *fn) suspendExpr(e ast.Expr, call *ast.CallExpr) string {
	f.hoistEarly(e, call)
	if b := f.shortCircuit(e, call); b != nil {
		t := f.branchSC(b, call)
		if ast.Unparen(e) == ast.Expr(b) {
			return t
		}
		f.replace(e, b, f.placeholder(t))
	} else {
		val := f.suspend(call, f.susp[call])
		if ast.Unparen(e) == ast.Expr(call) {
			return val
		}
		f.replace(e, call, f.placeholder(val))
	}
	return f.exprDst(f.dstOf(e).(dst.Expr))
}

func isWholeRHS(s ast.Stmt, c *ast.CallExpr) bool {
	call := ast.Expr(c)
	switch x := s.(type) {
	case *ast.AssignStmt:
		return len(x.Rhs) == 1 && ast.Unparen(x.Rhs[0]) == call
	case *ast.DeclStmt:
		gd := x.Decl.(*ast.GenDecl)
		if len(gd.Specs) == 1 {
			vs, ok := gd.Specs[0].(*ast.ValueSpec)
			return ok && len(vs.Values) == 1 && ast.Unparen(vs.Values[0]) == call
		}
	case *ast.ExprStmt:
		return ast.Unparen(x.X) == call
	case *ast.ReturnStmt:
		return len(x.Results) == 1 && ast.Unparen(x.Results[0]) == call
	}
	return false
}

// replace replaces the expression old by the identifier name in the dst
// nodes of s, keeping old's decorations. The go/ast nodes, which the type
// information describes, are never changed.
func (f *fn) replace(s ast.Node, old ast.Expr, name string) {
	dold := f.dstOf(old)
	dstutil.Apply(f.dstOf(s), func(c *dstutil.Cursor) bool {
		if c.Node() == dold {
			c.Replace(f.phIdent(name, dold))
			return false
		}
		return true
	}, nil)
}

// phIdent is an identifier (a placeholder) that takes the place of n with
// n's comments.
func (f *fn) phIdent(name string, n dst.Node) *dst.Ident {
	id := dst.NewIdent(name)
	if n != nil {
		id.Decs.NodeDecs = *n.Decorations()
	}
	return id
}

// phStmt is a statement (a placeholder) that takes the place of n with n's
// comments.
func (f *fn) phStmt(name string, n dst.Node) *dst.ExprStmt {
	st := &dst.ExprStmt{X: dst.NewIdent(name)}
	st.Decs.NodeDecs = *n.Decorations()
	return st
}

// suspend emits a resume point for call and returns the expression of its
// value(s) after resumption.
func (f *fn) suspend(call *ast.CallExpr, kind int) string {
	c := f.coroName
	f.npc++
	k := f.npc
	switch kind {
	case kYield, kYieldErr:
		f.emit("_agY = %s", f.expr(call.Args[0]))
		f.emit("_agm._agpc = %d", k)
		f.term[len(f.code)] = true
		f.emit("return")
		f.place(fmt.Sprintf("_agS%d", k))
		f.used[fmt.Sprintf("_agS%d", k)] = true
		if kind == kYield {
			f.emit("if _agThrown != nil {\n%s\n}", f.unwind("_agThrown"))
			return "_agSent"
		}
		f.emit("if _agThrown == %s.ErrGeneratorExit {\n%s\n}", c, f.unwind("_agThrown"))
		return "_agSent, _agThrown"
	}
	subT, err := f.typeString(f.info.TypeOf(call.Args[1]))
	if err != nil {
		f.errorf(call.Pos(), "cannot lower this YieldFrom: %v", err)
	}
	return f.delegate(call, kind, k, subT)
}

// suspensions lists the suspension calls in n, outside function literals.
func (f *fn) suspensions(n ast.Node) []*ast.CallExpr {
	var calls []*ast.CallExpr
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if k, ok := f.susp[x]; ok && k != kRaise {
				calls = append(calls, x)
			}
		}
		return true
	})
	return calls
}

func (f *fn) delegate(call *ast.CallExpr, kind, k int, subT string) string {
	c := f.coroName
	// the sub-generator's result type
	var rT string
	if kind == kYieldFrom {
		rT, _ = f.typeString(f.info.TypeOf(call))
	} else {
		rT, _ = f.typeString(f.info.TypeOf(call).(*types.Tuple).At(0).Type())
	}
	sub := f.temp("sub", subT)
	dr := f.temp("dr", rT)
	f.ensure("_agdd", "bool")
	f.ensure("_agderr", "error")
	end := f.label("E")
	f.emit("%s = %s", sub, f.expr(call.Args[1]))
	f.emit("_agY, _agm._agdd, %s, _agm._agderr = %s.Delegate(%s, true, _agSent, nil)", dr, c, sub)
	f.emit("if !_agm._agdd {\n_agm._agpc = %d\nreturn\n}", k)
	f.goto_(end)
	f.place(fmt.Sprintf("_agS%d", k))
	f.used[fmt.Sprintf("_agS%d", k)] = true
	f.emit("_agY, _agm._agdd, %s, _agm._agderr = %s.Delegate(%s, false, _agSent, _agThrown)", dr, c, sub)
	// Closing: sub closed cleanly unwinds the body; an error sub's Close
	// returned is delivered like any other (PEP 380), as in direct mode.
	f.emit("if %s.DelegateUnwinds(_agThrown, _agm._agderr) {\n_agm._agf.Raise(_agm._agderr)\n}", c)
	f.emit("if !_agm._agdd {\n_agm._agpc = %d\nreturn\n}", k)
	f.place(end)
	f.emit("%s = nil", sub)
	if kind == kYieldFrom {
		f.emit("if _agm._agderr != nil {\n_agm._agf.Raise(_agm._agderr)\n}")
		return dr
	}
	return dr + ", _agm._agderr"
}

func (f *fn) ensure(name, typ string) {
	for _, fd := range f.fields {
		if fd.name == name {
			return
		}
	}
	f.fields = append(f.fields, &field{name: name, typ: typ})
}

func (f *fn) placeholder(text string) string {
	f.nph++
	p := fmt.Sprintf("%s%d_", f.phPrefix, f.nph)
	f.ph[p] = text
	return p
}

// simple lowers a statement without suspensions at the top level: its
// declarations become assignments to hoisted fields.
func (f *fn) simple(s ast.Stmt) {
	switch x := s.(type) {
	case *ast.AssignStmt:
		if x.Tok == token.DEFINE {
			var pre []string
			for _, l := range x.Lhs {
				id := l.(*ast.Ident)
				if o := f.info.Defs[id]; o != nil && id.Name != "_" {
					fd := f.hoist(o, true)
					if fd.ptr {
						pre = append(pre, fmt.Sprintf("_agm.%s = new(%s)", fd.name, fd.typ))
					}
				}
			}
			for _, p := range pre {
				f.emit("%s", p)
			}
			f.dstOf(x).(*dst.AssignStmt).Tok = token.ASSIGN
		}
	case *ast.DeclStmt:
		gd := x.Decl.(*ast.GenDecl)
		switch gd.Tok {
		case token.VAR:
			// The values are printed from the dst specs, where a suspension
			// has been replaced by its value; comments go around the
			// assignments.
			dgd := f.dstOf(gd)
			f.comments(dgd.Decorations().Start)
			f.otherComments(dgd)
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				dvs := f.dstOf(vs).(*dst.ValueSpec)
				f.comments(dvs.Decs.Start)
				f.otherComments(dvs)
				if gd.Lparen.IsValid() {
					f.lineOf(vs) // a group's specs are on lines of their own
				}
				var lhs []string
				for _, n := range vs.Names {
					if n.Name == "_" {
						lhs = append(lhs, "_")
						continue
					}
					fd := f.hoist(f.info.Defs[n], true)
					if fd.ptr {
						f.emit("_agm.%s = new(%s)", fd.name, fd.typ)
					} else if len(vs.Values) == 0 {
						f.emit("_agm.%s = *new(%s)", fd.name, fd.typ)
					}
					lhs = append(lhs, fd.ref())
				}
				if len(dvs.Values) > 0 {
					var rhs []string
					for _, v := range dvs.Values {
						rhs = append(rhs, f.exprDst(v))
					}
					f.emit("%s = %s", strings.Join(lhs, ", "), strings.Join(rhs, ", "))
				}
				f.trailing(dvs.Decs.End)
			}
			f.trailing(dgd.Decorations().End)
			return
		case token.TYPE:
			f.errorf(x.Pos(), "a type declared in a generator body must be declared in a block that does not suspend")
			return
		case token.CONST:
			// Flattened blocks share Resume's scope: each constant gets a
			// name of its own, used wherever its object is.
			for _, sp := range gd.Specs {
				for _, n := range sp.(*ast.ValueSpec).Names {
					if o := f.info.Defs[n]; o != nil && n.Name != "_" {
						f.nconst++
						f.alias[o] = fmt.Sprintf("%sk%d_%s", pfx, f.nconst, n.Name)
					}
				}
			}
		}
	case *ast.ReturnStmt:
		f.ret(x)
		return
	case *ast.BranchStmt:
		f.branch(x)
		return
	case *ast.EmptyStmt:
		return
	}
	f.term[len(f.code)] = f.terminating(s)
	f.emit("%s", f.verbatim(s))
}

// isNamedResult reports whether e is the named result itself: returning
// it leaves it as it is (assigning it to itself would be a vet report).
func (f *fn) isNamedResult(e ast.Expr) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && f.named != nil && f.info.Uses[id] == f.named
}

// ret lowers a return at the top level (its result is printed from the dst
// node, where a suspension has been replaced by its value).
func (f *fn) ret(x *ast.ReturnStmt) {
	if dx := f.dstOf(x).(*dst.ReturnStmt); len(dx.Results) == 1 && !f.isNamedResult(x.Results[0]) {
		f.emit("_agm._agf.R = %s", f.exprDst(dx.Results[0]))
	}
	if st := f.stops(0); st != "" {
		f.emit("%s", st)
	}
	f.goto_("_agRet")
}

func (f *fn) branch(x *ast.BranchStmt) {
	switch x.Tok {
	case token.BREAK, token.CONTINUE:
		l, stops := f.branchTarget(x)
		if l == "" {
			f.errorf(x.Pos(), "cannot lower this %s", x.Tok)
			return
		}
		if stops != "" {
			f.emit("%s", stops)
		}
		f.goto_(l)
	case token.GOTO:
		if stops := f.gotoStops(x); stops != "" {
			f.emit("%s", stops)
		}
		f.goto_(x.Label.Name)
	default:
		f.errorf(x.Pos(), "cannot lower %s here", x.Tok)
	}
}

// gotoStops is the code that finishes the range-over-func loops that a
// goto leaves (its label is not inside them).
func (f *fn) gotoStops(x *ast.BranchStmt) string {
	l, _ := f.info.Uses[x.Label].(*types.Label)
	for i, t := range f.targets {
		if t.stop != "" && l != nil && !(t.node.Pos() <= l.Pos() && l.Pos() < t.node.End()) {
			return f.stops(i)
		}
	}
	return ""
}

// branchTarget returns the label a break or continue jumps to, and the
// code that first finishes the range-over-func loops it leaves.
func (f *fn) branchTarget(x *ast.BranchStmt) (string, string) {
	for i := len(f.targets) - 1; i >= 0; i-- {
		t := f.targets[i]
		if x.Label != nil && t.label != x.Label.Name {
			continue
		}
		if x.Tok == token.BREAK {
			return t.brk, f.stops(i + 1)
		}
		if t.cont != "" {
			return t.cont, f.stops(i + 1)
		}
	}
	return "", ""
}

// stops is the code that finishes the range-over-func loops from the
// targets[from:] (innermost first), as Go does when a jump or a return
// leaves them: the iterator's yield returns false and the iterator
// returns, running its defers, before the jump goes on.
func (f *fn) stops(from int) string {
	var b strings.Builder
	for i := len(f.targets) - 1; i >= from; i-- {
		if s := f.targets[i].stop; s != "" {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%s(nil)\n%s = nil", s, s)
		}
	}
	return b.String()
}

// expr prints an expression with hoisted variables renamed.
func (f *fn) expr(e ast.Expr) string { return f.verbatim(e) }

// exprDst prints a dst expression with hoisted variables renamed.
func (f *fn) exprDst(e dst.Expr) string { return f.verbatimDst(e) }

// verbatim prints n, which has no suspension, with hoisted variables
// renamed and the statements that leave the generator body (return, break
// and continue to a lowered loop, defer, Raise) lowered. It prints the dst
// node decorating n, so the comments inside n come along.
func (f *fn) verbatim(n ast.Node) string {
	dn := f.dstOf(n)
	if dn == nil {
		f.errorf(n.Pos(), "internal error: no dst node for a %T", n)
		return ""
	}
	return f.verbatimDst(dn)
}

// verbatimDst is verbatim on a dst node: the go/ast node each dst node
// decorates gives its type information; nodes the rewriter made (the
// placeholders) have none and are printed as they are.
func (f *fn) verbatimDst(n dst.Node) string {
	litDepth := 0
	breakable, loops := 0, 0
	labels := map[string]bool{}
	root := dstutil.Apply(n, func(c *dstutil.Cursor) bool {
		switch x := c.Node().(type) {
		case *dst.FuncLit:
			if litDepth == 0 && !f.inWrap {
				if lit, ok := f.astOf(x).(*ast.FuncLit); ok {
					if txt, ok := f.wrapLit(lit); ok {
						c.Replace(f.phIdent(f.placeholder(txt), x))
						return false
					}
				}
			}
			f.inWrap = false
			litDepth++
		case *dst.ForStmt, *dst.RangeStmt:
			breakable++
			loops++
		case *dst.SwitchStmt, *dst.TypeSwitchStmt, *dst.SelectStmt:
			breakable++
		case *dst.LabeledStmt:
			labels[x.Label.Name] = true
		case *dst.Ident:
			if f.renamed[x] || strings.HasPrefix(x.Name, pfx) {
				return true
			}
			id, ok := f.astOf(x).(*ast.Ident)
			if !ok {
				return true
			}
			o := f.info.ObjectOf(id)
			if a, ok := f.alias[o]; ok {
				x.Name = a
				f.renamed[x] = true
			} else if fd := f.hoisted[o]; fd != nil {
				x.Name = fd.ref()
				f.renamed[x] = true
			}
		case *dst.CallExpr:
			call, ok := f.astOf(x).(*ast.CallExpr)
			if !ok {
				return true
			}
			if k, ok := f.susp[call]; ok && k == kRaise && litDepth == 0 {
				// Through the machine: no name of the user's scope (panic,
				// the coro package) is involved.
				c.Replace(f.phIdent(f.placeholder(fmt.Sprintf("_agm._agf.Raise(%s)", f.exprDst(x.Args[0]))), x))
				return false
			}
		case *dst.ReturnStmt:
			if litDepth == 0 {
				var b strings.Builder
				b.WriteString("{\n")
				if ar, ok := f.astOf(x).(*ast.ReturnStmt); ok && len(x.Results) == 1 && !f.isNamedResult(ar.Results[0]) {
					fmt.Fprintf(&b, "_agm._agf.R = %s\n", f.exprDst(x.Results[0]))
				}
				if st := f.stops(0); st != "" {
					b.WriteString(st + "\n")
				}
				b.WriteString("goto _agRet\n}")
				f.used["_agRet"] = true
				c.Replace(f.phStmt(f.placeholder(b.String()), x))
				return false
			}
		case *dst.BranchStmt:
			if litDepth == 0 && x.Tok == token.GOTO {
				if ab, ok := f.astOf(x).(*ast.BranchStmt); ok {
					if stops := f.gotoStops(ab); stops != "" {
						c.Replace(f.phStmt(f.placeholder(fmt.Sprintf("{\n%s\ngoto %s\n}", stops, x.Label.Name)), x))
						return false
					}
				}
			}
			if litDepth == 0 && (x.Tok == token.BREAK || x.Tok == token.CONTINUE) {
				inner := false
				if x.Label != nil {
					inner = labels[x.Label.Name]
				} else if x.Tok == token.BREAK {
					inner = breakable > 0
				} else {
					inner = loops > 0
				}
				if !inner {
					ab, ok := f.astOf(x).(*ast.BranchStmt)
					if !ok {
						return false
					}
					l, stops := f.branchTarget(ab)
					if l == "" {
						f.errorf(ab.Pos(), "cannot lower this %s", ab.Tok)
						return false
					}
					f.used[l] = true
					if stops != "" {
						c.Replace(f.phStmt(f.placeholder(fmt.Sprintf("{\n%s\ngoto %s\n}", stops, l)), x))
						return false
					}
					g := &dst.BranchStmt{Tok: token.GOTO, Label: dst.NewIdent(l)}
					g.Decs.NodeDecs = x.Decs.NodeDecs
					c.Replace(g)
					return false
				}
			}
		case *dst.DeferStmt:
			if litDepth == 0 {
				if d, ok := f.astOf(x).(*ast.DeferStmt); ok {
					c.Replace(f.phStmt(f.placeholder(f.deferText(d)), x))
					return false
				}
			}
		}
		return true
	}, func(c *dstutil.Cursor) bool {
		switch c.Node().(type) {
		case *dst.FuncLit:
			litDepth--
		case *dst.ForStmt, *dst.RangeStmt:
			breakable--
			loops--
		case *dst.SwitchStmt, *dst.TypeSwitchStmt, *dst.SelectStmt:
			breakable--
		}
		return true
	})
	text, err := printDst(root)
	if err != nil {
		pos := token.NoPos
		if a := f.astOf(n); a != nil {
			pos = a.Pos()
		}
		f.errorf(pos, "internal error: %v", err)
	}
	return f.subst(text)
}

// wrapLit binds the escaping variables a function literal uses when the
// literal is evaluated, as Go's closures capture the variables themselves:
// a variable declared again in a later iteration is a new one.
func (f *fn) wrapLit(lit *ast.FuncLit) (string, bool) {
	var objs []types.Object
	seen := map[types.Object]bool{}
	ast.Inspect(lit, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			o := f.info.ObjectOf(id)
			if fd := f.hoisted[o]; fd != nil && fd.ptr && !seen[o] {
				seen[o] = true
				objs = append(objs, o)
			}
		}
		return true
	})
	if len(objs) == 0 {
		return "", false
	}
	// The pointers are bound by := so that no type is named here, inside
	// the user's scope (a local type or package name may shadow it).
	var binds []string
	for _, o := range objs {
		fd := f.hoisted[o]
		f.alias[o] = "(*_agc" + fd.name + ")"
		binds = append(binds, fmt.Sprintf("_agc%s := _agm.%s\n", fd.name, fd.name))
	}
	typ := f.verbatim(lit.Type)
	f.inWrap = true
	body := f.verbatim(lit)
	f.inWrap = false
	for _, o := range objs {
		delete(f.alias, o)
	}
	return fmt.Sprintf("func() %s {\n%sreturn %s\n}()", typ, strings.Join(binds, ""), body), true
}

// subst puts the text of each placeholder in its place. The placeholders'
// prefix occurs nowhere in the source file (see phPrefix), so what it
// finds was put there by the lowering, never text of the user's.
func (f *fn) subst(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, f.phPrefix)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := i + len(f.phPrefix)
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		if j < len(s) && s[j] == '_' {
			if t, ok := f.ph[s[i:j+1]]; ok {
				b.WriteString(s[:i])
				s = t + s[j+1:] // a placeholder's text may hold others
				continue
			}
		}
		b.WriteString(s[:j])
		s = s[j:]
	}
}

// deferText lowers a defer statement: the function and its arguments are
// evaluated now; the call is pushed on the frame so that, when it runs, the
// function itself is the deferred one (recover() in it works as in Go).
func (f *fn) deferText(d *ast.DeferStmt) string {
	f.closes = true
	call := d.Call
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok && len(call.Args) == 0 && lit.Type.Results.NumFields() == 0 {
		return fmt.Sprintf("_agm._agf.Push(%s)", f.verbatim(lit))
	}
	var b strings.Builder
	b.WriteString("{\n")
	fun := ""
	if k, ok := f.susp[call]; ok && k == kRaise {
		fun = "_agm._agf.Raise"
	} else if id := calleeIdent(call.Fun); id != nil && f.constFunc(call.Fun, id) {
		fun = f.expr(call.Fun) // a function or builtin by name: nothing to evaluate
	} else {
		fmt.Fprintf(&b, "_agdf := %s\n", f.expr(call.Fun))
		fun = "_agdf"
	}
	var args []string
	for i, a := range call.Args {
		tv := f.info.Types[a]
		if tv.Value != nil || tv.IsNil() || tv.IsType() {
			args = append(args, f.expr(a))
			continue
		}
		val := f.expr(a)
		if isOperation(a) && isBasic(tv.Type) {
			// An operation on untyped operands (n > 1, 1 << n) takes
			// its type from the call: the type recorded for it.
			ts, err := f.typeString(tv.Type)
			if err != nil {
				f.errorf(a.Pos(), "cannot defer this call: argument %d: %v", i+1, err)
			}
			val = fmt.Sprintf("%s(%s)", ts, val)
		}
		n := fmt.Sprintf("_agda%d", i)
		fmt.Fprintf(&b, "%s := %s\n", n, val)
		args = append(args, n)
	}
	ell := ""
	if call.Ellipsis.IsValid() {
		ell = "..."
	}
	fmt.Fprintf(&b, "_agm._agf.Defer(func(_agrethrow func()) {\ndefer %s(%s%s)\n_agrethrow()\n})\n}", fun, strings.Join(args, ", "), ell)
	return b.String()
}

// constFunc reports whether the called expression e, named by id, is a
// function or builtin by name (maybe instantiated), whose evaluation has no
// effect and gives the same function later.
func (f *fn) constFunc(e ast.Expr, id *ast.Ident) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
	case *ast.SelectorExpr:
		if sel := f.info.Selections[x]; sel != nil {
			return sel.Kind() == types.MethodExpr
		}
	default:
		return false
	}
	switch o := f.info.Uses[id].(type) {
	case *types.Builtin:
		return true
	case *types.Func:
		return o.Parent() == nil || o.Parent() == o.Pkg().Scope()
	}
	return false
}

// isOperation reports whether e is an operator applied to operands, whose
// type may come from its context (a comparison, a shift of a constant).
func isOperation(e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.BinaryExpr:
		return true
	case *ast.UnaryExpr:
		return x.Op != token.ARROW && x.Op != token.AND
	}
	return false
}

// ---------------------------------------------------------------------------
// Compound statements that suspend.

func (f *fn) init(s ast.Stmt) {
	if s == nil {
		return
	}
	f.stmt(s, "")
}

// cond prints a condition, suspending first if it holds a suspension.
func (f *fn) cond(e ast.Expr, holder ast.Stmt) string {
	if !f.hasSusp[e] {
		return f.expr(e)
	}
	var calls []*ast.CallExpr
	ast.Inspect(e, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			if k, ok := f.susp[c]; ok && k != kRaise {
				calls = append(calls, c)
			}
		}
		return true
	})
	for _, c := range calls {
		if k := f.susp[c]; k == kYieldErr || k == kYieldFromErr {
			f.errorf(c.Pos(), "a condition may hold only single-valued suspensions")
			return "false"
		}
	}
	return f.suspendExprs(e, calls)
}

func (f *fn) ifStmt(x *ast.IfStmt) {
	f.lineOf(x)
	f.init(x.Init)
	c := f.cond(x.Cond, x)
	els, end := f.label("Else"), f.label("Fi")
	f.used[els] = true
	f.emit("if !(%s) {\ngoto %s\n}", c, els)
	f.stmt(x.Body, "")
	if x.Else != nil {
		f.goto_(end)
	}
	f.place(els)
	if x.Else != nil {
		f.stmt(x.Else, "")
		f.place(end)
	}
}

func (f *fn) loop(label string, body func(brk, cont string)) {
	brk, cont := f.label("Brk"), f.label("Cont")
	f.targets = append(f.targets, target{label: label, brk: brk, cont: cont})
	body(brk, cont)
	f.targets = f.targets[:len(f.targets)-1]
}

func (f *fn) forStmt(x *ast.ForStmt, label string) {
	if (x.Cond != nil && f.hasSusp[x.Cond]) || (x.Post != nil && f.hasSusp[x.Post]) {
		f.errorf(x.Pos(), "a loop's condition and post statement cannot suspend; move the suspension into the body")
		return
	}
	f.lineOf(x)
	f.init(x.Init)
	top := f.label("Top")
	f.loop(label, func(brk, cont string) {
		f.place(top)
		f.used[top] = true
		if x.Cond != nil {
			f.used[brk] = true
			f.lineOf(x.Cond) // a panic in the condition points at it
			f.emit("if !(%s) {\ngoto %s\n}", f.expr(x.Cond), brk)
		}
		f.stmt(x.Body, "")
		f.place(cont)
		// Go 1.22: each iteration has its own copy of the loop variables.
		if as, ok := x.Init.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					if fd := f.hoisted[f.info.ObjectOf(id)]; fd != nil && fd.ptr {
						f.emit("{\n_agt := *_agm.%s\n_agm.%s = new(%s)\n*_agm.%s = _agt\n}", fd.name, fd.name, fd.typ, fd.name)
					}
				}
			}
		}
		if x.Post != nil {
			f.lineOf(x.Post)
			f.emit("%s", f.verbatim(x.Post))
		}
		f.goto_(top)
		f.place(brk)
	})
}

// assignIter assigns an iteration value to the range's key or value.
func (f *fn) assignIter(x *ast.RangeStmt, e ast.Expr, val string) {
	if e == nil {
		return
	}
	if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
		return
	}
	if x.Tok == token.DEFINE {
		fd := f.hoist(f.info.Defs[e.(*ast.Ident)], true)
		if fd.ptr {
			f.emit("_agm.%s = new(%s)", fd.name, fd.typ)
		}
		f.emit("%s = %s", fd.ref(), val)
		return
	}
	f.emit("%s = %s", f.expr(e), val)
}

func (f *fn) rangeStmt(x *ast.RangeStmt, label string) {
	if f.hasSusp[x.X] {
		f.errorf(x.X.Pos(), "a range expression cannot suspend; assign it to a variable first")
		return
	}
	f.lineOf(x)
	t := f.info.TypeOf(x.X)
	ts, err := f.typeString(types.Default(t))
	if err != nil {
		f.errorf(x.X.Pos(), "cannot lower this range: %v", err)
		return
	}
	under := t.Underlying()
	if p, ok := under.(*types.Pointer); ok {
		under = p.Elem().Underlying()
	}
	// The spec: with at most one iteration variable and a constant len(x)
	// (an array or a pointer to one, no call or receive in x), x is not
	// evaluated at all (a nil pointer does not panic, an array is not
	// copied).
	length := ""
	if a, ok := under.(*types.Array); ok && (x.Value == nil || isBlank(x.Value)) && !f.callsOrReceives(x.X) {
		length = fmt.Sprint(a.Len())
	}
	rv := ""
	if length == "" {
		rv = f.temp("r", ts)
		f.emit("%s = %s", rv, f.expr(x.X))
		length = "len(" + rv + ")"
	}
	top := f.label("Top")
	f.used[top] = true
	f.loop(label, func(brk, cont string) {
		f.used[brk] = true
		switch u := under.(type) {
		case *types.Basic:
			if u.Info()&types.IsString != 0 {
				i := f.temp("i", "int")
				w := f.temp("w", "int")
				utf8 := f.pkgName("unicode/utf8", "utf8")
				f.emit("%s = 0", i)
				f.place(top)
				f.emit("if %s >= len(%s) {\ngoto %s\n}", i, rv, brk)
				// string(...): the range may be over a named string type.
				f.emit("{\n_agc, _agw := %s.DecodeRuneInString(string(%s[%s:]))\n%s = _agw\n_ = _agc", utf8, rv, i, w)
				f.assignIter(x, x.Key, i)
				f.assignIter(x, x.Value, "_agc")
				f.emit("}")
				f.stmt(x.Body, "")
				f.place(cont)
				f.emit("%s += %s", i, w)
				f.goto_(top)
			} else {
				// range over an integer
				i := f.temp("i", ts)
				f.emit("%s = 0", i)
				f.place(top)
				f.emit("if %s >= %s {\ngoto %s\n}", i, rv, brk)
				f.assignIter(x, x.Key, i)
				f.stmt(x.Body, "")
				f.place(cont)
				f.emit("%s++", i)
				f.goto_(top)
			}
		case *types.Slice, *types.Array:
			i := f.temp("i", "int")
			f.emit("%s = 0", i)
			f.place(top)
			f.emit("if %s >= %s {\ngoto %s\n}", i, length, brk)
			f.assignIter(x, x.Key, i)
			f.assignIter(x, x.Value, fmt.Sprintf("%s[%s]", rv, i))
			f.stmt(x.Body, "")
			f.place(cont)
			f.emit("%s++", i)
			f.goto_(top)
		case *types.Map:
			kt, err := f.typeString(u.Key())
			if err != nil {
				f.errorf(x.X.Pos(), "cannot lower this range: %v", err)
				return
			}
			keys := f.temp("keys", "[]"+kt)
			i := f.temp("i", "int")
			// Deleted entries not reached yet are skipped, entries added
			// are not produced: both allowed by the spec.
			if !mayBeNaN(u.Key()) {
				f.emit("%s = %s[:0]\nfor _agk := range %s {\n%s = append(%s, _agk)\n}", keys, keys, rv, keys, keys)
				f.emit("%s = 0", i)
				f.place(top)
				f.emit("if %s >= len(%s) {\ngoto %s\n}", i, keys, brk)
				vname := "_"
				if x.Value != nil && !isBlank(x.Value) {
					vname = "_agv"
				}
				f.emit("{\n_agk := %s[%s]\n%s, _agok := %s[_agk]\nif !_agok {\n%s++\ngoto %s\n}", keys, i, vname, rv, i, top)
			} else {
				// A NaN key is an entry of its own that no lookup finds
				// and only clear removes: its value is snapshotted, and
				// it is produced if the map still holds a NaN key.
				vt, err := f.typeString(u.Elem())
				if err != nil {
					f.errorf(x.X.Pos(), "cannot lower this range: %v", err)
					return
				}
				nanv := f.temp("nanv", "[]"+vt)
				ni := f.temp("ni", "int")
				f.emit("%s, %s = %s[:0], %s[:0]\nfor _agk, _agv := range %s {\n%s = append(%s, _agk)\nif _agk != _agk {\n%s = append(%s, _agv)\n}\n}", keys, nanv, keys, nanv, rv, keys, keys, nanv, nanv)
				f.emit("%s, %s = 0, 0", i, ni)
				f.place(top)
				f.emit("if %s >= len(%s) {\ngoto %s\n}", i, keys, brk)
				f.emit("{\n_agk := %s[%s]\n_agv, _agok := %s[_agk]\nif _agk != _agk {\n_agv, _agok = %s[%s], false\n%s++\nfor _agn := range %s {\nif _agn != _agn {\n_agok = true\nbreak\n}\n}\n}\nif !_agok {\n%s++\ngoto %s\n}\n_ = _agv", keys, i, rv, nanv, ni, ni, rv, i, top)
			}
			f.assignIter(x, x.Key, "_agk")
			f.assignIter(x, x.Value, "_agv")
			f.emit("}")
			f.stmt(x.Body, "")
			f.place(cont)
			f.emit("%s++", i)
			f.goto_(top)
		case *types.Chan:
			f.place(top)
			vname := "_"
			if x.Key != nil && !isBlank(x.Key) {
				vname = "_agv"
			}
			f.emit("{\n%s, _agok := <-%s\nif !_agok {\ngoto %s\n}", vname, rv, brk)
			f.assignIter(x, x.Key, "_agv")
			f.emit("}")
			f.stmt(x.Body, "")
			f.place(cont)
			f.goto_(top)
		case *types.Signature:
			f.rangeFunc(x, u, rv, top, brk, cont)
			return
		default:
			f.errorf(x.X.Pos(), "cannot lower a range over %s", t)
		}
		f.place(brk)
	})
}

// callsOrReceives reports whether evaluating e calls a function or
// receives from a channel (conversions and builtins evaluated at compile
// time aside, as the spec's constant len rule has it).
func (f *fn) callsOrReceives(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if tv := f.info.Types[x]; tv.Value == nil && !f.info.Types[x.Fun].IsType() {
				found = true
			}
		case *ast.UnaryExpr:
			found = found || x.Op == token.ARROW
		}
		return !found
	})
	return found
}

// mayBeNaN reports whether a map key of type t may be a NaN (or hold one),
// which is unequal to itself.
func mayBeNaN(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return u.Info()&(types.IsFloat|types.IsComplex) != 0
	case *types.Interface:
		return true
	case *types.Array:
		return mayBeNaN(u.Elem())
	case *types.Struct:
		for i := 0; i < u.NumFields(); i++ {
			if mayBeNaN(u.Field(i).Type()) {
				return true
			}
		}
	}
	return false
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

// rangeFunc lowers a range over a function iterator that suspends in its
// body: the iterator is turned into a pull iterator, stopped when the loop
// ends or the body unwinds.
func (f *fn) rangeFunc(x *ast.RangeStmt, sig *types.Signature, rv, top, brk, cont string) {
	yield := sig.Params().At(0).Type().Underlying().(*types.Signature)
	n := yield.Params().Len()
	it := f.pkgName("iter", "iter")
	var vts []string
	for i := 0; i < n; i++ {
		s, err := f.typeString(yield.Params().At(i).Type())
		if err != nil {
			f.errorf(x.X.Pos(), "cannot lower this range: %v", err)
			return
		}
		vts = append(vts, s)
	}
	var next string
	switch n {
	case 1:
		next = f.temp("next", fmt.Sprintf("func() (%s, bool)", vts[0]))
	case 2:
		next = f.temp("next", fmt.Sprintf("func() (%s, %s, bool)", vts[0], vts[1]))
	default:
		f.errorf(x.X.Pos(), "cannot lower a range over a func(func() bool) iterator that suspends")
		return
	}
	stop := f.temp("stop", "func(any)")
	f.closes = true
	if n == 1 {
		f.emit("%s, %s = %s.Pull(%s.Seq[%s](%s))", next, stop, f.coroName, it, vts[0], rv)
	} else {
		f.emit("%s, %s = %s.Pull2(%s.Seq2[%s, %s](%s))", next, stop, f.coroName, it, vts[0], vts[1], rv)
	}
	// Jumps and returns out of the loop stop the iterator; a panic or a
	// close inside it stops it before the deferred calls run.
	f.emit("_agm._agf.Iterate(&%s)", stop)
	f.targets[len(f.targets)-1].stop = stop
	f.targets[len(f.targets)-1].node = x
	f.place(top)
	if n == 1 {
		f.emit("{\n_agv, _agok := %s()\nif !_agok {\ngoto %s\n}\n_ = _agv", next, brk)
		f.assignIter(x, x.Key, "_agv")
	} else {
		f.emit("{\n_agk, _agv, _agok := %s()\nif !_agok {\ngoto %s\n}\n_, _ = _agk, _agv", next, brk)
		f.assignIter(x, x.Key, "_agk")
		f.assignIter(x, x.Value, "_agv")
	}
	f.emit("}")
	f.stmt(x.Body, "")
	f.place(cont)
	f.goto_(top)
	f.place(brk)
	f.emit("%s(nil)\n%s = nil", stop, stop)
}

func (f *fn) switchStmt(x *ast.SwitchStmt, label string) {
	f.lineOf(x)
	f.init(x.Init)
	tag := ""
	if x.Tag != nil {
		t := types.Default(f.info.TypeOf(x.Tag))
		ts, err := f.typeString(t)
		if err != nil {
			f.errorf(x.Tag.Pos(), "cannot lower this switch: %v", err)
			return
		}
		tag = f.temp("tag", ts)
		f.emit("%s = %s", tag, f.cond(x.Tag, x))
	}
	brk := f.label("Brk")
	f.used[brk] = true
	f.targets = append(f.targets, target{label: label, brk: brk})
	defer func() { f.targets = f.targets[:len(f.targets)-1] }()
	labels := make([]string, len(x.Body.List))
	def := ""
	for i, cc := range x.Body.List {
		labels[i] = f.label("Case")
		f.used[labels[i]] = true
		c := cc.(*ast.CaseClause)
		if c.List == nil {
			def = labels[i]
			continue
		}
		var conds []string
		for _, e := range c.List {
			if f.hasSusp[e] {
				f.errorf(e.Pos(), "a case expression cannot suspend")
				return
			}
			if tag != "" {
				conds = append(conds, fmt.Sprintf("%s == (%s)", tag, f.expr(e)))
			} else {
				conds = append(conds, "("+f.expr(e)+")")
			}
		}
		f.emit("if %s {\ngoto %s\n}", strings.Join(conds, " || "), labels[i])
	}
	if def != "" {
		f.goto_(def)
	} else {
		f.goto_(brk)
	}
	for i, cc := range x.Body.List {
		c := cc.(*ast.CaseClause)
		colon, end := f.clauseComments(c)
		f.place(labels[i])
		f.comments(colon)
		body := c.Body
		var fall ast.Stmt
		if n := len(body); n > 0 {
			if b, ok := body[n-1].(*ast.BranchStmt); ok && b.Tok == token.FALLTHROUGH {
				body, fall = body[:n-1], b
			}
		}
		f.stmts(body)
		if fall != nil {
			d := f.dstOf(fall).Decorations()
			f.comments(d.Start)
			f.trailAt = -1
			f.goto_(labels[i+1])
			f.trailing(d.End)
		}
		f.trailing(end)
		if fall == nil {
			f.goto_(brk)
		}
	}
	f.place(brk)
}

func (f *fn) typeSwitch(x *ast.TypeSwitchStmt, label string) {
	f.lineOf(x)
	f.init(x.Init)
	var xe ast.Expr
	var sym *ast.Ident
	switch a := x.Assign.(type) {
	case *ast.AssignStmt:
		sym = a.Lhs[0].(*ast.Ident)
		xe = a.Rhs[0].(*ast.TypeAssertExpr).X
	case *ast.ExprStmt:
		xe = a.X.(*ast.TypeAssertExpr).X
	}
	if f.hasSusp[xe] {
		f.errorf(xe.Pos(), "a type switch's operand cannot suspend; assign it to a variable first")
		return
	}
	ts, err := f.typeString(f.info.TypeOf(xe))
	if err != nil {
		f.errorf(xe.Pos(), "cannot lower this type switch: %v", err)
		return
	}
	tv := f.temp("ts", ts)
	f.emit("%s = %s", tv, f.expr(xe))
	brk := f.label("Brk")
	f.used[brk] = true
	f.targets = append(f.targets, target{label: label, brk: brk})
	defer func() { f.targets = f.targets[:len(f.targets)-1] }()
	labels := make([]string, len(x.Body.List))
	var sw strings.Builder
	if sym != nil {
		fmt.Fprintf(&sw, "switch _agv := %s.(type) {\n", tv)
	} else {
		fmt.Fprintf(&sw, "switch %s.(type) {\n", tv)
	}
	hasDefault := false
	for i, cc := range x.Body.List {
		c := cc.(*ast.CaseClause)
		labels[i] = f.label("Case")
		f.used[labels[i]] = true
		if c.List == nil {
			hasDefault = true
			sw.WriteString("default:\n")
		} else {
			var tys []string
			for _, e := range c.List {
				tys = append(tys, f.expr(e))
			}
			fmt.Fprintf(&sw, "case %s:\n", strings.Join(tys, ", "))
		}
		if sym != nil {
			if o := f.info.Implicits[c]; o != nil {
				fd := f.hoist(o, true)
				if fd.ptr {
					fmt.Fprintf(&sw, "_agm.%s = new(%s)\n", fd.name, fd.typ)
				}
				fmt.Fprintf(&sw, "%s = _agv\n", fd.ref())
			} else {
				sw.WriteString("_ = _agv\n")
			}
		}
		fmt.Fprintf(&sw, "goto %s\n", labels[i])
	}
	sw.WriteString("}")
	f.emit("%s", sw.String())
	if !hasDefault {
		f.goto_(brk)
	}
	for i, cc := range x.Body.List {
		colon, end := f.clauseComments(cc)
		f.place(labels[i])
		f.comments(colon)
		f.stmts(cc.(*ast.CaseClause).Body)
		f.trailing(end)
		f.goto_(brk)
	}
	f.place(brk)
}

func (f *fn) selectStmt(x *ast.SelectStmt, label string) {
	f.lineOf(x)
	brk := f.label("Brk")
	f.used[brk] = true
	f.targets = append(f.targets, target{label: label, brk: brk})
	defer func() { f.targets = f.targets[:len(f.targets)-1] }()
	labels := make([]string, len(x.Body.List))
	var sw strings.Builder
	sw.WriteString("select {\n")
	for i, cc := range x.Body.List {
		c := cc.(*ast.CommClause)
		labels[i] = f.label("Case")
		f.used[labels[i]] = true
		if c.Comm != nil && f.hasSusp[c.Comm] {
			f.errorf(c.Comm.Pos(), "a select case's communication cannot suspend")
			return
		}
		switch cm := c.Comm.(type) {
		case nil:
			sw.WriteString("default:\n")
		case *ast.AssignStmt:
			if cm.Tok == token.DEFINE {
				for _, l := range cm.Lhs {
					if id := l.(*ast.Ident); f.info.Defs[id] != nil && id.Name != "_" {
						o := f.info.Defs[id]
						fd := f.hoist(o, true)
						if fd.ptr {
							f.emit("_agm.%s = new(%s)", fd.name, fd.typ)
						}
					}
				}
				f.dstOf(cm).(*dst.AssignStmt).Tok = token.ASSIGN
			}
			fmt.Fprintf(&sw, "case %s:\n", f.verbatim(cm))
		default:
			fmt.Fprintf(&sw, "case %s:\n", f.verbatim(cm))
		}
		fmt.Fprintf(&sw, "goto %s\n", labels[i])
	}
	sw.WriteString("}")
	f.emit("%s", sw.String())
	for i, cc := range x.Body.List {
		colon, end := f.clauseComments(cc)
		f.place(labels[i])
		f.comments(colon)
		f.stmts(cc.(*ast.CommClause).Body)
		f.trailing(end)
		f.goto_(brk)
	}
	f.place(brk)
}

// unwind is the code that ends the body with err at a resume point: a
// panic that Resume's deferred recover turns into the outcome after running
// the defers, or, in a body that cannot panic and has no defers, a plain
// return.
func (f *fn) unwind(err string) string {
	if f.noPanic {
		return fmt.Sprintf("_agDone, _agErr = true, %s\nreturn", err)
	}
	return fmt.Sprintf("_agm._agf.Raise(%s)", err)
}

// cannotPanic reports whether a body surely cannot panic: it is built only
// from statements and expressions that have no run-time failure (no calls
// but conversions between numeric types and Yield, no indexing, no
// pointers, no integer division or shifts, no defers). Such a body's Resume
// does without a deferred recover, the costliest part of a resumption.
func (f *fn) cannotPanic(body *ast.BlockStmt) bool {
	ok := true
	ast.Inspect(body, func(n ast.Node) bool {
		if !ok || n == nil {
			return false
		}
		switch x := n.(type) {
		case *ast.BlockStmt, *ast.ExprStmt, *ast.IfStmt, *ast.ForStmt, *ast.IncDecStmt,
			*ast.ReturnStmt, *ast.LabeledStmt, *ast.EmptyStmt, *ast.ParenExpr, *ast.BasicLit,
			*ast.DeclStmt, *ast.GenDecl, *ast.ValueSpec, *ast.CaseClause:
		case *ast.SwitchStmt:
			// Each case is compared with the tag: as == above.
			ok = x.Tag == nil || isBasic(f.info.TypeOf(x.Tag))
			if ok && x.Tag != nil {
				for _, c := range x.Body.List {
					for _, e := range c.(*ast.CaseClause).List {
						ok = ok && isBasic(f.info.TypeOf(e))
					}
				}
			}
		case *ast.Ident:
			if o, isVar := f.info.ObjectOf(x).(*types.Var); isVar && o.Pkg() == f.pkg && o.Parent() == f.pkg.Scope() {
				ok = false // a package variable: other code may change it
			}
		case *ast.AssignStmt:
			if x.Tok == token.QUO_ASSIGN || x.Tok == token.REM_ASSIGN || x.Tok == token.SHL_ASSIGN || x.Tok == token.SHR_ASSIGN {
				ok = isFloat(f.info.TypeOf(x.Lhs[0]))
			}
		case *ast.BranchStmt:
			ok = x.Tok == token.BREAK || x.Tok == token.CONTINUE
		case *ast.BinaryExpr:
			switch x.Op {
			case token.QUO, token.REM:
				ok = isFloat(f.info.TypeOf(x))
			case token.SHL, token.SHR:
				ok = f.info.Types[x.Y].Value != nil
			case token.EQL, token.NEQ:
				// Comparing interfaces holding incomparable values panics,
				// so does comparing structs or arrays holding them, or
				// type parameters instantiated with them: only basic
				// types compare without a run-time failure.
				ok = isBasic(f.info.TypeOf(x.X)) && isBasic(f.info.TypeOf(x.Y))
			}
		case *ast.UnaryExpr:
			ok = x.Op != token.ARROW && x.Op != token.AND
		case *ast.CompositeLit:
			_, isStruct := f.info.TypeOf(x).Underlying().(*types.Struct)
			ok = isStruct
		case *ast.KeyValueExpr:
		case *ast.RangeStmt:
			b, isBasic := f.info.TypeOf(x.X).Underlying().(*types.Basic)
			ok = isBasic && b.Info()&types.IsInteger != 0
		case *ast.CallExpr:
			if k, isSusp := f.susp[x]; isSusp {
				ok = k == kYield || k == kYieldErr
				ast.Inspect(x.Args[0], func(m ast.Node) bool {
					ok = ok && f.cannotPanicExpr(m)
					return ok
				})
				return false
			}
			tv := f.info.Types[x.Fun]
			ok = tv.IsType() && isNumeric(tv.Type) && isNumeric(f.info.TypeOf(x.Args[0]))
		case *ast.SelectorExpr:
			// only co.Yield and co.YieldErr, handled with their call
			ok = false
		default:
			ok = false
		}
		return ok
	})
	return ok
}

func (f *fn) cannotPanicExpr(n ast.Node) bool {
	if n == nil {
		return true
	}
	return f.cannotPanic(&ast.BlockStmt{List: []ast.Stmt{&ast.ExprStmt{X: n.(ast.Expr)}}})
}

// isBasic reports whether t is a boolean, numeric or string type (not an
// interface, a type parameter or a composite type).
func isBasic(t types.Type) bool {
	if t == nil {
		return false
	}
	_, ok := t.Underlying().(*types.Basic)
	return ok
}

func isFloat(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&(types.IsFloat|types.IsComplex) != 0
}

func isNumeric(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsNumeric != 0
}

// terminating reports whether s is a terminating statement (the spec,
// "Terminating statements"): code after it is unreachable.
func (f *fn) terminating(s ast.Stmt) bool { return f.terminatingL(s, nil) }

// terminatingL is terminating for s labelled lbl (nil: not labelled).
func (f *fn) terminatingL(s ast.Stmt, lbl types.Object) bool {
	switch x := s.(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.BranchStmt:
		return x.Tok == token.GOTO || x.Tok == token.FALLTHROUGH
	case *ast.ExprStmt:
		if c, ok := ast.Unparen(x.X).(*ast.CallExpr); ok {
			if id, ok := ast.Unparen(c.Fun).(*ast.Ident); ok {
				b, ok := f.info.Uses[id].(*types.Builtin)
				return ok && b.Name() == "panic"
			}
		}
	case *ast.BlockStmt:
		return f.terminatingList(x.List)
	case *ast.IfStmt:
		return x.Else != nil && f.terminating(x.Body) && f.terminating(x.Else)
	case *ast.LabeledStmt:
		return f.terminatingL(x.Stmt, f.info.Defs[x.Label])
	case *ast.ForStmt:
		return x.Cond == nil && !f.hasBreak(x.Body, lbl)
	case *ast.SwitchStmt:
		return f.terminatingClauses(x.Body, lbl, true)
	case *ast.TypeSwitchStmt:
		return f.terminatingClauses(x.Body, lbl, true)
	case *ast.SelectStmt:
		return f.terminatingClauses(x.Body, lbl, false)
	}
	return false
}

func (f *fn) terminatingList(l []ast.Stmt) bool {
	for i := len(l) - 1; i >= 0; i-- {
		if _, ok := l[i].(*ast.EmptyStmt); !ok {
			return f.terminating(l[i])
		}
	}
	return false
}

// terminatingClauses: no break out of the statement, a default
// (needDefault), and every clause ends in a terminating statement or falls
// through.
func (f *fn) terminatingClauses(body *ast.BlockStmt, lbl types.Object, needDefault bool) bool {
	def := !needDefault
	for _, c := range body.List {
		var list []ast.Stmt
		switch c := c.(type) {
		case *ast.CaseClause:
			def = def || c.List == nil
			list = c.Body
		case *ast.CommClause:
			list = c.Body
		}
		if !f.terminatingList(list) || f.hasBreak(&ast.BlockStmt{List: list}, lbl) {
			return false
		}
	}
	return def
}

// hasBreak reports whether body holds a break out of the statement it is
// the body of: unlabelled and not in a nested loop, switch or select, or
// labelled lbl.
func (f *fn) hasBreak(body ast.Node, lbl types.Object) bool {
	found := false
	var walk func(n ast.Node, nested bool)
	walk = func(n ast.Node, nested bool) {
		ast.Inspect(n, func(m ast.Node) bool {
			if found {
				return false
			}
			switch x := m.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if m != n {
					walk(m, true)
					return false
				}
			case *ast.BranchStmt:
				if x.Tok == token.BREAK {
					found = x.Label == nil && !nested || x.Label != nil && lbl != nil && f.info.Uses[x.Label] == lbl
				}
			}
			return true
		})
	}
	walk(body, false)
	return found
}
