package chanmodel

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// Contexts (session 23). The context package only ever closes a Done
// channel ("Done returns a channel that's closed when work done on behalf
// of this context should be canceled"): a receive from it yields nothing
// but the close, so a two-value receive's ok is false whenever it
// returns, and a range over it ends at the close without running its
// body. context.Background() and TODO() are never canceled: their Done is
// nil, and a receive from it never fires (a modelled context with no
// cancel, sync.go).

// doneOk reports the ok of a two-value receive from a context's Done (a
// range over ctx.Done() is one): always false.
func doneOk(v ssa.Value) (int64, bool) {
	x, ok := v.(*ssa.Extract)
	if !ok || x.Index != 1 {
		return 0, false
	}
	u, ok := x.Tuple.(*ssa.UnOp)
	if !ok || u.Op != token.ARROW || !u.CommaOk || !ctxDone(u.X) {
		return 0, false
	}
	return 0, true
}

// ctxDone reports whether v is the result of a Done method of package
// context: Context.Done through the interface, or a context type's own.
// A Done method of a type of another package (a context wrapper) may do
// anything and is not one.
func ctxDone(v ssa.Value) bool {
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	if call.Call.IsInvoke() {
		m := call.Call.Method
		return m.Name() == "Done" && len(call.Call.Args) == 0 && m.Pkg() != nil && m.Pkg().Path() == "context"
	}
	fn := call.Call.StaticCallee()
	return fn != nil && fn.Name() == "Done" && fn.Signature.Recv() != nil && len(call.Call.Args) == 1 && fn.Pkg != nil && fn.Pkg.Pkg.Path() == "context"
}

// neverCanceled reports whether c is context.Background(), TODO(), or
// WithoutCancel(parent): their Done is nil.
func neverCanceled(c *ssa.Call) bool {
	switch ctxFunc(c) {
	case "Background", "TODO", "WithoutCancel":
		return true
	}
	return false
}

// valueParent returns the parent of context.WithValue(parent, k, v): the
// new context's Done is the parent's.
func valueParent(c *ssa.Call) (ssa.Value, bool) {
	if ctxFunc(c) != "WithValue" || len(c.Call.Args) != 3 {
		return nil, false
	}
	return c.Call.Args[0], true
}

// ctxFunc names the function of package context c calls, or "".
func ctxFunc(c *ssa.Call) string {
	fn := c.Call.StaticCallee()
	if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "context" || fn.Signature.Recv() != nil {
		return ""
	}
	return fn.Name()
}

// ctxCases reports whether a select case waits on a modelled context's
// Done: the model must keep it (a case on context.Background().Done()
// never fires) even when no operation is left.
func (b *syncBuild) ctxCases() bool {
	for _, sels := range b.sm.cases {
		for _, ks := range sels {
			for _, obj := range ks {
				if b.sm.objs[obj].kind == kCtx {
					return true
				}
			}
		}
	}
	return false
}
