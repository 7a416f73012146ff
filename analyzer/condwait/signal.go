package condwait

import (
	"fmt"
	"go/token"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// checkSignalOne reports a Signal of a Cond whose waiters wait for
// different things: a wait loop whose test looks a field up by the
// waiter's own key (locked[key]) or compares it with the waiter's own
// bound (seq < target). Signal wakes one waiter, maybe one waiting for
// something else, which goes back to Wait: the waiter the change was for
// sleeps on (im7mortal/kmutex#5).
func (c *checker) checkSignalOne(cd *cond) {
	var w ssa.Instruction
	var test token.Pos
	for _, wi := range cd.waits {
		loop := innerLoop(wi.Block())
		if loop == nil {
			continue
		}
		for blk := range loop {
			ifi, ok := blk.Instrs[len(blk.Instrs)-1].(*ssa.If)
			if !ok || loop[blk.Succs[0]] == loop[blk.Succs[1]] {
				continue
			}
			if p := perWaiter(ifi.Cond, nil, 0); p != token.NoPos {
				w, test = wi, p
			}
		}
		if w != nil {
			// A waiter that passes the signal on (a Signal in its own
			// loop) wakes the next one: a chain, not a lost wake-up.
			for s := range cd.signals {
				if loop[s.Block()] {
					return
				}
			}
			break
		}
	}
	if w == nil {
		return
	}
	for s := range cd.signals {
		call, ok := s.(*ssa.Call)
		if !ok {
			continue
		}
		if m, _ := condMethod(&call.Call); m != "Signal" {
			continue
		}
		c.report(s.Pos(), fmt.Sprintf("Signal wakes one goroutine waiting on %s, but its waiters wait for different things (%s waits on its own key or bound, %s): the one woken may be waiting for something else and go back to Wait, and the goroutine this change was for blocks forever (Broadcast, or one Cond per key)",
			cd.name, fnName(w.Parent()), c.at(test, s.Pos())),
			analysis.RelatedInformation{Pos: w.Pos(), Message: "the Wait of waiters with different conditions"},
			analysis.RelatedInformation{Pos: test, Message: "the waiter's own key or bound"})
	}
}

// perWaiter returns the position of a test in v of shared state against a
// value of the waiter's own (a parameter, a captured variable), or NoPos.
// local holds the parameters of a helper that receive such values.
func perWaiter(v ssa.Value, local map[ssa.Value]bool, depth int) token.Pos {
	isLocal := func(x ssa.Value) bool {
		switch x := x.(type) {
		case *ssa.Parameter:
			fn := x.Parent()
			if fn.Signature.Recv() != nil && len(fn.Params) > 0 && fn.Params[0] == x {
				return false // the receiver: shared
			}
			return local == nil || local[x]
		case *ssa.FreeVar:
			return local == nil
		}
		return false
	}
	switch v := v.(type) {
	case *ssa.UnOp:
		if v.Op == token.NOT {
			return perWaiter(v.X, local, depth)
		}
	case *ssa.Extract:
		return perWaiter(v.Tuple, local, depth)
	case *ssa.Lookup:
		if f, _ := fieldRead(v.X); f != nil && isLocal(v.Index) {
			return v.Pos()
		}
	case *ssa.BinOp:
		switch v.Op {
		case token.EQL, token.NEQ, token.LSS, token.LEQ, token.GTR, token.GEQ:
			if f, _ := fieldRead(v.X); f != nil && isLocal(v.Y) {
				return v.Pos()
			}
			if f, _ := fieldRead(v.Y); f != nil && isLocal(v.X) {
				return v.Pos()
			}
		}
	case *ssa.Call:
		callee := v.Call.StaticCallee()
		if callee == nil || depth >= 2 || len(callee.Blocks) == 0 || callee.Pkg == nil ||
			v.Parent().Pkg == nil || callee.Pkg.Pkg != v.Parent().Pkg.Pkg || len(callee.Params) != len(v.Call.Args) {
			return token.NoPos
		}
		inner := map[ssa.Value]bool{}
		for i, a := range v.Call.Args {
			if isLocal(a) {
				inner[callee.Params[i]] = true
			}
		}
		if len(inner) == 0 {
			return token.NoPos
		}
		for _, b := range callee.Blocks {
			if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && len(ret.Results) > 0 {
				if p := perWaiter(ret.Results[0], inner, depth+1); p != token.NoPos {
					return v.Pos()
				}
			}
		}
	}
	return token.NoPos
}
