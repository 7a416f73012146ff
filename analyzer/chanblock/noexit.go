package chanblock

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// noExitWhy explains, in the messages, how a loop ends up with no exit.
const noExitWhy = "no path leaves its loop; a break inside a select or switch ends only that statement"

// neverReturns reports whether fn can never end: no path from its entry
// reaches a return, a panic, or a call that ends the goroutine (t.Fatal,
// runtime.Goexit, os.Exit); a range over a time package channel is
// endless. A function that recovers, or that hands a *testing.T (or B, F,
// TB) to a call that might end the goroutine, is not followed. Such a
// function, started as a goroutine, never runs its deferred calls: a
// wg.Done or close(done) deferred there never happens (the classic `for {
// select { case <-quit: break } }`, whose break leaves only the select).
func neverReturns(fn *ssa.Function) bool { return neverReturnsWith(fn, nil) }

// neverReturnsWith is neverReturns where the channels in dead (the Done()
// of a context that is never canceled) never become ready: a receive from
// one blocks the path, and a select case receiving from one is never
// taken.
func neverReturnsWith(fn *ssa.Function, dead map[ssa.Value]bool) bool {
	return neverReturnsEnd(fn, dead, nil)
}

// neverReturnsEnd is neverReturnsWith where, beside the time package's
// channels, a range whose receive endless (nil: none) reports never sees
// its channel closed (unclosedrange.go).
func neverReturnsEnd(fn *ssa.Function, dead map[ssa.Value]bool, endless func(*ssa.UnOp) bool) bool {
	if len(fn.Blocks) == 0 || recovers(fn) {
		return false
	}
	cut := map[*ssa.BasicBlock]bool{} // If blocks whose true edge enters a dead case
	blocked := map[ssa.Instruction]bool{}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.UnOp:
				if in.Op == token.ARROW && dead[in.X] {
					blocked[in] = true
				}
			case *ssa.Select:
				for k, st := range in.States {
					if st.Dir == types.RecvOnly && dead[st.Chan] {
						t := caseTest(in, k)
						if t == nil {
							return false
						}
						cut[t] = true
					}
				}
			}
		}
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{fn.Blocks[0]}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		stop := false
		for _, instr := range b.Instrs {
			if blocked[instr] {
				stop = true
				break
			}
			switch in := instr.(type) {
			case *ssa.Return:
				return false
			case *ssa.Panic:
				if !selectMismatch(in) {
					return false
				}
			case ssa.CallInstruction:
				c := in.Common()
				if chanuse.NoReturn(c) {
					return false
				}
				for _, a := range c.Args {
					if isTesting(a.Type()) {
						return false
					}
				}
			}
		}
		if stop {
			continue
		}
		if u, open, ok := chanuse.RangeEnd(b); ok && (chanuse.NeverClosed(u.X) || endless != nil && endless(u)) {
			stack = append(stack, b.Succs[open])
			continue
		}
		if cut[b] {
			stack = append(stack, b.Succs[1:]...)
			continue
		}
		stack = append(stack, b.Succs...)
	}
	return true
}

// deadContexts returns the ctx.Done() channels of fn, started by g, whose
// context g hands it as context.Background() or context.TODO(): contexts
// that are never canceled, so that Done never closes.
func deadContexts(g *ssa.Go, fn *ssa.Function) map[ssa.Value]bool {
	node := &chanuse.Node{Fn: fn, Go: g}
	var dead map[ssa.Value]bool
	vals := append(append([]ssa.Value(nil), paramsOf(fn)...), freeVarsOf(fn)...)
	for _, v := range vals {
		if !isContext(v.Type()) {
			continue
		}
		c, ok := outer(node, v).(*ssa.Call)
		if !ok {
			continue
		}
		callee := c.Call.StaticCallee()
		if callee == nil || callee.Pkg == nil || callee.Pkg.Pkg.Path() != "context" || callee.Name() != "Background" && callee.Name() != "TODO" {
			continue
		}
		for _, r := range *v.Referrers() {
			if call, ok := r.(*ssa.Call); ok && call.Call.IsInvoke() && call.Call.Value == v && call.Call.Method.Name() == "Done" {
				if dead == nil {
					dead = map[ssa.Value]bool{}
				}
				dead[call] = true
			}
		}
	}
	return dead
}

func paramsOf(fn *ssa.Function) []ssa.Value {
	var vs []ssa.Value
	for _, p := range fn.Params {
		vs = append(vs, p)
	}
	return vs
}

func freeVarsOf(fn *ssa.Function) []ssa.Value {
	var vs []ssa.Value
	for _, fv := range fn.FreeVars {
		vs = append(vs, fv)
	}
	return vs
}

// isContext reports whether t is context.Context.
func isContext(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// isCancelFunc reports whether t is context.CancelFunc or
// context.CancelCauseFunc, the functions context.WithCancel and its kin
// return.
func isCancelFunc(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && (n.Obj().Name() == "CancelFunc" || n.Obj().Name() == "CancelCauseFunc")
}

// recovers reports whether a call fn defers may recover a panic: a
// deferred function that calls the recover builtin, or one not known.
// (go/ssa gives every function with a defer a Recover block, so that
// field alone does not tell.)
func recovers(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			d, ok := instr.(*ssa.Defer)
			if !ok {
				continue
			}
			var callee *ssa.Function
			switch v := d.Call.Value.(type) {
			case *ssa.Builtin:
				continue
			case *ssa.Function:
				callee = v
			case *ssa.MakeClosure:
				callee = v.Fn.(*ssa.Function)
			}
			if d.Call.IsInvoke() {
				return true
			}
			if callee == nil && isCancelFunc(d.Call.Value.Type()) {
				continue // defer cancel(): context's cancel functions do not recover
			}
			if callee == nil {
				return true
			}
			if callee.Blocks == nil {
				// Another package's function: it may recover (a crash
				// handler) unless it is one of the standard library's
				// that do not.
				if callee.Pkg == nil || !noRecoverPkgs[callee.Pkg.Pkg.Path()] {
					return true
				}
				continue
			}
			if callsRecover(callee) {
				return true
			}
		}
	}
	return false
}

// noRecoverPkgs are packages whose functions, deferred, do not recover.
var noRecoverPkgs = map[string]bool{
	"sync": true, "sync/atomic": true, "time": true, "context": true, "os": true,
	"io": true, "net": true, "fmt": true, "log": true, "bufio": true, "runtime": true,
	"net/http": true, "os/signal": true,
}

// selectMismatch reports the panic go/ssa puts after the last case of a
// blocking select, which no execution reaches.
func selectMismatch(p *ssa.Panic) bool {
	mi, ok := p.X.(*ssa.MakeInterface)
	if !ok {
		return false
	}
	c, ok := mi.X.(*ssa.Const)
	return ok && c.Value != nil && c.Value.Kind() == constant.String &&
		strings.HasPrefix(constant.StringVal(c.Value), "blocking select matched no case")
}

func callsRecover(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if c, ok := instr.(*ssa.Call); ok {
				if bi, ok := c.Call.Value.(*ssa.Builtin); ok && bi.Name() == "recover" {
					return true
				}
			}
		}
	}
	return false
}

// isTesting reports whether t is *testing.T, *testing.B, *testing.F or
// testing.TB.
func isTesting(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "testing"
}

// goFunc returns the function of fn's package that g starts, with a body.
func goFunc(g *ssa.Go) *ssa.Function {
	fn := g.Call.StaticCallee()
	if mk, ok := g.Call.Value.(*ssa.MakeClosure); ok {
		fn = mk.Fn.(*ssa.Function)
	}
	if fn == nil || fn.Blocks == nil || fn.Pkg != g.Parent().Pkg {
		return nil
	}
	return fn
}

// noExit reports waits for a goroutine that never returns: a wg.Wait on
// the WaitGroup the goroutine was counted on (wg.Add(1) before its go
// statement, and a deferred wg.Done in it or a captured WaitGroup whose
// Done go/ssa dropped as unreachable), a group's Wait for a function its
// Go started, and a receive from a channel whose only close is deferred
// in a function that never returns.
func noExit(st *state, funcs []*ssa.Function) {
	never := map[*ssa.Function]bool{}
	isNever := func(fn *ssa.Function) bool {
		v, ok := never[fn]
		if !ok {
			v = neverReturns(fn)
			never[fn] = v
		}
		return v
	}
	// The Waits on each WaitGroup field.
	fieldWaits := map[*types.Var][]*ssa.Call{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(*ssa.Call); ok {
					if w := wgCall(&c.Call, "Wait"); w != nil {
						if f := chanuse.StructFieldOf(w); f != nil {
							fieldWaits[f] = append(fieldWaits[f], c)
						}
					}
				}
			}
		}
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if g, ok := instr.(*ssa.Go); ok {
					gf := goFunc(g)
					if gf == nil {
						continue
					}
					if isNever(gf) {
						stuckWG(st, g, gf, fieldWaits, noExitWhy)
					} else if dead := deadContexts(g, gf); dead != nil && neverReturnsWith(gf, dead) {
						stuckWG(st, g, gf, fieldWaits, "its only way out waits on ctx.Done() of the context.Background() or context.TODO() it is started with, which is never canceled")
					}
				}
			}
		}
	}
	groupGo(st, funcs, isNever)
	neverWhy := func(fn *ssa.Function) string {
		if isNever(fn) {
			return noExitWhy
		}
		return ""
	}
	ownedChannels(st, funcs, func(o *ops, name string) { stuckClose(st, o, name, neverWhy) })
}

// stuckWG reports the Waits on the WaitGroup that g's goroutine (running
// fn, which never returns) is counted on: a WaitGroup it defers Done to,
// or one it captures whose Done, written after the endless loop, go/ssa
// drops as unreachable. A goroutine that calls Done on its way into the
// loop (a started signal) is left alone.
func stuckWG(st *state, g *ssa.Go, fn *ssa.Function, fieldWaits map[*types.Var][]*ssa.Call, why string) {
	node := &chanuse.Node{Fn: fn, Go: g}
	line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
	type counted struct {
		wg  ssa.Value // in fn
		def *ssa.Defer
	}
	var cs []counted
	deferred := map[ssa.Value]bool{}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Call:
				if wgCall(&in.Call, "Done") != nil {
					return
				}
			case *ssa.Defer:
				if w := wgCall(&in.Call, "Done"); w != nil {
					cs = append(cs, counted{w, in})
					deferred[w] = true
				}
			}
		}
	}
	for _, fv := range fn.FreeVars {
		if isWaitGroupPtr(fv.Type()) && !deferred[fv] {
			cs = append(cs, counted{fv, nil})
		}
	}
	for _, c := range cs {
		w := c.wg
		var waits []*ssa.Call
		if o := outer(node, w); o != nil {
			// The goroutine's own WaitGroup, counted before its start:
			// the starter's Waits after the go statement.
			if addBefore(g, o) == nil {
				continue
			}
			after := reachable(g.Block(), func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })
			for _, b := range g.Parent().Blocks {
				for _, instr := range b.Instrs {
					call, ok := instr.(*ssa.Call)
					if !ok {
						continue
					}
					if wt := wgCall(&call.Call, "Wait"); wt != nil && sameWG(wt, o) &&
						(b == g.Block() && index(call) > index(g) || b != g.Block() && after[b]) {
						waits = append(waits, call)
					}
				}
			}
		} else if fa, ok := w.(*ssa.FieldAddr); ok {
			// A WaitGroup field of the object the goroutine is started
			// on, counted before the start: every Wait on that field.
			base := fa.X
			if u, ok := base.(*ssa.UnOp); ok && u.Op == token.MUL {
				base = u.X
			}
			ob := outer(node, base)
			if ob == nil || !fieldAddBefore(g, ob, fa.Field) {
				continue
			}
			waits = fieldWaits[chanuse.StructFieldOf(fa)]
		}
		for _, wt := range waits {
			rel := []analysis.RelatedInformation{{Pos: g.Pos(), Message: "the goroutine is started here, counted on the WaitGroup"}}
			done := "its wg.Done, written after the loop, is never reached"
			if c.def != nil {
				done = fmt.Sprintf("its deferred wg.Done (line %d) never runs", line(c.def.Pos()))
				rel = append(rel, analysis.RelatedInformation{Pos: c.def.Pos(), Message: "Done is deferred here, to a return that never comes"})
			}
			st.Report(analysis.Diagnostic{
				Pos:      wt.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("wg.Wait waits for the goroutine started at line %d, but %s never returns (%s): %s, so this Wait blocks forever",
					line(g.Pos()), fn.Name(), why, done),
				Related: rel,
			})
		}
	}
}

// fieldAddBefore reports whether a wg.Add(1) on field f of obj (or of the
// variable obj is loaded from) precedes g in g's function.
func fieldAddBefore(g *ssa.Go, obj ssa.Value, f int) bool {
	return fieldAdd(g, obj, f) != nil
}

// fieldAdd returns a wg.Add(1) on field f of obj (or of the variable obj
// is loaded from) that precedes g in g's function, or nil.
func fieldAdd(g ssa.Instruction, obj ssa.Value, f int) *ssa.Call {
	for _, b := range g.Parent().Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			w := wgCall(&c.Call, "Add")
			fa, ok := w.(*ssa.FieldAddr)
			if !ok || fa.Field != f || !sameObj(fa.X, obj) || !isOne(c.Call.Args) {
				continue
			}
			gb := g.Block()
			if b == gb && index(c) < index(g) || b != gb && b.Dominates(gb) {
				return c
			}
		}
	}
	return nil
}

// stuckClose reports receives from a channel (or class) that nothing sends
// on, whose every close is deferred in a function that never returns:
// never says why a function never returns, or "" when it may.
func stuckClose(st *state, o *ops, name string, never func(*ssa.Function) string) {
	if len(o.sends)+len(o.selSends)+len(o.closes) > 0 || len(o.deferCloses) == 0 {
		return
	}
	for _, dc := range o.deferCloses {
		if never(dc.Instr.Parent()) == "" {
			return
		}
	}
	dc := o.deferCloses[0]
	fn := dc.Instr.Parent()
	line := st.pass.Fset.Position(dc.Instr.Pos()).Line
	why := fmt.Sprintf("nothing will close %s: its only close is deferred in %s (line %d), which never returns (%s)", name, fn.Name(), line, never(fn))
	for _, r := range o.selRecvs {
		st.deadCase(r.Instr, r.State, why)
	}
	for _, r := range o.recvs {
		if r.Instr.Parent() == fn {
			continue
		}
		st.Report(analysis.Diagnostic{
			Pos:      r.Instr.Pos(),
			Category: "deadlock",
			Message:  why + ", so this receive blocks forever",
			Related:  []analysis.RelatedInformation{{Pos: dc.Instr.Pos(), Message: "the only close, deferred to a return that never comes"}},
		})
	}
}

// groupGo reports a Wait on a group (sync.WaitGroup.Go, errgroup's
// Group.Go) that started, with its Go method, a function that never
// returns: the group counts the function until it returns, so Wait
// never does.
func groupGo(st *state, funcs []*ssa.Function, isNever func(*ssa.Function) bool) {
	line := func(n ssa.Instruction) int { return st.pass.Fset.Position(n.Pos()).Line }
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				c, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				grp := chanuse.GroupCall(&c.Call, "Go")
				if grp == nil || len(c.Call.Args) != 2 {
					continue
				}
				var f *ssa.Function
				switch v := c.Call.Args[1].(type) {
				case *ssa.MakeClosure:
					f = v.Fn.(*ssa.Function)
				case *ssa.Function:
					f = v
				}
				if f == nil || f.Blocks == nil || f.Pkg != fn.Pkg || !isNever(f) {
					continue
				}
				after := reachable(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })
				for _, wb := range fn.Blocks {
					for _, wi := range wb.Instrs {
						wc, ok := wi.(*ssa.Call)
						if !ok {
							continue
						}
						w := chanuse.GroupCall(&wc.Call, "Wait")
						if w == nil || !sameWG(w, grp) || !(wb == b && index(wc) > index(c) || wb != b && after[wb]) {
							continue
						}
						st.Report(analysis.Diagnostic{
							Pos:      wc.Pos(),
							Category: "deadlock",
							Message: fmt.Sprintf("Wait waits for the function started with Go at line %d, but %s never returns (%s): the group keeps counting it, so this Wait blocks forever",
								line(c), f.Name(), noExitWhy),
							Related: []analysis.RelatedInformation{{Pos: c.Pos(), Message: "the function is started here with the group's Go"}},
						})
					}
				}
			}
		}
	}
}

// ownedChannels calls check with the operations of each channel the
// package keeps to itself: a channel a function makes that neither escapes
// nor is returned ("this channel"), and a private field's channel the
// package makes and neither stores elsewhere nor lets escape.
func ownedChannels(st *state, funcs []*ssa.Function, check func(o *ops, name string)) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					ch := st.follow(mc)
					if ch.Escapes || len(ch.Returns) > 0 {
						continue
					}
					var o ops
					for _, n := range ch.Nodes {
						for _, x := range n.Ops {
							o.add(op{Op: x})
						}
					}
					check(&o, "this channel")
				}
			}
		}
	}
	for _, c := range chanuse.Fields(st.pass.Pkg, st.sealed, funcs) {
		if c.Escapes || c.Stored || len(c.Makes) == 0 {
			continue
		}
		var o ops
		for _, x := range c.Ops {
			o.add(x)
		}
		check(&o, fmt.Sprintf("field %s of %s", c.Field.Name(), ownerName(st.sealed, c.Field)))
	}
}
