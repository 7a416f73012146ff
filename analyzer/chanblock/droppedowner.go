package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The owner dropped on a failure path (session 24; grpc/grpc-go#862,
// pion/dtls#416). A constructor makes a value whose field keeps the cancel
// func of a context made from context.Background() (or TODO), directly or
// in a field of a struct it points to (a closer), and before it returns it
// starts goroutines that hold the value and wait on that context's Done
// (or on the Done of a context derived from it and kept in another
// field). Only a method that calls the stored cancel (Close) can release
// them. On a path where the constructor returns without handing the value
// on (returning, storing or passing it where someone else can reach it)
// and without calling such a method, nobody can ever call it again: the
// context is never canceled and the goroutines wait for ever. The fix is
// the Close on the failure path (or a deferred one when err != nil).
//
// Left alone: a value returned, stored or sent on every path; a Close, a
// cancel or a deferred call that may reach one on the path; a context
// derived from anything but Background/TODO (a caller's context may be
// canceled by the caller); goroutines whose code may call the cancel
// themselves; a value passed to code of another package (other than as an
// interface none of whose methods cancels).

// droppedOwnerDepth bounds the calls followed from the constructor and
// from the goroutines; droppedOwnerBudget bounds the functions visited.
const (
	droppedOwnerDepth  = 4
	droppedOwnerBudget = 96
)

// ownerCtx is what droppedOwners knows of the package's stored contexts.
type ownerCtx struct {
	pkg       *types.Package
	cancelF   map[*types.Var]bool    // func fields holding the cancel of a never-canceled root's child
	ctxF      map[*types.Var]bool    // context fields made beside a cancel field, or derived from one
	cancelers map[*ssa.Function]bool // functions that may call a cancelF field's func
	doneFns   map[*ssa.Function]bool // package functions returning the Done of a ctxF field
	funcs     []*ssa.Function        // the package's functions
}

// droppedOwners reports the rule.
func droppedOwners(st *state, funcs []*ssa.Function) {
	oc := newOwnerCtx(st.pass.Pkg, funcs)
	if len(oc.cancelF) == 0 {
		return
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Alloc:
					if in.Heap {
						oc.check(st, fn, in)
					}
				case *ssa.Call:
					// A value a constructor of the package makes for it.
					if v := oc.freshOwner(in); v != nil {
						oc.check(st, fn, v)
					}
				}
			}
		}
	}
}

// freshOwner returns the value call yields (the call, or its first
// result) when the callee is a function of the package that returns, on
// every return, a value it makes that keeps a cancel (ownsCancel), or nil.
func (oc *ownerCtx) freshOwner(call *ssa.Call) ssa.Value {
	callee := call.Call.StaticCallee()
	if callee == nil || call.Call.IsInvoke() || callee.Pkg == nil || callee.Pkg.Pkg != oc.pkg || callee.Blocks == nil {
		return nil
	}
	rets := 0
	for _, b := range callee.Blocks {
		for _, instr := range b.Instrs {
			r, ok := instr.(*ssa.Return)
			if !ok {
				continue
			}
			if len(r.Results) == 0 {
				return nil
			}
			a, ok := objRoot(r.Results[0]).(*ssa.Alloc)
			if !ok || !a.Heap || !oc.ownsCancel(a) {
				return nil
			}
			rets++
		}
	}
	if rets == 0 {
		return nil
	}
	if callee.Signature.Results().Len() == 1 {
		return call
	}
	for _, r := range *call.Referrers() {
		if ex, ok := r.(*ssa.Extract); ok && ex.Index == 0 {
			return ex
		}
	}
	return nil
}

func newOwnerCtx(pkg *types.Package, funcs []*ssa.Function) *ownerCtx {
	oc := &ownerCtx{pkg: pkg, cancelF: map[*types.Var]bool{}, ctxF: map[*types.Var]bool{},
		cancelers: map[*ssa.Function]bool{}, doneFns: map[*ssa.Function]bool{}, funcs: funcs}
	// Cancel fields: every store is the cancel of a With* call of a root
	// nothing cancels; the context of the same call, stored in a field of
	// the same value, is a ctx field.
	bad := map[*types.Var]bool{}
	stores := map[*types.Var][]*ssa.Store{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				s, ok := instr.(*ssa.Store)
				if !ok {
					continue
				}
				f := chanuse.StructFieldOf(s.Addr)
				if f == nil || f.Pkg() != pkg {
					continue
				}
				if _, ok := f.Type().Underlying().(*types.Signature); !ok {
					continue
				}
				call := withCancel(s.Val)
				if call == nil || !rootNeverCanceled(call) || !plainCancel(call) {
					bad[f] = true
					continue
				}
				stores[f] = append(stores[f], s)
			}
		}
	}
	for f, ss := range stores {
		if bad[f] {
			continue
		}
		oc.cancelF[f] = true
		for _, s := range ss {
			call := withCancel(s.Val)
			base := objRoot(s.Addr.(*ssa.FieldAddr).X)
			for _, r := range *call.Referrers() {
				ex, ok := r.(*ssa.Extract)
				if !ok || ex.Index != 0 {
					continue
				}
				for _, u := range *ex.Referrers() {
					if cs, ok := u.(*ssa.Store); ok && cs.Val == ex {
						if fa, ok := cs.Addr.(*ssa.FieldAddr); ok && objRoot(fa.X) == base {
							oc.ctxF[chanuse.StructFieldOf(fa)] = true
						}
					}
				}
			}
		}
	}
	if len(oc.cancelF) == 0 {
		return oc
	}
	// Derived ctx fields: every store is a child (With*) of a load of a
	// ctx field.
	for changed := true; changed; {
		changed = false
		derived := map[*types.Var]int{} // 1 derived, -1 not
		for _, fn := range funcs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					s, ok := instr.(*ssa.Store)
					if !ok {
						continue
					}
					f := chanuse.StructFieldOf(s.Addr)
					if f == nil || f.Pkg() != pkg || oc.ctxF[f] || !isContext(f.Type()) {
						continue
					}
					if oc.childOfCtxField(s.Val) {
						if derived[f] == 0 {
							derived[f] = 1
						}
					} else {
						derived[f] = -1
					}
				}
			}
		}
		for f, d := range derived {
			if d == 1 && !oc.ctxF[f] {
				oc.ctxF[f] = true
				changed = true
			}
		}
	}
	// Cancelers: functions calling a cancel field's func, and their static
	// callers, to a fixpoint.
	callers := map[*ssa.Function][]*ssa.Function{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				c := ci.Common()
				if f := loadedFieldOf(c.Value); f != nil && oc.cancelF[f] {
					oc.cancelers[fn] = true
				}
				if callee := c.StaticCallee(); callee != nil {
					callers[callee] = append(callers[callee], fn)
				}
				for _, a := range c.Args {
					// A func passed on (a closure made around a canceler)
					// counts at its maker.
					if mk, ok := a.(*ssa.MakeClosure); ok {
						callers[mk.Fn.(*ssa.Function)] = append(callers[mk.Fn.(*ssa.Function)], fn)
					}
				}
			}
		}
	}
	work := []*ssa.Function{}
	for fn := range oc.cancelers {
		work = append(work, fn)
	}
	for len(work) > 0 {
		fn := work[len(work)-1]
		work = work[:len(work)-1]
		for _, c := range callers[fn] {
			if !oc.cancelers[c] {
				oc.cancelers[c] = true
				work = append(work, c)
			}
		}
		// A literal that cancels makes its parent a canceler when the
		// parent calls or defers it (a closure called in place).
		if p := fn.Parent(); p != nil && !oc.cancelers[p] {
			oc.cancelers[p] = true
			work = append(work, p)
		}
	}
	// Done accessors: a function returning the Done of a ctx field.
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if r, ok := instr.(*ssa.Return); ok && len(r.Results) == 1 && oc.isDone(r.Results[0]) {
					oc.doneFns[fn] = true
				}
			}
		}
	}
	return oc
}

// plainCancel reports whether call is WithCancel or WithCancelCause: a
// deadline's context ends by itself.
func plainCancel(call *ssa.Call) bool {
	n := call.Call.StaticCallee().Name()
	return n == "WithCancel" || n == "WithCancelCause"
}

// rootNeverCanceled reports whether the parent of the With* call is
// context.Background() or TODO(), through WithValue.
func rootNeverCanceled(call *ssa.Call) bool {
	for depth := 0; depth < 4 && len(call.Call.Args) > 0; depth++ {
		p, ok := call.Call.Args[0].(*ssa.Call)
		if !ok {
			return false
		}
		fn := p.Call.StaticCallee()
		if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "context" || fn.Signature.Recv() != nil {
			return false
		}
		switch fn.Name() {
		case "Background", "TODO":
			return true
		case "WithValue":
			call = p
		default:
			return false
		}
	}
	return false
}

// childOfCtxField reports whether v is the context of a With* call (or
// WithValue) whose parent is a load of a ctx field.
func (oc *ownerCtx) childOfCtxField(v ssa.Value) bool {
	ex, ok := v.(*ssa.Extract)
	var call *ssa.Call
	if ok && ex.Index == 0 {
		call, _ = ex.Tuple.(*ssa.Call)
	} else {
		call, _ = v.(*ssa.Call)
	}
	if call == nil || len(call.Call.Args) == 0 {
		return false
	}
	fn := call.Call.StaticCallee()
	if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "context" || fn.Signature.Recv() != nil {
		return false
	}
	switch fn.Name() {
	case "WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithValue":
	default:
		return false
	}
	f := loadedFieldOf(call.Call.Args[0])
	return f != nil && oc.ctxF[f]
}

// loadedFieldOf returns the field v loads (*p.f), or nil.
func loadedFieldOf(v ssa.Value) *types.Var {
	u, ok := v.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return nil
	}
	return chanuse.StructFieldOf(u.X)
}

// isDone reports whether v is the Done of a ctx field: a Done method call
// on a load of one, or a call of a package function returning one.
func (oc *ownerCtx) isDone(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	if call.Call.IsInvoke() {
		if call.Call.Method.Name() != "Done" || !isContext(call.Call.Value.Type()) {
			return false
		}
		f := loadedFieldOf(call.Call.Value)
		return f != nil && oc.ctxF[f]
	}
	callee := call.Call.StaticCallee()
	return callee != nil && oc.doneFns[callee]
}

// holdsClosure adds to vals what phis and change-types make of them, the
// variable cells (Allocs) a value of vals is the only store into (a local
// a closure captures, a spilled parameter) and the loads of those cells.
func holdsClosure(vals map[ssa.Value]bool) {
	for changed := true; changed; {
		changed = false
		add := func(w ssa.Value) {
			if w != nil && !vals[w] {
				vals[w] = true
				changed = true
			}
		}
		for v := range vals {
			for _, r := range *v.Referrers() {
				switch r := r.(type) {
				case *ssa.ChangeType:
					add(r)
				case *ssa.Phi:
					add(r)
				case *ssa.MakeInterface:
					add(r)
				case *ssa.Store:
					if cell := cellOf(r); cell != nil {
						add(cell)
					}
				case *ssa.UnOp:
					if r.Op == token.MUL && isCell(v) {
						add(r)
					}
				}
			}
		}
	}
}

// cellOf returns the Alloc s stores into when s is the only store into it
// (a variable cell holding one value), or nil.
func cellOf(s *ssa.Store) *ssa.Alloc {
	a, ok := s.Addr.(*ssa.Alloc)
	if !ok || !isCell(a) {
		return nil
	}
	return a
}

// isCell reports whether v is an Alloc of a pointer (a variable cell)
// stored into exactly once and otherwise only loaded or captured.
func isCell(v ssa.Value) bool {
	a, ok := v.(*ssa.Alloc)
	if !ok {
		return false
	}
	p, ok := a.Type().Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	if _, ok := p.Elem().Underlying().(*types.Pointer); !ok {
		return false
	}
	stores := 0
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			if r.Addr != a {
				return false
			}
			stores++
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return false
			}
		case *ssa.MakeClosure, *ssa.DebugRef:
		default:
			return false
		}
	}
	return stores == 1
}

// objRoot returns the value v stands for through loads of variable cells.
func objRoot(v ssa.Value) ssa.Value {
	for i := 0; i < 4; i++ {
		u, ok := v.(*ssa.UnOp)
		if !ok || u.Op != token.MUL || !isCell(u.X) {
			return v
		}
		for _, r := range *u.X.Referrers() {
			if s, ok := r.(*ssa.Store); ok {
				v = s.Val
			}
		}
	}
	return v
}

// ownerRun is one check of one owner.
type ownerRun struct {
	oc      *ownerCtx
	budget  int
	gos     []*ssa.Go         // goroutines started that hold the owner (or run its code)
	goFns   []*ssa.Function   // their functions
	waits   []ssa.Instruction // receives and selects on the owner's Done
	escaped bool              // handed to code that may keep it
	seen    map[*ssa.Function]bool
}

// check checks the owner allocated by a in fn.
func (oc *ownerCtx) check(st *state, fn *ssa.Function, a ssa.Value) {
	if al, ok := a.(*ssa.Alloc); ok && !oc.ownsCancel(al) {
		return
	}
	vals := map[ssa.Value]bool{a: true}
	holdsClosure(vals)
	run := &ownerRun{oc: oc, budget: droppedOwnerBudget, seen: map[*ssa.Function]bool{}}
	// Where goroutines holding the owner are started: go statements in fn,
	// and calls of package functions with the owner that start some.
	var start ssa.Instruction
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if run.starts(instr, vals, 0) && start == nil {
				start = instr
			}
		}
	}
	if start == nil || run.escaped || len(run.waits) == 0 {
		return
	}
	// The goroutines' own code must not cancel.
	for _, g := range run.goFns {
		if oc.cancelers[g] {
			return
		}
	}
	// Deferred calls that may cancel the owner: any deferred canceler, or
	// a deferred literal that calls one on the owner it captures.
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			d, ok := instr.(*ssa.Defer)
			if !ok {
				continue
			}
			if f := loadedFieldOf(d.Call.Value); f != nil && oc.cancelF[f] {
				return // defer o.cancel(): the stored cancel runs on every return
			}
			if callee := d.Call.StaticCallee(); callee != nil && oc.cancelers[callee] {
				if mk, ok := d.Call.Value.(*ssa.MakeClosure); ok {
					if capturesAny(mk, vals) {
						return
					}
					continue // the literal cancels something else (a named result)
				}
				return
			}
		}
	}
	// Handed on before the start (on every path to it): kept by someone
	// else, who may close it.
	for _, b := range fn.Blocks {
		if !b.Dominates(start.Block()) {
			continue
		}
		for _, instr := range b.Instrs {
			if instr == start {
				break
			}
			if handsOn(instr, vals) {
				return
			}
		}
	}
	// A return reachable from the start on which the owner is neither
	// handed on nor canceled.
	var ret *ssa.Return
	ssawalk.Forward(start, func(in ssa.Instruction) ssawalk.Action {
		if handsOn(in, vals) {
			return ssawalk.Cut // kept somewhere (a named result, a field, a global)
		}
		switch in := in.(type) {
		case *ssa.Return:
			for _, r := range in.Results {
				if vals[r] {
					return ssawalk.Cut
				}
			}
			ret = in
			return ssawalk.Stop
		case *ssa.Panic:
			return ssawalk.Cut
		case *ssa.If:
			// A test of the cancel field (if c.cancel != nil { c.cancel() }).
			if bo, ok := in.Cond.(*ssa.BinOp); ok {
				for _, x := range []ssa.Value{bo.X, bo.Y} {
					if f := loadedFieldOf(x); f != nil && oc.cancelF[f] {
						return ssawalk.Cut
					}
				}
			}
		case ssa.CallInstruction:
			c := in.Common()
			if f := loadedFieldOf(c.Value); f != nil && oc.cancelF[f] {
				return ssawalk.Cut
			}
			// The owner handed to a call (a method of its own that may stop
			// it another way, a registry), or one of its channels closed:
			// the goroutines may be released without the cancel.
			for _, a := range c.Args {
				if vals[a] && oc.mayRelease(c, a, 0) {
					return ssawalk.Cut
				}
				if b, ok := c.Value.(*ssa.Builtin); ok && b.Name() == "close" {
					if u, ok := a.(*ssa.UnOp); ok && u.Op == token.MUL {
						if fa, ok := u.X.(*ssa.FieldAddr); ok && vals[fa.X] {
							return ssawalk.Cut
						}
					}
				}
			}
			if callee := c.StaticCallee(); callee != nil && oc.cancelers[callee] {
				return ssawalk.Cut
			}
			if chanuse.NoReturn(c) {
				return ssawalk.Cut
			}
		}
		return ssawalk.Continue
	})
	if ret == nil {
		return
	}
	rp := ret.Pos()
	if !rp.IsValid() {
		rp = chanuse.ClosingBrace(fn)
	}
	line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
	related := []analysis.RelatedInformation{
		{Pos: ownerPos(a), Message: "the value keeping the cancel is made here"},
		{Pos: start.Pos(), Message: "goroutines holding it are started here"},
	}
	for _, w := range run.waits {
		related = append(related, analysis.RelatedInformation{Pos: w.Pos(), Message: "a goroutine waits here on the Done of its context"})
		if s, ok := w.(*ssa.Select); ok {
			for _, x := range s.States {
				if oc.isDone(x.Chan) {
					related = append(related, analysis.RelatedInformation{Pos: x.Chan.Pos(), Message: "the Done case"})
				}
			}
		}
	}
	st.Report(analysis.Diagnostic{
		Pos:      rp,
		Category: "deadlock",
		Message: fmt.Sprintf("%s returns here without handing on the %s it made (line %d) and without calling anything that cancels its context (made from context.Background()): the goroutines started with it (line %d) wait on that context's Done, which nothing can close any more",
			fn.Name(), typeName(a.Type()), line(ownerPos(a)), line(start.Pos())),
		Related: related,
	})
}

// handsOn reports whether instr keeps the owner where another can reach
// it: a store (but into its own variable cell), a send, a map entry.
func handsOn(instr ssa.Instruction, vals map[ssa.Value]bool) bool {
	switch in := instr.(type) {
	case *ssa.Store:
		return vals[in.Val] && cellOf(in) == nil
	case *ssa.Send:
		return vals[in.X]
	case *ssa.MapUpdate:
		return vals[in.Value] || vals[in.Key]
	}
	return false
}

// mayRelease reports whether the call c, which gets the owner as a, may
// release its goroutines another way than its cancel, or keep it: any
// callee not of the package (or not known), or one that closes a channel,
// keeps the owner (stores, sends, returns it), or calls such a function
// with it.
func (oc *ownerCtx) mayRelease(c *ssa.CallCommon, a ssa.Value, depth int) bool {
	if c.IsInvoke() {
		return true
	}
	callee := c.StaticCallee()
	if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg != oc.pkg || callee.Blocks == nil || depth >= droppedOwnerDepth {
		return true
	}
	if oc.cancelers[callee] {
		return true
	}
	inner := map[ssa.Value]bool{}
	for i, x := range c.Args {
		if x == a && i < len(callee.Params) {
			inner[callee.Params[i]] = true
		}
	}
	if mk, ok := c.Value.(*ssa.MakeClosure); ok {
		for i, b := range mk.Bindings {
			if b == a {
				inner[callee.FreeVars[i]] = true
			}
		}
	}
	holdsClosure(inner)
	for _, b := range callee.Blocks {
		for _, instr := range b.Instrs {
			if handsOn(instr, inner) {
				return true
			}
			switch in := instr.(type) {
			case *ssa.Return:
				for _, r := range in.Results {
					if inner[r] {
						return true
					}
				}
			case ssa.CallInstruction:
				ic := in.Common()
				if bi, ok := ic.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
					return true
				}
				for _, x := range ic.Args {
					if inner[x] && oc.mayRelease(ic, x, depth+1) {
						return true
					}
				}
			}
		}
	}
	return false
}

// ownerPos is where the owner is made: the allocation, or the call of its
// constructor.
func ownerPos(v ssa.Value) token.Pos {
	if ex, ok := v.(*ssa.Extract); ok {
		return ex.Tuple.Pos()
	}
	return v.Pos()
}

// typeName names the owner's type, without the pointer.
func typeName(t types.Type) string {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return t.String()
}

// capturesAny reports whether the literal mk binds one of vals.
func capturesAny(mk *ssa.MakeClosure, vals map[ssa.Value]bool) bool {
	for _, b := range mk.Bindings {
		if vals[b] {
			return true
		}
	}
	return false
}

// ownsCancel reports whether the allocated struct has a cancel field, or
// a field pointing to a struct with one, that its maker sets.
func (oc *ownerCtx) ownsCancel(a *ssa.Alloc) bool {
	p, ok := a.Type().Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	s, ok := p.Elem().Underlying().(*types.Struct)
	if !ok {
		return false
	}
	vals := map[ssa.Value]bool{a: true}
	holdsClosure(vals)
	var fas []*ssa.FieldAddr
	for v := range vals {
		for _, r := range *v.Referrers() {
			if fa, ok := r.(*ssa.FieldAddr); ok && fa.X == v {
				fas = append(fas, fa)
			}
		}
	}
	for _, fa := range fas {
		f := s.Field(fa.Field)
		set := false
		for _, u := range *fa.Referrers() {
			if _, ok := u.(*ssa.Store); ok {
				set = true
			}
		}
		if !set {
			continue
		}
		if oc.cancelF[f] {
			return true
		}
		if fp, ok := f.Type().Underlying().(*types.Pointer); ok && freshStores(fa) {
			if fs, ok := fp.Elem().Underlying().(*types.Struct); ok {
				for i := 0; i < fs.NumFields(); i++ {
					if oc.cancelF[fs.Field(i)] {
						return true
					}
				}
			}
		}
	}
	return false
}

// freshStores reports whether every store into fa stores a value made
// for it: a new struct, or the result of a call of a package function (a
// constructor), not a value handed in (a back pointer to another owner).
func freshStores(fa *ssa.FieldAddr) bool {
	for _, u := range *fa.Referrers() {
		s, ok := u.(*ssa.Store)
		if !ok {
			continue
		}
		switch v := s.Val.(type) {
		case *ssa.Alloc:
		case *ssa.Call:
			if v.Call.IsInvoke() || v.Call.StaticCallee() == nil || v.Call.StaticCallee().Pkg != v.Parent().Pkg {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// starts reports whether instr starts a goroutine holding the owner
// (vals are its values in instr's function), directly or in a package
// function called with it; it collects the goroutines, their waits on the
// owner's Done, and whether the owner escapes to code that may keep it.
func (run *ownerRun) starts(instr ssa.Instruction, vals map[ssa.Value]bool, depth int) bool {
	switch in := instr.(type) {
	case *ssa.Go:
		bound, fn := run.goTarget(in, vals)
		if fn == nil || !bound {
			return false
		}
		run.gos = append(run.gos, in)
		run.goroutine(fn, 0)
		return true
	case *ssa.Call:
		c := in.Common()
		held := false
		for _, a := range c.Args {
			if vals[a] {
				held = true
			}
		}
		if !held {
			return false
		}
		if c.IsInvoke() {
			return false
		}
		callee := c.StaticCallee()
		if callee == nil {
			run.escaped = true
			return false
		}
		if callee.Pkg == nil || callee.Pkg.Pkg != run.oc.pkg || callee.Blocks == nil {
			return false // another package's code: judged by the interface it gets (below)
		}
		if depth >= droppedOwnerDepth || run.seen[callee] || run.budget <= 0 {
			return false
		}
		run.seen[callee] = true
		run.budget--
		inner := map[ssa.Value]bool{}
		for i, a := range c.Args {
			if vals[a] && i < len(callee.Params) {
				inner[callee.Params[i]] = true
			}
		}
		holdsClosure(inner)
		started := false
		for _, b := range callee.Blocks {
			for _, ci := range b.Instrs {
				if run.starts(ci, inner, depth+1) {
					started = true
				}
				run.escapes(ci, inner)
			}
		}
		return started
	case *ssa.MakeInterface:
		if vals[in.X] && run.ifaceCancels(in.Type()) {
			run.escaped = true
		}
	}
	return false
}

// escapes marks the owner escaped when a callee keeps it: stores it
// outside a struct the callee itself makes, sends it, returns it.
func (run *ownerRun) escapes(instr ssa.Instruction, vals map[ssa.Value]bool) {
	switch in := instr.(type) {
	case *ssa.Store:
		if !vals[in.Val] || cellOf(in) != nil {
			return
		}
		if fa, ok := in.Addr.(*ssa.FieldAddr); ok {
			if al, ok := fa.X.(*ssa.Alloc); ok && al.Heap {
				return // a back pointer in a value the callee makes
			}
		}
		run.escaped = true
	case *ssa.Send:
		if vals[in.X] {
			run.escaped = true
		}
	case *ssa.MapUpdate:
		if vals[in.Value] || vals[in.Key] {
			run.escaped = true
		}
	case *ssa.Return:
		for _, r := range in.Results {
			if vals[r] {
				run.escaped = true
			}
		}
	}
}

// ifaceCancels reports whether a method of interface t is a canceler.
func (run *ownerRun) ifaceCancels(t types.Type) bool {
	it, ok := t.Underlying().(*types.Interface)
	if !ok {
		return true
	}
	for _, fn := range run.oc.funcs {
		if fn.Signature.Recv() == nil || !run.oc.cancelers[fn] {
			continue
		}
		for i := 0; i < it.NumMethods(); i++ {
			if it.Method(i).Name() == fn.Name() {
				return true
			}
		}
	}
	return false
}

// goTarget returns the function a go statement runs and whether it holds
// the owner (an argument, the receiver, or a binding of the literal).
func (run *ownerRun) goTarget(g *ssa.Go, vals map[ssa.Value]bool) (bool, *ssa.Function) {
	c := g.Common()
	if c.IsInvoke() {
		return false, nil
	}
	bound := false
	for _, a := range c.Args {
		if vals[a] {
			bound = true
		}
	}
	switch v := c.Value.(type) {
	case *ssa.Function:
		if v.Blocks == nil || v.Pkg == nil || v.Pkg.Pkg != run.oc.pkg {
			return false, nil
		}
		return bound, v
	case *ssa.MakeClosure:
		fn := v.Fn.(*ssa.Function)
		return bound || capturesAny(v, vals), fn
	}
	return false, nil
}

// goroutine collects what a goroutine's function (and the package
// functions it calls, and the goroutines it starts) does: its waits on a
// ctx field's Done; it records the functions for the canceler test.
func (run *ownerRun) goroutine(fn *ssa.Function, depth int) {
	if depth > droppedOwnerDepth || run.seen[fn] || run.budget <= 0 || fn.Blocks == nil {
		return
	}
	run.seen[fn] = true
	run.budget--
	run.goFns = append(run.goFns, fn)
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.UnOp:
				if in.Op == token.ARROW && run.oc.isDone(in.X) {
					run.waits = append(run.waits, in)
				}
			case *ssa.Select:
				for _, s := range in.States {
					if s.Dir == types.RecvOnly && run.oc.isDone(s.Chan) {
						run.waits = append(run.waits, in)
						break
					}
				}
			case ssa.CallInstruction:
				c := in.Common()
				if c.IsInvoke() {
					continue
				}
				var callee *ssa.Function
				switch v := c.Value.(type) {
				case *ssa.Function:
					callee = v
				case *ssa.MakeClosure:
					callee = v.Fn.(*ssa.Function)
				}
				if callee != nil && callee.Pkg != nil && callee.Pkg.Pkg == run.oc.pkg {
					run.goroutine(callee, depth+1)
				}
			}
		}
	}
}
