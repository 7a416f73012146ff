package rewrite

// Statements and control flow: statements that suspend are flattened into
// the top level of Resume (labels and goto), the others are copied.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
)

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
	if ls, ok := s.(*ast.LabeledStmt); ok && !f.hasSusp[s] {
		switch ls.Stmt.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
			// Copied with its label, which its own break or continue use.
		default:
			// Only goto targets it: the label goes before the statement,
			// which is lowered as any other (its declarations hoisted).
			f.place(ls.Label.Name)
			f.used[ls.Label.Name] = true
			f.stmt(ls.Stmt, "")
			return
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
	case *ast.ExprStmt, *ast.AssignStmt, *ast.DeclStmt, *ast.ReturnStmt, *ast.IncDecStmt, *ast.SendStmt, *ast.DeferStmt, *ast.GoStmt:
		f.lineOf(s)
		f.suspendIn(s)
	default:
		f.errorf(s.Pos(), "cannot lower a %T that suspends", s)
	}
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
			f.errorf(x.Pos(), "a type declared in %s body must be declared in a block that does not suspend", article(f.vocab.what()))
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
func (f *fn) isNamedResult(e ast.Expr, named types.Object) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && named != nil && f.info.Uses[id] == named
}

// directReturn is the lowered return statement x of an async body that
// pushes nothing on its frame (f.noPanic): Step returns the results
// itself, as Frame.Return would (with nothing deferred, nothing can see
// the named results after the return). It is empty for a generator, a
// body that may push, and one call of two values (it goes through the
// frame).
func (f *fn) directReturn(x *ast.ReturnStmt, dres []dst.Expr) string {
	if _, async := f.vocab.(asyncVocab); !async || !f.noPanic {
		return ""
	}
	switch len(dres) {
	case 0: // the named results, hoisted into the frame
		return "return nil, true, _agm._agf.R, _agm._agf.E"
	case 2:
		return fmt.Sprintf("return nil, true, %s, %s", f.exprDst(dres[0]), f.exprDst(dres[1]))
	}
	return ""
}

// retAssign is the assignment of a return statement's results to the
// frame's (dres: the results as dst nodes, where suspensions have been
// replaced by their values), or empty: a generator's R; an async body's R
// and E (one call of two values, or two values; a named result returned in
// its own place is left as it is).
func (f *fn) retAssign(x *ast.ReturnStmt, dres []dst.Expr) string {
	switch {
	case len(dres) == 1 && f.isNamedResult(x.Results[0], f.named):
		return ""
	case len(dres) == 1 && f.namedErr == nil && f.vocab.what() == "generator":
		return fmt.Sprintf("_agm._agf.R = %s", f.exprDst(dres[0]))
	case len(dres) == 1:
		return fmt.Sprintf("_agm._agf.R, _agm._agf.E = %s", f.exprDst(dres[0]))
	case len(dres) == 2:
		var lhs, rhs []string
		for i, fld := range []string{"_agm._agf.R", "_agm._agf.E"} {
			if !f.isNamedResult(x.Results[i], []types.Object{f.named, f.namedErr}[i]) {
				lhs, rhs = append(lhs, fld), append(rhs, f.exprDst(dres[i]))
			}
		}
		if len(lhs) == 0 {
			return ""
		}
		return strings.Join(lhs, ", ") + " = " + strings.Join(rhs, ", ")
	}
	return ""
}

// ret lowers a return at the top level (its result is printed from the dst
// node, where a suspension has been replaced by its value).
func (f *fn) ret(x *ast.ReturnStmt) {
	if len(f.scopes) > 0 {
		f.emit("%s", f.scopeReturn(x, f.dstOf(x).(*dst.ReturnStmt).Results))
		f.term[len(f.code)-1] = true
		return
	}
	if r := f.directReturn(x, f.dstOf(x).(*dst.ReturnStmt).Results); r != "" {
		f.gen[len(f.code)] = true
		f.term[len(f.code)] = true
		f.emit("%s", r)
		return
	}
	if a := f.retAssign(x, f.dstOf(x).(*dst.ReturnStmt).Results); a != "" {
		f.emit("%s", a)
	}
	if st := f.stops(0); st != "" {
		f.emit("%s", st)
	}
	f.goto_("_agRet")
}

// scopeReturn is the code of a return inside the inlined callback being
// lowered (dres: its result as dst nodes): the callback's result is set,
// the iterators of its loops stopped, and the code jumps to the scope's
// exit.
func (f *fn) scopeReturn(x *ast.ReturnStmt, dres []dst.Expr) string {
	sc := f.scopes[len(f.scopes)-1]
	var b strings.Builder
	if len(dres) == 1 && !f.isNamedResult(x.Results[0], sc.named) {
		fmt.Fprintf(&b, "%s = %s\n", sc.res, f.exprDst(dres[0]))
	}
	if st := f.stops(sc.base); st != "" {
		b.WriteString(st + "\n")
	}
	f.used[sc.exit] = true
	fmt.Fprintf(&b, "goto %s", sc.exit)
	return b.String()
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
	calls := f.suspensions(e)
	for _, c := range calls {
		if f.vocab.twoValued(f.susp[c]) && !isSoleArg(e, c) {
			f.errorf(c.Pos(), "a condition may hold only single-valued suspensions, or two-valued ones as the only argument of a call")
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
		if f.hasSusp[c] {
			// Case expressions are evaluated in order until one matches:
			// one test each, a suspension before its own.
			for _, e := range c.List {
				if tag != "" {
					f.emit("if %s == (%s) {\ngoto %s\n}", tag, f.cond(e, x), labels[i])
				} else {
					f.emit("if %s {\ngoto %s\n}", f.cond(e, x), labels[i])
				}
			}
			continue
		}
		for _, e := range c.List {
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
	f.selectOperands(x)
	var sw strings.Builder
	sw.WriteString("select {\n")
	for i, cc := range x.Body.List {
		c := cc.(*ast.CommClause)
		labels[i] = f.label("Case")
		f.used[labels[i]] = true
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
