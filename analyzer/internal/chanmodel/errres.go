package chanmodel

import (
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// errOf names the error result index of a call whose callee the model
// ran inline: the caller's frame knows whether it is nil (0) or not (1).
type errOf struct {
	call  *ssa.Call
	index int
}

// results records, in caller, what the callee's frame returned for its
// error results: a constant nil, or a value known not to be nil (a new
// error, or one the callee tested against nil on the way). The caller's
// test of that result then follows the path the callee took (Run fails
// and returns its error: the caller's `if err != nil` takes the error
// way), instead of both ways.
func results(callee, caller *frame) {
	r := callee.ret
	if r == nil || caller.idx >= len(caller.blk.Instrs) {
		return
	}
	call, ok := caller.blk.Instrs[caller.idx].(*ssa.Call)
	if !ok {
		return
	}
	for i, v := range r.Results {
		if !types.Identical(v.Type(), types.Universe.Lookup("error").Type()) {
			continue
		}
		delete(caller.known, errOf{call, i}) // a call gone round again
		switch {
		case isNil(v):
			caller.known[errOf{call, i}] = 0
		case nonNil(v, r.Block()):
			caller.known[errOf{call, i}] = 1
		}
	}
}

// nonNil reports whether v, returned in block at, is not nil there: a call
// of errors.New or fmt.Errorf, or a value tested against nil on every path
// to at (at is dominated by the not-nil way of the test).
func nonNil(v ssa.Value, at *ssa.BasicBlock) bool {
	if mi, ok := v.(*ssa.MakeInterface); ok {
		v = mi.X
	}
	if c, ok := v.(*ssa.Call); ok {
		if f := c.Call.StaticCallee(); f != nil && f.Pkg != nil {
			p := f.Pkg.Pkg.Path()
			if p == "errors" && f.Name() == "New" || p == "fmt" && f.Name() == "Errorf" {
				return true
			}
		}
	}
	for _, ref := range *v.Referrers() {
		b, ok := ref.(*ssa.BinOp)
		if !ok || !(b.X == v && isNil(b.Y) || b.Y == v && isNil(b.X)) {
			continue
		}
		for _, r := range *b.Referrers() {
			iff, ok := r.(*ssa.If)
			if !ok || iff.Cond != ssa.Value(b) {
				continue
			}
			succ := iff.Block().Succs[0]
			if b.Op == token.EQL {
				succ = iff.Block().Succs[1]
			} else if b.Op != token.NEQ {
				continue
			}
			if len(succ.Preds) == 1 && succ.Dominates(at) {
				return true
			}
		}
	}
	return false
}

// errResult evaluates x, a comparison with nil of an error result of a
// call the model ran inline, from what the callee returned.
func errResult(f *frame, x *ssa.BinOp) (int64, bool) {
	v := x.X
	if !isNil(x.Y) {
		if !isNil(x.X) {
			return 0, false
		}
		v = x.Y
	}
	var k errOf
	switch t := v.(type) {
	case *ssa.Call:
		k = errOf{t, 0}
	case *ssa.Extract:
		c, ok := t.Tuple.(*ssa.Call)
		if !ok {
			return 0, false
		}
		k = errOf{c, t.Index}
	default:
		return 0, false
	}
	r, ok := f.known[k]
	if !ok {
		return 0, false
	}
	if x.Op == token.EQL {
		return 1 - r, true
	}
	return r, true
}
