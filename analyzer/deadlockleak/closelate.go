package deadlockleak

import (
	"fmt"
	"go/types"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The Wait before the Close (uw-labs/proximo#32): a function starts a
// goroutine, counted by a WaitGroup, that calls a read-like method of a
// value the function holds (a stream's Recv, a connection's Read) in a
// loop, and defers a Wait on that WaitGroup after deferring the value's
// Close (defers run last in, first out), and goes on working in a loop of
// its own after the start (which an error can leave early). A goroutine blocked in the
// value's method returns when the value is closed; with the Close after
// the Wait, the Wait waits for a goroutine that waits for the Close, and
// the function never returns. Reported at the Wait, when nothing closes
// the value before it. A plain Wait before the close is left alone: the
// function may be waiting for the peer to end the reads (net's timeout
// tests: a handler reads and writes until the client hangs up).

// waitsBeforeClose reports the rule in fn.
func waitsBeforeClose(pass *analysis.Pass, fn *ssa.Function, closures map[*ssa.Function]*ssa.MakeClosure) {
	type wait struct {
		instr    ssa.CallInstruction
		wg       ssa.Value
		deferred bool
	}
	var waits []wait
	var gos []*ssa.Go
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Go:
				gos = append(gos, in)
			case ssa.CallInstruction:
				if w := wgCall(in.Common(), "Wait"); w != nil {
					_, d := in.(*ssa.Defer)
					waits = append(waits, wait{in, resolve(w, closures), d})
				}
			}
		}
	}
	if len(waits) == 0 || len(gos) == 0 {
		return
	}
	for _, w := range waits {
		// A plain Wait may be waiting for the peer to end the reads (a
		// server handler reading until the client hangs up); a deferred
		// one runs on the function's own returns, also those leaving the
		// loop it runs after the start early, when nothing but the close
		// can end the reads.
		if w.wg == nil || !w.deferred {
			continue
		}
		for _, g := range gos {
			mk, ok := g.Call.Value.(*ssa.MakeClosure)
			if !ok || !loopsAfter(g) {
				continue
			}
			body := mk.Fn.(*ssa.Function)
			counted := false
			for _, d := range wgDones(body) {
				counted = counted || resolve(d, closures) == w.wg
			}
			if !counted {
				continue
			}
			// The values the goroutine calls methods of in a loop.
			for _, read := range loopCalls(body, closures) {
				v := read.recv
				if owner(v) != fn {
					continue
				}
				closes, early := closesOf(fn, v, w.instr, w.deferred, closures)
				if len(closes) == 0 || early {
					continue
				}
				pass.Report(analysis.Diagnostic{
					Pos:      w.instr.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("this Wait runs before %s (at %s), but the goroutine it waits for (started at %s) calls %s in a loop and leaves only when that call returns, which the close would make happen: the Wait blocks forever (close first, then wait; with defers, defer the Wait before the Close so that it runs last)",
						closeName(closes[0]), at(pass, closes[0].Pos(), w.instr.Pos()), at(pass, g.Pos(), w.instr.Pos()), read.call.Common().Method.Name()),
					Related: []analysis.RelatedInformation{
						{Pos: closes[0].Pos(), Message: "the value is closed here, after the Wait"},
						{Pos: read.call.Pos(), Message: "the goroutine waits in this call"},
						{Pos: g.Pos(), Message: "the goroutine is started here"},
					},
				})
				return
			}
		}
	}
}

// loopRead is an interface method call on a value of the starter, made
// in a loop of a goroutine.
type loopRead struct {
	call ssa.CallInstruction
	recv ssa.Value // the value, as the starter's instruction or parameter
}

// loopCalls returns the interface method calls body makes in a loop on a
// value it captures that wait for input (Recv, Read, Receive, Accept and
// the like: a call that returns when data comes or the value is closed),
// with an error result.
func loopCalls(body *ssa.Function, closures map[*ssa.Function]*ssa.MakeClosure) []loopRead {
	var out []loopRead
	for _, b := range body.Blocks {
		if !ssaloop.InLoop(b) {
			continue
		}
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok || !c.Call.IsInvoke() || c.Call.Signature().Results().Len() == 0 {
				continue
			}
			if !readsName(c.Call.Method.Name()) {
				continue // a writer's call returns by itself
			}
			res := c.Call.Signature().Results()
			if !types.Identical(res.At(res.Len()-1).Type(), types.Universe.Lookup("error").Type()) {
				continue
			}
			r := resolve(c.Call.Value, closures)
			if r == nil || owner(r) == nil || owner(r) == body {
				continue
			}
			out = append(out, loopRead{c, r})
		}
	}
	return out
}

// closesOf returns the calls of fn ending v's life (Close, CloseSend,
// Stop, ... of v) that run after wait, and early when one may run before
// it.
func closesOf(fn *ssa.Function, v ssa.Value, wait ssa.CallInstruction, waitDeferred bool, closures map[*ssa.Function]*ssa.MakeClosure) (after []ssa.CallInstruction, early bool) {
	return closesWhere(fn, func(r ssa.Value) bool { return resolve(r, closures) == v }, wait, waitDeferred, closures)
}

// closesWhere is closesOf for the values is matches.
func closesWhere(fn *ssa.Function, is func(ssa.Value) bool, wait ssa.CallInstruction, waitDeferred bool, closures map[*ssa.Function]*ssa.MakeClosure) (after []ssa.CallInstruction, early bool) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ci, ok := instr.(ssa.CallInstruction)
			if !ok || ci == wait {
				continue
			}
			c := ci.Common()
			var name string
			var recv ssa.Value
			switch {
			case c.IsInvoke():
				name, recv = c.Method.Name(), c.Value
			case c.StaticCallee() != nil && c.StaticCallee().Signature.Recv() != nil && len(c.Args) > 0:
				name, recv = c.StaticCallee().Name(), c.Args[0]
			default:
				continue
			}
			if !endsLife(name) || !is(recv) {
				continue
			}
			_, deferred := instr.(*ssa.Defer)
			switch {
			case deferred && waitDeferred:
				// Registered before the Wait's defer: runs after it.
				if dominatesInstr(instr, wait) {
					after = append(after, ci)
				} else {
					early = true
				}
			case deferred:
				after = append(after, ci) // runs on return, after a plain Wait
			case waitDeferred:
				early = true // a plain close runs before the deferred Wait
			default:
				if dominatesInstr(wait, instr) {
					after = append(after, ci)
				} else {
					early = true
				}
			}
		}
	}
	return after, early
}

// closeName names the call that closes the value.
func closeName(ci ssa.CallInstruction) string {
	c := ci.Common()
	name := ""
	if c.IsInvoke() {
		name = c.Method.Name()
	} else {
		name = c.StaticCallee().Name()
	}
	if _, ok := ci.(*ssa.Defer); ok {
		return "the deferred " + name
	}
	return name
}

// dominatesInstr reports whether a runs before b on every path of their
// function.
func dominatesInstr(a, b ssa.Instruction) bool {
	if a.Parent() != b.Parent() {
		return false
	}
	if a.Block() == b.Block() {
		return indexOf(a) < indexOf(b)
	}
	return a.Block().Dominates(b.Block())
}

// readsName reports whether a method of that name waits for input.
func readsName(name string) bool {
	for _, p := range []string{"Recv", "Read", "Receive", "Accept"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// fieldWaitsBeforeClose is the rule for an object's own goroutines: a
// goroutine of the package (a method started with go, or a literal) that
// calls Done on WaitGroup field wg and reads, in a loop, the value in
// field conn of its object; a method of that object waits on its wg
// before it closes its conn (a Close that joins the read loop first). The
// read loop leaves when the read fails, which the close would make
// happen.
func fieldWaitsBeforeClose(pass *analysis.Pass, funcs []*ssa.Function, closures map[*ssa.Function]*ssa.MakeClosure) {
	type reader struct {
		g    *ssa.Go
		read ssa.CallInstruction
	}
	// Readers by (WaitGroup field, value field).
	type key struct{ wg, conn *types.Var }
	readers := map[key]reader{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok || g.Call.IsInvoke() {
					continue
				}
				var body *ssa.Function
				switch v := g.Call.Value.(type) {
				case *ssa.MakeClosure:
					body = v.Fn.(*ssa.Function)
				case *ssa.Function:
					body = v
				}
				if body == nil || body.Blocks == nil || body.Pkg != fn.Pkg {
					continue
				}
				for _, d := range wgDones(body) {
					fa, ok := d.(*ssa.FieldAddr)
					if !ok {
						continue
					}
					wf := chanuse.StructFieldOf(fa)
					for _, c := range fieldReads(body) {
						if cf := loadedField(c.Common().Value); wf != nil && cf != nil {
							readers[key{wf, cf}] = reader{g, c}
						}
					}
				}
			}
		}
	}
	if len(readers) == 0 {
		return
	}
	for _, m := range funcs {
		if m.Signature.Recv() == nil || len(m.Params) == 0 || !endsLife(m.Name()) {
			continue // only Close and the like promise the end of the reads
		}
		for _, b := range m.Blocks {
			for _, instr := range b.Instrs {
				wait, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				w, ok := wgCall(wait.Common(), "Wait").(*ssa.FieldAddr)
				if !ok || resolve(w.X, closures) != m.Params[0] {
					continue
				}
				_, deferred := instr.(*ssa.Defer)
				for k, r := range readers {
					if k.wg != chanuse.StructFieldOf(w) {
						continue
					}
					after, early := fieldClosesOf(m, k.conn, wait, deferred, closures)
					if len(after) == 0 || early {
						continue
					}
					pass.Report(analysis.Diagnostic{
						Pos:      wait.Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("this Wait runs before %s of field %s (at %s), but the goroutine it waits for (started at %s) calls %s on that field in a loop and leaves only when that call returns, which the close would make happen: the Wait blocks forever (close first, then wait)",
							closeName(after[0]), k.conn.Name(), at(pass, after[0].Pos(), wait.Pos()), at(pass, r.g.Pos(), wait.Pos()), r.read.Common().Method.Name()),
						Related: []analysis.RelatedInformation{
							{Pos: after[0].Pos(), Message: "the value is closed here, after the Wait"},
							{Pos: r.read.Pos(), Message: "the goroutine waits in this call"},
							{Pos: r.g.Pos(), Message: "the goroutine is started here"},
						},
					})
					return
				}
			}
		}
	}
}

// fieldReads returns body's read-like interface calls, in a loop, on a
// value loaded from a field.
func fieldReads(body *ssa.Function) []ssa.CallInstruction {
	var out []ssa.CallInstruction
	for _, b := range body.Blocks {
		if !ssaloop.InLoop(b) {
			continue
		}
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok || !c.Call.IsInvoke() || !readsName(c.Call.Method.Name()) || loadedField(c.Call.Value) == nil {
				continue
			}
			res := c.Call.Signature().Results()
			if res.Len() > 0 && types.Identical(res.At(res.Len()-1).Type(), types.Universe.Lookup("error").Type()) {
				out = append(out, c)
			}
		}
	}
	return out
}

// fieldClosesOf is closesOf for the value in field f of m's receiver.
func fieldClosesOf(m *ssa.Function, f *types.Var, wait ssa.CallInstruction, waitDeferred bool, closures map[*ssa.Function]*ssa.MakeClosure) (after []ssa.CallInstruction, early bool) {
	isConn := func(v ssa.Value) bool {
		u, ok := v.(*ssa.UnOp)
		if !ok {
			return false
		}
		fa, ok := u.X.(*ssa.FieldAddr)
		return ok && chanuse.StructFieldOf(fa) == f && resolve(fa.X, closures) == m.Params[0]
	}
	return closesWhere(m, isConn, wait, waitDeferred, closures)
}

// loopsAfter reports whether fn runs a loop of its own after the go
// statement g (it goes on working, and may leave that work early).
func loopsAfter(g *ssa.Go) bool {
	for _, b := range g.Parent().Blocks {
		if ssaloop.InLoop(b) && (b == g.Block() || ssaloop.Reaches(g.Block(), b)) {
			return true
		}
	}
	return false
}
