package rewrite

// Defers and panics: deferred calls registered on the machine's Frame,
// unwinding, and the bodies that cannot panic.

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/dave/dst"
)

// deferText lowers a defer statement: the function and its arguments are
// evaluated now; the call is pushed on the frame so that, when it runs, the
// function itself is the deferred one (recover() in it works as in Go).
func (f *fn) deferText(d *ast.DeferStmt) string {
	f.closes = true
	call := d.Call
	// Printed from the dst call, where a suspension in an argument has
	// been replaced by its value.
	dcall := f.dstOf(d).(*dst.DeferStmt).Call
	if lit, ok := ast.Unparen(call.Fun).(*ast.FuncLit); ok && len(call.Args) == 0 && lit.Type.Results.NumFields() == 0 {
		return fmt.Sprintf("_agm._agf.Push(%s)", f.verbatim(lit))
	}
	var b strings.Builder
	fun := ""
	if k, ok := f.susp[call]; ok && k == kRaise {
		fun = "_agm._agf.Raise"
	} else if id := calleeIdent(call.Fun); id != nil && f.constFunc(call.Fun, id) {
		fun = f.exprDst(dcall.Fun) // a function or builtin by name: nothing to evaluate
	} else {
		fmt.Fprintf(&b, "_agdf := %s\n", f.exprDst(dcall.Fun))
		fun = "_agdf"
	}
	var args []string
	for i, a := range call.Args {
		tv := f.info.Types[a]
		if tv.Value != nil || tv.IsNil() || tv.IsType() {
			args = append(args, f.exprDst(dcall.Args[i]))
			continue
		}
		val := f.exprDst(dcall.Args[i])
		if isOperation(a) && isBasic(tv.Type) {
			// An operation on untyped operands (n > 1, 1 << n) takes
			// its type from the call: the type recorded for it.
			ts, err := f.typeString(tv.Type)
			if err == nil {
				err = f.spelledAt(tv.Type, a.Pos())
			}
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
	fmt.Fprintf(&b, "_agm._agf.Defer(func(_agrethrow func()) {\ndefer %s(%s%s)\n_agrethrow()\n})", fun, strings.Join(args, ", "), ell)
	return f.lineBlock(d, b.String())
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

// spelledAt reports an error if the name of the (basic-underlying) type t,
// spelled at pos in the user's code, would mean something else there: a
// local declaration shadows the type or the package that qualifies it.
func (f *fn) spelledAt(t types.Type, pos token.Pos) error {
	var name string
	var want types.Object
	switch t := types.Unalias(t).(type) {
	case *types.Basic:
		name = t.Name()
		want = types.Universe.Lookup(name)
	case *types.Named:
		name, want = t.Obj().Name(), t.Obj()
	default:
		return nil
	}
	o := want
	if o != nil && o.Pkg() != nil && o.Pkg() != f.pkg {
		name = f.pkgName(o.Pkg().Path(), o.Pkg().Name())
		want = nil // an import of the file's
	}
	scope := f.pkg.Scope().Innermost(pos)
	if scope == nil {
		return nil
	}
	_, found := scope.LookupParent(name, pos)
	if found == nil || found == want {
		return nil
	}
	if _, isPkg := found.(*types.PkgName); isPkg && want == nil {
		return nil
	}
	return fmt.Errorf("its type is spelled %s, which is declared again in this scope; rename the local %s", name, name)
}
