package rewrite

// Scan and hoist: the suspension points, the uses of the handle, the
// variables that escape, and the machine fields that hold the locals (their
// names and types).

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/dave/dst"
)

// suspension kinds
const (
	kYield = iota
	kYieldErr
	kYieldFrom
	kYieldFromErr
	kRaise
)

// field is a hoisted local or a temporary of the machine.
type field struct {
	name string
	typ  string
	ptr  bool // the variable escapes: the field points to it, one per declaration
}

type target struct {
	label     string   // the user's label, if any
	brk, cont string   // generated labels; cont empty for switch and select
	stop      string   // a range-over-func loop's pull iterator stop field
	node      ast.Node // the loop
}

// fn lowers one generator function.
type fn struct {
	*fileLowerer
	decl    *ast.FuncDecl
	lit     *ast.FuncLit
	co      types.Object
	vocab   vocabulary // the front end's: generator or async
	yT, sT  string     // Y and S as written
	rT      string
	hoisted map[types.Object]*field
	fields  []*field
	names   map[string]bool
	escapes map[types.Object]bool
	susp    map[*ast.CallExpr]int // suspension calls and their kind
	hasSusp map[ast.Node]bool     // nodes that contain a suspension
	named   types.Object          // the named result, if any
	// namedErr is an async body's named error result, if any.
	namedErr types.Object
	code     []string        // the lowered body, one statement or label a line
	used     map[string]bool // labels jumped to
	nlab     int             // label counter
	npc      int             // resume points
	targets  []target
	ph       map[string]string // placeholder -> text
	alias    map[types.Object]string
	noPanic  bool // the body cannot panic and has no defers: Resume needs no recover
	inWrap   bool
	nph      int
	nconst   int               // constants renamed
	closes   bool              // deferred calls or iterators: a dropped generator is closed
	early    map[ast.Node]bool // expressions evaluated before a suspension
	// gotoTargets are the labels goto jumps to in the body (not in
	// function literals).
	gotoTargets map[types.Object]bool
	// The lines of code that end in a terminating statement, and the
	// generated lines that may be left out when unreachable.
	term, gen map[int]bool
	// phPrefix starts every placeholder: a word found nowhere in the
	// source, so that no text of the user's is ever substituted.
	phPrefix string
	renamed  map[*dst.Ident]bool // dst identifiers already renamed
	trailAt  int                 // the line a comment trailing the statement ends, or -1 for the last
	// inline are the function literals lowered as part of the body (an
	// async scope's callback), with the call they are passed to; scopes
	// are those being lowered, innermost last.
	inline map[*ast.FuncLit]*ast.CallExpr
	scopes []*inlineScope
	// labelNames are the labels declared in the body and its inlined
	// callbacks, with the call of the callback declaring each (nil: the
	// body).
	labelNames map[string]*ast.CallExpr
	// valueAt, when not negative, is the line where the last suspension
	// lowered produced its value (a comment trailing its statement ends
	// it).
	valueAt int
	// kept are the fields holding the machines of awaited calls that the
	// machine keeps (see reuseCall).
	kept []string
}

// inlineScope is an inlined callback being lowered: its returns assign
// res (unless it is the callback's named result, named) and, having
// stopped the iterators of the loops of the callback (targets[base:]),
// jump to exit.
type inlineScope struct {
	res, exit string
	named     types.Object
	base      int
}

// deferredSuspension rejects a deferred call or a go statement that is
// itself a suspension (or Raise, in a go statement): it would suspend
// while the body unwinds, or on another goroutine. A suspension in the
// function or arguments of such a call is evaluated at the statement and is
// fine, as is defer co.Raise(err).
func (f *fn) deferredSuspension(parent ast.Node, call *ast.CallExpr, kind int) {
	switch p := parent.(type) {
	case *ast.DeferStmt:
		if p.Call == call && kind != kRaise {
			f.errorf(p.Pos(), "cannot defer a suspension: %s would suspend while the generator body unwinds", f.text(call.Fun))
		}
	case *ast.GoStmt:
		if p.Call != call {
			return
		}
		if kind == kRaise {
			f.errorf(p.Pos(), "cannot raise in a go statement: %s would unwind another goroutine, not the generator body", f.text(call.Fun))
		} else {
			f.errorf(p.Pos(), "cannot suspend in a go statement: %s would run on another goroutine; only the generator body itself can suspend", f.text(call.Fun))
		}
	}
}

// scan finds the suspension points, checks how co is used, finds the
// variables that escape, and rejects what cannot be lowered.
func (f *fn) scan() {
	ast.PreorderStack(f.lit.Body, nil, func(n ast.Node, stack []ast.Node) bool {
		inLit := 0
		var scope *ast.CallExpr // the innermost inlined callback's call
		for _, s := range stack {
			if l, ok := s.(*ast.FuncLit); ok {
				if c := f.inline[l]; c != nil && inLit == 0 {
					scope = c
				} else {
					inLit++
				}
			}
		}
		switch x := n.(type) {
		case *ast.LabeledStmt:
			if inLit == 0 {
				// An inlined callback's labels share Step's scope with the
				// body's.
				if prev, ok := f.labelNames[x.Label.Name]; ok && (scope != nil || prev != nil) {
					f.errorf(x.Label.Pos(), "cannot lower the label %s: the body declares it too, and the callback of %s is inlined into the body, so their labels share one scope; rename one", x.Label.Name, f.callName(firstNonNil(scope, prev)))
				}
				f.labelNames[x.Label.Name] = scope
			}
		case *ast.DeferStmt:
			if inLit == 0 && scope != nil {
				f.errorf(x.Pos(), "cannot lower a defer inside the callback of %s: the callback is inlined into the lowered body, which has no frame of its own to run it when the callback returns; move the deferred work after the call, or into a direct-mode coroutine that the body awaits", f.callName(scope))
			}
		case *ast.BranchStmt:
			if x.Tok == token.GOTO && inLit == 0 {
				// The label stays the user's: labels are the function's,
				// and Resume holds the whole body.
				f.gotoTargets[f.info.Uses[x.Label]] = true
			}
		case *ast.Ident:
			o := f.info.Uses[x]
			if o == nil {
				return true
			}
			if o == f.co {
				call, kind := f.vocab.handleUse(f, x, stack, inLit)
				if call != nil && kind >= 0 && kind != kRaise && inLit == 0 {
					for _, s := range stripHandle(f, stack) {
						f.hasSusp[s] = true
						// Go never evaluates the operand of unsafe.Sizeof,
						// Alignof and Offsetof.
						if c, ok := s.(*ast.CallExpr); ok {
							if id := calleeIdent(c.Fun); id != nil {
								if b, ok := f.info.Uses[id].(*types.Builtin); ok && (b.Name() == "Sizeof" || b.Name() == "Alignof" || b.Name() == "Offsetof") {
									f.errorf(c.Pos(), "cannot suspend inside unsafe.%s: its operand is never evaluated", b.Name())
								}
							}
						}
					}
				}
				return true
			}
			// Escaping locals: used inside a nested function literal.
			if v, ok := o.(*types.Var); ok && inLit > 0 && f.declaredOutsideLit(v, stack) {
				f.escapes[v] = true
			}
		case *ast.UnaryExpr:
			if x.Op == token.AND {
				if id, ok := ast.Unparen(x.X).(*ast.Ident); ok {
					f.escapes[f.info.ObjectOf(id)] = true
				} else {
					f.markRoot(x.X)
				}
			}
		case *ast.SliceExpr:
			if _, ok := f.info.TypeOf(x.X).Underlying().(*types.Array); ok {
				f.markRoot(x.X)
			}
		case *ast.SelectorExpr:
			if sel := f.info.Selections[x]; sel != nil && sel.Kind() == types.MethodVal {
				if _, ptrRecv := sel.Obj().Type().(*types.Signature).Recv().Type().(*types.Pointer); ptrRecv {
					if _, isPtr := f.info.TypeOf(x.X).Underlying().(*types.Pointer); !isPtr {
						f.markRoot(x.X)
					}
				}
			}
		}
		return true
	})
	// The function's own parameters live in the machine.
	var params []*ast.Field
	if f.decl.Recv != nil {
		params = append(params, f.decl.Recv.List...)
	}
	params = append(params, f.decl.Type.Params.List...)
	for _, p := range params {
		for _, n := range p.Names {
			if n.Name == "_" {
				continue
			}
			f.hoist(f.info.Defs[n], false)
		}
	}
	if f.named != nil {
		f.hoisted[f.named] = &field{name: pfx + "f.R"}
	}
	if f.namedErr != nil {
		f.hoisted[f.namedErr] = &field{name: pfx + "f.E"}
	}
}

// genHandleUse is the generator vocabulary's handleUse: co.Yield,
// co.YieldErr, co.Raise, coro.YieldFrom(co, g), coro.YieldFromErr(co, g).
func (f *fn) genHandleUse(x *ast.Ident, stack []ast.Node, inLit int) (*ast.CallExpr, int) {
	kind := -1
	var call *ast.CallExpr // the suspension (or Raise)
	var parent ast.Node    // what holds it
	stack = stripHandle(f, stack)
	if len(stack) >= 2 {
		if sel, ok := stack[len(stack)-1].(*ast.SelectorExpr); ok {
			if c, ok := stack[len(stack)-2].(*ast.CallExpr); ok && ast.Unparen(c.Fun) == sel {
				switch sel.Sel.Name {
				case "Yield":
					kind = kYield
				case "YieldErr":
					kind = kYieldErr
				case "Raise":
					kind = kRaise
				}
				if kind >= 0 {
					f.susp[c] = kind
					call = c
					if len(stack) >= 3 {
						parent = stack[len(stack)-3]
					}
				}
			}
		}
		if c, ok := stack[len(stack)-1].(*ast.CallExpr); ok && len(c.Args) == 2 && ast.Unparen(c.Args[0]) == x {
			switch {
			case f.isCoroFunc(c.Fun, "YieldFrom"):
				kind = kYieldFrom
			case f.isCoroFunc(c.Fun, "YieldFromErr"):
				kind = kYieldFromErr
			}
			if kind >= 0 {
				f.susp[c] = kind
				call = c
				parent = stack[len(stack)-2]
			}
		}
	}
	if inLit == 0 && call != nil {
		f.deferredSuspension(parent, call, kind)
	}
	switch {
	case kind < 0:
		f.errorf(x.Pos(), "%s may only be used to yield (Yield, YieldErr, YieldFrom, YieldFromErr, Raise): it must not escape the generator body", x.Name)
	case inLit > 0:
		f.errorf(x.Pos(), "cannot yield inside a function literal (a deferred or nested function): only the generator body itself can suspend")
	}
	return call, kind
}

// stripHandle drops from the ancestors of a use of the handle the
// parentheses and dereferences around it: (co).Yield, (*co).Yield are
// co.Yield.
func stripHandle(f *fn, stack []ast.Node) []ast.Node {
	top := len(stack)
	for top > 0 {
		if _, ok := stack[top-1].(*ast.ParenExpr); ok {
			top--
		} else if st, ok := stack[top-1].(*ast.StarExpr); ok && f.info.Types[st].IsValue() {
			top--
		} else {
			break
		}
	}
	return stack[:top]
}

// markRoot marks the variable an addressable expression is rooted in as
// escaping (its address is taken, maybe implicitly).
func (f *fn) markRoot(e ast.Expr) {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			if o := f.info.ObjectOf(x); o != nil {
				f.escapes[o] = true
			}
			return
		case *ast.SelectorExpr:
			if _, ok := f.info.TypeOf(x.X).Underlying().(*types.Pointer); ok {
				return
			}
			e = x.X
		case *ast.IndexExpr:
			if _, ok := f.info.TypeOf(x.X).Underlying().(*types.Array); !ok {
				return
			}
			e = x.X
		default:
			return
		}
	}
}

// calleeIdent is the identifier naming a called function (f, pkg.f, (f)).
func calleeIdent(e ast.Expr) *ast.Ident {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return x
	case *ast.SelectorExpr:
		return x.Sel
	}
	return nil
}

// firstNonNil is a if it is not nil, else b.
func firstNonNil(a, b *ast.CallExpr) *ast.CallExpr {
	if a != nil {
		return a
	}
	return b
}

func (f *fn) declaredOutsideLit(v *types.Var, stack []ast.Node) bool {
	for i := len(stack) - 1; i >= 0; i-- {
		if l, ok := stack[i].(*ast.FuncLit); ok {
			return !(v.Pos() >= l.Pos() && v.Pos() < l.End())
		}
	}
	return false
}

// machineMethods are the exported methods of the machines (coro.Machine's
// Resume, aio.Machine's Step): no field may share their names, whichever
// the front end (a field named like the other contract's method is
// harmless, and one list keeps both front ends' names alike).
var machineMethods = []string{"Resume", "Step"}

// hoist makes o a field of the machine.
func (f *fn) hoist(o types.Object, mayEscape bool) *field {
	if fd := f.hoisted[o]; fd != nil {
		return fd
	}
	name := o.Name()
	for _, m := range machineMethods {
		f.names[m] = true
	}
	for i := 2; f.names[name]; i++ {
		name = fmt.Sprintf("%s%d", o.Name(), i)
	}
	f.names[name] = true
	ts, err := f.typeString(o.Type())
	if err != nil {
		f.errorf(o.Pos(), "cannot keep %s across a suspension: %v", o.Name(), err)
	}
	fd := &field{name: name, typ: ts, ptr: mayEscape && f.escapes[o]}
	f.hoisted[o] = fd
	f.fields = append(f.fields, fd)
	return fd
}

// temp adds a temporary field of type typ.
func (f *fn) temp(kind, typ string) string {
	name := fmt.Sprintf("%s%s%d", pfx, kind, len(f.fields))
	f.fields = append(f.fields, &field{name: name, typ: typ})
	return "_agm." + name
}

// ref is how generated code refers to a hoisted variable.
func (fd *field) ref() string {
	if fd.ptr {
		return "(*_agm." + fd.name + ")"
	}
	return "_agm." + fd.name
}

func (f *fn) label(kind string) string {
	f.nlab++
	return fmt.Sprintf("%s%s%d", pfx, kind, f.nlab)
}

// typeString spells t in the generated file, or reports why it cannot.
func (fl *fileLowerer) typeString(t types.Type) (string, error) {
	var bad error
	s := types.TypeString(t, func(p *types.Package) string {
		if p == fl.pkg {
			return ""
		}
		return fl.pkgName(p.Path(), p.Name())
	})
	// A named type declared inside a function cannot be named at package level.
	walkNamed(t, map[types.Type]bool{}, func(n *types.Named) {
		o := n.Obj()
		if o.Pkg() != nil && o.Parent() != nil && o.Parent() != o.Pkg().Scope() && o.Parent() != types.Universe {
			bad = fmt.Errorf("its type %s is declared inside a function", o.Name())
		}
		if o.Pkg() != nil && o.Pkg() != fl.pkg && !o.Exported() {
			bad = fmt.Errorf("its type %s is not exported by %s", o.Name(), o.Pkg().Path())
		}
	})
	// An unnamed struct or interface with unexported members of another
	// package: spelled here, its members would be this package's.
	walkUnnamed(t, map[types.Type]bool{}, func(o types.Object) {
		if !o.Exported() && o.Pkg() != nil && o.Pkg() != fl.pkg {
			bad = fmt.Errorf("its type %s has the unexported member %s of %s", s, o.Name(), o.Pkg().Path())
		}
	})
	return s, bad
}

// walkUnnamed calls member for the fields and methods of the unnamed
// struct and interface types that t is built from (not looking into named
// types, whose names say it all).
func walkUnnamed(t types.Type, seen map[types.Type]bool, member func(types.Object)) {
	if seen[t] {
		return
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Named:
		for i := 0; i < t.TypeArgs().Len(); i++ {
			walkUnnamed(t.TypeArgs().At(i), seen, member)
		}
	case *types.Alias:
		walkUnnamed(types.Unalias(t), seen, member)
	case *types.Pointer:
		walkUnnamed(t.Elem(), seen, member)
	case *types.Slice:
		walkUnnamed(t.Elem(), seen, member)
	case *types.Array:
		walkUnnamed(t.Elem(), seen, member)
	case *types.Map:
		walkUnnamed(t.Key(), seen, member)
		walkUnnamed(t.Elem(), seen, member)
	case *types.Chan:
		walkUnnamed(t.Elem(), seen, member)
	case *types.Signature:
		for i := 0; i < t.Params().Len(); i++ {
			walkUnnamed(t.Params().At(i).Type(), seen, member)
		}
		for i := 0; i < t.Results().Len(); i++ {
			walkUnnamed(t.Results().At(i).Type(), seen, member)
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			member(t.Field(i))
			walkUnnamed(t.Field(i).Type(), seen, member)
		}
	case *types.Interface:
		for i := 0; i < t.NumExplicitMethods(); i++ {
			member(t.ExplicitMethod(i))
			walkUnnamed(t.ExplicitMethod(i).Type(), seen, member)
		}
		for i := 0; i < t.NumEmbeddeds(); i++ {
			walkUnnamed(t.EmbeddedType(i), seen, member)
		}
	}
}

func walkNamed(t types.Type, seen map[types.Type]bool, f func(*types.Named)) {
	if seen[t] {
		return
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Named:
		f(t)
		for i := 0; i < t.TypeArgs().Len(); i++ {
			walkNamed(t.TypeArgs().At(i), seen, f)
		}
	case *types.Alias:
		walkNamed(types.Unalias(t), seen, f)
	case *types.Pointer:
		walkNamed(t.Elem(), seen, f)
	case *types.Slice:
		walkNamed(t.Elem(), seen, f)
	case *types.Array:
		walkNamed(t.Elem(), seen, f)
	case *types.Map:
		walkNamed(t.Key(), seen, f)
		walkNamed(t.Elem(), seen, f)
	case *types.Chan:
		walkNamed(t.Elem(), seen, f)
	case *types.Signature:
		for i := 0; i < t.Params().Len(); i++ {
			walkNamed(t.Params().At(i).Type(), seen, f)
		}
		for i := 0; i < t.Results().Len(); i++ {
			walkNamed(t.Results().At(i).Type(), seen, f)
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			walkNamed(t.Field(i).Type(), seen, f)
		}
	}
}
