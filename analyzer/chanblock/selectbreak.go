package chanblock

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// selectBreaks reports a function, called and waited for by another,
// whose endless loop selects with a case that ends in a bare break: the
// break was meant to leave the loop but leaves only the select, and no
// other path leaves the loop (neverReturns), so the caller never gets
// control back (nanomsg/mangos-v1#48: Close lingers in `for { select {
// case <-time.After(d): break; case <-drained: break } }`, and once the
// timer has fired the select waits again on channels that deliver once).
// A function only started as a goroutine is noExit's (its deferred calls
// never run); one nothing in the package calls is left alone.
func selectBreaks(st *state, funcs []*ssa.Function) {
	callers := map[*ssa.Function]*ssa.Call{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(*ssa.Call); ok {
					if callee := c.Call.StaticCallee(); callee != nil && callers[callee] == nil {
						callers[callee] = c
					}
				}
			}
		}
	}
	goes := map[*ssa.Function]*ssa.Go{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if g, ok := instr.(*ssa.Go); ok {
					if gf := goFunc(g); gf != nil && goes[gf] == nil {
						goes[gf] = g
					}
				}
			}
		}
	}
	for _, fn := range funcs {
		call := callers[fn]
		if call == nil {
			if g := goes[fn]; g != nil {
				goSelectBreak(st, funcs, fn, g)
			}
			continue
		}
		body := funcBody(fn)
		if body == nil {
			continue
		}
		sel, brk := selectBreakIn(body)
		if sel == nil || !neverReturns(fn) {
			continue
		}
		st.Report(analysis.Diagnostic{
			Pos:      sel.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s never returns, so its caller at line %d waits for it forever: %s (the break at line %d leaves only this select)",
				fn.Name(), st.pass.Fset.Position(call.Pos()).Line, noExitWhy, st.pass.Fset.Position(brk.Pos()).Line),
			Related: []analysis.RelatedInformation{
				{Pos: brk.Pos(), Message: "this break ends the select only (label the loop and break to it)"},
				{Pos: call.Pos(), Message: "the caller, waiting for the function to return"},
			},
		})
	}
}

// selectBreakIn returns a select directly in the body of an endless for
// loop (no condition) of body, not inside a nested function literal, one
// of whose cases ends in an unlabeled break, and that break.
func selectBreakIn(body *ast.BlockStmt) (*ast.SelectStmt, *ast.BranchStmt) {
	var sel *ast.SelectStmt
	var brk *ast.BranchStmt
	ast.Inspect(body, func(n ast.Node) bool {
		if sel != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its own function
		case *ast.ForStmt:
			if n.Cond != nil {
				return true
			}
			for _, s := range n.Body.List {
				s, ok := s.(*ast.SelectStmt)
				if !ok {
					continue
				}
				for _, cc := range s.Body.List {
					stmts := cc.(*ast.CommClause).Body
					if len(stmts) == 0 {
						continue
					}
					if b, ok := stmts[len(stmts)-1].(*ast.BranchStmt); ok && b.Tok == token.BREAK && b.Label == nil {
						sel, brk = s, b
						return false
					}
				}
			}
		}
		return true
	})
	return sel, brk
}

// goSelectBreak reports a goroutine (fn, started by g and called by
// nothing) whose endless loop selects with a case that receives a stop
// signal and ends in a bare break: the break leaves only the select, no
// path leaves the loop, and the signal, sent or closed by another
// function of the package, is taken once; the goroutine selects again
// for ever (ontio/ontology#1106: the heartbeat's `case <-quit: t.Stop();
// break`). A case that only logs and breaks on a channel nothing in the
// package signals is a habit of style, and left alone.
func goSelectBreak(st *state, funcs []*ssa.Function, fn *ssa.Function, g *ssa.Go) {
	body := funcBody(fn)
	if body == nil || hasDefer(fn) {
		// A deferred close or Done that never runs is reported where
		// it is waited for (noExit).
		return
	}
	sel, _ := selectBreakIn(body)
	if sel == nil {
		return
	}
	sig, brk := breakSignal(st.pass.TypesInfo, sel)
	if sig == nil || !neverReturns(fn) {
		return
	}
	signaller := signalledBy(funcs, fn, sig)
	if signaller == nil {
		return
	}
	st.Report(analysis.Diagnostic{
		Pos:      sel.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("the goroutine started at line %d never exits: %s; after the stop signal %s sends on %s, it selects here again, forever (the break at line %d leaves only this select)",
			st.pass.Fset.Position(g.Pos()).Line, noExitWhy, signaller.Name(), sig.Name(), st.pass.Fset.Position(brk.Pos()).Line),
		Related: []analysis.RelatedInformation{
			{Pos: brk.Pos(), Message: "this break ends the select only (return, or label the loop and break to it)"},
		},
	})
}

// breakSignal returns the field or package variable whose channel a case
// of sel ending in a bare break receives from, discarding the value
// (`case <-s.quit: …; break`), and that break; nil if there is none.
func breakSignal(info *types.Info, sel *ast.SelectStmt) (*types.Var, *ast.BranchStmt) {
	for _, cc := range sel.Body.List {
		cc := cc.(*ast.CommClause)
		if len(cc.Body) == 0 {
			continue
		}
		brk, ok := cc.Body[len(cc.Body)-1].(*ast.BranchStmt)
		if !ok || brk.Tok != token.BREAK || brk.Label != nil {
			continue
		}
		es, ok := cc.Comm.(*ast.ExprStmt)
		if !ok {
			continue
		}
		u, ok := ast.Unparen(es.X).(*ast.UnaryExpr)
		if !ok || u.Op != token.ARROW {
			continue
		}
		var v *types.Var
		switch x := ast.Unparen(u.X).(type) {
		case *ast.SelectorExpr:
			if s, ok := info.Selections[x]; ok && s.Kind() == types.FieldVal {
				v, _ = s.Obj().(*types.Var)
			} else {
				v, _ = info.Uses[x.Sel].(*types.Var)
			}
		case *ast.Ident:
			v, _ = info.Uses[x].(*types.Var)
		}
		if v != nil && (v.IsField() || v.Pkg() != nil && v.Parent() == v.Pkg().Scope()) {
			return v, brk
		}
	}
	return nil, nil
}

// signalledBy returns a function of funcs other than fn that sends on or
// closes the channel kept in v (a struct field or package variable).
func signalledBy(funcs []*ssa.Function, fn *ssa.Function, v *types.Var) *ssa.Function {
	is := func(ch ssa.Value) bool {
		u, ok := ch.(*ssa.UnOp)
		if !ok || u.Op != token.MUL {
			return false
		}
		if gl, ok := u.X.(*ssa.Global); ok {
			return gl.Object() == v
		}
		return chanuse.StructFieldOf(u.X) == v
	}
	for _, f := range funcs {
		if f == fn {
			continue
		}
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Send:
					if is(in.Chan) {
						return f
					}
				case *ssa.Call:
					if bi, ok := in.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" && is(in.Call.Args[0]) {
						return f
					}
				}
			}
		}
	}
	return nil
}

// hasDefer reports whether fn defers a call.
func hasDefer(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if _, ok := instr.(*ssa.Defer); ok {
				return true
			}
		}
	}
	return false
}

// funcBody returns the body of fn's declaration or literal, or nil.
func funcBody(fn *ssa.Function) *ast.BlockStmt {
	switch syn := fn.Syntax().(type) {
	case *ast.FuncDecl:
		return syn.Body
	case *ast.FuncLit:
		return syn.Body
	}
	return nil
}
