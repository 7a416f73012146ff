package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The release method a path skips (jackc/pgx#2515): a method A of a type
// starts a goroutine that can return only after receiving from a channel
// field of its receiver, and another method B of the type is the only
// code that sends on or closes that field (Watch and Unwatch, Start and
// Stop). A function that calls x.A() and, on some path, x.B() on the
// same x (a parameter, or a field of one), but reaches a return after
// x.A() without x.B() (nor a call of the package that may reach it, nor a
// deferred one), leaves the goroutine waiting for a B that never comes on
// that path (an error path closing the connection and returning). Reported
// at the return.

// unpairedReleases reports the rule in the package.
func unpairedReleases(pass *analysis.Pass, funcs []*ssa.Function) {
	// The channel fields each method sends on or closes, and every
	// function doing so per field.
	signals := map[*types.Var][]*ssa.Function{}
	for _, fn := range funcs {
		for _, f := range fedFields(fn) {
			signals[f] = append(signals[f], fn)
		}
	}
	// The starters: method A, its goroutine's wait, and the release B.
	type pair struct {
		release *ssa.Function
		wait    ssa.Instruction
	}
	starters := map[*ssa.Function]pair{}
	for _, a := range funcs {
		if a.Signature.Recv() == nil || a.Parent() != nil || len(a.Params) == 0 {
			continue
		}
		for _, b := range a.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok {
					continue
				}
				mk, ok := g.Call.Value.(*ssa.MakeClosure)
				if !ok {
					continue
				}
				body := mk.Fn.(*ssa.Function)
				f, wait := onlyFieldWakes(body)
				if f == nil {
					continue
				}
				var rel *ssa.Function
				for _, s := range signals[f] {
					if s.Signature.Recv() == nil || s.Parent() != nil || s == a || rel != nil && rel != s || !types.Identical(s.Signature.Recv().Type(), a.Signature.Recv().Type()) {
						rel = nil
						break
					}
					rel = s
				}
				if rel != nil {
					starters[a] = pair{rel, wait}
				}
			}
		}
	}
	if len(starters) == 0 {
		return
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok || call.Call.IsInvoke() || len(call.Call.Args) == 0 {
					continue
				}
				p, ok := starters[call.Call.StaticCallee()]
				if !ok {
					continue
				}
				x := call.Call.Args[0]
				var releases []ssa.Instruction
				deferred := false
				for _, bb := range fn.Blocks {
					for _, in := range bb.Instrs {
						ci, ok := in.(ssa.CallInstruction)
						if !ok || ci.Common().StaticCallee() != p.release || len(ci.Common().Args) == 0 || !sameRecv(ci.Common().Args[0], x) {
							continue
						}
						if _, ok := in.(*ssa.Defer); ok {
							deferred = true
						}
						releases = append(releases, in)
					}
				}
				if len(releases) == 0 || deferred {
					continue
				}
				ret := chanuse.ReturnAvoiding(call, func(in ssa.Instruction) bool {
					if _, ok := in.(*ssa.Defer); ok {
						return true // a deferred call may release
					}
					ci, ok := in.(ssa.CallInstruction)
					if !ok {
						return false
					}
					c := ci.Common()
					if c.StaticCallee() == p.release {
						return true
					}
					if c.IsInvoke() {
						return c.Method.Name() == p.release.Name()
					}
					if _, ok := c.Value.(*ssa.Builtin); ok {
						return false
					}
					if mk, ok := c.Value.(*ssa.MakeClosure); ok {
						return callsReach(mk.Fn.(*ssa.Function), p.release, fn.Pkg, 0)
					}
					return callsReach(c.StaticCallee(), p.release, fn.Pkg, 0) // (a func value: unknown code, taken not to)
				})
				if ret == nil || handsOut(ret, x) {
					continue
				}
				rp := ret.Pos()
				if !rp.IsValid() {
					rp = chanuse.ClosingBrace(fn)
				}
				a := call.Call.StaticCallee()
				pass.Report(analysis.Diagnostic{
					Pos:      rp,
					Category: "deadlock",
					Message: fmt.Sprintf("this return, reached after %s (at %s) without %s, leaves the goroutine %s started waiting for %s, the only code that wakes it (%s calls it on another path at %s): one goroutine leaks each time this path is taken (call %s before returning, or defer it)",
						a.Name(), at(pass, call.Pos(), rp), p.release.Name(), a.Name(), p.release.Name(), fn.Name(), at(pass, releases[0].Pos(), rp), p.release.Name()),
					Related: []analysis.RelatedInformation{
						{Pos: call.Pos(), Message: a.Name() + " starts the goroutine here"},
						{Pos: p.wait.Pos(), Message: "the goroutine waits here for " + p.release.Name()},
						{Pos: releases[0].Pos(), Message: p.release.Name() + " is called here, on another path"},
					},
				})
			}
		}
	}
}

// onlyFieldWakes returns the channel field whose receive every way out
// of body passes (a plain receive, or a select case on it; other select
// cases are followed to their bodies), and one such receive; nil when a
// return can be reached without one.
func onlyFieldWakes(body *ssa.Function) (*types.Var, ssa.Instruction) {
	var field *types.Var
	var wait ssa.Instruction
	recvOf := func(in ssa.Instruction) *types.Var {
		if u, ok := in.(*ssa.UnOp); ok && u.Op == token.ARROW {
			return loadedField(u.X)
		}
		return nil
	}
	// The candidate: the first field received from.
	for _, b := range body.Blocks {
		for _, in := range b.Instrs {
			if f := recvOf(in); f != nil && field == nil {
				field, wait = f, in
			}
		}
	}
	if field == nil {
		return nil, nil
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{body.Blocks[0]}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		cut := false
		for _, in := range b.Instrs {
			if recvOf(in) == field {
				cut = true
				break
			}
			if _, ok := in.(*ssa.Go); ok {
				return nil, nil
			}
			if sel, ok := in.(*ssa.Select); ok {
				bodies, _ := caseBodies(sel) // (the last else of a blocking select panics)
				if !sel.Blocking {
					return nil, nil
				}
				for i, s := range sel.States {
					if s.Dir == types.RecvOnly && loadedField(s.Chan) == field {
						continue
					}
					if bodies[i] == nil {
						return nil, nil // a case whose body is not told apart
					}
					stack = append(stack, bodies[i])
				}
				cut = true
				break
			}
			if _, ok := in.(*ssa.Return); ok {
				return nil, nil
			}
		}
		if !cut {
			stack = append(stack, b.Succs...)
		}
	}
	return field, wait
}

// sameRecv reports whether a and b name the same receiver: the same
// value, or loads of the same field through the same value.
func sameRecv(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	ua, okA := a.(*ssa.UnOp)
	ub, okB := b.(*ssa.UnOp)
	if !okA || !okB || ua.Op != token.MUL || ub.Op != token.MUL {
		return false
	}
	fa, okA := ua.X.(*ssa.FieldAddr)
	fb, okB := ub.X.(*ssa.FieldAddr)
	return okA && okB && fa.Field == fb.Field && fa.X == fb.X
}

// callsReach reports whether fn, a function of pkg, may call target, itself
// or through the package's functions it calls statically (depth 3).
func callsReach(fn, target *ssa.Function, pkg *ssa.Package, depth int) bool {
	if fn == nil || fn.Pkg != pkg || fn.Blocks == nil || depth > 3 {
		return false
	}
	if fn == target {
		return true
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if ci, ok := instr.(ssa.CallInstruction); ok {
				c := ci.Common()
				if c.StaticCallee() == target || callsReach(c.StaticCallee(), target, pkg, depth+1) {
					return true
				}
				if mk, ok := c.Value.(*ssa.MakeClosure); ok && callsReach(mk.Fn.(*ssa.Function), target, pkg, depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// handsOut reports whether ret returns x (or the struct x is a field of):
// the caller gets what it needs to call the release.
func handsOut(ret *ssa.Return, x ssa.Value) bool {
	var base ssa.Value
	if u, ok := x.(*ssa.UnOp); ok && u.Op == token.MUL {
		if fa, ok := u.X.(*ssa.FieldAddr); ok {
			base = fa.X
		}
	}
	for _, r := range ret.Results {
		if mi, ok := r.(*ssa.MakeInterface); ok {
			r = mi.X
		}
		if r == x || base != nil && r == base || sameRecv(r, x) {
			return true
		}
	}
	return false
}
