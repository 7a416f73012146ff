package chanblock

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Unbuffered channels kept in unexported package variables, made once by
// the variable's initializer and never handed out (every load is sent on,
// received from, selected on or closed), are each one channel wherever
// the package names them. When all the receives from such a channel are
// in one function that runs only as one goroutine (a hub, an actor), two
// shapes block for ever:
//
//   - the goroutine itself sends on its own channel with a plain send (in
//     a case body of its select, or in a callee): while it sends it cannot
//     receive (gofiber/recipes#112: the websocket hub's broadcast case
//     sends a failed connection on unregister, which only the hub reads);
//   - two such goroutines each send on the other's channel with a plain
//     send, and at least one of those sends follows a case that is not a
//     receive from its own channel (a timer, another input): both can
//     decide to send at once, and neither is back at its receive
//     (stolostron/multicluster-observability-operator#2412). A ping-pong,
//     where each sends only after receiving from the other, passes one
//     token and is left alone.

// actorChan is a package channel variable followed as above.
type actorChan struct {
	g      *ssa.Global
	recvs  []ssa.Instruction // receives, select receives and ranges
	sends  []*ssa.Send       // plain sends
	recvFn *ssa.Function     // the one function that receives, if any
}

func globalActors(st *state, funcs []*ssa.Function) {
	if len(funcs) == 0 {
		return
	}
	pkg := funcs[0].Pkg
	all := append([]*ssa.Function(nil), funcs...)
	if init := pkg.Func("init"); init != nil {
		all = append(all, init)
	}
	chans := map[*ssa.Global]*actorChan{}
	for _, m := range pkg.Members {
		g, ok := m.(*ssa.Global)
		if !ok || g.Object() == nil || g.Object().Exported() {
			continue
		}
		if _, ok := g.Type().(*types.Pointer).Elem().Underlying().(*types.Chan); ok {
			chans[g] = &actorChan{g: g}
		}
	}
	if len(chans) == 0 {
		return
	}
	made := map[*ssa.Global]int{}
	for _, fn := range all {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				var ops [8]*ssa.Value
				for _, op := range instr.Operands(ops[:0]) {
					g, ok := (*op).(*ssa.Global)
					if !ok || chans[g] == nil {
						continue
					}
					if !actorUse(chans[g], instr, g, fn, pkg, made) {
						delete(chans, g)
					}
				}
			}
		}
	}
	sites := newCallSites(funcs)
	var actors []*actorChan
	for g, c := range chans {
		if made[g] != 1 || len(c.recvs) == 0 {
			continue
		}
		c.recvFn = c.recvs[0].Parent()
		for _, r := range c.recvs {
			if r.Parent() != c.recvFn {
				c.recvFn = nil
				break
			}
		}
		if c.recvFn == nil || !oneGoroutine(c.recvFn, sites) {
			continue
		}
		actors = append(actors, c)
	}
	for _, c := range actors {
		reach := goroutineReach(c.recvFn)
		for _, s := range c.sends {
			if reach[s.Parent()] {
				st.Report(analysis.Diagnostic{
					Pos:      s.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("%s is received from only by %s, which runs as one goroutine, and this send runs in that goroutine: while it sends it cannot receive, so the unbuffered send blocks forever",
						c.g.Name(), st.actorName(c.recvFn)),
					Related: []analysis.RelatedInformation{{Pos: c.recvs[0].Pos(), Message: "the only receiver"}},
				})
			}
		}
	}
	for i, a := range actors {
		ra := goroutineReach(a.recvFn)
		for _, b := range actors[i+1:] {
			if a.recvFn == b.recvFn {
				continue
			}
			rb := goroutineReach(b.recvFn)
			sa := sendsIn(b.sends, ra) // a's goroutine sends on b's channel
			sb := sendsIn(a.sends, rb) // b's goroutine sends on a's channel
			st.crossSends(a, b, sa, sb)
			st.crossSends(b, a, sb, sa)
		}
	}
}

// crossSends reports each send x of xs, made by a's receiver on b's
// channel, that can meet a send of ys, made by b's receiver on a's
// channel, with neither back at its receive: unless each follows a
// receive from the other's channel (a ping-pong).
func (st *state) crossSends(a, b *actorChan, xs, ys []*ssa.Send) {
	for _, x := range xs {
		for _, y := range ys {
			if !st.afterOther(x, a.g) && !st.afterOther(y, b.g) {
				continue
			}
			st.Report(analysis.Diagnostic{
				Pos:      x.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("%s sends on %s, which only %s receives, while %s sends on %s (line %d), which only %s receives: when both send at once, neither is back at its receive, and both block forever",
					st.actorName(a.recvFn), b.g.Name(), st.actorName(b.recvFn), st.actorName(b.recvFn), a.g.Name(), st.pass.Fset.Position(y.Pos()).Line, st.actorName(a.recvFn)),
				Related: []analysis.RelatedInformation{{Pos: y.Pos(), Message: "the other goroutine's send"}},
			})
			break
		}
	}
}

// actorUse records the use of the channel variable g by instr (in fn); it
// returns false when the use hands the channel out, or stores another.
func actorUse(c *actorChan, instr ssa.Instruction, g *ssa.Global, fn *ssa.Function, pkg *ssa.Package, made map[*ssa.Global]int) bool {
	switch in := instr.(type) {
	case *ssa.Store:
		mc, ok := in.Val.(*ssa.MakeChan)
		if in.Addr != g || !ok || fn != pkg.Func("init") {
			return false
		}
		if capacity(mc) != 0 {
			return false
		}
		made[g]++
		return true
	case *ssa.UnOp:
		if in.Op != token.MUL {
			return false
		}
		for _, r := range *in.Referrers() {
			switch r := r.(type) {
			case *ssa.Send:
				if r.Chan != in {
					return false
				}
				c.sends = append(c.sends, r)
			case *ssa.UnOp:
				if r.Op != token.ARROW {
					return false
				}
				c.recvs = append(c.recvs, r)
			case *ssa.Select:
				for _, s := range r.States {
					if s.Chan == in && s.Dir == types.RecvOnly {
						c.recvs = append(c.recvs, r)
					}
					if s.Send == in {
						return false
					}
				}
			case *ssa.Range:
				c.recvs = append(c.recvs, r)
			case *ssa.Call:
				if bi, ok := r.Call.Value.(*ssa.Builtin); !ok || bi.Name() != "close" {
					return false
				}
			case *ssa.DebugRef:
			default:
				return false
			}
		}
		return true
	case *ssa.DebugRef:
		return true
	}
	return false
}

// oneGoroutine reports whether fn runs only as a goroutine, started by
// one go statement outside any loop, and is never called.
func oneGoroutine(fn *ssa.Function, sites *callSites) bool {
	var gs []*ssa.Go
	if fn.Parent() == nil {
		if sites.calls[fn] > 0 {
			return false
		}
		gs = sites.gos[fn]
	} else {
		// A literal: its closure (or itself) only started, once.
		for _, b := range fn.Parent().Blocks {
			for _, instr := range b.Instrs {
				if g, ok := instr.(*ssa.Go); ok && g.Call.StaticCallee() == fn {
					gs = append(gs, g)
				}
				if mk, ok := instr.(*ssa.MakeClosure); ok && mk.Fn == fn {
					refs := *mk.Referrers()
					if len(refs) != 1 {
						return false
					}
					if _, ok := refs[0].(*ssa.Go); !ok {
						return false
					}
				}
			}
		}
	}
	return len(gs) == 1 && !ssaloop.InLoop(gs[0].Block())
}

// goroutineReach returns fn and the functions of its package it calls
// statically or through literals it calls, up to a few calls down: what
// runs on fn's goroutine.
func goroutineReach(fn *ssa.Function) map[*ssa.Function]bool {
	reach := map[*ssa.Function]bool{fn: true}
	work := []*ssa.Function{fn}
	for len(work) > 0 && len(reach) < 32 {
		f := work[0]
		work = work[1:]
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				callee := call.Call.StaticCallee()
				if callee == nil || callee.Pkg != fn.Pkg || callee.Blocks == nil || reach[callee] {
					continue
				}
				reach[callee] = true
				work = append(work, callee)
			}
		}
	}
	return reach
}

// sendsIn returns the sends that run in reach.
func sendsIn(sends []*ssa.Send, reach map[*ssa.Function]bool) []*ssa.Send {
	var out []*ssa.Send
	for _, s := range sends {
		if reach[s.Parent()] {
			out = append(out, s)
		}
	}
	return out
}

// afterOther reports whether the send s sits in a case of a select whose
// channel is not own (the package variable of s's goroutine's own
// channel): a timer, another input, which can fire while the other
// goroutine is sending too. A send outside any select case, or in a case
// receiving from own, is not.
func (st *state) afterOther(s *ssa.Send, own *ssa.Global) bool {
	body := funcBody(s.Parent())
	if body == nil {
		return false
	}
	var cc *ast.CommClause
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil || n.Pos() > s.Pos() || n.End() <= s.Pos() {
			return n == nil || n.Pos() <= s.Pos()
		}
		if c, ok := n.(*ast.CommClause); ok && c.Comm != nil {
			cc = c
		}
		return true
	})
	if cc == nil {
		return false
	}
	var x ast.Expr
	switch c := cc.Comm.(type) {
	case *ast.ExprStmt:
		x = c.X
	case *ast.AssignStmt:
		if len(c.Rhs) == 1 {
			x = c.Rhs[0]
		}
	}
	u, ok := ast.Unparen(x).(*ast.UnaryExpr)
	if !ok || u.Op != token.ARROW {
		return false
	}
	if id, ok := ast.Unparen(u.X).(*ast.Ident); ok && st.pass.TypesInfo.Uses[id] == own.Object() {
		return false
	}
	return true
}

// actorName names the goroutine function fn for messages.
func (st *state) actorName(fn *ssa.Function) string {
	if fn.Parent() != nil {
		return fmt.Sprintf("the goroutine of the literal at line %d (in %s)", st.pass.Fset.Position(fn.Pos()).Line, fn.Parent().Name())
	}
	return fn.Name()
}
