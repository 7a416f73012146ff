package chanmodel

import (
	"go/constant"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// Polling loops (session 23, selclose).
//
// A select with a default in a loop polls: when none of its cases is
// ready it takes the default and comes round again. The explorer used to
// count that default as a move, so a state where every other goroutine
// waits and a poller spins at a select whose cases nothing can make ready
// any more was never stuck: the poller went round until the loop bound
// pruned the path, and the wait of the others (a wg.Wait for the poller,
// a stop sent once to several pollers) went unreported.
//
// A default is a pure poll when every way from the default back to the
// same select stays in the loop and does nothing the model follows: no
// operation on a modelled channel, WaitGroup, lock or context, no call or
// start of a node, no return, panic or call that does not return, no make
// of the channel, no store to a tracked flag or predicate. Then taking it
// changes nothing another goroutine can see and leaves the poller where
// it was: when nothing else can move, the state is stuck (the poller
// spins forever instead of blocking). Whatever the default does besides
// (calls the model does not follow, local arithmetic) cannot end the
// loop, since every path of it comes back to the select.

type pollKey struct {
	n   *chanuse.Node
	sel *ssa.Select
}

// purePoll reports whether sel's default, in node n, is a pure poll.
func (m *model) purePoll(n *chanuse.Node, sel *ssa.Select) bool {
	if sel.Blocking {
		return false
	}
	k := pollKey{n, sel}
	if v, ok := m.polls[k]; ok {
		return v
	}
	v := m.pollsPurely(n, sel)
	if m.polls == nil {
		m.polls = map[pollKey]bool{}
	}
	m.polls[k] = v
	return v
}

func (m *model) pollsPurely(n *chanuse.Node, sel *ssa.Select) bool {
	home := sel.Block()
	var l *loop
	for _, x := range m.loops[n.Fn] {
		if x.body[home] && (l == nil || len(x.body) < len(l.body)) {
			l = x
		}
	}
	if l == nil || !hasExit(l) {
		// A loop with no way out at all spins by design (a load
		// generator for the program's life): not the shape of a poll
		// waiting for its exit case; the default moves as before.
		return false
	}
	at := -1
	for i, in := range home.Instrs {
		if in == ssa.Instruction(sel) {
			at = i
		}
	}
	if at < 0 {
		return false
	}
	// The instructions of sel's block before it run every round.
	for _, in := range home.Instrs[:at] {
		if !m.pollQuiet(n, in) {
			return false
		}
	}
	type pos struct {
		b   *ssa.BasicBlock
		idx int
	}
	seen := map[*ssa.BasicBlock]bool{}
	work := []pos{{home, at + 1}}
	for len(work) > 0 {
		p := work[len(work)-1]
		work = work[:len(work)-1]
		var succs []*ssa.BasicBlock
		for _, in := range p.b.Instrs[p.idx:] {
			if !m.pollQuiet(n, in) {
				return false
			}
			switch in := in.(type) {
			case *ssa.If:
				switch defaultTaken(sel, in.Cond) {
				case 1:
					succs = append(succs, in.Block().Succs[0])
				case 0:
					succs = append(succs, in.Block().Succs[1])
				default:
					succs = append(succs, in.Block().Succs...)
				}
			case *ssa.Jump:
				succs = append(succs, in.Block().Succs[0])
			}
		}
		for _, b := range succs {
			if b == home {
				continue // round again, to the same select
			}
			if !l.body[b] {
				return false // leaves the loop
			}
			if !seen[b] {
				seen[b] = true
				work = append(work, pos{b, 0})
			}
		}
	}
	return true
}

// defaultTaken tells how cond comes out after sel took its default: 1
// true, 0 false, -1 not known. The default's index is -1, so a test of
// the index against a case's (k >= 0) fails.
func defaultTaken(sel *ssa.Select, cond ssa.Value) int {
	b, ok := cond.(*ssa.BinOp)
	if !ok || (b.Op != token.EQL && b.Op != token.NEQ) {
		return -1
	}
	x, y := b.X, b.Y
	if _, ok := x.(*ssa.Const); ok {
		x, y = y, x
	}
	e, ok := x.(*ssa.Extract)
	if !ok || e.Tuple != ssa.Value(sel) || e.Index != 0 {
		return -1
	}
	c, ok := y.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
		return -1
	}
	if k, exact := constant.Int64Val(c.Value); !exact || k < 0 {
		return -1
	}
	if b.Op == token.EQL {
		return 0
	}
	return 1
}

// pollQuiet reports whether in, on a pure poll's path, does nothing the
// model follows.
func (m *model) pollQuiet(n *chanuse.Node, in ssa.Instruction) bool {
	if len(m.ops[n][in]) > 0 || len(m.children[n][in]) > 0 {
		return false
	}
	if m.sy != nil && m.sy.ops[n][in] != nil {
		return false
	}
	if _, ok := n.Map[in]; ok {
		return false
	}
	if m.start != nil && in == m.start {
		return false
	}
	switch in := in.(type) {
	case *ssa.Return, *ssa.Panic, *ssa.Go, *ssa.Defer, *ssa.MakeChan, *ssa.Select, *ssa.Send:
		return false
	case *ssa.UnOp:
		return in.Op != token.ARROW
	case *ssa.Call:
		if in == m.thenCall || chanuse.NoReturn(&in.Call) || testFails(&in.Call) {
			return false
		}
	case *ssa.Store:
		if m.flags != nil || (m.vals != nil && m.vals.copies != nil) {
			return false
		}
		if m.sy != nil && m.sy.cm.predSets[in] != nil {
			return false
		}
	}
	return true
}

// pollsAt reports whether goroutine g waits at a non-blocking select: in
// a stuck state it spins there (a pure poll) rather than blocks.
func pollsAt(g *gor) bool {
	for _, o := range g.parked {
		if sel, ok := o.op.Instr.(*ssa.Select); ok && !sel.Blocking {
			return true
		}
	}
	return false
}

// mayRecover reports whether a function g runs in defers a call that may
// recover: a panic on the poll's path (a nil pointer in a call the model
// does not follow) would then be a way out of the loop.
func (m *model) mayRecover(g *gor) bool {
	for _, f := range g.frames {
		if m.defersRecover(f.node.Fn) {
			return true
		}
	}
	return false
}

// defersRecover reports whether fn defers a call that may recover: one
// of the package's functions that calls recover, a dynamic or interface
// call, or another package's function outside a few known not to.
func (m *model) defersRecover(fn *ssa.Function) bool {
	if v, ok := m.recovers[fn]; ok {
		return v
	}
	v := false
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			d, ok := in.(*ssa.Defer)
			if !ok || v {
				continue
			}
			var callee *ssa.Function
			switch x := d.Call.Value.(type) {
			case *ssa.Builtin:
				continue
			case *ssa.Function:
				callee = x
			case *ssa.MakeClosure:
				callee, _ = x.Fn.(*ssa.Function)
			}
			switch {
			case d.Call.IsInvoke() || callee == nil:
				v = true
			case callee.Blocks == nil:
				v = callee.Pkg == nil || !quietDefers[callee.Pkg.Pkg.Path()]
			default:
				v = callsRecover(callee)
			}
		}
	}
	if m.recovers == nil {
		m.recovers = map[*ssa.Function]bool{}
	}
	m.recovers[fn] = v
	return v
}

// quietDefers are packages none of whose functions recovers.
var quietDefers = map[string]bool{"sync": true, "sync/atomic": true, "time": true, "context": true}

// callsRecover reports whether fn calls the builtin recover.
func callsRecover(fn *ssa.Function) bool {
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			if c, ok := in.(*ssa.Call); ok && isRecover(c) {
				return true
			}
		}
	}
	return false
}

// pollersWait reports, for a stuck state s, whether every goroutine
// parked on a channel spins at a pure poll while another is blocked at a
// WaitGroup, lock, context or Cond: that wait is where the program hangs,
// so it is the report (syncStuck), the pollers among its others.
func (e *explorer) pollersWait(s *state) bool {
	waits := false
	for _, g := range s.gs {
		if len(g.parked) > 0 && !pollsAt(g) {
			return false
		}
		if g.sync != nil {
			waits = true
		}
	}
	if !waits {
		return false
	}
	e.syncStuck(s)
	return true
}

// hasExit reports whether some edge leaves loop l.
func hasExit(l *loop) bool {
	for b := range l.body {
		for _, s := range b.Succs {
			if !l.body[s] {
				return true
			}
		}
	}
	return false
}
