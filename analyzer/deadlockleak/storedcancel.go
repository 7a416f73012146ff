package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The cancel kept only for someone else (thanos-io/promql-engine#94): a
// function derives a context with a cancel (WithCancel, WithCancelCause;
// a deadline ends by itself), keeps the cancel in a field and never calls
// it, and uses the context only for the calls it makes while it runs (it
// neither stores, returns nor captures it, nor starts a goroutine with
// it). The field's cancel is called only by another method (a Cancel the
// caller may call while the work runs; a Close or Stop would be the
// owner's to call after use), not by this function nor anything it calls
// directly. Down the calls it passes the context to (interface methods
// resolved among the package's types), a goroutine is started whose every
// way out first passes a plain receive from that context's Done: once the
// function has returned, nothing but the end of the parent context
// cancels it, and every call leaves that goroutine waiting until then
// (the leak go vet's lostcancel reports for a dropped cancel, here for a
// kept one). The fix is a deferred cancel beside the stored one.

// storedCancelBudget bounds the functions one derived context is followed
// through.
const storedCancelBudget = 64

// storedCancels reports the rule in the package's functions.
func storedCancels(pass *analysis.Pass, funcs []*ssa.Function, closures map[*ssa.Function]*ssa.MakeClosure) {
	callsField := fieldCallers(funcs)
	cancelMakers(funcs, func(fn *ssa.Function, call *ssa.Call, ctx, cancel ssa.Value) {
		if once(fn) {
			return
		}
		st, field := onlyStored(cancel)
		if st == nil || cancelledBy(fn, callsField[field]) || closedBy(callsField[field]) {
			return
		}
		uses, ok := syncUses(ctx)
		if !ok || len(uses) == 0 {
			return
		}
		budget := storedCancelBudget
		for _, u := range uses {
			g, wait := watcherBelow(u.call, u.idx, closures, &budget, 0)
			if g == nil {
				continue
			}
			pass.Report(analysis.Diagnostic{
				Pos:      st.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("the cancel of this context is only kept in field %s, which %s never calls: when it returns, nothing but the parent's end cancels the context, and every call leaves the goroutine started at %s waiting for its Done (add defer cancel() beside the stored cancel)",
					field.Name(), fn.Name(), at(pass, g.Pos(), st.Pos())),
				Related: []analysis.RelatedInformation{
					{Pos: call.Pos(), Message: "the context is made here"},
					{Pos: g.Pos(), Message: "the goroutine is started here"},
					{Pos: wait.Pos(), Message: "it waits for the context's Done here"},
				},
			})
			break
		}
	})
}

// cancelMakers calls yield for each context.WithCancel or WithCancelCause
// call of funcs whose context and cancel are both taken.
func cancelMakers(funcs []*ssa.Function, yield func(fn *ssa.Function, call *ssa.Call, ctx, cancel ssa.Value)) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				callee := call.Call.StaticCallee()
				if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "context" || callee.Name() != "WithCancel" && callee.Name() != "WithCancelCause" {
					continue
				}
				if ctx, cancel := extracts(call); ctx != nil && cancel != nil {
					yield(fn, call, ctx, cancel)
				}
			}
		}
	}
}

// fieldCallers returns the functions that call a func loaded from a
// field (a stored cancel), by field.
func fieldCallers(funcs []*ssa.Function) map[*types.Var][]*ssa.Function {
	callsField := map[*types.Var][]*ssa.Function{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				ci, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				if f := loadedField(ci.Common().Value); f != nil {
					callsField[f] = append(callsField[f], fn)
				}
			}
		}
	}
	return callsField
}

// extracts returns the context and the cancel a context maker's call
// returns, or nil when either is not taken.
func extracts(call *ssa.Call) (ctx, cancel ssa.Value) {
	for _, r := range *call.Referrers() {
		if e, ok := r.(*ssa.Extract); ok {
			switch e.Index {
			case 0:
				ctx = e
			case 1:
				cancel = e
			}
		}
	}
	return ctx, cancel
}

// onlyStored returns the store of cancel into a struct field and that
// field, when that is all that is done with cancel; else nil.
func onlyStored(cancel ssa.Value) (*ssa.Store, *types.Var) {
	var st *ssa.Store
	for _, r := range *cancel.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			_, ok := r.Addr.(*ssa.FieldAddr)
			if !ok || r.Val != cancel || st != nil {
				return nil, nil
			}
			st = r
		default:
			return nil, nil
		}
	}
	if st == nil {
		return nil, nil
	}
	f := chanuse.StructFieldOf(st.Addr.(*ssa.FieldAddr))
	if f == nil {
		return nil, nil
	}
	return st, f
}

// cancelledBy reports whether fn may itself call the stored cancel: one
// of callers (the functions calling the field's cancel) is fn, a
// function nested in it, or a function fn calls directly.
func cancelledBy(fn *ssa.Function, callers []*ssa.Function) bool {
	if len(callers) == 0 {
		return false
	}
	is := map[*ssa.Function]bool{}
	for _, c := range callers {
		is[c] = true
	}
	var visit func(f *ssa.Function, depth int) bool
	visit = func(f *ssa.Function, depth int) bool {
		if is[f] {
			return true
		}
		for _, a := range f.AnonFuncs {
			if visit(a, depth) {
				return true
			}
		}
		if depth > 0 {
			return false
		}
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				if ci, ok := instr.(ssa.CallInstruction); ok {
					if c := ci.Common().StaticCallee(); c != nil && is[c] {
						return true
					}
				}
			}
		}
		return false
	}
	return visit(fn, 0)
}

// closedBy reports whether one of the functions calling the stored cancel
// ends the owner's life (Close, Stop, Shutdown and the like): the cancel
// is then the owner's to call when its user is done with it, not an
// optional interruption like Cancel.
func closedBy(callers []*ssa.Function) bool {
	for _, c := range callers {
		for c.Parent() != nil {
			c = c.Parent()
		}
		name := strings.ToLower(c.Name())
		for _, w := range []string{"close", "stop", "shutdown", "release", "finish", "cleanup", "done", "end", "exit", "teardown", "dispose", "free"} {
			if strings.Contains(name, w) {
				return true
			}
		}
	}
	return false
}

// ctxUse is a call that takes the context as argument idx of its callee.
type ctxUse struct {
	call *ssa.Call
	idx  int
}

// syncUses returns the calls ctx is passed to, when that and its own
// methods (Done, Err, Value) are all that is done with it: a context
// stored, returned, captured or handed to a goroutine outlives the call.
func syncUses(ctx ssa.Value) ([]ctxUse, bool) {
	var uses []ctxUse
	for _, r := range *ctx.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Call:
			c := r.Common()
			if c.IsInvoke() && c.Value == ctx {
				continue // ctx.Done(), ctx.Err()
			}
			for i, a := range c.Args {
				if a != ctx {
					continue
				}
				idx := i
				if c.IsInvoke() {
					idx++ // the callee's receiver comes first
				}
				uses = append(uses, ctxUse{r, idx})
			}
			if c.Value == ctx {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return uses, true
}

// watcherBelow follows a context passed as parameter idx of the callees
// of call (and from there down further calls, to depth 3) to a go
// statement starting a goroutine that plainly waits for its Done before
// it can end. It returns that go statement and the wait.
func watcherBelow(call *ssa.Call, idx int, closures map[*ssa.Function]*ssa.MakeClosure, budget *int, depth int) (*ssa.Go, ssa.Instruction) {
	if depth > 3 || call.Parent().Pkg == nil {
		return nil, nil
	}
	for _, callee := range chanuse.Callees(call.Parent().Pkg, call.Common()) {
		if *budget--; *budget < 0 {
			return nil, nil
		}
		if idx >= len(callee.Params) {
			continue
		}
		if g, w := startsWatcher(callee, callee.Params[idx], closures, budget, depth); g != nil {
			return g, w
		}
	}
	return nil, nil
}

// startsWatcher looks in fn, and the functions nested in it, for a go
// statement handing p (or a closure capturing it) to a goroutine that
// plainly waits for p's Done, and follows the calls p is passed to.
func startsWatcher(fn *ssa.Function, p *ssa.Parameter, closures map[*ssa.Function]*ssa.MakeClosure, budget *int, depth int) (*ssa.Go, ssa.Instruction) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Go:
				c := in.Common()
				if c.IsInvoke() {
					continue
				}
				var body *ssa.Function
				switch v := c.Value.(type) {
				case *ssa.Function:
					body = v
				case *ssa.MakeClosure:
					body = v.Fn.(*ssa.Function)
					if w := doneWait(body, p, closures); w != nil {
						return in, w // a captured p
					}
				}
				if body == nil {
					continue
				}
				for i, a := range c.Args {
					if i < len(body.Params) && resolve(a, closures) == p {
						if w := doneWait(body, body.Params[i], closures); w != nil {
							return in, w
						}
					}
				}
			case *ssa.Call:
				c := in.Common()
				for i, a := range c.Args {
					if resolve(a, closures) != p {
						continue
					}
					if c.IsInvoke() {
						i++
					}
					if g, w := watcherBelow(in, i, closures, budget, depth+1); g != nil {
						return g, w
					}
				}
			}
		}
	}
	for _, a := range fn.AnonFuncs {
		if *budget--; *budget < 0 {
			return nil, nil
		}
		if g, w := startsWatcher(a, p, closures, budget, depth); g != nil {
			return g, w
		}
	}
	return nil, nil
}

// doneWait returns a plain receive in fn from the Done of ctx (followed
// through captured variables) that every return of fn passes, or nil.
func doneWait(fn *ssa.Function, ctx ssa.Value, closures map[*ssa.Function]*ssa.MakeClosure) ssa.Instruction {
	var rets []*ssa.BasicBlock
	for _, b := range fn.Blocks {
		if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			rets = append(rets, b)
		}
	}
	if len(rets) == 0 {
		return nil
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			u, ok := instr.(*ssa.UnOp)
			if !ok || u.Op != token.ARROW {
				continue
			}
			c := doneOf(u.X)
			if c == nil || resolve(c, closures) != ctx {
				continue
			}
			all := true
			for _, r := range rets {
				if !b.Dominates(r) {
					all = false
					break
				}
			}
			if all {
				return u
			}
		}
	}
	return nil
}
