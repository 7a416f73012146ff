package rewrite

// Emit: the lowered code, line by line, with comments and //line
// directives, then the machine (its struct, constructor and Resume), with
// the unreachable generated jumps left out.

import (
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"

	"github.com/dave/dst"
	"github.com/dave/dst/dstutil"
)

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

func (f *fn) lower() {
	// Comments after the literal's opening brace open the lowered code.
	if b, ok := f.dstOf(f.lit.Body).(*dst.BlockStmt); ok {
		f.comments(b.Decs.Lbrace)
	}
	f.stmts(f.lit.Body.List)
	if _, async := f.vocab.(asyncVocab); async && f.noPanic && f.closes {
		panic("an async body that mayPush found pushing nothing pushed on its frame")
	}
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
	mname := machineName(d)
	if d.Recv != nil {
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
	// One statement, as the source's (its comments go with it); _agNew
	// refers to the machine's method, so that package initialisation sees
	// the dependencies of the body as it does in the source (the spec,
	// "Package initialization": a method expression is a reference).
	fmt.Fprintf(&b, "{\n\treturn (&%s%s{%s})._agNew()\n}", mname, targs, strings.Join(init, ", "))
	newM := f.vocab.constructor(f, mname, targs)
	body := b.String()

	var m strings.Builder
	fmt.Fprintf(&m, "\n// %s is the state machine of %s's %s body.\ntype %s%s struct {\n\t_agpc int\n\t_agf %s\n", mname, d.Name.Name, f.vocab.what(), mname, tparams, f.vocab.frame(f))
	for _, fd := range f.fields {
		if fd.ptr {
			fmt.Fprintf(&m, "\t%s *%s\n", fd.name, fd.typ)
		} else {
			fmt.Fprintf(&m, "\t%s %s\n", fd.name, fd.typ)
		}
	}
	m.WriteString("}\n")
	m.WriteString(newM)
	m.WriteString(f.vocab.resume(f, mname, targs))
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
	// Generated jumps that cannot be reached (after a return, a panic, a
	// jump, an endless loop, up to the next label jumped to) are left out,
	// and so are the labels no code kept jumps to: vet and the compiler
	// would report them. Leaving out a label can make more code
	// unreachable: repeat until nothing changes.
	isLabel := func(l string) bool { return !isComment(l) && strings.HasSuffix(l, ":") && !strings.Contains(l, " ") }
	live := map[string]bool{}
	for l, ok := range f.used {
		live[l] = ok
	}
	var keep []bool
	dead := false
	for {
		keep = make([]bool, len(f.code))
		dead = false
		refs := map[string]bool{}
		for i := 1; i <= f.npc; i++ {
			refs[fmt.Sprintf("_agS%d", i)] = true // the dispatch switch
		}
		for i, l := range f.code {
			switch {
			case l == "" || isComment(l):
				keep[i] = true
			case isLabel(l):
				if live[strings.TrimSuffix(l, ":")] {
					keep[i], dead = true, false
				}
			case dead && f.gen[i]:
			default:
				keep[i], dead = true, f.term[i]
				gotoTargets(l, refs)
			}
		}
		same := len(refs) == len(live)
		for l := range refs {
			same = same && live[l]
		}
		if same {
			break
		}
		live = refs
	}
	for i, l := range f.code {
		switch {
		case !keep[i]:
		case l == "":
			m.WriteString("\n")
		case strings.HasPrefix(l, "//line "):
			m.WriteString(l + "\n") // a directive starts its line
		default:
			m.WriteString("\t" + l + "\n")
		}
	}
	ret := "\t_agm._agf.Return(&_agDone, &_agR, &_agErr)\n\treturn\n"
	if _, async := f.vocab.(asyncVocab); async && f.noPanic {
		// Nothing was ever pushed on the frame: Return would only copy
		// the results.
		ret = "\treturn nil, true, _agm._agf.R, _agm._agf.E\n"
	}
	switch {
	case live["_agRet"]:
		m.WriteString("_agRet:\n" + ret)
	case !dead:
		m.WriteString(ret)
	}
	m.WriteString("}\n")
	f.funcs = append(f.funcs, &loweredFunc{decl: d, newBody: body, machine: m.String()})
}

// gotoTargets adds to refs the labels that goto statements in the code l
// jump to (tokens, so that strings and comments do not count).
func gotoTargets(l string, refs map[string]bool) {
	var sc scanner.Scanner
	fs := token.NewFileSet()
	sc.Init(fs.AddFile("", -1, len(l)), []byte(l), nil, 0)
	prev := token.ILLEGAL
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			return
		}
		if prev == token.GOTO && tok == token.IDENT {
			refs[lit] = true
		}
		prev = tok
	}
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
			f.errorf(id.Pos(), "a blank type parameter in %s method's receiver: give it a name (the machine must name the receiver's type)", article(f.vocab.what()))
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
