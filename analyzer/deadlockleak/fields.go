package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// fieldLeaks applies the pattern to an unbuffered channel kept in a
// private struct field (chanuse.Fields), whoever makes the struct: plain
// sends in some functions, and every receive in one function, which the
// package calls from one place outside loops and which can leave through
// another select case (a timeout, a context) without receiving. When it
// does, the send has no receiver left and blocks forever. The senders may
// close the channel themselves once done (xelaj/go-dry#3): that close
// follows their sends and releases none of them.
func fieldLeaks(pass *analysis.Pass, funcs []*ssa.Function, classes map[*types.Var]*chanuse.Class) {
	sites := map[*ssa.Function][]ssa.Instruction{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(ssa.CallInstruction); ok {
					callee := c.Common().StaticCallee()
					if callee == nil {
						// An interface method or function variable the
						// package decides (compose#14114: bus.Done).
						callee = chanuse.Callee(fn.Pkg, c.Common())
					}
					if callee != nil {
						sites[callee] = append(sites[callee], instr)
					}
				}
				if mk, ok := instr.(*ssa.MakeClosure); ok && onlyCalled(mk) {
					continue // a literal run where it is made: its call is its site
				}
				if mk, ok := instr.(*ssa.MakeClosure); ok {
					// wg.Go(w.loop), g.Go(s.run): the group starts the
					// method once, on the value bound, as go w.loop()
					// would; the group's Go is the method's site.
					if m, c := groupStartedMethod(mk); m != nil {
						sites[m] = append(sites[m], c)
					}
				}
				for _, op := range instr.Operands(nil) {
					if f, ok := (*op).(*ssa.Function); ok {
						if c, ok := instr.(ssa.CallInstruction); !ok || c.Common().Value != f {
							sites[f] = append(sites[f], nil) // a function value: called from anywhere
						}
					}
				}
			}
		}
	}
	for _, c := range classes {
		fieldLeak(pass, c, sites, funcs)
	}
}

// groupStartedMethod returns the method a method value mk (x.m, a bound
// method wrapper) runs and the call of a group's Go (sync.WaitGroup.Go,
// errgroup's Group.Go) that mk is handed to, its only use; nil otherwise.
func groupStartedMethod(mk *ssa.MakeClosure) (*ssa.Function, *ssa.Call) {
	w, ok := mk.Fn.(*ssa.Function)
	if !ok || !strings.HasPrefix(w.Synthetic, "bound method wrapper") || len(mk.Bindings) != 1 {
		return nil, nil
	}
	refs := *mk.Referrers()
	if len(refs) != 1 {
		return nil, nil
	}
	c, ok := refs[0].(*ssa.Call)
	if !ok || chanuse.GroupGo(&c.Call) == nil || c.Call.Args[1] != ssa.Value(mk) {
		return nil, nil
	}
	var m *ssa.Function
	for _, b := range w.Blocks {
		for _, in := range b.Instrs {
			if call, ok := in.(*ssa.Call); ok && !call.Call.IsInvoke() {
				if f := call.Call.StaticCallee(); f != nil && f.Pkg == c.Parent().Pkg {
					m = f
				}
			}
		}
	}
	return m, c
}

// onlyCalled reports whether the closure mk is only called or started,
// once, where it is made (go func() { ... }()).
func onlyCalled(mk *ssa.MakeClosure) bool {
	refs := *mk.Referrers()
	if len(refs) != 1 {
		return false
	}
	c, ok := refs[0].(ssa.CallInstruction)
	return ok && c.Common().Value == mk && !slices.Contains(c.Common().Args, ssa.Value(mk))
}

// onceRun reports whether fn runs from one place outside loops: one site,
// and for a function literal, an enclosing function that does too (the
// literal runs once per run of it).
func onceRun(fn *ssa.Function, sites map[*ssa.Function][]ssa.Instruction) bool {
	ss := sites[fn]
	if len(ss) != 1 || ss[0] == nil || ssaloop.InLoop(ss[0].Block()) {
		return false
	}
	if p := fn.Parent(); p != nil {
		return p.Parent() == nil && onceRun(p, sites)
	}
	return true
}

func fieldLeak(pass *analysis.Pass, c *chanuse.Class, sites map[*ssa.Function][]ssa.Instruction, funcs []*ssa.Function) {
	if c.Escapes || c.Stored || len(c.Makes) == 0 {
		return
	}
	size := capacity(c.Makes[0])
	for _, m := range c.Makes {
		if capacity(m) != size {
			return
		}
	}
	if size < 0 || size > 0 && c.LenChecked {
		return // a buffer of unknown size, or sends that test it for room
	}
	var sends, closes []chanuse.FieldOp
	var recvFn *ssa.Function
	w := &walker{helpers: map[ssa.Instruction]*chanuse.Node{}, recvs: map[ssa.Instruction]bool{}, vals: map[ssa.Value]bool{}, needVia: true}
	for _, op := range c.Ops {
		switch op.Kind {
		case chanuse.Send:
			sends = append(sends, op)
		case chanuse.Recv, chanuse.SelectRecv:
			fn := op.Instr.Parent()
			if recvFn != nil && fn != recvFn {
				return // several receiving functions
			}
			recvFn = fn
			w.recvs[op.Instr] = true
			switch in := op.Instr.(type) {
			case *ssa.Select:
				w.vals[in.States[op.State].Chan] = true
			case *ssa.UnOp:
				w.vals[in.X] = true
			}
		case chanuse.Close, chanuse.DeferClose:
			closes = append(closes, op)
		case chanuse.SelectSend:
			// An offer that never waits (a select with a default, as
			// Enqueue's ping beside the workers' plain one,
			// google/syzkaller#5955) only fills the buffer: it neither
			// blocks nor releases a sender.
			if sel, ok := op.Instr.(*ssa.Select); !ok || sel.Blocking || size == 0 {
				return // a blocking select send: another pattern
			}
		default:
			return
		}
	}
	if recvFn == nil || len(sends) == 0 {
		return
	}
	for _, cl := range closes {
		// A sender's own close comes after its sends on that goroutine
		// and cannot release one of them; any other close is another
		// pattern (a closer that ends the receiver's wait).
		if !slices.ContainsFunc(sends, func(s chanuse.FieldOp) bool { return s.Instr.Parent() == cl.Instr.Parent() }) {
			return
		}
	}
	var owner *ssa.Go    // the receiver is the goroutine of its own instance, started here
	own := false         // the receiver makes its own instance, each time it runs
	var starts []*ssa.Go // the receiver starts every sender itself, each time it runs
	var entries map[*ssa.Go]ssa.Instruction
	if size > 0 {
		// A buffer: only the overflow of senders the receiver starts.
		if starts, entries = startsSenders(recvFn, sends, sites); starts == nil {
			return
		}
	} else if !onceRun(recvFn, sites) {
		if owner = perInstance(recvFn, c); owner == nil {
			if own = ownInstance(recvFn, c); !own {
				if starts, _ = startsSenders(recvFn, sends, sites); starts == nil {
					return // the receiver may run again and take the value
				}
			}
		}
	}
	for _, s := range sends {
		if s.Instr.Parent() == recvFn {
			return
		}
	}
	ex := w.search(recvFn, recvFn.Blocks[0], 0, 0)
	if ex == nil || ex.sel == nil {
		return
	}
	if size > 0 {
		fieldOverflow(pass, c, size, recvFn, sends, starts, entries, w, ex, sites, funcs)
		return
	}
	if (owner != nil || own || starts != nil) && !outsideCase(ex, sends, funcs) {
		// The receiver leaves on a channel the senders close or send on
		// themselves (a loop that closes its "closed" channel on exit,
		// after its last reply): not a way around a pending send.
		return
	}
	if starts != nil && startedSignal(ex, starts) {
		return // the started goroutine closes it once its sends are done
	}
	line := func(p ssa.Instruction) int { return pass.Fset.Position(p.Pos()).Line }
	if own {
		for _, s := range sends {
			pass.Report(analysis.Diagnostic{
				Pos:      s.Instr.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("this send on an unbuffered channel (field %s) has one receiver per instance, %s, which makes the instance and waits in a select (line %d) that can take another case and return (line %d): the send for that instance then blocks forever",
					c.Field.Name(), recvFn.Name(), line(ex.sel), pass.Fset.Position(ex.ret).Line),
				Related: []analysis.RelatedInformation{
					{Pos: c.Makes[0].Pos(), Message: "each call of " + recvFn.Name() + " makes its own channel here, unbuffered"},
					{Pos: ex.sel.Pos(), Message: "the only receive, in a select"},
					{Pos: ex.via, Message: "this case wins instead"},
					{Pos: ex.ret, Message: recvFn.Name() + " returns here and nothing receives from that instance's channel again"},
				},
			})
		}
		return
	}
	if starts != nil {
		for _, s := range sends {
			pass.Report(analysis.Diagnostic{
				Pos:      s.Instr.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("this send on an unbuffered channel (field %s) runs on a goroutine that %s starts (line %d) and whose value only %s receives, in a select (line %d) that can take another case and return (line %d): each call that leaves that way leaves its sender blocked forever",
					c.Field.Name(), recvFn.Name(), line(starts[0]), recvFn.Name(), line(ex.sel), pass.Fset.Position(ex.ret).Line),
				Related: []analysis.RelatedInformation{
					{Pos: starts[0].Pos(), Message: "the sender is started here, on every call"},
					{Pos: ex.sel.Pos(), Message: "the only receive, in a select"},
					{Pos: ex.via, Message: "this case wins instead"},
					{Pos: ex.ret, Message: recvFn.Name() + " returns here without receiving"},
					{Pos: c.Makes[0].Pos(), Message: "the channel is made unbuffered here"},
				},
			})
		}
		return
	}
	if owner != nil {
		for _, s := range sends {
			pass.Report(analysis.Diagnostic{
				Pos:      s.Instr.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("this send on an unbuffered channel (field %s) has one receiver per instance, the goroutine %s starts with it (line %d), whose select (line %d) can take another case and return (line %d): every later send on that instance then blocks forever",
					c.Field.Name(), owner.Parent().Name(), line(owner), line(ex.sel), pass.Fset.Position(ex.ret).Line),
				Related: []analysis.RelatedInformation{
					{Pos: owner.Pos(), Message: "the instance's only receiver is started here"},
					{Pos: ex.sel.Pos(), Message: "the only receive, in a select"},
					{Pos: ex.via, Message: "this case wins instead"},
					{Pos: ex.ret, Message: "the receiver returns here and nothing receives from the instance's channel again"},
					{Pos: c.Makes[0].Pos(), Message: "the channel is made unbuffered here"},
				},
			})
		}
		return
	}
	if flagGuarded(ex, sends, funcs) {
		return // sent only while a flag the stopper clears says the receiver runs
	}
	for _, s := range sends {
		pass.Report(analysis.Diagnostic{
			Pos:      s.Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this send on an unbuffered channel (field %s) has one receiver, the select in %s (line %d), which can take another case and return first (line %d): the send then blocks forever and its goroutine leaks",
				c.Field.Name(), recvFn.Name(), line(ex.sel), pass.Fset.Position(ex.ret).Line),
			Related: []analysis.RelatedInformation{
				{Pos: ex.sel.Pos(), Message: "the only receive, in a select"},
				{Pos: ex.via, Message: "this case wins instead"},
				{Pos: ex.ret, Message: recvFn.Name() + " returns here without receiving"},
				{Pos: c.Makes[0].Pos(), Message: "the channel is made unbuffered here"},
			},
		})
	}
}

// perInstance returns the go statement that starts recvFn, a function
// literal, as the only receiver of the instance it is started with: the
// literal is started once (not in a loop) by the function that allocates
// the struct and stores the class's only make in its field, and every
// receive of the class in recvFn is on that struct, captured. Each
// instance then has exactly one receiving goroutine, whoever sends on it.
func perInstance(recvFn *ssa.Function, c *chanuse.Class) *ssa.Go {
	parent := recvFn.Parent()
	if parent == nil || len(c.Makes) != 1 || c.Makes[0].Parent() != parent {
		return nil
	}
	var mk *ssa.MakeClosure
	for _, b := range parent.Blocks {
		for _, instr := range b.Instrs {
			if m, ok := instr.(*ssa.MakeClosure); ok && m.Fn == recvFn {
				if mk != nil {
					return nil
				}
				mk = m
			}
		}
	}
	if mk == nil {
		return nil
	}
	var g *ssa.Go
	for _, r := range *mk.Referrers() {
		gr, ok := r.(*ssa.Go)
		if !ok || gr.Call.Value != mk || g != nil {
			return nil
		}
		g = gr
	}
	if g == nil || ssaloop.InLoop(g.Block()) {
		return nil
	}
	// The struct the make is stored into, in parent.
	var inst ssa.Value
	for _, r := range *c.Makes[0].Referrers() {
		st, ok := r.(*ssa.Store)
		if !ok {
			continue
		}
		if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
			inst = fa.X
		}
	}
	if _, ok := inst.(*ssa.Alloc); !ok {
		return nil
	}
	for _, op := range c.Ops {
		if op.Instr.Parent() != recvFn || op.Kind == chanuse.Send {
			continue
		}
		if boundTo(op.Base, recvFn, mk) != inst {
			return nil
		}
	}
	return g
}

// boundTo returns the value of parent that v, a struct pointer in the
// function literal fn, is: a free variable bound to it, or a load of a
// free variable bound to a local variable that is assigned it once.
func boundTo(v ssa.Value, fn *ssa.Function, mk *ssa.MakeClosure) ssa.Value {
	free := func(x ssa.Value) ssa.Value {
		fv, ok := x.(*ssa.FreeVar)
		if !ok {
			return nil
		}
		return chanuse.Bound(mk, fv)
	}
	if b := free(v); b != nil {
		return b
	}
	u, ok := v.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return nil
	}
	local, ok := free(u.X).(*ssa.Alloc)
	if !ok {
		return nil
	}
	var val ssa.Value
	for _, r := range *local.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Addr == local {
			if val != nil {
				return nil // assigned more than once
			}
			val = st.Val
		}
	}
	return val
}

// ownInstance reports whether recvFn makes the class's only channel into
// a struct it allocates itself, and receives only from that struct's
// field: every call has its own channel, with recvFn as its only receiver
// (a request with a reply channel, sent to a server loop).
func ownInstance(recvFn *ssa.Function, c *chanuse.Class) bool {
	if len(c.Makes) != 1 || c.Makes[0].Parent() != recvFn {
		return false
	}
	var inst ssa.Value
	for _, r := range *c.Makes[0].Referrers() {
		if st, ok := r.(*ssa.Store); ok {
			if fa, ok := st.Addr.(*ssa.FieldAddr); ok {
				inst = fa.X
			}
		}
	}
	if _, ok := inst.(*ssa.Alloc); !ok {
		return false // not a struct recvFn allocates
	}
	for _, op := range c.Ops {
		if op.Kind != chanuse.Send && op.Base != inst {
			return false
		}
	}
	return true
}

// outsideCase reports whether the select case ex leaves through fires
// independently of the senders: a default, a context's Done or a timer
// (outsideStop), or a channel that no function sending on the class
// closes or sends on.
func outsideCase(ex *exit, sends []chanuse.FieldOp, funcs []*ssa.Function) bool {
	var ch ssa.Value
	for _, st := range ex.sel.States {
		if st.Pos == ex.via && st.Dir == types.RecvOnly {
			ch = st.Chan
		}
	}
	if ch == nil {
		return true // the default of a non-blocking select
	}
	if outsideStop(ch, 0) != "" {
		return true
	}
	// The functions that send on the class, and those they call.
	senders := map[*ssa.Function]bool{}
	for _, s := range sends {
		fn := s.Instr.Parent()
		senders[fn] = true
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(ssa.CallInstruction); ok {
					if callee := c.Common().StaticCallee(); callee != nil {
						senders[callee] = true
					}
				}
			}
		}
	}
	// The channel as the receiver names it: a field, or a value.
	var field *types.Var
	if u, ok := ch.(*ssa.UnOp); ok && u.Op == token.MUL {
		field = chanuse.StructFieldOf(u.X)
	}
	if field == nil {
		return false // a local or captured channel: who closes it is not followed here
	}
	for _, fn := range funcs {
		if !senders[fn] {
			continue
		}
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				var v ssa.Value
				switch in := instr.(type) {
				case *ssa.Send:
					v = in.Chan
				case *ssa.Call:
					if bi, ok := in.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" && len(in.Call.Args) == 1 {
						v = in.Call.Args[0]
					}
				case *ssa.Defer:
					if bi, ok := in.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" && len(in.Call.Args) == 1 {
						v = in.Call.Args[0]
					}
				}
				if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL && chanuse.StructFieldOf(u.X) == field {
					return false
				}
			}
		}
	}
	return true
}

// startsSenders returns the go statements of recvFn, or of the
// functions it calls (two levels deep, each called only from recvFn or
// from another of them), whose goroutines make every one of the plain
// sends (in the started function, a function it calls, or a callback it
// hands on), when no send is reached from recvFn other than through them.
// Each call of recvFn then starts its own senders: a call that leaves
// without receiving leaves one behind whether or not recvFn runs again
// (controller-runtime#2527: Start starts leader election, which reports
// its failure on the manager's errChan, and returns on its context;
// e2b-dev/infra#343: Handle's cmdRead and cmdWrite each start a request
// goroutine that reports its error on the dispatcher's fatal channel).
// entries maps each go statement to the instruction of recvFn it runs
// through: itself, or the call of the function that starts it.
func startsSenders(recvFn *ssa.Function, sends []chanuse.FieldOp, sites map[*ssa.Function][]ssa.Instruction) (gos []*ssa.Go, entries map[*ssa.Go]ssa.Instruction) {
	var roots []*ssa.Function
	entries = map[*ssa.Go]ssa.Instruction{}
	chain := map[*ssa.Function]bool{recvFn: true}
	var scan func(fn *ssa.Function, entry ssa.Instruction, depth int)
	scan = func(fn *ssa.Function, entry ssa.Instruction, depth int) {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Go:
					if callee := in.Call.StaticCallee(); callee != nil && !in.Call.IsInvoke() && entries[in] == nil {
						gos = append(gos, in)
						roots = append(roots, callee)
						at := entry
						if at == nil {
							at = in
						}
						entries[in] = at
					}
				case *ssa.Call:
					callee := in.Call.StaticCallee()
					if depth >= 2 || callee == nil || callee.Blocks == nil || chain[callee] || callee.Pkg != recvFn.Pkg || callee.Parent() != nil {
						continue
					}
					private := len(sites[callee]) > 0
					for _, site := range sites[callee] {
						if site == nil || !chain[site.Parent()] && site.Parent() != fn {
							private = false
						}
					}
					if !private {
						continue // others start its goroutines too
					}
					chain[callee] = true
					at := entry
					if at == nil {
						at = in
					}
					scan(callee, at, depth+1)
				}
			}
		}
	}
	scan(recvFn, nil, 0)
	if len(gos) == 0 {
		return nil, nil
	}
	started := reachedFrom(roots, nil, nil)
	direct := reachedFrom([]*ssa.Function{recvFn}, gos, roots)
	for _, s := range sends {
		fn := s.Instr.Parent()
		if !started[fn] || direct[fn] {
			return nil, nil
		}
	}
	return gos, entries
}

// reachedFrom returns the functions of the package that roots run or may
// run, a few levels deep: static callees and the function literals they
// make (a callback may run on their behalf). The go statements in skip,
// and the literals they start (not), are not followed.
func reachedFrom(roots []*ssa.Function, skip []*ssa.Go, not []*ssa.Function) map[*ssa.Function]bool {
	seen := map[*ssa.Function]bool{}
	type item struct {
		fn    *ssa.Function
		depth int
	}
	queue := []item{}
	for _, r := range roots {
		seen[r] = true
		queue = append(queue, item{r, 0})
	}
	skipped := map[ssa.Instruction]bool{}
	for _, g := range skip {
		skipped[g] = true
		if mk, ok := g.Call.Value.(*ssa.MakeClosure); ok && slices.Contains(not, mk.Fn.(*ssa.Function)) {
			skipped[mk] = true
		}
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if it.depth >= 4 {
			continue
		}
		add := func(f *ssa.Function) {
			if f != nil && f.Blocks != nil && !seen[f] {
				seen[f] = true
				queue = append(queue, item{f, it.depth + 1})
			}
		}
		for _, b := range it.fn.Blocks {
			for _, instr := range b.Instrs {
				if skipped[instr] {
					continue
				}
				switch in := instr.(type) {
				case ssa.CallInstruction:
					if !in.Common().IsInvoke() {
						add(in.Common().StaticCallee())
					}
				case *ssa.MakeClosure:
					add(in.Fn.(*ssa.Function))
				}
			}
		}
	}
	return seen
}

// startedSignal reports whether the case ex leaves its select through is
// a field's channel that a goroutine among starts (or what it runs)
// closes or sends on: it fires only once that goroutine's sends are done.
func startedSignal(ex *exit, starts []*ssa.Go) bool {
	var roots []*ssa.Function
	for _, g := range starts {
		roots = append(roots, g.Call.StaticCallee())
	}
	for _, st := range ex.sel.States {
		if st.Pos != ex.via || st.Dir != types.RecvOnly {
			continue
		}
		fk, ok := chanKey(st.Chan).(fieldKey)
		if !ok {
			return false
		}
		for fn := range reachedFrom(roots, nil, nil) {
			if signalsField(fn, fk.field, 2) {
				return true
			}
		}
	}
	return false
}

// fieldOverflow is overflow for a buffered field class: the receiver
// starts the senders (starts, through entries), each started goroutine
// sends once with a plain send (in the started function, or in a helper
// it calls from one place outside loops: d.reportFatal(err)), and the
// receiver, the only one, can return through a case that fires whatever
// the senders do (ex). Senders started before it returns are not waited
// for, and only size of them find room: the rest block forever, with
// whatever waits for them (e2b-dev/infra#343: every request goroutine
// reports its error on the dispatcher's fatal channel, with room for 8,
// which the request loop polls and leaves on the first error, its context
// or the end of the requests; Drain then waits for ever on the request
// group). The senders outnumber the buffer when they are started in a
// loop no count bounds (by the receiver, or by a goroutine it starts
// once), or when the receiver starts more of them, each once, than the
// buffer holds and can return without receiving after the last start
// (caddyserver/caddy#7418 with the error channel in a field: two copiers,
// room for one, and a stream timeout).
func fieldOverflow(pass *analysis.Pass, c *chanuse.Class, size int, recvFn *ssa.Function, sends []chanuse.FieldOp, starts []*ssa.Go, entries map[*ssa.Go]ssa.Instruction, w *walker, ex *exit, sites map[*ssa.Function][]ssa.Instruction, funcs []*ssa.Function) {
	// Each started goroutine sends once: one plain send, outside loops,
	// reached from the started function through calls from one place
	// outside loops.
	var roots []*ssa.Function
	for _, g := range starts {
		roots = append(roots, g.Call.StaticCallee())
	}
	started := reachedFrom(roots, nil, nil)
	gosOf := map[ssa.Instruction][]*ssa.Go{}
	per := map[*ssa.Function]int{}
	for _, s := range sends {
		if ssaloop.InLoop(s.Instr.Block()) {
			return
		}
		gos := senderGos(s.Instr.Parent(), sites, 0)
		if gos == nil {
			return
		}
		seen := map[*ssa.Function]bool{}
		for _, g := range gos {
			fn := g.Call.StaticCallee()
			if fn == nil || entries[g] == nil && !started[g.Parent()] {
				return // started elsewhere too: not only the receiver's senders
			}
			if !seen[fn] {
				seen[fn] = true
				if per[fn]++; per[fn] > 1 {
					return
				}
			}
		}
		gosOf[s.Instr] = gos
	}
	// The receives of recvFn, and the bodies of its select cases that
	// receive: a start reached only after a receive is paced by it.
	var paced []*ssa.BasicBlock
	for _, op := range c.Ops {
		switch in := op.Instr.(type) {
		case *ssa.UnOp:
			if in.Parent() == recvFn {
				paced = append(paced, in.Block())
			}
		case *ssa.Select:
			if in.Parent() == recvFn {
				bodies, _ := caseBodies(in)
				if b, ok := bodies[op.State]; ok {
					paced = append(paced, b)
				}
			}
		}
	}
	// loopStart returns the start, or the instruction of recvFn it runs
	// through, that is in a loop, if any.
	loopStart := func(g *ssa.Go) ssa.Instruction {
		if ssaloop.InLoop(g.Block()) {
			return g
		}
		if at := entries[g]; at != nil && ssaloop.InLoop(at.Block()) {
			return at
		}
		return nil
	}
	// unbounded reports whether the loop around at is bounded by no
	// count the buffer holds and not paced by a receive.
	unbounded := func(at ssa.Instruction) bool {
		if fitsBuffer(at.Block(), size, true) {
			return false
		}
		// A loop that also receives from the channel before each start
		// starts a sender only once the last value was taken.
		loop := ssaloop.Blocks(at.Block())
		return !slices.ContainsFunc(paced, func(b *ssa.BasicBlock) bool {
			return loop[b] && (b == at.Block() || b.Dominates(at.Block()))
		})
	}
	startOf := map[ssa.Instruction]ssa.Instruction{}
	var once []*ssa.Go // senders recvFn starts once per call, outside loops
	for _, s := range sends {
		for _, g := range gosOf[s.Instr] {
			if at := loopStart(g); at != nil {
				if unbounded(at) && startOf[s.Instr] == nil {
					startOf[s.Instr] = at
				}
			} else if entries[g] != nil && !slices.Contains(once, g) {
				once = append(once, g)
			}
		}
	}
	if len(startOf) == 0 {
		fieldOverflowOnce(pass, c, size, recvFn, sends, starts, entries, once, w, funcs)
		return
	}
	if !outsideCase(ex, sends, funcs) || startedSignal(ex, starts) || flagGuarded(ex, sends, funcs) {
		return
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	for _, s := range sends {
		loopAt := startOf[s.Instr]
		if loopAt == nil {
			continue
		}
		through := ""
		if loopAt.Parent() != recvFn {
			through = ", in " + loopAt.Parent().Name()
		} else if call, ok := loopAt.(*ssa.Call); ok && call.Call.StaticCallee() != nil {
			through = ", through " + call.Call.StaticCallee().Name()
		}
		pass.Report(analysis.Diagnostic{
			Pos:      s.Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("goroutines that %s starts in a loop no count bounds (line %d%s) each send once on field %s, made with room for %d, and its only receiver %s can return (line %d) without receiving the rest: once more than %d have sent, the rest block forever and leak (send in a select with a default, or on the same stop signal)",
				recvFn.Name(), line(loopAt.Pos()), through, c.Field.Name(), size, recvFn.Name(), line(ex.ret), size),
			Related: []analysis.RelatedInformation{
				{Pos: loopAt.Pos(), Message: "the senders are started here, in a loop no count bounds"},
				{Pos: ex.sel.Pos(), Message: "the receive, in a select"},
				{Pos: ex.via, Message: "this case wins instead"},
				{Pos: ex.ret, Message: recvFn.Name() + " returns here without receiving the rest"},
				{Pos: c.Makes[0].Pos(), Message: fmt.Sprintf("the channel is made here with room for %d", size)},
			},
		})
	}
}

// fieldOverflowOnce is fieldOverflow for senders recvFn starts a known
// number of times per call (once, outside loops, each): when there are
// more of them than the buffer holds and recvFn can return without
// receiving after the last start, through a case that fires whatever
// they do, the last sender blocks forever. A later call of recvFn takes
// at most what it receives and starts as many again, so it frees none.
func fieldOverflowOnce(pass *analysis.Pass, c *chanuse.Class, size int, recvFn *ssa.Function, sends []chanuse.FieldOp, starts []*ssa.Go, entries map[*ssa.Go]ssa.Instruction, once []*ssa.Go, w *walker, funcs []*ssa.Function) {
	if len(once) <= size {
		return
	}
	// Every send is made by one of these goroutines.
	for _, s := range sends {
		if !slices.ContainsFunc(once, func(g *ssa.Go) bool {
			return reachedFrom([]*ssa.Function{g.Call.StaticCallee()}, nil, nil)[s.Instr.Parent()]
		}) {
			return
		}
	}
	// The last start: every other one comes before it.
	before := func(a, b ssa.Instruction) bool {
		if a.Block() == b.Block() {
			return indexOf(a) < indexOf(b)
		}
		return a.Block().Dominates(b.Block())
	}
	var last ssa.Instruction
	for _, g := range once {
		at := entries[g]
		if at.Parent() != recvFn {
			return
		}
		if last == nil || before(last, at) {
			last = at
		}
	}
	for _, g := range once {
		if at := entries[g]; at != last && !before(at, last) {
			return
		}
	}
	ex := w.search(recvFn, last.Block(), indexOf(last)+1, 0)
	if ex == nil || ex.sel == nil || !outsideCase(ex, sends, funcs) || startedSignal(ex, starts) || flagGuarded(ex, sends, funcs) {
		return
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	for _, s := range sends {
		pass.Report(analysis.Diagnostic{
			Pos:      s.Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%d goroutines that %s starts each send once on field %s, made with room for %d, and its only receiver %s can return (line %d) without receiving: the last send then blocks forever and its goroutine leaks (size the buffer to the senders)",
				len(once), recvFn.Name(), c.Field.Name(), size, recvFn.Name(), line(ex.ret)),
			Related: []analysis.RelatedInformation{
				{Pos: last.Pos(), Message: "the last sender is started here"},
				{Pos: ex.sel.Pos(), Message: "the receive, in a select"},
				{Pos: ex.via, Message: "this case wins instead"},
				{Pos: ex.ret, Message: recvFn.Name() + " returns here without receiving"},
				{Pos: c.Makes[0].Pos(), Message: fmt.Sprintf("the channel is made here with room for %d", size)},
			},
		})
	}
}

// senderGos returns the go statements whose goroutines run fn: the
// statements that start it, or, when fn is called from one place outside
// loops (a call or a deferred call), those that run its caller, a few
// levels up. It returns nil when fn is also called otherwise (from
// several places, in a loop, or as a function value).
func senderGos(fn *ssa.Function, sites map[*ssa.Function][]ssa.Instruction, depth int) []*ssa.Go {
	ss := sites[fn]
	var gos []*ssa.Go
	for _, site := range ss {
		switch in := site.(type) {
		case *ssa.Go:
			gos = append(gos, in)
		case *ssa.Call, *ssa.Defer:
			if len(ss) != 1 || depth >= 3 || ssaloop.InLoop(in.Block()) {
				return nil
			}
			return senderGos(in.Parent(), sites, depth+1)
		default:
			return nil
		}
	}
	return gos
}
