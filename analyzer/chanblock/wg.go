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

// waitGroups reports WaitGroup counts that are added and never done, so
// that Wait blocks forever: a goroutine counted by wg.Add(1) that returns
// on some path without calling Done, and a wg.Add(1) followed, on some
// path, by a return, a Wait or the next Add without starting a goroutine
// or calling Done. (Add inside the counted goroutine is go vet's
// waitgroup check, not repeated here.)
func waitGroups(st *state, funcs []*ssa.Function) {
	// The WaitGroups something waits on (values and fields), each with
	// one of its Waits.
	waited := map[any]ssa.CallInstruction{}
	owned := ownedWGPtrFields(funcs) // *sync.WaitGroup fields that are their WaitGroup (wgptr.go)
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(ssa.CallInstruction); ok {
					if w := wgCall(c.Common(), "Wait"); w != nil {
						waited[w] = c
						if f := wgFieldOf(w, owned); f != nil {
							waited[f] = c
						}
						// A function literal that waits on a variable it
						// captures waits on its starter's variable.
						if v := bindingOf(w); v != nil {
							waited[v] = c
						}
					}
				}
			}
		}
	}
	// waitOn returns a Wait on w, or nil when the caller waits (w is a
	// parameter or a captured variable).
	waitOn := func(w ssa.Value) ssa.CallInstruction {
		if c := waited[w]; c != nil {
			return c
		}
		if f := wgFieldOf(w, owned); f != nil {
			return waited[f]
		}
		return nil
	}
	isWaited := func(w ssa.Value) bool {
		if waitOn(w) != nil {
			return true
		}
		switch w.(type) {
		case *ssa.Parameter, *ssa.FreeVar:
			return true // the caller waits
		}
		return false
	}
	released := releasedFields(funcs)
	releasedPtrFields(funcs, owned, released)
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Go:
					fn := in.Call.StaticCallee()
					if mk, ok := in.Call.Value.(*ssa.MakeClosure); ok {
						fn = mk.Fn.(*ssa.Function)
					}
					goroutineDone(st, in, fn, isWaited, waitOn)
					workerDone(st, in, waitOn)
					addAfterWait(st, in, fn)
				case *ssa.Call:
					// A literal handed to a helper of the package that
					// starts it as a goroutine (goSafe(func() { ... }),
					// w.Submit(...)): the same rules as for go func().
					if lit := wrapStarted(fn.Pkg, in); lit != nil {
						goroutineDone(st, in, lit, isWaited, waitOn)
						addAfterWait(st, in, lit)
					}
					if w := wgCall(&in.Call, "Add"); w != nil && isWaited(w) {
						if isOne(in.Call.Args) {
							addUnmatched(st, in, w, released, owned)
						} else {
							addPerItem(st, in, w)
						}
					} else if w := wgHelperCall(&in.Call, fn.Pkg, "Add"); w != nil && isWaited(w) {
						addUnmatched(st, in, w, released, owned) // an Add(1) in a helper (wghelper.go)
					}
				}
			}
		}
	}
}

// wrapStarted returns the function literal that c, a call of a helper of
// pkg, starts as a goroutine (chanuse.WrapOf), or nil.
func wrapStarted(pkg *ssa.Package, c *ssa.Call) *ssa.Function {
	if c.Call.IsInvoke() || c.Call.StaticCallee() == nil || c.Call.StaticCallee().Pkg != pkg {
		return nil
	}
	for i, a := range c.Call.Args {
		if mk, ok := a.(*ssa.MakeClosure); ok && chanuse.WrapOf(pkg, &c.Call, i) == chanuse.WrapGo {
			return mk.Fn.(*ssa.Function)
		}
	}
	return nil
}

// bindingOf returns, for v a variable a function literal captures (or a
// load of it), the variable of the enclosing function that the literal's
// MakeClosure binds: the one variable both functions share.
func bindingOf(v ssa.Value) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		v = u.X
	}
	fv, ok := v.(*ssa.FreeVar)
	if !ok {
		return nil
	}
	fn := fv.Parent()
	i := -1
	for k, x := range fn.FreeVars {
		if x == fv {
			i = k
		}
	}
	if i < 0 || fn.Parent() == nil {
		return nil
	}
	var bound ssa.Value
	for _, b := range fn.Parent().Blocks {
		for _, instr := range b.Instrs {
			if mk, ok := instr.(*ssa.MakeClosure); ok && mk.Fn == fn {
				if bound != nil && bound != mk.Bindings[i] {
					return nil
				}
				bound = mk.Bindings[i]
			}
		}
	}
	return bound
}

// isOne reports whether the Add's delta (its second argument, after the
// receiver) is the constant 1.
func isOne(args []ssa.Value) bool {
	if len(args) != 2 {
		return false
	}
	c, ok := args[1].(*ssa.Const)
	return ok && c.Value != nil && c.Value.String() == "1"
}

// goroutineDone reports a goroutine, counted by a wg.Add before its go
// statement (Add(1), or Add(n) before a loop that starts n goroutines),
// that calls wg.Done (not deferred) on some paths and returns on another
// without it, or that defers a recover and calls it on every path, where
// a panic before the Done, recovered, returns without it (recoveredSkip).
func goroutineDone(st *state, g ssa.CallInstruction, fn *ssa.Function, isWaited func(ssa.Value) bool, waitOn func(ssa.Value) ssa.CallInstruction) {
	if fn == nil || fn.Blocks == nil || fn.Pkg != g.Parent().Pkg {
		return
	}
	node := startNode(g, fn)
	var dones []*ssa.Call
	// The WaitGroup, as the starter sees it: a value it passes or
	// captures (wg), or a field of an object it passes or captures
	// (field of base, s.wg in a literal capturing s).
	var wg, base ssa.Value
	var field *ssa.FieldAddr
	// Or a WaitGroup the goroutine reaches by a longer access path from
	// what it is passed or captures, or a package variable (s.pool.wg, a
	// field of an embedded struct): deep, with the objects on its path.
	var deep ssa.Value
	var deepObjs []ssa.Value
	var doneWGs []ssa.Value // the WaitGroup each of dones calls Done on
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Defer:
				if wgCall(&in.Call, "Done") != nil || callsDone(in.Call.StaticCallee()) {
					return // deferred: done on every path
				}
			case *ssa.Call:
				w := wgCallIn(&in.Call, fn.Pkg, "Done") // also a Done helper (wghelper.go)
				if w == nil {
					continue
				}
				if ssaloop.InLoop(b) {
					return
				}
				if o := outer(node, w); o != nil && field == nil && deep == nil && (wg == nil || sameWG(o, wg)) {
					wg = o
				} else if fa, ob := fieldOfOuter(node, w); fa != nil && wg == nil && deep == nil && (field == nil || fa.Field == field.Field && sameObj(ob, base)) {
					field, base = fa, ob
				} else if objs, rooted := pathPrefixes(node, w); rooted && wg == nil && field == nil && (deep == nil || sameWG(w, deep)) {
					deep = w
					deepObjs = append(deepObjs, objs...)
				} else {
					return
				}
				dones = append(dones, in)
				doneWGs = append(doneWGs, w)
			}
		}
	}
	if len(dones) == 0 {
		handedDone(st, g, node, isWaited)
		return
	}
	var add *ssa.Call
	var waitedWG ssa.Value // the value whose Wait is looked for
	switch {
	case wg != nil:
		waitedWG, add = wg, addBefore(g, wg)
	case field != nil:
		waitedWG, add = field, fieldAdd(g, base, field.Field)
	case deep != nil:
		waitedWG, add = deep, addBeforeMatch(g, func(w ssa.Value) bool { return outerPath(node, deep, w) })
	}
	if add == nil || !isWaited(waitedWG) {
		return
	}
	inner := map[ssa.Value]bool{}
	for _, d := range dones {
		inner[d.Call.Args[0]] = true
	}
	var objs []ssa.Value // the goroutine's own view of base
	if field != nil {
		for _, w := range doneWGs {
			switch w := w.(type) {
			case *ssa.FieldAddr:
				objs = append(objs, w.X)
			case wgVia:
				objs = append(objs, w.x)
			}
		}
	}
	objs = append(objs, deepObjs...)
	ret := returnWithout(fn, func(instr ssa.Instruction) bool {
		c, ok := instr.(ssa.CallInstruction)
		if !ok {
			return false
		}
		if w := wgCallIn(c.Common(), fn.Pkg, "Done"); w != nil {
			return true
		}
		for _, a := range c.Common().Args {
			if inner[a] {
				return true // handed to a helper, which may call Done
			}
			for _, o := range objs {
				if sameObj(a, o) || samePath(a, o) {
					return true // the object handed on: its method may call Done
				}
			}
		}
		return false
	})
	if ret == nil {
		recoveredSkip(st, fn, add, dones, waitOn(waitedWG))
		return
	}
	rp := ret.Pos()
	if !rp.IsValid() {
		rp = chanuse.ClosingBrace(fn)
	}
	st.Report(analysis.Diagnostic{
		Pos:      rp,
		Category: "deadlock",
		Message: fmt.Sprintf("this goroutine, counted by wg.Add at line %d, can return here without calling wg.Done (it calls it at line %d on other paths): the count never drops to zero, and wg.Wait blocks forever",
			st.pass.Fset.Position(add.Pos()).Line, st.pass.Fset.Position(dones[0].Pos()).Line),
		Related: []analysis.RelatedInformation{
			{Pos: add.Pos(), Message: "the goroutine is counted here"},
			{Pos: dones[0].Pos(), Message: "Done, skipped on the path to the return"},
		},
	})
}

// recoveredSkip reports a counted goroutine fn that calls wg.Done plainly
// on every path but defers a function that recovers a panic and lets the
// goroutine return: a panic in a call between the defer and the Done
// skips the Done, the recover swallows the panic, and the count never
// drops (dedis/cothority#1954). A recovering function that panics again
// or ends the program is no way out.
func recoveredSkip(st *state, fn *ssa.Function, add *ssa.Call, dones []*ssa.Call, wait ssa.CallInstruction) {
	var rec *ssa.Defer
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if d, ok := instr.(*ssa.Defer); ok && rec == nil && swallows(d) {
				rec = d
			}
		}
	}
	if rec == nil {
		return
	}
	// precedes reports whether x runs before y on every path to y.
	precedes := func(x, y ssa.Instruction) bool {
		if x.Block() == y.Block() {
			return index(x) < index(y)
		}
		return x.Block().Dominates(y.Block())
	}
	var risky ssa.Instruction // the first call that may panic with the recover registered, before any Done
	for _, b := range fn.DomPreorder() {
		for _, instr := range b.Instrs {
			if risky != nil {
				break
			}
			c, ok := instr.(ssa.CallInstruction)
			if !ok || !precedes(rec, instr) {
				continue
			}
			if _, ok := c.(*ssa.Call); !ok {
				continue // go and defer statements do not run the callee here
			}
			if _, ok := c.Common().Value.(*ssa.Builtin); ok {
				continue
			}
			if wgCall(c.Common(), "Done") != nil || wgCall(c.Common(), "Add") != nil {
				continue
			}
			after := false
			for _, d := range dones {
				after = after || precedes(d, instr)
			}
			if !after && instr.Pos().IsValid() {
				risky = instr
			}
		}
	}
	if risky == nil {
		return
	}
	pos := st.pass.Fset.Position
	waitLine := "the caller's wg.Wait"
	related := []analysis.RelatedInformation{
		{Pos: dones[0].Pos(), Message: "Done, not deferred: a panic skips it"},
		{Pos: rec.Pos(), Message: "the deferred recover that lets the goroutine return"},
		{Pos: add.Pos(), Message: "the goroutine is counted here"},
	}
	if wait != nil {
		waitLine = fmt.Sprintf("wg.Wait (line %d)", pos(wait.Pos()).Line)
		related = append(related, analysis.RelatedInformation{Pos: wait.Pos(), Message: "the Wait that never returns"})
	}
	st.Report(analysis.Diagnostic{
		Pos:      risky.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("a panic in this call is recovered by the goroutine's deferred recover (line %d) and skips its wg.Done (line %d, not deferred): the goroutine, counted by wg.Add at line %d, returns with the count held, and %s blocks forever",
			pos(rec.Pos()).Line, pos(dones[0].Pos()).Line, pos(add.Pos()).Line, waitLine),
		Related: related,
	})
}

// swallows reports whether d defers a function of this package that calls
// recover and lets the goroutine return: it never panics again nor ends
// the program (a re-panic on some paths only is left alone too).
func swallows(d *ssa.Defer) bool {
	var callee *ssa.Function
	switch v := d.Call.Value.(type) {
	case *ssa.Function:
		callee = v
	case *ssa.MakeClosure:
		callee = v.Fn.(*ssa.Function)
	}
	if d.Call.IsInvoke() || callee == nil || callee.Blocks == nil || !callsRecover(callee) {
		return false
	}
	for _, b := range callee.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Panic:
				return false
			case ssa.CallInstruction:
				if chanuse.NoReturn(in.Common()) {
					return false
				}
			}
		}
	}
	return true
}

// fieldOfOuter returns, for w the address of a field of an object that
// goroutine g captures or is passed, that field address and the object
// as g's starter sees it.
func fieldOfOuter(g *chanuse.Node, w ssa.Value) (*ssa.FieldAddr, ssa.Value) {
	var fa *ssa.FieldAddr
	var base ssa.Value
	switch w := w.(type) {
	case *ssa.FieldAddr:
		fa, base = w, w.X
	case wgVia:
		fa, base = w.fa, w.x // a Done helper's field of what the goroutine passes it
	default:
		return nil, nil
	}
	if u, ok := base.(*ssa.UnOp); ok && u.Op == token.MUL {
		base = u.X
	}
	if ob := outer(g, base); ob != nil {
		return fa, ob
	}
	return nil, nil
}

// addBefore returns a wg.Add on wg in g's function that precedes g: in
// its block before it, or in a dominating block. The delta need not be
// one: wg.Add(len(xs)) before a loop counts the goroutines it starts.
func addBefore(g ssa.Instruction, wg ssa.Value) *ssa.Call {
	return addBeforeMatch(g, func(w ssa.Value) bool { return sameWG(w, wg) })
}

// addBeforeMatch is addBefore for the WaitGroup that match accepts.
func addBeforeMatch(g ssa.Instruction, match func(ssa.Value) bool) *ssa.Call {
	for _, b := range g.Parent().Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			w := wgCall(&c.Call, "Add")
			if w == nil || !match(w) {
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

// returnWithout finds a return of fn reachable from its entry without
// passing an instruction stop accepts, a panic or a call that does not
// return.
func returnWithout(fn *ssa.Function, stop func(ssa.Instruction) bool) *ssa.Return {
	return returnWithoutEdges(fn, stop, nil)
}

// returnWithoutEdges is returnWithout that does not follow the edges skip
// accepts (the i-th successor of block b).
func returnWithoutEdges(fn *ssa.Function, stop func(ssa.Instruction) bool, skip func(b *ssa.BasicBlock, i int) bool) *ssa.Return {
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{fn.Blocks[0]}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		blocked := false
		for _, instr := range b.Instrs {
			if stop(instr) {
				blocked = true
				break
			}
			switch in := instr.(type) {
			case *ssa.Panic:
				blocked = true
			case *ssa.Call:
				blocked = chanuse.NoReturn(in.Common())
			case *ssa.Return:
				return in
			}
			if blocked {
				break
			}
		}
		if blocked {
			continue
		}
		if u, open, ok := chanuse.RangeEnd(b); ok && chanuse.NeverClosed(u.X) {
			// A range over a ticker's channel ends only if it is closed,
			// which the time package never does.
			stack = append(stack, b.Succs[open])
			continue
		}
		for i, succ := range b.Succs {
			if skip == nil || !skip(b, i) {
				stack = append(stack, succ)
			}
		}
	}
	return nil
}

// addUnmatched reports a wg.Add(1) in a function that starts goroutines
// or hands work to a worker (a send on a channel, or a select's send
// case) after it, or that counts its own work in flight (it calls Done on
// the same unexported WaitGroup field itself, on some path, and nothing
// else in the package releases the field: see releasedFields), when a path from the Add reaches a return, a Wait on
// the same WaitGroup or the Add itself again without starting a
// goroutine, handing the work off, calling Done, or calling anything that
// is handed the WaitGroup or its owner: an enqueue that fails (a select's
// default or ctx.Done() case) returns with the count never dropping.
func addUnmatched(st *state, add *ssa.Call, wg ssa.Value, released, owned map[*types.Var]bool) {
	fn := add.Parent()
	var selfDone *ssa.Call // a Done on wg in fn after the Add
	var base ssa.Value
	if fa, ok := wg.(*ssa.FieldAddr); ok {
		base = fa.X
	} else if via, ok := wg.(wgVia); ok {
		base = via.x // the helper's receiver (wghelper.go)
	} else if fa := loadedWGField(wg); fa != nil && wgFieldOf(wg, owned) != nil {
		base = fa.X // an owned *sync.WaitGroup field (wgptr.go)
	}
	field := wgFieldOf(wg, owned)
	isWG := func(v ssa.Value) bool {
		if _, ok := wg.(wgVia); ok {
			return sameWG(v, wg)
		}
		return sameObj(v, wg) || sameLoadedWG(v, wg)
	}
	is := func(v ssa.Value) bool {
		return isWG(v) || base != nil && sameObj(v, base)
	}
	handed := func(c *ssa.CallCommon) bool {
		viaOwner := false // handed the owner only, not the WaitGroup
		if isWG(c.Value) {
			return true
		}
		if is(c.Value) {
			viaOwner = true
		}
		if mk, ok := c.Value.(*ssa.MakeClosure); ok {
			for _, b := range mk.Bindings {
				if is(b) {
					return true
				}
			}
		}
		for _, a := range c.Args {
			if isWG(a) {
				return true
			}
			if is(a) {
				viaOwner = true
			}
		}
		// A method of the package handed the owner that cannot reach
		// the WaitGroup field does not drop the count (wgptr.go).
		return viaOwner && !leavesField(c, fn.Pkg, field)
	}
	// The function must start a goroutine after the Add on some path:
	// this Add counts a goroutine of this function.
	goes := false
	bad := ""
	var badPos ssa.Instruction
	type pos struct {
		b *ssa.BasicBlock
		i int
	}
	seen := map[*ssa.BasicBlock]bool{}
	cut := map[*ssa.BasicBlock]bool{} // If blocks whose true edge enters a select's send case
	facts := addFacts(add)            // conditions the Add was made under (wgcond.go)
	queue := []pos{{add.Block(), index(add) + 1}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p.i == 0 {
			if seen[p.b] {
				continue
			}
			seen[p.b] = true
		}
		blocked := false
		for _, instr := range p.b.Instrs[p.i:] {
			switch in := instr.(type) {
			case *ssa.Go:
				goes, blocked = true, true
			case *ssa.MakeClosure:
				// A function literal that captures the WaitGroup (or its
				// owner) is the work: run here, started, or handed to a
				// worker over a channel (grpc's serverWorkerChannel).
				if deferredWaiter(in, wg) {
					break // the deferred Wait: checked at the returns
				}
				for _, b := range in.Bindings {
					if is(b) {
						goes, blocked = true, true
					}
				}
			case *ssa.Send:
				// The work handed to a worker over a channel (a job
				// queue): the worker calls Done.
				goes, blocked = true, true
			case *ssa.Select:
				// A select that offers the work on a channel: the send
				// cases hand it off, the others (a default, a
				// ctx.Done()) go on without it.
				for k, st := range in.States {
					if st.Dir == types.SendOnly {
						if t := caseTest(in, k); t != nil {
							goes = true
							cut[t] = true
						}
					}
				}
			case *ssa.Panic:
				blocked = true
			case *ssa.Return:
				// Returning from the function that owns a local WaitGroup
				// leaves nobody waiting, unless a deferred Wait runs now.
				if _, local := wg.(*ssa.Alloc); bad == "" && !local {
					bad, badPos = "return", in
				} else if bad == "" && deferredWait(fn, wg, in) {
					bad, badPos = "return (which runs the deferred wg.Wait)", in
				}
				blocked = true
			case ssa.CallInstruction:
				c := in.Common()
				if mk, ok := c.Value.(*ssa.MakeClosure); ok && deferredWaiter(mk, wg) {
					break // the deferred Wait: checked at the returns
				}
				if in == ssa.CallInstruction(add) {
					if bad == "" {
						bad, badPos = "Add again", in
					}
					blocked = true
				} else if w := wgCallIn(c, fn.Pkg, "Wait"); w != nil && (sameWG(w, wg) || sameLoadedWG(w, wg)) {
					if _, ok := in.(*ssa.Defer); ok {
						break // runs at the return, which is checked there
					}
					if bad == "" {
						bad, badPos = "Wait", in
					}
					blocked = true
				} else if w := wgCallIn(c, fn.Pkg, "Done"); w != nil {
					if d, ok := in.(*ssa.Call); ok && (sameWG(w, wg) || sameLoadedWG(w, wg)) && selfDone == nil {
						selfDone = d
					}
					blocked = true
				} else if handed(c) || chanuse.NoReturn(c) {
					blocked = true
				}
			}
			if blocked {
				break
			}
		}
		if !blocked {
			succs := p.b.Succs
			if cut[p.b] {
				succs = succs[1:] // the send case's edge: handed off
			} else {
				succs = factSuccs(p.b, succs, facts)
			}
			for _, s := range succs {
				queue = append(queue, pos{s, 0})
			}
		}
	}
	if bad == "" {
		return
	}
	at := badPos.Pos()
	if !at.IsValid() {
		at = chanuse.ClosingBrace(fn)
	}
	if !goes {
		// No goroutine: the function counts its own work in flight
		// (influxdata/influxdb-client-go#30). Only an early return that
		// skips the function's own Done is reported, and only for a
		// field nothing else releases (no acquire/release pair).
		f := field
		if selfDone == nil || bad != "return" || f == nil || f.Exported() || released[f] {
			return
		}
		st.Report(analysis.Diagnostic{
			Pos:      at,
			Category: "deadlock",
			Message: fmt.Sprintf("this return skips wg.Done: the wg.Add(1) at line %d counts this call in flight and only the wg.Done at line %d, on other paths, uncounts it, so the count never drops to zero and wg.Wait blocks forever (defer the Done right after the Add)",
				st.pass.Fset.Position(add.Pos()).Line, st.pass.Fset.Position(selfDone.Pos()).Line),
			Related: []analysis.RelatedInformation{
				{Pos: add.Pos(), Message: "the call is counted here"},
				{Pos: selfDone.Pos(), Message: "Done, skipped on the path to the return"},
			},
		})
		return
	}
	st.Report(analysis.Diagnostic{
		Pos:      add.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("wg.Add(1) here is not matched on the path to the %s at line %d: no goroutine is started, no work is handed off and Done is not called on it, so the count never drops to zero and wg.Wait blocks forever",
			bad, st.pass.Fset.Position(at).Line),
		Related: []analysis.RelatedInformation{{Pos: at, Message: "reached without starting the counted goroutine"}},
	})
}

// releasedFields returns the WaitGroup fields whose count a function may
// leave to another to drop: a field whose Done is called (or deferred) in
// a function that neither calls Add on the field, nor is nested in one
// that does, nor is started by a go statement (a worker counted by its
// starter) (a release method paired with an acquire that returns
// counted), and a field used other than as the receiver of Add, Done,
// Wait or Go (its address or method value handed on).
func releasedFields(funcs []*ssa.Function) map[*types.Var]bool {
	released := map[*types.Var]bool{}
	releasedBy(funcs, released, func(instr ssa.Instruction) (ssa.Value, *types.Var) {
		fa, ok := instr.(*ssa.FieldAddr)
		if !ok || !isWaitGroupPtr(fa.Type()) {
			return nil, nil
		}
		return fa, chanuse.StructFieldOf(fa)
	})
	return released
}

// releasedBy adds to released the WaitGroup fields whose count a function
// may leave to another to drop (see releasedFields), over the WaitGroups
// that wgOf finds: an instruction's value standing for field f, whose
// referrers are the WaitGroup's uses.
func releasedBy(funcs []*ssa.Function, released map[*types.Var]bool, wgOf func(ssa.Instruction) (ssa.Value, *types.Var)) {
	adds := map[*ssa.Function]map[*types.Var]bool{}
	type doneAt struct {
		fn *ssa.Function
		f  *types.Var
	}
	var dones []doneAt
	started := map[*ssa.Function]bool{}
	helperCallers := map[*ssa.Function][]*ssa.Function{} // a Done helper's callers (wghelper.go)
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if g, ok := instr.(*ssa.Go); ok {
					if callee := g.Call.StaticCallee(); callee != nil {
						started[callee] = true
					}
				}
				if c, ok := instr.(ssa.CallInstruction); ok && fn.Pkg != nil {
					// An Add in a helper counts at its caller; a Done in
					// one is made at each of its callers.
					if v, ok := wgHelperCall(c.Common(), fn.Pkg, "Add").(wgVia); ok {
						if adds[fn] == nil {
							adds[fn] = map[*types.Var]bool{}
						}
						adds[fn][v.field()] = true
					}
					if _, ok := wgHelperCall(c.Common(), fn.Pkg, "Done").(wgVia); ok {
						h := c.Common().StaticCallee()
						helperCallers[h] = append(helperCallers[h], fn)
					}
				}
				wg, f := wgOf(instr)
				if f == nil {
					continue
				}
				for _, r := range *wg.Referrers() {
					if _, ok := r.(*ssa.DebugRef); ok {
						continue
					}
					c, ok := r.(ssa.CallInstruction)
					switch {
					case ok && wgCall(c.Common(), "Add") == wg:
						if adds[fn] == nil {
							adds[fn] = map[*types.Var]bool{}
						}
						adds[fn][f] = true
					case ok && wgCall(c.Common(), "Done") == wg:
						dones = append(dones, doneAt{fn, f})
					case ok && (wgCall(c.Common(), "Wait") == wg || wgCall(c.Common(), "Go") == wg):
					default:
						released[f] = true
					}
				}
			}
		}
	}
	countedIn := func(fn *ssa.Function, f *types.Var) bool {
		for ; fn != nil; fn = fn.Parent() {
			if adds[fn][f] || started[fn] {
				return true
			}
		}
		return false
	}
	for _, d := range dones {
		counted := countedIn(d.fn, d.f)
		if callers, ok := helperCallers[d.fn]; ok && !counted {
			counted = true
			for _, c := range callers {
				counted = counted && countedIn(c, d.f)
			}
		}
		if !counted {
			released[d.f] = true
		}
	}
}

// deferredWait reports whether a wg.Wait on wg, deferred (directly or
// in a deferred function literal that captures wg) before ret on every
// path to it, runs when ret returns.
func deferredWait(fn *ssa.Function, wg ssa.Value, ret *ssa.Return) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			d, ok := instr.(*ssa.Defer)
			if !ok || !dominates(d, ret) {
				continue
			}
			if w := wgCall(&d.Call, "Wait"); w != nil && sameWG(w, wg) {
				return true
			}
			if mk, ok := d.Call.Value.(*ssa.MakeClosure); ok && deferredWaiter(mk, wg) {
				return true
			}
		}
	}
	return false
}

// deferredWaiter reports whether mk is a function literal only deferred
// (defer func() { wg.Wait(); ... }()) that waits on wg, which it captures.
func deferredWaiter(mk *ssa.MakeClosure, wg ssa.Value) bool {
	for _, r := range *mk.Referrers() {
		if d, ok := r.(*ssa.Defer); !ok || d.Call.Value != ssa.Value(mk) {
			return false
		}
	}
	lit := mk.Fn.(*ssa.Function)
	for _, lb := range lit.Blocks {
		for _, li := range lb.Instrs {
			c, ok := li.(*ssa.Call)
			if !ok {
				continue
			}
			w := wgCall(&c.Call, "Wait")
			if w == nil {
				continue
			}
			for i, fv := range lit.FreeVars {
				if varOf(w) == ssa.Value(fv) && sameWG(mk.Bindings[i], wg) {
					return true
				}
			}
		}
	}
	return false
}

// callsDone reports whether fn (a deferred function literal or helper)
// calls wg.Done.
func callsDone(fn *ssa.Function) bool {
	if fn == nil {
		return false
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if c, ok := instr.(ssa.CallInstruction); ok && wgCall(c.Common(), "Done") != nil {
				return true
			}
		}
	}
	return false
}

// addAfterWait reports a wg.Add reachable after a go statement whose
// goroutine calls wg.Wait on the same WaitGroup, when no Add precedes the
// go statement: the goroutine may reach Wait while the count is still
// zero, so Wait returns before the work is counted (the sync docs: an Add
// that starts from zero must happen before Wait). The usual outcome is a
// channel closed after Wait while the late goroutines still send on it.
func addAfterWait(st *state, g ssa.CallInstruction, fn *ssa.Function) {
	if fn == nil || fn.Blocks == nil || fn.Pkg != g.Parent().Pkg {
		return
	}
	node := startNode(g, fn)
	var wg ssa.Value
	var wait ssa.Instruction
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if c, ok := instr.(*ssa.Call); ok {
				if w := wgCall(&c.Call, "Wait"); w != nil {
					if wg = outer(node, w); wg != nil {
						wait = instr
					}
				}
			}
		}
	}
	if wg == nil || addPrecedes(g, wg) {
		return
	}
	// An Add reachable from the go statement.
	seen := map[*ssa.BasicBlock]bool{}
	type pos struct {
		b *ssa.BasicBlock
		i int
	}
	queue := []pos{{g.Block(), index(g) + 1}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p.i == 0 {
			if seen[p.b] {
				continue
			}
			seen[p.b] = true
		}
		for _, instr := range p.b.Instrs[p.i:] {
			c, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			if w := wgCall(&c.Call, "Add"); w != nil && sameWG(w, wg) {
				st.Report(analysis.Diagnostic{
					Pos:      c.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("this wg.Add runs after the goroutine started at line %d may already be in wg.Wait (line %d) with the count at zero, and no Add comes before that go statement: Wait can return before this work is counted (Add must happen before Wait)",
						st.pass.Fset.Position(g.Pos()).Line, st.pass.Fset.Position(wait.Pos()).Line),
					Related: []analysis.RelatedInformation{
						{Pos: g.Pos(), Message: "the waiting goroutine is started here"},
						{Pos: wait.Pos(), Message: "it waits here"},
					},
				})
				return
			}
		}
		for _, s := range p.b.Succs {
			queue = append(queue, pos{s, 0})
		}
	}
}

// addPrecedes reports whether an Add on wg comes before g on every path
// (in g's block before it, or in a dominating block), or any Add happens
// in a loop around g (the loop may add before a later iteration's go).
func addPrecedes(g ssa.Instruction, wg ssa.Value) bool {
	for _, b := range g.Parent().Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			if w := wgCall(&c.Call, "Add"); w == nil || !sameWG(w, wg) {
				continue
			}
			gb := g.Block()
			if b == gb && index(c) < index(g) || b != gb && b.Dominates(gb) {
				return true
			}
		}
	}
	return ssaloop.InLoop(g.Block())
}

// handedDone reports a counted goroutine that calls no Done itself but
// hands the WaitGroup to one helper of its package, which calls Done on
// its parameter (not deferred) on some paths and returns on another
// without it: an early error return before the Done leaves the count up
// and wg.Wait blocks forever (cilium/tetragon#2119). The helper's tests
// of its parameter against nil are followed only on the non-nil side,
// since the goroutine passes a WaitGroup it counted.
func handedDone(st *state, g ssa.Instruction, node *chanuse.Node, isWaited func(ssa.Value) bool) {
	var call *ssa.Call
	var wg, param ssa.Value // wg as the starter sees it: a value, or a field of an object
	var add *ssa.Call
	for _, b := range node.Fn.Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			for i, a := range c.Common().Args {
				if !isWaitGroupPtr(a.Type()) {
					continue
				}
				o := outer(node, a)
				var fadd *ssa.Call
				if o == nil {
					fa, ob := fieldOfOuter(node, a)
					if fa == nil {
						continue
					}
					o, fadd = fa, fieldAdd(g, ob, fa.Field)
				} else {
					fadd = addBefore(g, o)
				}
				in, isCall := instr.(*ssa.Call)
				cf := c.Common().StaticCallee()
				if call != nil || !isCall || ssaloop.InLoop(b) || cf == nil || cf.Blocks == nil || cf.Pkg != node.Fn.Pkg || c.Common().IsInvoke() || len(cf.Params) != len(c.Common().Args) {
					return // handed on more than once, or where Done cannot be seen
				}
				call, wg, param, add = in, o, cf.Params[i], fadd
			}
		}
	}
	if call == nil || add == nil || !isWaited(wg) {
		return
	}
	cf := call.Call.StaticCallee()
	var dones []*ssa.Call
	for _, r := range *param.Referrers() {
		switch r := r.(type) {
		case *ssa.Call:
			if w := wgCall(&r.Call, "Done"); w == param && !ssaloop.InLoop(r.Block()) {
				dones = append(dones, r)
				continue
			}
			return
		case *ssa.BinOp:
			if nilTest(r, param) {
				continue
			}
			return
		default:
			return // deferred, stored, captured or handed on: Done may run elsewhere
		}
	}
	if len(dones) == 0 {
		return
	}
	ret := returnWithoutEdges(cf, func(instr ssa.Instruction) bool {
		c, ok := instr.(*ssa.Call)
		return ok && wgCall(&c.Call, "Done") == param
	}, func(b *ssa.BasicBlock, i int) bool {
		// The edge taken when param is nil.
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			return false
		}
		bin, ok := iff.Cond.(*ssa.BinOp)
		if !ok || !nilTest(bin, param) {
			return false
		}
		return (bin.Op == token.EQL) == (i == 0)
	})
	if ret == nil {
		return
	}
	rp := ret.Pos()
	if !rp.IsValid() {
		rp = chanuse.ClosingBrace(cf)
	}
	st.Report(analysis.Diagnostic{
		Pos:      rp,
		Category: "deadlock",
		Message: fmt.Sprintf("this return skips %s.Done: the goroutine started at line %d, counted by wg.Add at line %d, hands its WaitGroup to %s, which calls Done only at line %d on other paths, so the count never drops to zero and wg.Wait blocks forever",
			param.Name(), st.pass.Fset.Position(g.Pos()).Line, st.pass.Fset.Position(add.Pos()).Line, cf.Name(), st.pass.Fset.Position(dones[0].Pos()).Line),
		Related: []analysis.RelatedInformation{
			{Pos: add.Pos(), Message: "the goroutine is counted here"},
			{Pos: call.Pos(), Message: "the WaitGroup is handed on here"},
			{Pos: dones[0].Pos(), Message: "Done, skipped on the path to the return"},
		},
	})
}

// startNode is the node of fn started as a goroutine at g: a go
// statement, or the call of a helper that starts fn, a literal it is
// handed (outer reads the literal's bindings there).
func startNode(g ssa.CallInstruction, fn *ssa.Function) *chanuse.Node {
	n := &chanuse.Node{Fn: fn, Start: g}
	n.G = n
	if gs, ok := g.(*ssa.Go); ok {
		n.Go = gs
	}
	return n
}

// nilTest reports whether bin compares v with nil (== or !=).
func nilTest(bin *ssa.BinOp, v ssa.Value) bool {
	if bin.Op != token.EQL && bin.Op != token.NEQ {
		return false
	}
	isNil := func(x ssa.Value) bool {
		c, ok := x.(*ssa.Const)
		return ok && c.IsNil()
	}
	return bin.X == v && isNil(bin.Y) || bin.Y == v && isNil(bin.X)
}
