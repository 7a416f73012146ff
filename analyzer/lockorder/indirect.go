package lockorder

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"
)

// Calls through interfaces, function values and callbacks (issue 14,
// item 2).
//
// A call whose callee is not static still runs some function, and the
// locks that function takes count at the call site. lockorder resolves,
// bounded and within the package:
//
//   - a method of an interface declared in this package, when exactly one
//     of the package's own types implements it (class hierarchy analysis
//     over the package): with several, none is known to run, and taking
//     their locks as possible gave false orders on real code (nats-server's
//     test state machines);
//   - a function value loaded from an unexported struct field that the
//     package only ever sets to one known function, closure or method
//     value (a stored callback), besides functions that lock and wait on
//     nothing (a no-op default): then that one possibly;
//   - the function a callee from the standard library runs on the
//     caller's stack: sync.Once.Do's f, sort.Slice's less, slices.SortFunc's
//     cmp and the like;
//   - fmt's (and log's) implicit String or Error method of an operand: a
//     value whose String locks its own mutex, printed while that mutex is
//     held, locks it twice.
//
// Each target is applied as a synthetic static call with the caller's
// values for its receiver and, for closures, for the variables they
// capture when they can be named at the call site.

// maxTargets bounds the implementations or stored functions a dynamic call
// is resolved to.
const maxTargets = 1

// maxElemTargets bounds the stored functions a callback field called on
// an element of a map or slice is resolved to. A registry that keeps
// objects in a container (gauges, listeners, hooks) and calls their
// callbacks while ranging over it runs whichever were registered, each
// in turn (oxia-db/oxia#350): every one is possible at the call, so the
// locks each takes are ordered after the held ones by class; none of
// them is certain, so they give no double lock. The same holds for the
// implementations of an interface method called on such an element (a
// slice of Listener) while ranging over it: one picked by a constant
// index or a lookup (followers[1].node()) is not a registry's turn, and
// taking its implementations as possible gave false orders on
// nats-server's test state machines.
const maxElemTargets = 8

// addrOf is the address of a variable holding x: what a closure captures
// when x is a variable. Its keys are those of x followed by "&", which
// norm cancels with the closure's load ("&^").
type addrOf struct{ x ssa.Value }

func (a addrOf) Name() string                  { return "&" + a.x.Name() }
func (a addrOf) String() string                { return "&" + a.x.String() }
func (a addrOf) Type() types.Type              { return types.NewPointer(a.x.Type()) }
func (a addrOf) Parent() *ssa.Function         { return a.x.Parent() }
func (a addrOf) Referrers() *[]ssa.Instruction { return nil }
func (a addrOf) Pos() token.Pos                { return a.x.Pos() }

// storedFunc is one function value the package stores in a field.
type storedFunc struct {
	val  ssa.Value // *ssa.Function or *ssa.MakeClosure
	base ssa.Value // the struct pointer whose field receives it
	site *ssa.Call // the constructor call passing it, for a parameter stored in the field
	// owners: values the closure captures to whose slice or map field
	// the function adds base, by field name (owner.go)
	owners map[ssa.Value]string
}

// noteFuncStore records a store of a function value into a struct field
// (a callback), or marks the field as holding unknown functions.
func (c *checker) noteFuncStore(st *ssa.Store) {
	if _, ok := st.Val.Type().Underlying().(*types.Signature); !ok {
		return
	}
	fa, ok := st.Addr.(*ssa.FieldAddr)
	if !ok {
		return
	}
	fk := fieldKey(fa)
	if fk == "" {
		return
	}
	val := st.Val
	if ct, ok := val.(*ssa.ChangeType); ok {
		val = ct.X // a literal converted to the field's named func type (type RangeDeleter func() TxnDelete)
	}
	switch v := val.(type) {
	case *ssa.Function:
		c.funcFields[fk] = append(c.funcFields[fk], storedFunc{val: v, base: fa.X})
	case *ssa.MakeClosure:
		c.funcFields[fk] = append(c.funcFields[fk], storedFunc{val: v, base: fa.X, owners: c.closureOwners(v, fa.X)})
	case *ssa.Const:
		// nil: calling it panics, it runs nothing
	case *ssa.Parameter:
		// A constructor's parameter: the functions the package's own
		// call sites pass (paramcb.go).
		for i, p := range v.Parent().Params {
			if p == v {
				c.paramFuncs[fk] = append(c.paramFuncs[fk], paramFunc{fn: v.Parent(), idx: i, recv: i > 0 && fa.X == v.Parent().Params[0] && v.Parent().Signature.Recv() != nil})
			}
		}
	default:
		c.unknownFunc[fk] = true
	}
}

// indirectCalls returns the static calls a dynamic call (or a call of a
// standard function that calls back) may make, and whether each is only
// possible (one of several targets).
func (f *fnChecker) indirectCalls(call *ssa.CallCommon) (calls []*ssa.CallCommon, maybe bool) {
	if call.IsInvoke() {
		impls := f.c.implementations(call.Method)
		if len(impls) > maxTargets || len(impls) == 0 {
			// Several (or an interface of another package, io.Closer,
			// whose implementations are not looked for): the one type
			// the package gives this value, if any.
			if t := f.c.flowType(call.Value); t != nil {
				if m := f.c.prog.LookupMethod(t, call.Method.Pkg(), call.Method.Name()); m != nil && m.Blocks != nil {
					return []*ssa.CallCommon{{Value: m, Args: append([]ssa.Value{call.Value}, call.Args...)}}, false
				}
			}
		}
		if m := f.c.handleMethod(call); len(impls) == 0 && m != nil {
			return []*ssa.CallCommon{{Value: m, Args: append([]ssa.Value{call.Value}, call.Args...)}}, false // handleiface.go
		}
		if len(impls) == 0 || len(impls) > maxTargets && (len(impls) > maxElemTargets || !rangedElem(call.Value)) {
			return nil, false // several, and not a registry's elements ranged over (maxElemTargets)
		}
		for _, fn := range impls {
			calls = append(calls, &ssa.CallCommon{Value: fn, Args: append([]ssa.Value{call.Value}, call.Args...)})
		}
		return calls, len(impls) > 1
	}
	if call.StaticCallee() != nil {
		return f.callbacks(call), false
	}
	if key := funcElemField(call.Value); key != "" {
		return f.funcElemCalls(call, key) // a function kept in a container (funcelem.go)
	}
	if v := f.c.k.captured(call.Value); v != nil {
		// A goroutine literal calling the element its maker ranges over,
		// one goroutine per element: every registered function runs in
		// one of them (as for a call in the loop itself, eachRun).
		if key := funcElemField(v); key != "" {
			calls, maybe := f.funcElemCalls(call, key)
			if maybe && rangedElem(v) {
				for _, c := range calls {
					if f.eachRun == nil {
						f.eachRun = map[*ssa.CallCommon]bool{}
					}
					f.eachRun[c] = true
				}
			}
			return calls, maybe
		}
	}
	// A function value loaded from a field: the functions stored there.
	u, ok := call.Value.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return nil, false
	}
	fa, ok := u.X.(*ssa.FieldAddr)
	if !ok {
		return nil, false
	}
	fk := fieldKey(fa)
	if fk == "" {
		return nil, false
	}
	if fieldExported(fa) {
		if calls := f.factoryCallback(fk, call, fa); calls != nil {
			return calls, false // nothing of the package is stored there
		}
		return f.selfCallback(fk, call, fa)
	}
	if mc, site := f.localCallback(fa.X, fk); mc != nil {
		// The object was built here: the closure passed to its
		// constructor, with what it captured here (localcb.go).
		if c := bindCall(mc, call.Args, nil, nil); c != nil {
			f.viaSite = site
			if f.callSite == nil {
				f.callSite = map[*ssa.CallCommon]*ssa.Call{}
			}
			f.callSite[c] = site
			return []*ssa.CallCommon{c}, false
		}
	}
	all := append(f.c.funcFields[fk], f.c.passedFuncs(fk)...)
	if len(all) == 0 {
		if calls := f.factoryCallback(fk, call, fa); calls != nil {
			return calls, false
		}
	}
	if f.c.unknownFunc[fk] || len(all) == 0 {
		return nil, false
	}
	// Functions that neither lock nor wait (a no-op default such as
	// func() {}) change nothing at the call: the bound applies to the
	// others, which are then only possible.
	var stored []storedFunc
	for _, sf := range all {
		if !f.c.inert(sf.val) {
			stored = append(stored, sf)
		}
	}
	if len(stored) == 0 || len(stored) > maxTargets && (len(stored) > maxElemTargets || !isElem(fa.X, 0)) {
		return nil, false
	}
	for _, sf := range stored {
		if sf.site != nil {
			// A setter's receiver is the object whose field is called:
			// what the function captured as that receiver is fa.X here.
			c := bindCall(sf.val, call.Args, unknownVal{}, nil)
			if sf.owners != nil {
				// What the closure captured keeps this object in a field.
				c = bindCallOwners(sf.val, call.Args, unknownVal{}, fa.X, sf.owners)
			}
			if sf.base != nil {
				if sc := bindCall(sf.val, call.Args, sf.base, fa.X); sc != nil {
					c = sc
				}
			}
			if c != nil {
				f.viaSite = sf.site
				if f.callSite == nil {
					f.callSite = map[*ssa.CallCommon]*ssa.Call{}
				}
				f.callSite[c] = sf.site // each target names its own site
				calls = append(calls, c)
			}
			continue
		}
		if c := bindCallOwners(sf.val, call.Args, sf.base, fa.X, sf.owners); c != nil {
			calls = append(calls, c)
		}
	}
	return calls, len(all) > 1
}

// rangedElem reports whether v is the element a range over a map or
// slice yields (a map's value, or a slice's element at a variable index).
func rangedElem(v ssa.Value) bool {
	switch v := v.(type) {
	case *ssa.Extract:
		_, ok := v.Tuple.(*ssa.Next)
		return ok
	case *ssa.Index:
		_, isConst := v.Index.(*ssa.Const)
		return !isConst
	case *ssa.UnOp:
		if ia, ok := v.X.(*ssa.IndexAddr); ok && v.Op == token.MUL {
			_, isConst := ia.Index.(*ssa.Const)
			return !isConst
		}
	}
	return false
}

// inert reports whether the function value v (a function or a closure of
// this package) takes no lock, waits on nothing, wakes nothing and calls
// no callback or parameter.
func (c *checker) inert(v ssa.Value) bool {
	var fn *ssa.Function
	switch v := v.(type) {
	case *ssa.Function:
		fn = v
	case *ssa.MakeClosure:
		fn, _ = v.Fn.(*ssa.Function)
	}
	if fn == nil || fn.Synthetic != "" || fn.Blocks == nil || fn.Pkg != c.pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA).Pkg {
		return false
	}
	sum := c.summaryOf(fn)
	return sum != nil && len(sum.Acquires)+len(sum.Holds)+len(sum.Releases)+len(sum.Waits)+len(sum.Wakes)+len(sum.Callbacks)+len(sum.ParamCalls) == 0
}

func fieldExported(fa *ssa.FieldAddr) bool {
	p, ok := fa.X.Type().Underlying().(*types.Pointer)
	if !ok {
		return true
	}
	s, ok := p.Elem().Underlying().(*types.Struct)
	return !ok || fa.Field >= s.NumFields() || s.Field(fa.Field).Exported()
}

// bindCall makes a static call of the function value v with args. When v
// was stored into a field of base (another function's value) and is called
// through the same field of at, a captured base (or a bound receiver) is
// at; other captured values of another function are unknown (nil).
func bindCall(v ssa.Value, args []ssa.Value, base, at ssa.Value) *ssa.CallCommon {
	return bindCallOwners(v, args, base, at, nil)
}

// bindCallOwners is bindCall where a captured value to whose container
// field the storing function added base is the owner of at through that
// field (owner.go).
func bindCallOwners(v ssa.Value, args []ssa.Value, base, at ssa.Value, owners map[ssa.Value]string) *ssa.CallCommon {
	switch v := v.(type) {
	case *ssa.Function:
		if strings.HasPrefix(v.Synthetic, "thunk") {
			// A method expression ((*T).m): the method itself.
			if obj, ok := v.Object().(*types.Func); ok {
				if m := v.Prog.FuncValue(obj); m != nil {
					v = m
				}
			}
		}
		return &ssa.CallCommon{Value: v, Args: args}
	case *ssa.MakeClosure:
		fn, ok := v.Fn.(*ssa.Function)
		if !ok {
			return nil
		}
		same := base == nil
		mapped := make([]ssa.Value, len(v.Bindings))
		for i, b := range v.Bindings {
			switch {
			case same:
				mapped[i] = b
			case b == base:
				mapped[i] = at
			case owners[b] != "" && at != nil && !isUnknown(at):
				name := capturedName(fn, i)
				if a, ok := b.(*ssa.Alloc); ok && isPointerType(a.Type().(*types.Pointer).Elem()) {
					// The variable holding the owner (not the object
					// a composite literal allocates).
					mapped[i] = addrOf{ownerOf{elem: at, field: owners[b], t: a.Type().(*types.Pointer).Elem(), name: name}}
				} else {
					mapped[i] = ownerOf{elem: at, field: owners[b], t: b.Type(), name: name}
				}
			default:
				// The variable holding base: a spilled parameter, or a
				// local that base was loaded from.
				if a, ok := b.(*ssa.Alloc); ok && spilledParam(a) != nil && ssa.Value(spilledParam(a)) == base {
					mapped[i] = addrOf{at}
				} else if u, ok := base.(*ssa.UnOp); ok && u.Op == token.MUL && u.X == b {
					mapped[i] = addrOf{at}
				}
			}
		}
		if strings.HasPrefix(fn.Synthetic, "bound method wrapper") {
			// A method value: call the method on its bound receiver.
			obj, ok := fn.Object().(*types.Func)
			if !ok {
				return nil
			}
			m := fn.Prog.FuncValue(obj)
			if m == nil {
				return nil
			}
			recv := mapped[0]
			if recv == nil && (isUnknown(base) || parentOf(base, v.Bindings[0])) {
				// Another object of the receiver's type, or the one
				// holding base in a field (srv.stack.OnFlow =
				// srv.onFlow): known by class.
				recv = unknownVal{t: v.Bindings[0].Type()}
			}
			if recv == nil {
				return nil
			}
			return &ssa.CallCommon{Value: m, Args: append([]ssa.Value{recv}, args...)}
		}
		return &ssa.CallCommon{Value: &ssa.MakeClosure{Fn: fn, Bindings: mapped}, Args: args}
	}
	return nil
}

// capturedName returns the source name of the closure fn's i'th captured
// variable: the receiver's name for a method value.
func capturedName(fn *ssa.Function, i int) string {
	if strings.HasPrefix(fn.Synthetic, "bound method wrapper") {
		if obj, ok := fn.Object().(*types.Func); ok {
			if m := fn.Prog.FuncValue(obj); m != nil && len(m.Params) > 0 {
				return m.Params[0].Name()
			}
		}
	}
	if i < len(fn.FreeVars) {
		return fn.FreeVars[i].Name()
	}
	return ""
}

// callbackArgs lists, for standard functions that call a function
// argument before they return, which argument that is.
var callbackArgs = map[string]int{
	"(*sync.Once).Do":         1,
	"sync.OnceFunc":           -1, // runs later: not a call here
	"sort.Slice":              1,
	"sort.SliceStable":        1,
	"sort.Search":             1,
	"slices.SortFunc":         1,
	"slices.SortStableFunc":   1,
	"slices.IndexFunc":        1,
	"slices.ContainsFunc":     1,
	"slices.DeleteFunc":       1,
	"slices.BinarySearchFunc": 2,
	"(*sync.Map).Range":       1,
	"strings.Map":             0,
	"strings.IndexFunc":       1,
	"strings.FieldsFunc":      1,
}

// callbacks returns the calls a static callee makes on the caller's stack:
// a function argument it runs, or the String/Error methods fmt calls.
func (f *fnChecker) callbacks(call *ssa.CallCommon) []*ssa.CallCommon {
	callee := call.StaticCallee()
	name := funcName(callee)
	if i, ok := callbackArgs[name]; ok {
		if i < 0 || i >= len(call.Args) {
			return nil
		}
		if c := bindCall(call.Args[i], nil, nil, nil); c != nil {
			return []*ssa.CallCommon{c}
		}
		return nil
	}
	if !formats(callee) {
		return nil
	}
	var calls []*ssa.CallCommon
	for _, x := range formatted(call) {
		if c := f.c.stringer(x); c != nil {
			calls = append(calls, c)
		}
	}
	return calls
}

// formats reports whether fn formats its variadic ...any operands with
// fmt's verbs or defaults (which call String and Error).
func formats(fn *ssa.Function) bool {
	if fn.Pkg == nil && fn.Object() == nil {
		return false
	}
	obj := fn.Object()
	if obj == nil || obj.Pkg() == nil {
		return false
	}
	switch obj.Pkg().Path() {
	case "fmt", "log", "testing":
	default:
		return false
	}
	sig := fn.Signature
	if !sig.Variadic() || sig.Params().Len() == 0 {
		return false
	}
	last := sig.Params().At(sig.Params().Len() - 1).Type().(*types.Slice)
	it, ok := last.Elem().Underlying().(*types.Interface)
	return ok && it.Empty()
}

// formatted returns the operands a variadic call passes in its ...any
// slice, before their conversion to interfaces.
func formatted(call *ssa.CallCommon) []ssa.Value {
	if len(call.Args) == 0 {
		return nil
	}
	var xs []ssa.Value
	for _, v := range sliceElems(call.Args[len(call.Args)-1]) {
		if mi, ok := v.(*ssa.MakeInterface); ok {
			xs = append(xs, mi.X)
		}
	}
	return xs
}

// stringer returns the call of x's Error or String method that fmt makes
// when it prints x with a default or %s/%v verb, unless x formats itself.
func (c *checker) stringer(x ssa.Value) *ssa.CallCommon {
	prog := c.prog
	if prog == nil {
		return nil
	}
	t := x.Type()
	ms := prog.MethodSets.MethodSet(t)
	if ms.Lookup(nil, "Format") != nil {
		return nil
	}
	for _, name := range []string{"Error", "String"} {
		sel := ms.Lookup(nil, name)
		if sel == nil {
			continue
		}
		if len(sel.Index()) != 1 {
			return nil // promoted from an embedded field: another receiver
		}
		sig, ok := sel.Type().(*types.Signature)
		if !ok || sig.Params().Len() != 0 || sig.Results().Len() != 1 || !types.Identical(sig.Results().At(0).Type(), types.Typ[types.String]) {
			continue
		}
		obj, ok := sel.Obj().(*types.Func)
		if !ok {
			return nil
		}
		fn := prog.FuncValue(obj)
		if fn == nil {
			return nil
		}
		return &ssa.CallCommon{Value: fn, Args: []ssa.Value{x}}
	}
	return nil
}

// implementations returns the methods, among the package's own named
// types, that a call of the interface method m may run, for interfaces
// declared in this package (nil otherwise).
func (c *checker) implementations(m *types.Func) []*ssa.Function {
	if impls, ok := c.impls[m]; ok {
		return impls
	}
	c.impls[m] = nil
	recv := m.Signature().Recv()
	if recv == nil || m.Pkg() == nil || c.prog == nil {
		return nil
	}
	named, ok := types.Unalias(recv.Type()).(*types.Named)
	if !ok || named.Obj().Pkg() != m.Pkg() {
		return nil
	}
	iface, ok := named.Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	scopes := []*types.Scope{c.pass.Pkg.Scope()}
	if m.Pkg() != c.pass.Pkg {
		// Declared in another package (otherimpl.go): the types of this
		// package and of its direct imports, for interfaces outside the
		// standard library.
		if c.stdObject(named.Obj()) {
			return nil
		}
		for _, p := range c.pass.Pkg.Imports() {
			scopes = append(scopes, p.Scope())
		}
	}
	var impls []*ssa.Function
	for _, scope := range scopes {
		impls = append(impls, c.implsIn(scope, m, iface)...)
		if len(impls) > maxTargets {
			break
		}
	}
	c.impls[m] = impls
	return impls
}

// implsIn returns the methods m of the named types of scope that
// implement iface.
func (c *checker) implsIn(scope *types.Scope, m *types.Func, iface *types.Interface) []*ssa.Function {
	var impls []*ssa.Function
	for _, name := range scope.Names() {
		tn, ok := scope.Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() {
			continue
		}
		t, ok := tn.Type().(*types.Named)
		if !ok || types.IsInterface(t) || t.TypeParams().Len() > 0 {
			continue
		}
		var T types.Type
		switch {
		case types.Implements(t, iface):
			T = t
		case types.Implements(types.NewPointer(t), iface):
			T = types.NewPointer(t)
		default:
			continue
		}
		sel := c.prog.MethodSets.MethodSet(T).Lookup(m.Pkg(), m.Name())
		if sel == nil || len(sel.Index()) != 1 {
			continue // promoted methods have another receiver
		}
		obj, ok := sel.Obj().(*types.Func)
		if !ok {
			continue
		}
		if fn := c.prog.FuncValue(obj); fn != nil {
			impls = append(impls, fn)
		}
	}
	return impls
}
