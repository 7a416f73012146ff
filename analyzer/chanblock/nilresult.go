package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// nilResults reports a function of the package that returns a nil channel
// on some path (return nil, err) when a caller neither checks the error
// result nor tests the channel for nil, and either receives from it
// plainly (a receive or a range: blocks forever on nil) or returns it on
// as its own result with no error beside it: its callers, who range over
// the channel of an async API, cannot tell and block forever
// (libp2p/go-libp2p-routing-helpers#64: the error was dropped and the nil
// channel returned). Select cases are left alone (a nil channel there
// disables the case, an idiom).
func nilResults(st *state, funcs []*ssa.Function) {
	nilRets := map[*ssa.Function]map[int][]*ssa.Return{}   // nil channel returns by result index
	emptyRets := map[*ssa.Function]map[int][]*ssa.Return{} // the same with a nil error beside it
	for _, fn := range funcs {
		res := fn.Signature.Results()
		if !hasError(res) {
			continue // a nil channel without an error may be meant (a disabled case)
		}
		for _, b := range fn.Blocks {
			ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok {
				continue
			}
			for i, v := range ret.Results {
				if _, ok := res.At(i).Type().Underlying().(*types.Chan); !ok {
					continue
				}
				if c, ok := v.(*ssa.Const); ok && c.IsNil() && ret.Pos().IsValid() {
					if nilErrors(ret) {
						if emptyRets[fn] == nil {
							emptyRets[fn] = map[int][]*ssa.Return{}
						}
						emptyRets[fn][i] = append(emptyRets[fn][i], ret)
						continue
					}
					if nilRets[fn] == nil {
						nilRets[fn] = map[int][]*ssa.Return{}
					}
					nilRets[fn][i] = append(nilRets[fn][i], ret)
				}
			}
		}
	}
	emptyResults(st, funcs, emptyRets)
	for _, caller := range funcs {
		for _, b := range caller.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok || call.Call.IsInvoke() {
					continue
				}
				callee := call.Call.StaticCallee()
				if callee == nil {
					continue
				}
				if o := callee.Origin(); o != nil {
					callee = o
				}
				for i, rets := range nilRets[callee] {
					ch, errUsed := resultUses(call, i)
					if ch == nil || errUsed {
						continue
					}
					use, what := nilUse(ch, caller)
					if use == nil {
						continue
					}
					line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
					st.Report(analysis.Diagnostic{
						Pos:      rets[0].Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("%s returns a nil channel here with its error, and %s (line %d) neither checks the error nor tests the channel for nil, and %s (line %d): a receive or range on a nil channel blocks forever (return a closed channel, or check the error)",
							callee.Name(), caller.Name(), line(call.Pos()), what, line(use.Pos())),
						Related: []analysis.RelatedInformation{
							{Pos: call.Pos(), Message: "the result is taken here, its error dropped"},
							{Pos: use.Pos(), Message: "the possibly nil channel: " + what},
						},
					})
				}
			}
		}
	}
}

// hasError reports whether a result tuple holds an error.
func hasError(res *types.Tuple) bool {
	for k := 0; k < res.Len(); k++ {
		if types.Identical(res.At(k).Type(), types.Universe.Lookup("error").Type()) {
			return true
		}
	}
	return false
}

// resultUses returns the channel result i of call, and whether the call's
// error result (if any) is used at all.
func resultUses(call *ssa.Call, i int) (ssa.Value, bool) {
	res := call.Call.Signature().Results()
	if res.Len() == 1 {
		return call, false
	}
	var ch ssa.Value
	errUsed := false
	for _, r := range *call.Referrers() {
		ex, ok := r.(*ssa.Extract)
		if !ok {
			return nil, true // the tuple goes elsewhere
		}
		if ex.Index == i {
			ch = ex
		} else if hasError(types.NewTuple(res.At(ex.Index))) && len(*ex.Referrers()) > 0 {
			errUsed = true
		}
	}
	return ch, errUsed
}

// nilUse returns a plain receive or range on ch in fn, or fn's return of
// ch when fn returns no error beside it, unless fn tests ch for nil or
// hands it anywhere else.
func nilUse(ch ssa.Value, fn *ssa.Function) (ssa.Instruction, string) {
	var use ssa.Instruction
	what := ""
	for _, r := range *ch.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if r.Op == token.ARROW && use == nil {
				use, what = r, "receives from it"
			}
		case *ssa.ChangeType:
			u, w := nilUse(r, fn)
			if u == nil {
				return nil, ""
			}
			if use == nil {
				use, what = u, w
			}
		case *ssa.Return:
			if hasError(fn.Signature.Results()) {
				return nil, ""
			}
			if use == nil {
				use, what = r, "returns it as its own result, with no error beside it"
			}
		default:
			return nil, "" // a nil test, a select, or handed on
		}
	}
	return use, what
}

// nilErrors reports whether ret returns a constant nil for each of its
// function's error results (and has one).
func nilErrors(ret *ssa.Return) bool {
	res := ret.Parent().Signature.Results()
	n := 0
	for k := 0; k < res.Len(); k++ {
		if !types.Identical(res.At(k).Type(), types.Universe.Lookup("error").Type()) {
			continue
		}
		c, ok := ret.Results[k].(*ssa.Const)
		if !ok || !c.IsNil() {
			return false
		}
		n++
	}
	return n > 0
}

// emptyResults reports the empty answer of a streaming API
// (fiatjaf/eventstore#62): a function, or a method implementing an
// interface its callers invoke, returns a nil channel with a nil error
// (return nil, nil: "nothing to stream"), and a caller that has checked
// the error ranges over or receives from the channel plainly, without
// testing it for nil: a nil channel never delivers and is never closed,
// so the caller blocks forever where an empty stream would have ended at
// once. Select cases are left alone (a nil channel there disables the
// case, an idiom).
func emptyResults(st *state, funcs []*ssa.Function, emptyRets map[*ssa.Function]map[int][]*ssa.Return) {
	if len(emptyRets) == 0 {
		return
	}
	for _, caller := range funcs {
		for _, b := range caller.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				for _, callee := range emptyCallees(call, emptyRets) {
					for i, rets := range emptyRets[callee] {
						ch, _ := resultUses(call, i)
						if ch == nil {
							continue
						}
						use, what := nilUse(ch, caller)
						if use == nil {
							continue
						}
						how := callee.Name()
						if call.Call.IsInvoke() {
							q := types.RelativeTo(st.pass.Pkg)
							how = fmt.Sprintf("%s's %s, which the interface call may run,", types.TypeString(callee.Signature.Recv().Type(), q), callee.Name())
						}
						line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
						st.Report(analysis.Diagnostic{
							Pos:      rets[0].Pos(),
							Category: "deadlock",
							Message: fmt.Sprintf("%s returns a nil channel here with a nil error, and %s (line %d) takes it as a stream and %s (line %d) without testing it for nil: a receive or range on a nil channel blocks forever (return a closed channel for an empty result)",
								how, caller.Name(), line(call.Pos()), what, line(use.Pos())),
							Related: []analysis.RelatedInformation{
								{Pos: call.Pos(), Message: "the result is taken here"},
								{Pos: use.Pos(), Message: "the possibly nil channel: " + what},
							},
						})
					}
				}
			}
		}
	}
}

// emptyCallees returns the functions with nil-channel, nil-error returns
// that call may run: its static callee, or, for an interface method call,
// the package's methods of that name whose receiver implements the
// interface.
func emptyCallees(call *ssa.Call, emptyRets map[*ssa.Function]map[int][]*ssa.Return) []*ssa.Function {
	if !call.Call.IsInvoke() {
		callee := call.Call.StaticCallee()
		if callee == nil {
			return nil
		}
		if o := callee.Origin(); o != nil {
			callee = o
		}
		if emptyRets[callee] != nil {
			return []*ssa.Function{callee}
		}
		return nil
	}
	iface, ok := call.Call.Value.Type().Underlying().(*types.Interface)
	if !ok {
		return nil
	}
	var out []*ssa.Function
	for fn := range emptyRets {
		recv := fn.Signature.Recv()
		if recv == nil || fn.Name() != call.Call.Method.Name() {
			continue
		}
		if types.Implements(recv.Type(), iface) {
			out = append(out, fn)
		}
	}
	return out
}
