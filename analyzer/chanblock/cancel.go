package chanblock

import (
	"fmt"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// cancelField is an unexported field that holds the cancel function of a
// context.WithCancel (WithTimeout, WithDeadline, WithCancelCause) call.
type cancelField struct {
	field  *types.Var
	stores []*ssa.Store // each stores the cancel result of a With* call
	used   bool         // loaded and used somewhere (called, passed, copied)
	other  bool         // something else is stored in it
}

// withCancel returns the context.With* call whose cancel result v is.
func withCancel(v ssa.Value) *ssa.Call {
	if ct, ok := v.(*ssa.ChangeType); ok {
		v = ct.X // a context.CancelFunc kept as a plain func()
	}
	ex, ok := v.(*ssa.Extract)
	if !ok || ex.Index != 1 {
		return nil
	}
	call, ok := ex.Tuple.(*ssa.Call)
	if !ok {
		return nil
	}
	fn := call.Call.StaticCallee()
	if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "context" {
		return nil
	}
	switch fn.Name() {
	case "WithCancel", "WithTimeout", "WithDeadline", "WithCancelCause", "WithTimeoutCause", "WithDeadlineCause":
		return call
	}
	return nil
}

// goWithContext returns a go statement that starts a goroutine with the
// context result of call (as an argument, or captured by a goroutine's
// closure), or nil.
func goWithContext(call *ssa.Call) *ssa.Go {
	for _, r := range *call.Referrers() {
		ex, ok := r.(*ssa.Extract)
		if !ok || ex.Index != 0 {
			continue
		}
		for _, u := range *ex.Referrers() {
			switch u := u.(type) {
			case *ssa.Go:
				return u
			case *ssa.MakeClosure:
				for _, cr := range *u.Referrers() {
					if g, ok := cr.(*ssa.Go); ok && g.Call.Value == u {
						return g
					}
				}
			}
		}
	}
	return nil
}

// cancels reports cancel functions kept in a field that nothing in the
// package ever reads (so never calls), and that the local they came from
// is not used for otherwise: the context is never canceled, and its
// ctx.Done() closes only if the parent context is canceled or the
// deadline passes; the message names the goroutine started with the
// context when there is one. go vet's lostcancel covers cancel functions
// kept in local variables.
func cancels(st *state, funcs []*ssa.Function) {
	pass := st.pass
	fields := map[*types.Var]*cancelField{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				fa, ok := instr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				v := chanuse.StructField(fa.X.Type(), fa.Field, true)
				if v == nil || v.Pkg() != pass.Pkg || !st.sealed.Private(v) {
					continue
				}
				sig, ok := v.Type().Underlying().(*types.Signature)
				if !ok || sig.Params().Len() > 1 || sig.Results().Len() != 0 {
					continue
				}
				f := fields[v]
				if f == nil {
					f = &cancelField{field: v}
					fields[v] = f
				}
				for _, r := range *fa.Referrers() {
					switch r := r.(type) {
					case *ssa.Store:
						if r.Addr == fa && withCancel(r.Val) != nil {
							f.stores = append(f.stores, r)
						} else {
							f.other = true
						}
					case *ssa.UnOp:
						for _, u := range *r.Referrers() {
							if _, ok := u.(*ssa.DebugRef); !ok {
								f.used = true
							}
						}
					case *ssa.DebugRef:
					default:
						f.used = true
					}
				}
			}
		}
	}
	for _, f := range fields {
		if f.used || f.other {
			continue
		}
		for _, s := range f.stores {
			if calledElsewhere(s) {
				continue
			}
			call := withCancel(s.Val)
			g := goWithContext(call)
			if g == nil {
				// Nothing ever cancels the context: whatever waits on its
				// Done (the context package's own watcher goroutine for a
				// parent of a foreign type, a timer, a callee) waits for
				// the parent or the deadline (uber/tchannel-go#278).
				st.Report(analysis.Diagnostic{
					Pos:      s.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("the cancel function of this %s is kept only in field %s, which nothing in the package ever reads: the context is never canceled, so whatever waits on its Done waits until the parent context is canceled or the deadline passes (go vet's lostcancel, for a field)",
						callName(call), f.field.Name()),
					Related: []analysis.RelatedInformation{
						{Pos: f.field.Pos(), Message: "the field, never read"},
					},
				})
				continue
			}
			st.Report(analysis.Diagnostic{
				Pos:      s.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("the cancel function kept in field %s is never called in this package: the goroutine started with its context (line %d) waits on ctx.Done() until the parent context is canceled",
					f.field.Name(), pass.Fset.Position(g.Pos()).Line),
				Related: []analysis.RelatedInformation{
					{Pos: g.Pos(), Message: "the goroutine is started with the context here"},
					{Pos: f.field.Pos(), Message: "the field, never called"},
				},
			})
		}
	}
}

// calledElsewhere reports whether the cancel value s stores is also used
// otherwise (called, deferred, stored again, passed): the local variable
// of ctx, cancel := ... kept in a field and called too.
func calledElsewhere(s *ssa.Store) bool {
	only := func(v ssa.Value, user ssa.Instruction) bool {
		for _, r := range *v.Referrers() {
			if _, ok := r.(*ssa.DebugRef); !ok && r != user {
				return false
			}
		}
		return true
	}
	if ct, ok := s.Val.(*ssa.ChangeType); ok {
		return !only(ct, s) || !only(ct.X, ct)
	}
	return !only(s.Val, s)
}

// callName is the context function call calls, as context.Name.
func callName(call *ssa.Call) string {
	return "context." + call.Call.StaticCallee().Name()
}
