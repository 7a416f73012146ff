package chanblock

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
)

// nilVars reports plain sends, receives and ranges on a channel variable
// that is declared without a value (var c chan T) and never assigned
// anywhere: the channel is nil on every path, and the operation blocks
// forever (DefangLabs/defang#1625: errChan declared but never made, the
// first failing goroutine blocks in its send). A local variable, or an
// unexported package variable, is assigned only through its name (an
// assignment, a range, a select's assignment) or its address; either
// counts as made, and so does a nil test of it (a hook the package's tests
// set). Select cases are left alone (a nil channel there
// disables the case, an idiom), and so is a receive in a function that
// does nothing else before it: `var block chan struct{}; <-block` parks a
// main or a test on purpose.
func nilVars(st *state) {
	info := st.pass.TypesInfo
	declared := map[*types.Var]*ast.Ident{} // declared without a value
	assigned := map[*types.Var]bool{}
	inSelect := map[ast.Node]bool{} // the send statements and receive expressions of select cases
	obj := func(e ast.Expr) *types.Var {
		id, ok := ast.Unparen(e).(*ast.Ident)
		if !ok {
			return nil
		}
		v, _ := info.ObjectOf(id).(*types.Var)
		if v == nil || v.IsField() || v.Pkg() != st.pass.Pkg {
			return nil
		}
		if _, ok := v.Type().Underlying().(*types.Chan); !ok {
			return nil
		}
		return v
	}
	for _, f := range st.pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for _, id := range n.Names {
					if v := obj(id); v != nil {
						if len(n.Values) == 0 && (v.Parent() != v.Pkg().Scope() || !v.Exported()) {
							declared[v] = id
						} else {
							assigned[v] = true
						}
					}
				}
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					if v := obj(l); v != nil {
						assigned[v] = true
					}
				}
			case *ast.RangeStmt:
				for _, l := range []ast.Expr{n.Key, n.Value} {
					if v := obj(l); l != nil && v != nil {
						assigned[v] = true
					}
				}
			case *ast.BinaryExpr:
				// A nil test means the author expects it set somewhere
				// (a test hook assigned by the package's tests).
				if n.Op == token.EQL || n.Op == token.NEQ {
					for _, x := range []ast.Expr{n.X, n.Y} {
						if v := obj(x); v != nil {
							assigned[v] = true
						}
					}
				}
			case *ast.UnaryExpr:
				if n.Op == token.AND {
					if v := obj(n.X); v != nil {
						assigned[v] = true
					}
				}
			case *ast.CommClause:
				switch c := n.Comm.(type) {
				case *ast.SendStmt:
					inSelect[c] = true
				case *ast.ExprStmt:
					inSelect[ast.Unparen(c.X)] = true
				case *ast.AssignStmt:
					if len(c.Rhs) == 1 {
						inSelect[ast.Unparen(c.Rhs[0])] = true
					}
				}
			}
			return true
		})
	}
	nilVar := func(e ast.Expr) *types.Var {
		if v := obj(e); v != nil && declared[v] != nil && !assigned[v] {
			return v
		}
		return nil
	}
	nilParams(st, declared, assigned, nilVar)
	for _, f := range st.pass.Files {
		var stack []ast.Node
		ast.Inspect(f, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			stack = append(stack, n)
			var v *types.Var
			what := ""
			switch n := n.(type) {
			case *ast.SendStmt:
				if !inSelect[n] {
					v, what = nilVar(n.Chan), "a send on"
				}
			case *ast.UnaryExpr:
				if n.Op == token.ARROW && !inSelect[n] && !parking(stack) {
					v, what = nilVar(n.X), "a receive from"
				}
			case *ast.RangeStmt:
				v, what = nilVar(n.X), "a range over"
			}
			if v == nil {
				return true
			}
			decl := declared[v]
			msg := fmt.Sprintf("%s is declared at line %d without a value and never assigned, so it is nil: %s a nil channel blocks forever (make it)",
				v.Name(), st.pass.Fset.Position(decl.Pos()).Line, what)
			if decl.Pos() != v.Pos() {
				// A parameter every call fills with such a variable.
				msg = fmt.Sprintf("%s is nil: every call passes %s, declared at line %d without a value and never assigned, and %s a nil channel blocks forever (make it)",
					v.Name(), decl.Name, st.pass.Fset.Position(decl.Pos()).Line, what)
			}
			st.Report(analysis.Diagnostic{
				Pos:      n.Pos(),
				Category: "deadlock",
				Message:  msg,
				Related:  []analysis.RelatedInformation{{Pos: decl.Pos(), Message: "declared here, never made"}},
			})
			return true
		})
	}
}

// parking reports whether the receive on top of stack is a statement of
// its own in a function body whose every other statement is a
// declaration: a deliberate block forever.
func parking(stack []ast.Node) bool {
	if len(stack) < 3 {
		return false
	}
	if _, ok := stack[len(stack)-2].(*ast.ExprStmt); !ok {
		return false
	}
	body, ok := stack[len(stack)-3].(*ast.BlockStmt)
	if !ok {
		return false
	}
	if len(stack) < 4 {
		return false
	}
	switch stack[len(stack)-4].(type) {
	case *ast.FuncDecl, *ast.FuncLit:
	default:
		return false
	}
	for _, s := range body.List {
		switch s := s.(type) {
		case *ast.DeclStmt:
		case *ast.ExprStmt:
			if s != stack[len(stack)-2] {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// nilParams adds to declared the channel parameters that are nil on every
// call: of an unexported function of the package (or a function literal
// called where it is written, as `go func(c chan T) {...}(c)`), used only
// as the callee of calls, each of which passes a never-assigned variable
// (or such a parameter) for it, and never assigned in the body. The
// parameter maps to the variable's declaration.
func nilParams(st *state, declared map[*types.Var]*ast.Ident, assigned map[*types.Var]bool, nilVar func(ast.Expr) *types.Var) {
	info := st.pass.TypesInfo
	params := map[types.Object][]*types.Var{} // a function's parameters, in order
	paramsOf := func(ft *ast.FuncType) []*types.Var {
		var out []*types.Var
		for _, f := range ft.Params.List {
			if len(f.Names) == 0 {
				out = append(out, nil)
			}
			for _, n := range f.Names {
				v, _ := info.Defs[n].(*types.Var)
				out = append(out, v)
			}
		}
		return out
	}
	type site struct {
		call *ast.CallExpr
		fn   []*types.Var
	}
	var sites []site
	callees := map[*ast.Ident]bool{} // identifiers used as a call's function
	for _, f := range st.pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if fn, ok := info.Defs[n.Name].(*types.Func); ok && n.Recv == nil && !fn.Exported() {
					params[fn] = paramsOf(n.Type)
				}
			case *ast.CallExpr:
				switch fun := ast.Unparen(n.Fun).(type) {
				case *ast.Ident:
					callees[fun] = true
				case *ast.FuncLit:
					sites = append(sites, site{n, paramsOf(fun.Type)})
				}
			}
			return true
		})
	}
	used := map[types.Object]bool{} // used other than as a call's function
	for id, o := range info.Uses {
		if params[o] == nil {
			continue
		}
		if !callees[id] {
			used[o] = true
		}
	}
	for _, f := range st.pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if id, ok := ast.Unparen(c.Fun).(*ast.Ident); ok {
					if o := info.Uses[id]; params[o] != nil && !used[o] {
						sites = append(sites, site{c, params[o]})
					}
				}
			}
			return true
		})
	}
	// A parameter is nil when every call passes a nil variable; a nil
	// parameter passed on makes the next one nil: iterate.
	for changed := true; changed; {
		changed = false
		from := map[*types.Var]*ast.Ident{}
		bad := map[*types.Var]bool{}
		for _, s := range sites {
			if s.call.Ellipsis.IsValid() {
				continue
			}
			for i, p := range s.fn {
				if p == nil {
					continue
				}
				if _, ok := p.Type().Underlying().(*types.Chan); !ok || declared[p] != nil {
					continue
				}
				var v *types.Var
				if i < len(s.call.Args) {
					v = nilVar(s.call.Args[i])
				}
				if v == nil {
					bad[p] = true
				} else if from[p] == nil {
					from[p] = declared[v]
				}
			}
		}
		for p, d := range from {
			if !bad[p] && !assigned[p] {
				declared[p] = d
				changed = true
			}
		}
	}
}
