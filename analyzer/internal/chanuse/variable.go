package chanuse

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// StoredBefore returns the values the local variable a can hold when at
// (an instruction of a's function) runs: on each path that reaches at,
// the value of the last store into a. It returns ok false when that
// cannot be told: a path reaches at with a never assigned (its zero
// value), a's address is taken, or a closure that captures a assigns it.
//
// A variable a closure captures lives in a heap cell (an Alloc) whose
// stores are the assignments: `ctx, cancel := context.WithCancel(ctx)`
// in a function's top-level block assigns the parameter's cell again.
func StoredBefore(a *ssa.Alloc, at ssa.Instruction) (vals []ssa.Value, ok bool) {
	if !onlyLoadsStores(a) {
		return nil, false
	}
	seenVal := map[ssa.Value]bool{}
	// scan looks back through instrs for the last store into a; found
	// reports whether the path ends there.
	scan := func(instrs []ssa.Instruction) (found, zero bool) {
		for i := len(instrs) - 1; i >= 0; i-- {
			switch in := instrs[i].(type) {
			case *ssa.Store:
				if in.Addr == a {
					if !seenVal[in.Val] {
						seenVal[in.Val] = true
						vals = append(vals, in.Val)
					}
					return true, false
				}
			case *ssa.Alloc:
				if in == a {
					return true, true // the zero value
				}
			}
		}
		return false, false
	}
	b := at.Block()
	k := 0
	for i, in := range b.Instrs {
		if in == at {
			k = i
			break
		}
	}
	if found, zero := scan(b.Instrs[:k]); zero {
		return nil, false
	} else if found {
		return vals, true
	}
	seen := map[*ssa.BasicBlock]bool{}
	queue := append([]*ssa.BasicBlock(nil), b.Preds...)
	if len(b.Preds) == 0 {
		return nil, false // at the entry, before any store
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		found, zero := scan(p.Instrs)
		if zero {
			return nil, false
		}
		if found {
			continue
		}
		if len(p.Preds) == 0 {
			return nil, false
		}
		queue = append(queue, p.Preds...)
	}
	return vals, true
}

// Holds reports whether the local variable a holds v for code that runs
// from at on, a goroutine that captures a included: every store into a
// that reaches at, and every store that can run after it, stores v.
func Holds(a *ssa.Alloc, v ssa.Value, at ssa.Instruction) bool {
	vals, ok := StoredBefore(a, at)
	if !ok || len(vals) != 1 || vals[0] != v {
		return false
	}
	holds := true
	forwardFrom(at, func(in ssa.Instruction) bool {
		if st, ok := in.(*ssa.Store); ok && st.Addr == a && st.Val != v {
			holds = false
		}
		return holds
	})
	return holds
}

// forwardFrom calls visit on every instruction reachable after at in its
// function until visit returns false.
func forwardFrom(at ssa.Instruction, visit func(ssa.Instruction) bool) {
	b := at.Block()
	k := 0
	for i, in := range b.Instrs {
		if in == at {
			k = i + 1
			break
		}
	}
	for _, in := range b.Instrs[k:] {
		if !visit(in) {
			return
		}
	}
	seen := map[*ssa.BasicBlock]bool{}
	queue := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if seen[s] {
			continue
		}
		seen[s] = true
		for _, in := range s.Instrs {
			if !visit(in) {
				return
			}
		}
		queue = append(queue, s.Succs...)
	}
}

// onlyLoadsStores reports whether the variable a (or the free variable a
// closure binds to it) is only loaded, assigned in a's own function, and
// captured by closures that only load it.
func onlyLoadsStores(v ssa.Value) bool {
	_, local := v.(*ssa.Alloc)
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			if !local || r.Addr != v || r.Val == v {
				return false
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return false
			}
		case *ssa.DebugRef:
		case *ssa.MakeClosure:
			fn := r.Fn.(*ssa.Function)
			for i, b := range r.Bindings {
				if b == v && (i >= len(fn.FreeVars) || !onlyLoadsStores(fn.FreeVars[i])) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}
