package chanblock

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// waitBeforeReceive reports the classic WaitGroup deadlock: goroutines
// send on an unbuffered channel and call wg.Done after the send, while
// the function that starts them calls wg.Wait before it receives from the
// channel (wg.Wait(); close(results); for r := range results). The first
// send blocks, so its Done never runs, so Wait never returns.
func waitBeforeReceive(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok && (capacity(mc) == 0 || bufferBound(mc) > 0) {
					waitBefore(st, mc)
				}
			}
		}
	}
}

func waitBefore(st *state, mc *ssa.MakeChan) {
	ch := st.follow(mc)
	if ch.Escapes || len(ch.Returns) > 0 {
		return
	}
	root := ch.Nodes[0]
	recvs := map[ssa.Instruction]bool{}
	senders := map[*chanuse.Node][]chanuse.Op{}
	for _, n := range ch.Nodes {
		for _, op := range n.Ops {
			switch op.Kind {
			case chanuse.Recv, chanuse.SelectRecv:
				if n != root {
					return // a receiver elsewhere may drain it
				}
				recvs[op.Instr] = true
			case chanuse.Send:
				if n.G == root {
					return // the waiter sends itself: another shape
				}
				senders[n.G] = append(senders[n.G], op)
			case chanuse.SelectSend:
				return
			case chanuse.Close, chanuse.DeferClose:
				if n.G != root {
					return
				}
			}
		}
	}
	if len(recvs) == 0 {
		return // nothing receives at all: report's "nothing receives" shape
	}
	size := capacity(mc)
	if size != 0 {
		size = bufferBound(mc)
	}
	recvBlocks := map[*ssa.BasicBlock]bool{}
	for r := range recvs {
		recvBlocks[r.Block()] = true
	}
	for g, sends := range senders {
		if g.Start == nil || g.Parent != root || g.Start.Parent() != root.Fn {
			continue
		}
		// With a buffer, the senders must be more than it holds:
		// goroutines started in a loop bounded by no constant, around
		// neither the make nor the Wait.
		if size > 0 && (!unboundedFill(g.Start.Block(), recvBlocks) || sameLoop(g.Start.Block(), mc.Block())) {
			continue
		}
		wg, done := doneAfter(g, sends)
		if wg == nil {
			continue
		}
		wait := waitFirst(root.Fn, g.Start, wg, recvs)
		if wait == nil || size > 0 && sameLoop(g.Start.Block(), wait.Block()) {
			continue
		}
		if size > 0 {
			st.Report(analysis.Diagnostic{
				Pos:      sends[0].Instr.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("these goroutines, started in a loop (line %d) with no bound the buffer of %d covers, send on a channel that %s receives from only after wg.Wait (line %d), and call wg.Done only after the send (line %d): once the buffer is full the next send blocks, its Done never runs, and Wait never returns",
					st.pass.Fset.Position(g.Start.Pos()).Line, size, root.Fn.Name(), st.pass.Fset.Position(wait.Pos()).Line, st.pass.Fset.Position(done.Pos()).Line),
				Related: []analysis.RelatedInformation{
					{Pos: wait.Pos(), Message: "Wait, before any receive"},
					{Pos: done.Pos(), Message: "the goroutine's Done, after its send"},
					{Pos: g.Start.Pos(), Message: "a goroutine per iteration is started here"},
					{Pos: mc.Pos(), Message: fmt.Sprintf("the channel is made here with a buffer of at most %d", size)},
				},
			})
			continue
		}
		st.Report(analysis.Diagnostic{
			Pos:      sends[0].Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this goroutine sends on an unbuffered channel that %s receives from only after wg.Wait (line %d), and calls wg.Done only after the send (line %d): the send blocks, Done never runs, and Wait never returns",
				root.Fn.Name(), st.pass.Fset.Position(wait.Pos()).Line, st.pass.Fset.Position(done.Pos()).Line),
			Related: []analysis.RelatedInformation{
				{Pos: wait.Pos(), Message: "Wait, before any receive"},
				{Pos: done.Pos(), Message: "the goroutine's Done, after its send"},
				{Pos: mc.Pos(), Message: "the channel is made unbuffered here"},
			},
		})
	}
}

// wgCall returns the WaitGroup pointer that c calls method name on.
func wgCall(c *ssa.CallCommon, name string) ssa.Value {
	fn := c.StaticCallee()
	if fn == nil || fn.Name() != name || len(c.Args) == 0 {
		return nil
	}
	recv := fn.Signature.Recv()
	if recv == nil || !isWaitGroupPtr(recv.Type()) {
		return nil
	}
	return c.Args[0]
}

// doneAfter finds, in goroutine g's function, a wg.Done that runs after
// the goroutine's send: deferred, or in a block the send dominates. It
// returns the WaitGroup as the value the go statement's function (root)
// passes or captures.
func doneAfter(g *chanuse.Node, sends []chanuse.Op) (ssa.Value, ssa.Instruction) {
	for _, b := range g.Fn.Blocks {
		for _, instr := range b.Instrs {
			var wg ssa.Value
			deferred := false
			switch in := instr.(type) {
			case *ssa.Defer:
				wg, deferred = wgCall(&in.Call, "Done"), true
			case *ssa.Call:
				wg = wgCall(&in.Call, "Done")
			}
			if wg == nil {
				continue
			}
			after := deferred
			for _, s := range sends {
				if s.Node != g {
					continue
				}
				sb := s.Instr.Block()
				if sb == b && index(s.Instr) < index(instr) || sb != b && sb.Dominates(b) {
					after = true
				}
			}
			if !after {
				continue
			}
			if v := outer(g, wg); v != nil {
				return v, instr
			}
		}
	}
	return nil, nil
}

// outer maps v, a value of goroutine g's function, to the value its go
// statement (or the group's Go it is handed to) passes or captures in the
// parent.
func outer(g *chanuse.Node, v ssa.Value) ssa.Value {
	switch v := v.(type) {
	case *ssa.FreeVar:
		var fv ssa.Value
		if g.Go != nil {
			fv = g.Go.Call.Value
		} else if c, ok := g.Start.(*ssa.Call); ok {
			// A group's Go, time.AfterFunc or a wrapper that starts
			// its argument: the literal is the argument g runs.
			for _, a := range c.Call.Args {
				if mk, ok := a.(*ssa.MakeClosure); ok && mk.Fn == g.Fn {
					fv = a
				}
			}
		}
		mk, ok := fv.(*ssa.MakeClosure)
		if !ok {
			return nil
		}
		return chanuse.Bound(mk, v)
	case *ssa.Parameter:
		if g.Go == nil {
			return nil
		}
		args := g.Go.Call.Args
		if g.Go.Call.IsInvoke() { // go x.M(): the receiver is the first parameter
			args = append([]ssa.Value{g.Go.Call.Value}, args...)
		}
		for i, p := range g.Fn.Params {
			if p == v && i < len(args) {
				return args[i]
			}
		}
	}
	return nil
}

// sameWG reports whether a and b address the same WaitGroup in one
// function: one value, or the same field of the same object (samePath:
// the object may itself be a struct field, embedded or nested by value,
// or a struct reached through a pointer field, s.pool.wg).
func sameWG(a, b ssa.Value) bool {
	if same, ok := sameVia(a, b); ok {
		return same // a helper's WaitGroup (wghelper.go)
	}
	if sameObj(a, b) {
		return true
	}
	fa, ok1 := a.(*ssa.FieldAddr)
	fb, ok2 := b.(*ssa.FieldAddr)
	return ok1 && ok2 && fa.Field == fb.Field && samePath(fa.X, fb.X)
}

// samePath reports whether a and b, two values of one function, name the
// same object by the same access path from one root: one value, loads of
// one local variable, the same package variable, the same field of the
// same object (a struct kept by value: an embedded or nested struct), or
// loads of the same pointer field of the same object (s.pool, where the
// pool is kept behind a pointer). A WaitGroup or a channel reached as
// s.pool.wg is reached so at its Add, its Done and its Wait: each
// selector expression is its own FieldAddr in go/ssa, and without this
// the three are three unrelated values.
func samePath(a, b ssa.Value) bool {
	if sameObj(a, b) {
		return true
	}
	switch a := a.(type) {
	case *ssa.Global:
		return a == b
	case *ssa.FieldAddr:
		fb, ok := b.(*ssa.FieldAddr)
		return ok && a.Field == fb.Field && samePath(a.X, fb.X)
	case *ssa.UnOp:
		ub, ok := b.(*ssa.UnOp)
		if !ok || a.Op != token.MUL || ub.Op != token.MUL {
			return false
		}
		fa, ok1 := a.X.(*ssa.FieldAddr)
		fb, ok2 := ub.X.(*ssa.FieldAddr)
		return ok1 && ok2 && samePath(fa, fb)
	}
	return false
}

// outerPath reports whether v, a value of goroutine g's function that
// names an object by an access path from a value g's start passes or
// captures (or from a package variable), names the object o of the
// starter: the same fields, in the same order, from the root outer maps.
func outerPath(g *chanuse.Node, v, o ssa.Value) bool {
	switch v := v.(type) {
	case *ssa.Global:
		return v == o
	case *ssa.FieldAddr:
		fo, ok := o.(*ssa.FieldAddr)
		return ok && v.Field == fo.Field && outerPath(g, v.X, fo.X)
	case *ssa.UnOp:
		uo, ok := o.(*ssa.UnOp)
		if !ok || v.Op != token.MUL || uo.Op != token.MUL {
			return false
		}
		if _, ok := v.X.(*ssa.FieldAddr); ok {
			return outerPath(g, v.X, uo.X)
		}
		r := outer(g, v.X) // a load of a variable the literal captures
		return r != nil && sameObj(r, o)
	}
	r := outer(g, v)
	return r != nil && (sameObj(r, o) || samePath(r, o))
}

// pathPrefixes returns the objects on v's access path (see samePath),
// from the object that holds v's field up to the root, and whether the
// root is one goroutine g's start passes or captures, or a package
// variable.
func pathPrefixes(g *chanuse.Node, v ssa.Value) ([]ssa.Value, bool) {
	var objs []ssa.Value
	for {
		switch x := v.(type) {
		case *ssa.Global:
			return objs, true
		case *ssa.FieldAddr:
			v = x.X
			objs = append(objs, v)
			continue
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return objs, false
			}
			if _, ok := x.X.(*ssa.FieldAddr); ok {
				v = x.X
				continue
			}
			return objs, outer(g, x.X) != nil
		}
		return objs, outer(g, v) != nil
	}
}

// sameObj reports whether a and b are one value, or loads of one local
// variable (go/ssa keeps a parameter in a variable when a function with
// defers captures it, and a literal captures that variable).
func sameObj(a, b ssa.Value) bool {
	return a == b || varOf(a) != nil && varOf(a) == varOf(b)
}

// varOf returns the variable v is, or is a load of: a local (Alloc) or a
// variable a function literal captures (FreeVar).
func varOf(v ssa.Value) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		v = u.X
	}
	switch v.(type) {
	case *ssa.Alloc, *ssa.FreeVar:
		return v
	}
	return nil
}

// waitFirst returns a wg.Wait on wg in fn that every path from the go
// statement reaches before any receive, when there is one and no path
// from the go statement receives first.
func waitFirst(fn *ssa.Function, from ssa.Instruction, wg ssa.Value, recvs map[ssa.Instruction]bool) ssa.Instruction {
	var wait ssa.Instruction
	recvFirst := false
	ssawalk.Forward(from, func(instr ssa.Instruction) ssawalk.Action {
		if recvs[instr] {
			recvFirst = true // a receive before Wait on this path
			return ssawalk.Stop
		}
		if c, ok := instr.(*ssa.Call); ok {
			if w := wgCall(&c.Call, "Wait"); w != nil && sameWG(w, wg) {
				wait = instr
				return ssawalk.Cut
			}
		}
		return ssawalk.Continue
	})
	if recvFirst {
		return nil
	}
	return wait
}

// isWaitGroupPtr reports whether t is *sync.WaitGroup.
func isWaitGroupPtr(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	return ok && isWaitGroup(p.Elem())
}

// bufferBound returns the constant buffer size of mc's channel, or the
// constant bound of a min(n, C) size, or -1.
func bufferBound(mc *ssa.MakeChan) int {
	if n := capacity(mc); n >= 0 {
		return n
	}
	size := mc.Size
	if cv, ok := size.(*ssa.Convert); ok {
		size = cv.X
	}
	c, ok := size.(*ssa.Call)
	if !ok {
		return -1
	}
	if b, ok := c.Call.Value.(*ssa.Builtin); !ok || b.Name() != "min" {
		return -1
	}
	bound := -1
	for _, a := range c.Call.Args {
		if k, ok := a.(*ssa.Const); ok && k.Value != nil {
			if n, ok := constant.Int64Val(constant.ToInt(k.Value)); ok && n >= 0 && n <= 1<<20 && (bound < 0 || int(n) < bound) {
				bound = int(n)
			}
		}
	}
	return bound
}

// sameLoop reports whether a and b are blocks of one loop (each reaches
// the other).
func sameLoop(a, b *ssa.BasicBlock) bool {
	if a == b {
		return ssaloop.InLoop(a)
	}
	return reachable(a, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })[b] &&
		reachable(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })[a]
}
