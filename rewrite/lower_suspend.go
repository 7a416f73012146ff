package rewrite

// Suspension points: a suspension within its statement (Go's evaluation
// order, && and || as branches), the resume points of Yield and YieldFrom.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
)

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
	two := f.vocab.twoValued(kind)
	if two && !isWholeRHS(s, call) && !isSoleArg(s, call) {
		f.errorf(call.Pos(), "a two-valued suspension must be the whole right-hand side of an assignment or the only argument of a call")
		return
	}
	f.hoistEarly(s, call)
	if b := f.shortCircuit(s, call); b != nil {
		f.replace(s, b, f.placeholder(f.branchSC(b, call)))
		f.simple(s)
		return
	}
	at := len(f.code)
	f.valueAt = -1
	val := f.suspend(call, kind)
	if f.valueAt >= 0 {
		at = f.valueAt
	}
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

// isSoleArg reports whether c is, in root, the only argument of a call
// (Go's g(f()) with a multi-valued f): the suspension's two values, the
// text of a two-valued call too, can stand there as they are.
func isSoleArg(root ast.Node, c *ast.CallExpr) bool {
	found := false
	ast.Inspect(root, func(n ast.Node) bool {
		if k, ok := n.(*ast.CallExpr); ok && len(k.Args) == 1 && k.Args[0] == ast.Expr(c) {
			found = true
		}
		return !found
	})
	return found
}

// suspend emits a resume point for call and returns the expression of its
// value(s) after resumption.
func (f *fn) suspend(call *ast.CallExpr, kind int) string { return f.vocab.suspend(f, call, kind) }

// suspendGen is the generator vocabulary's suspend: Yield, YieldErr,
// YieldFrom, YieldFromErr.
func (f *fn) suspendGen(call *ast.CallExpr, kind int) string {
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

// selectOperands evaluates the channels and the values sent of a select
// whose communications suspend, in source order, into temporaries the
// cases then use: Go evaluates them all, once, on entering the select.
func (f *fn) selectOperands(x *ast.SelectStmt) {
	suspends := false
	for _, cc := range x.Body.List {
		if c := cc.(*ast.CommClause); c.Comm != nil && f.hasSusp[c.Comm] {
			suspends = true
		}
	}
	if !suspends {
		return
	}
	operand := func(holder ast.Node, e ast.Expr, t types.Type) {
		ts, err := f.typeString(t)
		if err != nil {
			f.errorf(e.Pos(), "cannot lower this select: %v", err)
			return
		}
		tmp := f.temp("sel", ts)
		f.emit("%s = %s", tmp, f.cond(e, nil))
		f.replace(holder, e, f.placeholder(tmp))
	}
	for _, cc := range x.Body.List {
		var recv *ast.UnaryExpr
		switch cm := cc.(*ast.CommClause).Comm.(type) {
		case *ast.SendStmt:
			ct := f.info.TypeOf(cm.Chan)
			ch, ok := ct.Underlying().(*types.Chan)
			if !ok {
				f.errorf(cm.Chan.Pos(), "cannot lower this select: the channel's type %s is a type parameter", ct)
				return
			}
			operand(cm, cm.Chan, ct)
			operand(cm, cm.Value, ch.Elem())
		case *ast.ExprStmt:
			recv, _ = ast.Unparen(cm.X).(*ast.UnaryExpr)
			if recv != nil {
				operand(cm, recv.X, f.info.TypeOf(recv.X))
			}
		case *ast.AssignStmt:
			recv, _ = ast.Unparen(cm.Rhs[0]).(*ast.UnaryExpr)
			if recv != nil {
				operand(cm, recv.X, f.info.TypeOf(recv.X))
			}
		}
	}
}
