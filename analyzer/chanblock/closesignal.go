package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// closeSignals reports a wake-up channel used as a condition variable's
// Signal where a Broadcast is needed: a private channel field that the
// package never closes and only sends on without blocking (a select with
// a default: "notify one waiter if the slot is free"), whose waiters are
// exported methods (callers may run several at once) that receive from it
// in a loop and return once a bool field is set, without passing the
// wake-up on; a function that sets that field to true and then wakes the
// waiters with the same one-slot send wakes one of them, and every other
// waiter sleeps forever (pion/transport#302: Buffer.Close signalled
// notify like a Write, and a second Read never returned). Closing the
// channel wakes them all.
func closeSignals(st *state, funcs []*ssa.Function) {
	notifies := map[*types.Var][]*ssa.Select{} // the non-blocking sends on each field
	bad := map[*types.Var]bool{}               // fields closed or sent on plainly
	recvs := map[*types.Var][]ssa.Instruction{}
	// A field of a generic type, in the generic body or an instance: one
	// field.
	field := func(v ssa.Value) *types.Var {
		if f := loadedField(v); f != nil {
			return f.Origin()
		}
		return nil
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Select:
					for _, s := range in.States {
						f := field(s.Chan)
						if f == nil {
							continue
						}
						if s.Dir == types.RecvOnly {
							recvs[f] = append(recvs[f], in)
						} else if in.Blocking || len(in.States) != 1 {
							bad[f] = true
						} else {
							notifies[f] = append(notifies[f], in)
						}
					}
				case *ssa.Send:
					if f := field(in.Chan); f != nil {
						bad[f] = true
					}
				case *ssa.UnOp:
					if f := field(in.X); f != nil && in.Op == token.ARROW {
						recvs[f] = append(recvs[f], in)
					}
				case *ssa.Call:
					if b, ok := in.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(in.Call.Args) == 1 {
						if f := field(in.Call.Args[0]); f != nil {
							bad[f] = true
						}
					}
				case *ssa.Defer:
					if b, ok := in.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(in.Call.Args) == 1 {
						if f := field(in.Call.Args[0]); f != nil {
							bad[f] = true
						}
					}
				}
			}
		}
	}
	for f, sels := range notifies {
		if bad[f] || len(recvs[f]) == 0 || f.Pkg() != st.pass.Pkg || !st.sealed.Private(f) {
			continue
		}
		notifiers := map[*ssa.Function]bool{}
		for _, s := range sels {
			notifiers[s.Parent()] = true
		}
		notifiesAt := func(instr ssa.Instruction) bool {
			if s, ok := instr.(*ssa.Select); ok {
				for _, x := range sels {
					if x == s {
						return true
					}
				}
			}
			c, ok := instr.(*ssa.Call)
			return ok && !c.Call.IsInvoke() && notifiers[origin(c.Call.StaticCallee())]
		}
		for _, r := range recvs[f] {
			w := r.Parent()
			if !exported(w) || !ssaloop.InLoop(r.Block()) {
				continue
			}
			flag, leave := quietExit(r, notifiesAt)
			if flag == nil {
				continue
			}
			set, wake := setThenNotify(funcs, flag, notifiesAt)
			if set == nil {
				continue
			}
			line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
			st.Report(analysis.Diagnostic{
				Pos:      wake.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("%s sets %s (line %d) and wakes the waiters on %s with one non-blocking send, which wakes one of them: %s, which several goroutines may run, waits on %s in a loop (line %d) and returns once %s is set without passing the wake-up on, so every other waiter blocks forever (close the channel to wake them all)",
					set.Parent().Name(), flag.Name(), line(set.Pos()), f.Name(), w.Name(), f.Name(), line(r.Pos()), flag.Name()),
				Related: []analysis.RelatedInformation{
					{Pos: r.Pos(), Message: "a waiter receives here"},
					{Pos: leave.Pos(), Message: "and returns here without waking the next one"},
				},
			})
			break
		}
	}
}

// quietExit finds, in the loop around the receive r, a test of a bool
// field whose true branch returns without a wake-up (notifiesAt) on the
// way, and returns the field and the return.
func quietExit(r ssa.Instruction, notifiesAt func(ssa.Instruction) bool) (*types.Var, *ssa.Return) {
	for _, b := range r.Parent().Blocks {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		flag := loadedField(iff.Cond)
		if flag == nil || !types.Identical(flag.Type().Underlying(), types.Typ[types.Bool]) {
			continue
		}
		if !reaches(r, iff) || !reaches(iff, r) {
			continue
		}
		if ret := quietReturn(b.Succs[0], r.Block(), notifiesAt); ret != nil {
			return flag, ret
		}
	}
	return nil, nil
}

// quietReturn returns a return that every path from b reaches without
// coming back to loop or waking a waiter, or nil when some path does
// either.
func quietReturn(b, loop *ssa.BasicBlock, notifiesAt func(ssa.Instruction) bool) *ssa.Return {
	var ret *ssa.Return
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{b}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] {
			continue
		}
		if x == loop {
			return nil
		}
		seen[x] = true
		for _, in := range x.Instrs {
			if notifiesAt(in) {
				return nil
			}
		}
		if r, ok := x.Instrs[len(x.Instrs)-1].(*ssa.Return); ok {
			ret = r
		}
		stack = append(stack, x.Succs...)
	}
	return ret
}

// setThenNotify returns a store of true into flag and a wake-up that
// follows it in the same function, or nils.
func setThenNotify(funcs []*ssa.Function, flag *types.Var, notifiesAt func(ssa.Instruction) bool) (*ssa.Store, ssa.Instruction) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				s, ok := instr.(*ssa.Store)
				if !ok || chanuse.StructFieldOf(s.Addr) == nil || chanuse.StructFieldOf(s.Addr).Origin() != flag {
					continue
				}
				c, ok := s.Val.(*ssa.Const)
				if !ok || c.Value == nil || c.Value.String() != "true" {
					continue
				}
				for _, b2 := range fn.Blocks {
					for _, in := range b2.Instrs {
						if notifiesAt(in) && reaches(s, in) {
							return s, in
						}
					}
				}
			}
		}
	}
	return nil, nil
}
