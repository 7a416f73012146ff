package chanblock

import (
	"fmt"
	"go/ast"
	"go/token"

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
	for _, fn := range funcs {
		call := callers[fn]
		if call == nil {
			continue
		}
		var body *ast.BlockStmt
		switch syn := fn.Syntax().(type) {
		case *ast.FuncDecl:
			body = syn.Body
		case *ast.FuncLit:
			body = syn.Body
		}
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
