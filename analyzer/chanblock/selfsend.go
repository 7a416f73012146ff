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

// selfSend reports a plain send on a channel field whose only receiving
// function is the one the send runs under, on the same object (directly
// or through this package's callees): while the receiver sends it cannot
// receive, so an unbuffered send blocks forever, and a buffered one does
// once other senders have filled the buffer (an event loop that queues
// work to itself). The receiving function must run as goroutines only,
// never called directly: one per object (one go statement, outside
// loops), or a pool of them on a channel with a constant buffer, whose
// workers can all be blocked in such sends once the buffer is full. The
// sends are followed into the callees and the function literals (called
// or deferred) that get the object. For a buffered channel there must be
// producers: sends elsewhere that neither fill a channel their function
// has just made nor put back a value their function has received (a token
// channel); or, with none, a send of the loop's own in an inner loop that
// takes nothing from the channel, so that one turn can send any number of
// times while the next turn takes one (gost#9: a broadcast re-queueing
// every client whose write failed on the loop's own closed channel); that
// inner loop may be in any function on the way from the loop to the send
// (a broadcast helper that calls drop for each failed client).
func selfSend(st *state, c *class, size int, sites *callSites) {
	var loop *ssa.Function
	var recv *ssa.Parameter
	for _, op := range append(append([]op(nil), c.o.recvs...), c.o.selRecvs...) {
		fn := op.Instr.Parent()
		p, ok := op.Base.(*ssa.Parameter)
		if !ok || p.Parent() != fn || (loop != nil && (fn != loop || p != recv)) {
			return
		}
		loop, recv = fn, p
	}
	if loop == nil || c.LenChecked {
		return
	}
	var gs []ssa.CallInstruction
	for _, g := range sites.gos[loop] {
		gs = append(gs, g)
	}
	if sites.calls[loop] > 0 {
		// Called only by function literals that are only started as
		// goroutines: go func() { s.worker(ctx) }().
		if sites.calls[loop] != len(sites.callers[loop]) {
			return // taken as a function value
		}
		for _, call := range sites.callers[loop] {
			lit := call.Parent()
			if _, ok := call.(*ssa.Call); !ok || lit.Parent() == nil || !onlyStarted(lit) {
				return
			}
			lgs := goSites(lit, nil)
			if len(lgs) == 0 {
				return
			}
			gs = append(gs, lgs...)
		}
	}
	// An exported loop the package neither starts nor calls is run by its
	// client, as one goroutine's event loop: only the select-turn shape
	// below is checked for it.
	clientLoop := len(gs) == 0 && sites.calls[loop] == 0 && loop.Object() != nil && loop.Object().Exported() && size > 0
	if len(gs) == 0 && !clientLoop {
		return // no goroutine is known to receive
	}
	// Several goroutines of the loop (a worker pool): each may be the one
	// sending, but when the buffer (a constant one) is full every worker
	// can be blocked in such a send at once, with none left to receive
	// (block/cachew#261).
	pool := !clientLoop && (len(gs) > 1 || ssaloop.InLoop(gs[0].Block()))
	if pool && !recvLoops(c) {
		// Workers that take one value and hand one on (a stop token
		// passed down the line) take out as many as they put back:
		// only a worker that goes on taking can be starved.
		return
	}
	// The functions the loop's goroutine runs with the same object.
	type at struct {
		fn   *ssa.Function
		p    ssa.Value
		call ssa.Instruction // the loop's call that leads here
		site ssa.Instruction // the call (or literal) in the caller that leads here
	}
	reach := map[*ssa.Function]at{loop: {loop, recv, nil, nil}}
	work := []at{{loop, recv, nil, nil}}
	for len(work) > 0 && len(reach) < 32 {
		w := work[0]
		work = work[1:]
		for _, b := range w.fn.Blocks {
			for _, instr := range b.Instrs {
				if mk, ok := instr.(*ssa.MakeClosure); ok {
					// A literal called or deferred here that captures the
					// object: its sends run in this goroutine too.
					lit := mk.Fn.(*ssa.Function)
					if _, ok := reach[lit]; ok || !onlyCalled(mk) {
						continue
					}
					for i, bnd := range mk.Bindings {
						if bnd == w.p || objOf(bnd) == w.p {
							via := w.call
							if via == nil {
								via = mk
							}
							n := at{lit, lit.FreeVars[i], via, mk}
							reach[lit] = n
							work = append(work, n)
							break
						}
					}
					continue
				}
				call, ok := instr.(*ssa.Call)
				if !ok {
					continue
				}
				callee := call.Call.StaticCallee()
				args := call.Call.Args
				if callee == nil && call.Call.IsInvoke() {
					// e.eval(app): the package's one implementation, its
					// receiver the first parameter.
					callee = chanuse.Callee(loop.Pkg, &call.Call)
					args = append([]ssa.Value{call.Call.Value}, args...)
				}
				if callee == nil || callee.Blocks == nil || callee.Pkg != loop.Pkg {
					continue
				}
				if _, ok := reach[callee]; ok {
					continue
				}
				for i, a := range args {
					if a == w.p && i < len(callee.Params) {
						via := w.call
						if via == nil {
							via = call
						}
						n := at{callee, callee.Params[i], via, call}
						reach[callee] = n
						work = append(work, n)
						break
					}
				}
			}
		}
	}
	// on reports whether a send on the object's field runs in a reached
	// function with the object reached there (a literal loads the
	// captured variable).
	on := func(s op) (at, bool) {
		r, ok := reach[s.Instr.Parent()]
		return r, ok && (r.p == s.Base || varOf(s.Base) == r.p)
	}
	others := 0
	for _, s := range c.o.sends {
		if _, ok := on(s); ok {
			continue
		}
		if !c.makesIn(s.Instr.Parent()) && !c.recvBefore(s.Instr) {
			others++
		}
	}
	var burst, turn map[ssa.Instruction]bool
	if size > 0 && others == 0 && !pool {
		burst, turn = map[ssa.Instruction]bool{}, map[ssa.Instruction]bool{}
		for _, s := range c.o.sends {
			r, ok := on(s)
			if !ok {
				continue
			}
			if size <= maxTurnRoom && c.turnSend(loop, s.Instr, r.call) {
				turn[s.Instr] = true
				continue
			}
			if clientLoop {
				continue
			}
			// The send, or any call on the way from the loop to it (a
			// broadcast that calls drop for each failed client), may
			// sit in a loop of its own that takes nothing.
			for x, n := ssa.Instruction(s.Instr), 0; x != nil && n < 8; n++ {
				if c.burstSend(x) {
					burst[s.Instr] = true
					break
				}
				x = reach[x.Parent()].site
			}
		}
		if len(burst) == 0 && len(turn) == 0 {
			return
		}
	} else if clientLoop {
		return
	} else if size != 0 && (size < 0 && !callerSized(c.Makes) || others == 0) {
		return // buffered: only when other senders fill it
	}
	if pool && (size <= 0 || others == 0) {
		// Unbuffered, one worker's send is taken by another unless all
		// send at once; with a buffer, a full one stops them all.
		return
	}
	for _, s := range c.o.sends {
		r, ok := on(s)
		if !ok || burst != nil && !burst[s.Instr] && !turn[s.Instr] {
			continue
		}
		if pool {
			msg := fmt.Sprintf("%s is received from only by %s goroutines (a pool), and this send runs in one of them on the same object (reached from %s): once other senders have filled the channel, every worker can be blocked in such a send at once and none is left to receive, so they block forever", c.name, loop.Name(), loop.Name())
			rel := []analysis.RelatedInformation{{Pos: c.Makes[0].Pos(), Message: "the channel is made here"}, {Pos: gs[0].Pos(), Message: "the workers are started here"}}
			if r.call != nil {
				rel = append(rel, analysis.RelatedInformation{Pos: r.call.Pos(), Message: loop.Name() + " reaches the sender here"})
			}
			st.Report(analysis.Diagnostic{Pos: s.Instr.Pos(), Category: "deadlock", Message: msg, Related: rel})
			continue
		}
		msg := fmt.Sprintf("%s is received from only by %s, and this send runs in %s's own goroutine on the same object", c.name, loop.Name(), loop.Name())
		if r.call != nil {
			msg += fmt.Sprintf(" (called at line %d)", st.pass.Fset.Position(r.call.Pos()).Line)
		}
		if size == 0 {
			msg += ": the channel is unbuffered and its only receiver is busy sending, so the send blocks forever"
		} else if turn[s.Instr] {
			msg += fmt.Sprintf(", from another case of the select that receives it: each turn that takes that case adds a value, the select may take it again while the channel holds %d, and then the send blocks forever, because its only receiver is busy sending", size)
		} else if burst != nil {
			msg += fmt.Sprintf(", inside a loop that takes nothing from it: one turn can send more than its buffer of %d holds, and then the send blocks forever, because its only receiver is busy sending", size)
		} else if size < 0 {
			msg += ": once other senders have filled its buffer (sized by the maker's caller), the send blocks forever, because its only receiver is busy sending"
		} else {
			msg += fmt.Sprintf(": once other senders have filled its buffer of %d, the send blocks forever, because its only receiver is busy sending", size)
		}
		rel := []analysis.RelatedInformation{{Pos: c.Makes[0].Pos(), Message: "the channel is made here"}}
		if r.call != nil {
			rel = append(rel, analysis.RelatedInformation{Pos: r.call.Pos(), Message: loop.Name() + " calls the sender here"})
		}
		st.Report(analysis.Diagnostic{Pos: s.Instr.Pos(), Category: "deadlock", Message: msg, Related: rel})
	}
}

// maxTurnRoom is the largest buffer turnSend considers: a select picks
// among its ready cases at random, so filling a room of a few values
// through one case takes a few turns in a row, a plausible run; a large
// queue is the programmer's bet on the other case's rate.
const maxTurnRoom = 4

// turnSend reports whether send, a send on the class made by loop's
// goroutine (directly, or through the loop's call at), runs in the body of
// a case of a select in a loop of loop's that has a receive case on the
// class too, the send's case receiving from another channel: the select
// may take that case again while the buffer holds the values already
// sent (gokcehan/lf#2674: two quit keys evaluated before the quit case is
// taken).
func (c *class) turnSend(loop *ssa.Function, send, at ssa.Instruction) bool {
	if at == nil {
		at = send
	}
	if at.Parent() != loop || ssaloop.InLoop(send.Block()) && send.Parent() != loop {
		return false
	}
	for _, r := range c.o.selRecvs {
		sel, ok := r.Instr.(*ssa.Select)
		if !ok || sel.Parent() != loop || !sel.Blocking || !ssaloop.InLoop(sel.Block()) {
			continue
		}
		for k, st := range sel.States {
			if k == r.State || st.Dir != types.RecvOnly || timerC(st.Chan) {
				continue
			}
			test := caseTest(sel, k)
			if test == nil {
				continue
			}
			body := test.Succs[0]
			if len(body.Preds) == 1 && body.Dominates(at.Block()) {
				return true
			}
		}
	}
	return false
}

// timerC reports whether ch is the C of a time.Timer kept in a field or
// variable: it delivers once per start or Reset, so a case on it fires
// again only once the loop has rearmed the timer (a retry loop feeding
// itself the next interval when its timer fires, and resetting the timer
// when it takes that interval).
func timerC(ch ssa.Value) bool {
	u, ok := ch.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return false
	}
	fa, ok := u.X.(*ssa.FieldAddr)
	if !ok {
		return false
	}
	p, ok := fa.X.Type().Underlying().(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := p.Elem().(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Timer"
}

// burstSend reports whether instr (a send, or the call that leads to one)
// sits on a cycle of its function that passes no receive of the class and
// is not counted up to a constant: one turn of the enclosing loop can run
// it any number of times.
func (c *class) burstSend(instr ssa.Instruction) bool {
	avoid := map[*ssa.BasicBlock]bool{}
	for _, r := range append(append([]op(nil), c.o.recvs...), c.o.selRecvs...) {
		if r.Instr.Parent() == instr.Parent() {
			avoid[r.Instr.Block()] = true
		}
	}
	b := instr.Block()
	if avoid[b] {
		return false
	}
	step := func(next []*ssa.BasicBlock) []*ssa.BasicBlock {
		var out []*ssa.BasicBlock
		for _, x := range next {
			if !avoid[x] {
				out = append(out, x)
			}
		}
		return out
	}
	fwd := reachable(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return step(x.Succs) })
	back := reachable(b, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return step(x.Preds) })
	if !fwd[b] {
		return false
	}
	// The cycle's exit tests (an If with a successor off the cycle) must
	// not count up to a constant.
	for x := range fwd {
		if !back[x] {
			continue
		}
		iff, ok := x.Instrs[len(x.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		exits := false
		for _, s := range x.Succs {
			exits = exits || !fwd[s] || !back[s]
		}
		// A list walked to its end (p != nil) is not counted.
		bin, isBin := iff.Cond.(*ssa.BinOp)
		if exits && hasConst(iff.Cond, 0) && !(isBin && (nilTest(bin, bin.X) || nilTest(bin, bin.Y))) {
			return false
		}
	}
	return true
}

// onlyCalled reports whether mk, a function literal, is only called or
// deferred where it is made (not stored, passed on or started).
func onlyCalled(mk *ssa.MakeClosure) bool {
	refs := *mk.Referrers()
	for _, r := range refs {
		switch x := r.(type) {
		case *ssa.Call:
			if x.Call.Value != ssa.Value(mk) {
				return false
			}
		case *ssa.Defer:
			if x.Call.Value != ssa.Value(mk) {
				return false
			}
		default:
			return false
		}
	}
	return len(refs) > 0
}

// callSites counts how each function of the package is started: go
// statements, and direct calls.
type callSites struct {
	gos     map[*ssa.Function][]*ssa.Go
	calls   map[*ssa.Function]int                   // direct calls, and uses as a value
	callers map[*ssa.Function][]ssa.CallInstruction // the direct calls (and defers)
}

func newCallSites(funcs []*ssa.Function) *callSites {
	cs := &callSites{gos: map[*ssa.Function][]*ssa.Go{}, calls: map[*ssa.Function]int{}, callers: map[*ssa.Function][]ssa.CallInstruction{}}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Go:
					if callee := in.Call.StaticCallee(); callee != nil {
						cs.gos[callee] = append(cs.gos[callee], in)
					}
				case ssa.CallInstruction:
					if callee := in.Common().StaticCallee(); callee != nil {
						cs.calls[callee]++
						cs.callers[callee] = append(cs.callers[callee], in)
					}
				}
				// A method value or function value taken elsewhere may be
				// called in ways not counted here.
				for _, op := range instr.Operands(nil) {
					if f, ok := (*op).(*ssa.Function); ok {
						if c, ok := instr.(ssa.CallInstruction); !ok || c.Common().Value != f {
							cs.calls[f]++
						}
					}
				}
			}
		}
	}
	return cs
}

// makesIn reports whether fn makes the class's channel.
func (c *class) makesIn(fn *ssa.Function) bool {
	for _, m := range c.Makes {
		if m.Parent() == fn {
			return true
		}
	}
	return false
}

// recvBefore reports whether a receive from the class dominates instr in
// its function (the send puts back what was taken).
func (c *class) recvBefore(instr ssa.Instruction) bool {
	for _, r := range append(append([]op(nil), c.o.recvs...), c.o.selRecvs...) {
		if r.Instr.Parent() != instr.Parent() {
			continue
		}
		rb, b := r.Instr.Block(), instr.Block()
		if rb == b && index(r.Instr) < index(instr) || rb != b && rb.Dominates(b) {
			return true
		}
	}
	return false
}

// recvLoops reports whether one of c's receives sits in a loop of its
// function: a worker that goes on taking values.
func recvLoops(c *class) bool {
	for _, op := range append(append([]op(nil), c.o.recvs...), c.o.selRecvs...) {
		if ssaloop.InLoop(op.Instr.Block()) {
			return true
		}
	}
	return false
}
