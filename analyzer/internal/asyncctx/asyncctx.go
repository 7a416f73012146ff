// Package asyncctx answers the questions asyncgo's analyzers share about
// async code: is this function an async context, is this call a suspension
// point, and what the handle (*aio.Task or *coro.Co) in scope is called.
//
// The runtime packages are recognised by import path and name only, so the
// analyzers behave the same on the real runtime and on test stand-ins that
// mirror its names.
//
// Rules (agreed for all analyzers):
//   - An async context is a function (declaration or literal) with a
//     parameter of type *aio.Task or *coro.Co[Y, S]; the literals passed to
//     aio.Async and coro.New are such functions. A func literal passed to a
//     loop's CallSoon/CallLater/CallAt (a loop callback) also runs on the loop
//     thread and counts.
//   - A suspension point is a call of a function or method of runtime/aio or
//     runtime/coro that takes a handle argument, or a method of *coro.Co
//     named Yield*. CreateTask and the Call* scheduling functions take the
//     handle but never suspend, so they are not suspension points.
package asyncctx

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// Import paths of the runtime packages.
const (
	AioPath     = "github.com/asyncgo/asyncgo/runtime/aio"
	CoroPath    = "github.com/asyncgo/asyncgo/runtime/coro"
	FuturesPath = "github.com/asyncgo/asyncgo/runtime/futures"
)

// IsNamed reports whether t (or, when t is a pointer, its element) is the
// named type path.name, instantiated or not.
func IsNamed(t types.Type, path, name string) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Origin().Obj()
	return obj.Name() == name && obj.Pkg() != nil && obj.Pkg().Path() == path
}

// IsHandle reports whether t is *aio.Task or *coro.Co[Y, S], the handle
// that makes a function an async context.
func IsHandle(t types.Type) bool {
	if _, ok := types.Unalias(t).(*types.Pointer); !ok {
		return false
	}
	return IsNamed(t, AioPath, "Task") || IsNamed(t, CoroPath, "Co")
}

// IsTask reports whether t is *aio.Task.
func IsTask(t types.Type) bool {
	_, ok := types.Unalias(t).(*types.Pointer)
	return ok && IsNamed(t, AioPath, "Task")
}

// HandleParam returns the first handle parameter of sig, or nil.
func HandleParam(sig *types.Signature) *types.Var {
	if sig == nil {
		return nil
	}
	for i := 0; i < sig.Params().Len(); i++ {
		if p := sig.Params().At(i); IsHandle(p.Type()) {
			return p
		}
	}
	return nil
}

// IsAsyncSig reports whether a function of signature sig is an async
// context (it takes a handle).
func IsAsyncSig(sig *types.Signature) bool { return HandleParam(sig) != nil }

// Callee returns the function or method a call statically names, through
// generic instantiation, as declared (its Origin), or nil (calls of function
// values, conversions, builtins). Interface methods are returned too: they
// name what is called.
func Callee(info *types.Info, call *ast.CallExpr) *types.Func {
	if fn, ok := typeutil.Callee(info, call).(*types.Func); ok {
		return fn.Origin()
	}
	return nil
}

// IsFunc reports whether fn is the package-level function path.name.
func IsFunc(fn *types.Func, path string, names ...string) bool {
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != path {
		return false
	}
	if sig, ok := fn.Type().(*types.Signature); !ok || sig.Recv() != nil {
		return false
	}
	for _, n := range names {
		if fn.Name() == n {
			return true
		}
	}
	return false
}

// RecvNamed returns the package path and name of the type whose method fn
// is (pointer or not, interface methods included), or "", "".
func RecvNamed(fn *types.Func) (path, name string) {
	if fn == nil {
		return "", ""
	}
	sig, ok := fn.Type().(*types.Signature)
	if !ok || sig.Recv() == nil {
		return "", ""
	}
	t := sig.Recv().Type()
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return "", ""
	}
	return n.Obj().Pkg().Path(), n.Origin().Obj().Name()
}

// IsMethod reports whether fn is a method named one of names on the type
// path.typ (through a pointer or not).
func IsMethod(fn *types.Func, path, typ string, names ...string) bool {
	p, t := RecvNamed(fn)
	if p != path || t != typ {
		return false
	}
	for _, n := range names {
		if fn.Name() == n {
			return true
		}
	}
	return false
}

// notSuspending lists the runtime functions that take the handle but
// return at once.
func notSuspending(name string) bool {
	return name == "CreateTask" || strings.HasPrefix(name, "Call") || name == "Name" || name == "Loop"
}

// IsSuspension reports whether call is a suspension point by the agreed
// rule (see the package comment). Calls of user functions that suspend in
// turn are for each analyzer to follow, with facts.
func IsSuspension(info *types.Info, call *ast.CallExpr) bool {
	fn := Callee(info, call)
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	path := fn.Pkg().Path()
	if path != AioPath && path != CoroPath {
		return false
	}
	if notSuspending(fn.Name()) {
		return false
	}
	if p, recv := RecvNamed(fn); p == CoroPath && recv == "Co" && strings.HasPrefix(fn.Name(), "Yield") {
		return true
	}
	return PassesHandle(info, call)
}

// PassesHandle reports whether some argument of call is a handle: a call of
// an async function (one that may suspend the caller).
func PassesHandle(info *types.Info, call *ast.CallExpr) bool {
	for _, a := range call.Args {
		if tv, ok := info.Types[a]; ok && IsHandle(tv.Type) {
			return true
		}
	}
	return false
}

// IsLoopCallback reports whether lit is passed to a loop scheduling call
// (CallSoon, CallSoonThreadsafe, CallLater, CallAt of runtime/aio), whose
// callbacks run on the loop thread.
func IsLoopCallback(info *types.Info, lit *ast.FuncLit, parent ast.Node) bool {
	call, ok := parent.(*ast.CallExpr)
	if !ok {
		return false
	}
	fn := Callee(info, call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != AioPath || !strings.HasPrefix(fn.Name(), "Call") {
		return false
	}
	for _, a := range call.Args {
		if ast.Unparen(a) == lit {
			return true
		}
	}
	return false
}

// Func is one function body of a file: a declaration or a literal.
type Func struct {
	Body *ast.BlockStmt
	Sig  *types.Signature
	Obj  *types.Func // nil for literals
}

// Funcs lists every function with a body in files, declarations and
// literals, outermost first, and for each whether it is an async context
// (a handle parameter, or a loop callback).
func Funcs(info *types.Info, files []*ast.File) (fns []Func, async []bool) {
	for _, file := range files {
		var stack []ast.Node
		ast.Inspect(file, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			var parent ast.Node
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			stack = append(stack, n)
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Body == nil {
					return true
				}
				obj, _ := info.Defs[n.Name].(*types.Func)
				var sig *types.Signature
				if obj != nil {
					sig, _ = obj.Type().(*types.Signature)
				}
				fns = append(fns, Func{Body: n.Body, Sig: sig, Obj: obj})
				async = append(async, IsAsyncSig(sig))
			case *ast.FuncLit:
				sig, _ := info.Types[n].Type.(*types.Signature)
				fns = append(fns, Func{Body: n.Body, Sig: sig})
				async = append(async, IsAsyncSig(sig) || IsLoopCallback(info, n, parent))
			}
			return true
		})
	}
	return fns, async
}

// Shallow calls f, in source order, for every node of body that runs on the
// function's own thread when the body runs: it skips go statements and the
// bodies of function literals, except literals called on the spot
// (func(){...}()) and deferred literals (defer func(){...}()), whose bodies
// run as part of this function.
func Shallow(body *ast.BlockStmt, f func(n ast.Node) bool) {
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		if n == nil {
			return true
		}
		switch n := n.(type) {
		case *ast.GoStmt:
			return false
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if !f(n) {
				return false
			}
			if lit, ok := ast.Unparen(n.Fun).(*ast.FuncLit); ok {
				ast.Inspect(lit.Body, visit)
				for _, a := range n.Args {
					ast.Inspect(a, visit)
				}
				return false
			}
			return true
		}
		return f(n)
	}
	ast.Inspect(body, visit)
}

// TaskInScope returns the handle variable of type *aio.Task
// visible at pos (a parameter of the enclosing function of signature
// enclosing, not shadowed at pos), or nil.
func TaskInScope(pkg *types.Package, pos token.Pos, enclosing *types.Signature) *types.Var {
	if enclosing == nil {
		return nil
	}
	scope := pkg.Scope().Innermost(pos)
	for i := 0; i < enclosing.Params().Len(); i++ {
		p := enclosing.Params().At(i)
		if !IsTask(p.Type()) || p.Name() == "" || p.Name() == "_" {
			continue
		}
		if scope == nil {
			return nil
		}
		if _, obj := scope.LookupParent(p.Name(), pos); obj == p {
			return p
		}
	}
	return nil
}
