package rewrite

// The parallel loop (python-parallelize): //asyncgo:parallel on a for range
// loop over a slice, map, integer or channel. Its first statement, the
// work, runs on the executor; the rest of its body runs in iteration
// order, in a range-over-func loop over the runtime's helper. See
// docs/parallel.md.

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"go/version"
	"strconv"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/decorator"
	"github.com/dave/dst/dstutil"
)

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
