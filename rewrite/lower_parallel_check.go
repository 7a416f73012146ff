package rewrite

// What a parallel loop may touch: the writes its work and its body make,
// found with go/types, and the rules on them (docs/parallel.md).

import (
	"go/ast"
	"go/token"
	"go/types"
)

// rootVar is the variable an expression that designates a location is
// rooted at: x in x, x.f, x[i], x[i:j], *x, (x); nil if none.
func rootVar(info *types.Info, e ast.Expr) *types.Var {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.SelectorExpr:
			if sel := info.Selections[x]; sel != nil {
				e = x.X
				continue
			}
			v, _ := info.Uses[x.Sel].(*types.Var) // a package's variable
			return v
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.SliceExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.Ident:
			v, _ := info.ObjectOf(x).(*types.Var)
			return v
		default:
			return nil
		}
	}
}

// captured is v if it is a variable declared outside the loop.
func (p *parLoop) captured(v *types.Var) *types.Var {
	if v == nil || v.IsField() || p.inside(v.Pos()) {
		return nil
	}
	return v
}

// writes calls w for each write that n makes to a variable, with the
// location written and what the write is: assignments, ++ and --, taking
// an address, methods with pointer receivers called on addressable
// values (sync's and sync/atomic's types excepted: they are made for
// concurrent use), builtins that change their first argument, channel
// operations.
func (fl *fileLowerer) writes(n ast.Node, w func(at ast.Expr, what string)) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				if id, ok := l.(*ast.Ident); ok && x.Tok == token.DEFINE && fl.info.Defs[id] != nil {
					continue
				}
				w(l, "assigns")
			}
		case *ast.IncDecStmt:
			w(x.X, "assigns")
		case *ast.RangeStmt:
			if _, ok := fl.info.TypeOf(x.X).Underlying().(*types.Chan); ok {
				w(x.X, "receives from")
			}
			if x.Tok == token.ASSIGN {
				for _, l := range []ast.Expr{x.Key, x.Value} {
					if l != nil {
						w(l, "assigns")
					}
				}
			}
		case *ast.UnaryExpr:
			switch x.Op {
			case token.AND:
				w(x.X, "takes the address of")
			case token.ARROW:
				w(x.X, "receives from")
			}
		case *ast.SendStmt:
			w(x.Chan, "sends to")
		case *ast.CallExpr:
			if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok && len(x.Args) > 0 {
				if b, ok := fl.info.Uses[id].(*types.Builtin); ok {
					switch b.Name() {
					case "append", "copy", "delete", "clear", "close":
						w(x.Args[0], "changes (with "+b.Name()+")")
					}
				}
			}
		case *ast.SelectorExpr:
			// A method with a pointer receiver, called or taken as a
			// value, on an addressable value: &x is implicit.
			s := fl.info.Selections[x]
			if s == nil || s.Kind() != types.MethodVal {
				return true
			}
			recv := s.Obj().(*types.Func).Type().(*types.Signature).Recv()
			if _, ptr := recv.Type().(*types.Pointer); !ptr {
				return true
			}
			if _, isPtr := fl.info.TypeOf(x.X).Underlying().(*types.Pointer); isPtr {
				return true // through a pointer: the variable itself is not written
			}
			if pkg := s.Obj().Pkg(); pkg != nil && (pkg.Path() == "sync" || pkg.Path() == "sync/atomic") {
				return true
			}
			w(x.X, "calls the pointer method "+x.Sel.Name+" on")
		}
		return true
	})
}

// checkWork rejects a work that writes variables declared outside the
// loop or uses a generator's or task's handle: works run at the same
// time, on other goroutines, in any order.
func (p *parLoop) checkWork() {
	fl := p.fl
	for _, e := range p.work.Rhs {
		fl.writes(e, func(at ast.Expr, what string) {
			if v := p.captured(rootVar(fl.info, at)); v != nil {
				fl.errorf(at.Pos(), "%s: the work %s %s, declared outside the loop: works run at the same time on other goroutines; do it after the work, in the loop body, which runs in iteration order", ParallelAnnotation, what, v.Name())
			}
		})
		ast.Inspect(e, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok && fl.waitsOnFuture(c) {
				fl.errorf(c.Pos(), "%s: the work waits on a future (%s): the loop's runners hold the executor's workers while the loop runs, so a future queued behind them could wait for ever; submit in the work (f := F(x)) and wait in the loop body (v, err := f.Result(ctx)), which runs on the caller's goroutine", ParallelAnnotation, fl.callName(c))
			}
			id, ok := n.(*ast.Ident)
			if !ok {
				return true
			}
			o := fl.info.ObjectOf(id)
			v, ok := o.(*types.Var)
			if !ok {
				return true
			}
			if fl.isHandle(v.Type()) {
				fl.errorf(id.Pos(), "%s: the work uses %s, a generator's or task's handle, which only its own goroutine may use; the work runs on another", ParallelAnnotation, id.Name)
			}
			if c := p.captured(v); c != nil {
				p.workReads[c] = true
			}
			return true
		})
	}
}

// isHandle reports whether t is *coro.Co[...] or *aio.Task.
func (fl *fileLowerer) isHandle(t types.Type) bool {
	if fl.isTaskType(t) {
		return true
	}
	pt, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := types.Unalias(pt.Elem()).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == coroPath && n.Obj().Name() == "Co"
}

// checkBody rejects, in the statements after the work, the writes that
// later iterations' works (already running) would miss: to a variable a
// work reads, or to the ranged slice or map; and, for a channel, leaving
// the loop early, which would drop the values received ahead.
func (p *parLoop) checkBody(lab *ast.LabeledStmt) {
	fl := p.fl
	for _, s := range p.rs.Body.List[1:] {
		fl.writes(s, func(at ast.Expr, what string) {
			v := rootVar(fl.info, at)
			switch {
			case v == nil:
			case p.workReads[v]:
				fl.errorf(at.Pos(), "%s: the loop body %s %s, which the work reads: the works of later iterations run before this body, in parallel, and would not see it", ParallelAnnotation, what, v.Name())
			case v == p.rangeRoot:
				fl.errorf(at.Pos(), "%s: the loop body %s %s, the ranged %s: later iterations are read before this body runs", ParallelAnnotation, what, v.Name(), map[rangeKind]string{rangeSlice: "slice", rangeMap: "map"}[p.kind])
			}
		})
	}
	if p.kind != rangeChan {
		return
	}
	bad := func(n ast.Node, what string) {
		fl.errorf(n.Pos(), "%s: %s leaves a parallel loop over a channel early, which would drop the values already received for the iterations after it; record what you need and let the loop drain the channel", ParallelAnnotation, what)
	}
	var walk func(n ast.Node, breakable int)
	walk = func(n ast.Node, breakable int) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				bad(x, "return")
			case *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
				if n != ast.Node(p.rs) {
					switch y := x.(type) {
					case *ast.ForStmt:
						walk(y.Body, breakable+1)
					case *ast.RangeStmt:
						walk(y.Body, breakable+1)
					case *ast.SwitchStmt:
						walk(y.Body, breakable+1)
					case *ast.TypeSwitchStmt:
						walk(y.Body, breakable+1)
					case *ast.SelectStmt:
						walk(y.Body, breakable+1)
					}
					return false
				}
			case *ast.BranchStmt:
				switch {
				case x.Tok == token.GOTO:
					if l, ok := fl.info.Uses[x.Label].(*types.Label); ok && !p.inside(l.Pos()) {
						bad(x, "goto "+x.Label.Name)
					}
				case x.Label != nil:
					l, _ := fl.info.Uses[x.Label].(*types.Label)
					if l != nil && !p.inside(l.Pos()) && (lab == nil || l.Pos() != lab.Label.Pos() || x.Tok == token.BREAK) {
						bad(x, x.Tok.String()+" "+x.Label.Name)
					}
				case x.Tok == token.BREAK && breakable == 0:
					bad(x, "break")
				}
			}
			return true
		})
	}
	for _, s := range p.rs.Body.List[1:] {
		walk(s, 0)
	}
}

// waitsOnFuture reports whether c waits on futures of runtime/futures:
// Future.Result, ResultTimeout or Exception, Wait, AsCompleted.
func (fl *fileLowerer) waitsOnFuture(c *ast.CallExpr) bool {
	o := fl.calledFunc(c.Fun)
	if o == nil || o.Pkg() == nil || o.Pkg().Path() != futuresPath {
		return false
	}
	if recv := o.Type().(*types.Signature).Recv(); recv != nil {
		t := recv.Type()
		if pt, ok := t.(*types.Pointer); ok {
			t = pt.Elem()
		}
		n, ok := types.Unalias(t).(*types.Named)
		return ok && n.Obj().Name() == "Future" && (o.Name() == "Result" || o.Name() == "ResultTimeout" || o.Name() == "Exception")
	}
	return o.Name() == "Wait" || o.Name() == "AsCompleted"
}
