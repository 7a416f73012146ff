package chanmodel

import (
	"go/constant"
	"go/token"
	"go/types"
	"slices"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// Free loops: a loop around an operation on the channel (or a start or
// call of a goroutine that has one) whose way out depends on values the
// model does not track (a scanner, a read's error, a call's result), and
// which is neither counted nor an event loop. The model runs it like any
// other uncounted loop, 0 to bound times, every path a real one when its
// exit test may go either way; what it cannot do is correlate its count
// with another count. So a free loop is followed only when no count on
// the channel has to match it: every operation of the other kind (a
// receive for its sends, a send for its receives) outside it is either
// done once (no loop around it, its goroutine's start, or its call) or
// inside an event loop, which takes whatever comes (a range to the close,
// a select loop). A counted or another free loop on the other side (the
// receiver counting to the senders, both sides walking one input) gives
// up, as before: that is where std's false findings came from.

// freeLoopsAlone reports whether every free loop of the model may run
// its own count: no counted or free loop on the other side must match it.
//
// The field harness follows free loops under the same condition, its
// clients' (a walk over the object's list, a retried read: 0 to bound
// trips, then the call returns) and its goroutines' alike. What it must
// not take for a deadlock is a client's call made after a goroutine of
// the object left such a loop by a way the model does not track (a
// failed read, a context's case in a select without the channel, a
// closed input): that way out cannot be told from the end of the
// object's life, after which the call is misuse (stopped, below).
func (m *model) freeLoopsAlone() bool {
	for _, n := range m.ch.Nodes {
		if m.canon[n] != n {
			continue
		}
		for _, l := range m.loops[n.Fn] {
			if !l.free {
				continue
			}
			region := inside(n.Fn, l)
			if in := m.otherChannel(n, l); in != nil {
				dbg("free loop %s in %s: driven by %s", l.head, n.Fn, in)
				m.loopWhy = "free loop driven by another channel"
				return false
			}
			in := m.freeScope(n, region)
			var sends, recvs bool
			for o := range in {
				for _, op := range o.Ops {
					if o == n && !region[op.Instr.Block()] {
						continue
					}
					switch op.Kind {
					case chanuse.Send, chanuse.SelectSend:
						sends = true
					case chanuse.Recv, chanuse.SelectRecv:
						recvs = true
					}
				}
			}
			for _, o := range m.ch.Nodes {
				for _, op := range o.Ops {
					if in[o] && (o != n || region[op.Instr.Block()]) {
						continue // the loop's own operations
					}
					partner := false
					switch op.Kind {
					case chanuse.Send, chanuse.SelectSend:
						partner = recvs
					case chanuse.Recv, chanuse.SelectRecv:
						partner = sends
					}
					if partner && m.repeats(o, op.Instr.Block()) {
						dbg("free loop %s in %s: %s must match its count", l.head, n.Fn, op.Instr)
						m.loopWhy = "free loop whose count a repeated partner must match"
						return false
					}
				}
			}
		}
	}
	return true
}

// stopExits indexes the ways out of the model's free loops that follow
// no operation on the channel (loop.untracked) by block, for stop.
func (m *model) stopExits() {
	for _, ls := range m.loops {
		for _, l := range ls {
			if !l.free {
				continue
			}
			for b := range l.untracked {
				if m.stops == nil {
					m.stops = map[*ssa.BasicBlock][]*loop{}
				}
				m.stops[b] = append(m.stops[b], l)
			}
		}
	}
}

// stop marks the goroutine of s whose running frame is f stopped when f
// leaves a free loop by an untracked way out: from block from to block to
// (nil: a return in from).
func (e *explorer) stop(s *state, f *frame, from, to *ssa.BasicBlock) {
	ls := e.m.stops[from]
	if len(ls) == 0 {
		return
	}
	for _, l := range ls {
		if to != nil && l.body[to] {
			continue
		}
		for _, g := range s.gs {
			if len(g.frames) > 0 && g.frames[len(g.frames)-1] == f {
				g.stopped = true
			}
		}
		return
	}
}

// stopped reports whether goroutine i of s, waiting at its operation on
// the channel, is a client's call (not a goroutine it started) that a
// goroutine of the object could complete had it not returned after
// leaving a free loop by an untracked way out: the object's life may have
// ended there (a reader's failed read, a context done), and the call is
// then misuse rather than a deadlock. Only the field harnesses ask.
func (e *explorer) stopped(s *state, i int) bool {
	g := s.gs[i]
	if e.m.then == nil || e.m.ch.Field == nil || g.g != e.m.then && g.g != e.m.also {
		return false
	}
	p := primaryOp(g)
	if p < 0 {
		return false
	}
	recv := g.parked[p].kind == chanuse.Recv || g.parked[p].kind == chanuse.SelectRecv
	for j, h := range s.gs {
		if j == i || !h.done || !h.stopped || h.g == e.m.then || h.g == e.m.also {
			continue
		}
		if recv && (e.m.sends[h.g] || e.m.closes[h.g]) || !recv && e.m.recvs[h.g] {
			return true
		}
	}
	return false
}

// otherChannel returns an operation in l's body on another channel
// that decides how the loop goes round, a count the model does not
// follow: a channel the model's goroutines make (fed and closed by them:
// a stage ranging over its input, a select until stop), or, when the
// loop's own operations on this channel repeat with it, any channel but
// a timer's or a context's Done taken without its ok (workers ranging
// over a queue the caller fills, sending one result per job, or starting
// a goroutine per job that does). An offer (offersOnly) drives nothing.
func (m *model) otherChannel(n *chanuse.Node, l *loop) ssa.Instruction {
	repeats := false
	for b := range l.body {
		for _, in := range b.Instrs {
			if len(m.ops[n][in]) > 0 || len(m.children[n][in]) > 0 {
				repeats = true
			}
		}
	}
	drives := func(v ssa.Value, ok bool) bool {
		if v == nil || n.Vals[v] || m.ch.Field != nil && outsideChan(n, v) {
			return false
		}
		return localChan(n, v) || repeats && (ok || !timing(v))
	}
	for b := range l.body {
		for _, in := range b.Instrs {
			switch x := in.(type) {
			case *ssa.UnOp:
				if x.Op == token.ARROW && drives(x.X, x.CommaOk) {
					return in
				}
			case *ssa.Send:
				if drives(x.Chan, true) {
					return in
				}
			case *ssa.Select:
				if offersOnly(x) {
					continue // it never waits: it paces nothing
				}
				for _, st := range x.States {
					if drives(st.Chan, st.Dir != types.RecvOnly) {
						return in
					}
				}
			}
		}
	}
	return nil
}

// offersOnly reports whether sel has a default and only send cases on
// channels: an offer (select { case out <- v: default: }) that goes on at
// once whether or not a receiver is there, so the count of the loop
// around it is not the other side's.
func offersOnly(sel *ssa.Select) bool {
	if sel.Blocking {
		return false
	}
	for _, st := range sel.States {
		if st.Dir != types.SendOnly {
			return false
		}
	}
	return true
}

// outsideChan reports whether v is a channel another package hands the
// code in view of n: the result of an interface method's call or of a
// function of another package (claim.Messages()), through variables and
// free variables. No goroutine of a field harness feeds it: its count is
// input, like a scanner's, which no count of the harness must match.
func outsideChan(n *chanuse.Node, v ssa.Value) bool {
	for i := 0; i < 8 && v != nil; i++ {
		if c, ok := v.(*ssa.Call); ok {
			if c.Call.IsInvoke() {
				return true
			}
			f := c.Call.StaticCallee()
			return f != nil && f.Pkg != nil && n.Fn.Pkg != nil && f.Pkg != n.Fn.Pkg
		}
		var ok bool
		if v, n, ok = origin(n, v); !ok {
			return false
		}
	}
	return false
}

// localChan reports whether v is a channel made by the package's code in
// view of n: through variables, free variables and n's parameters.
func localChan(n *chanuse.Node, v ssa.Value) bool {
	for i := 0; i < 8 && v != nil; i++ {
		if _, ok := v.(*ssa.MakeChan); ok {
			return true
		}
		if p, ok := v.(*ssa.Parameter); ok && n.Parent != nil && n.Fn == p.Parent() {
			c := callOf(n)
			if c == nil {
				return false
			}
			k := -1
			for j, q := range p.Parent().Params {
				if q == p {
					k = j
				}
			}
			if c.IsInvoke() {
				k--
			}
			if k < 0 || k >= len(c.Args) {
				return false
			}
			v, n = c.Args[k], n.Parent
			continue
		}
		var ok bool
		if v, n, ok = origin(n, v); !ok {
			return false
		}
	}
	return false
}

// inside returns the blocks that run inside l for what it repeats: those
// the header dominates, but not those after its way out (an operation
// before a return in the loop is inside).
func inside(fn *ssa.Function, l *loop) map[*ssa.BasicBlock]bool {
	var exits []*ssa.BasicBlock
	for _, x := range l.head.Succs {
		if !l.body[x] {
			exits = append(exits, x)
		}
	}
	// What runs after every way out (the one exit a retry loop breaks
	// to, and the blocks straight after it) runs once: not inside.
	once := map[*ssa.BasicBlock]bool{}
	var targets []*ssa.BasicBlock
	for b := range l.body {
		for _, x := range b.Succs {
			if !l.body[x] && !slices.Contains(targets, x) {
				targets = append(targets, x)
			}
		}
		if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			targets = append(targets, nil)
		}
	}
	if len(targets) == 1 && targets[0] != nil {
		for b := targets[0]; !once[b]; b = b.Succs[0] {
			once[b] = true
			if len(b.Succs) != 1 {
				break
			}
		}
	}
	in := map[*ssa.BasicBlock]bool{}
	for _, b := range fn.Blocks {
		if !l.head.Dominates(b) || once[b] {
			continue
		}
		after := false
		for _, x := range exits {
			if x.Dominates(b) && !x.Dominates(l.head) {
				after = true
				break
			}
		}
		if !after {
			in[b] = true
		}
	}
	return in
}

// timing reports whether ch is a timer's channel or a context's Done:
// when it fires is the clock's or the caller's, matched by no count.
func timing(ch ssa.Value) bool {
	switch x := ch.(type) {
	case *ssa.Call:
		c := x.Common()
		if fn := c.StaticCallee(); fn != nil && fn.Pkg != nil && fn.Pkg.Pkg.Path() == "time" {
			return fn.Name() == "After" || fn.Name() == "Tick"
		}
		if c.IsInvoke() && c.Method.Name() == "Done" {
			if nt, ok := types.Unalias(c.Value.Type()).(*types.Named); ok {
				o := nt.Obj()
				return o.Pkg() != nil && o.Pkg().Path() == "context" && o.Name() == "Context"
			}
		}
	case *ssa.UnOp:
		if fa, ok := x.X.(*ssa.FieldAddr); ok && x.Op == token.MUL {
			if p, ok := types.Unalias(fa.X.Type()).(*types.Pointer); ok {
				if nt, ok := types.Unalias(p.Elem()).(*types.Named); ok {
					o := nt.Obj()
					return o.Pkg() != nil && o.Pkg().Path() == "time" && (o.Name() == "Timer" || o.Name() == "Ticker")
				}
			}
		}
	}
	return false
}

// freeScope returns the nodes whose operations run inside a loop (its
// region, see inside) of n's function: n itself (only its operations in
// the region count) and every node started or called there, with their
// descendants.
func (m *model) freeScope(n *chanuse.Node, region map[*ssa.BasicBlock]bool) map[*chanuse.Node]bool {
	in := map[*chanuse.Node]bool{n: true}
	for _, o := range m.ch.Nodes {
		for c := o; c.Parent != nil; c = c.Parent {
			if m.canon[c.Parent] == n && region[startOf(c).Block()] {
				in[o] = true
				break
			}
		}
	}
	return in
}

// repeats reports whether an operation in block b of node o runs a count
// of times the model fixes or leaves free: a counted or free loop is
// around it (in its function, or around the start or call of a node on
// its way from the maker) and no event loop is, unless that event loop
// counts its way out (counts.go).
func (m *model) repeats(o *chanuse.Node, b *ssa.BasicBlock) bool {
	counted := false
	for {
		for _, l := range m.loops[o.Fn] {
			if !l.body[b] {
				continue
			}
			// An event loop that counts its way out (got++; if got
			// == n { break }) takes only its count (session 23).
			if l.event && !l.counting {
				return false
			}
			if l.key != "" || l.free || l.counting {
				counted = true
			}
		}
		if o.Parent == nil {
			return counted
		}
		b = startOf(o).Block()
		o = o.Parent
	}
}

// valueExit reports whether a way out of l tests a value received from
// the channel itself (for <-work { ... }): the loop ends as the values
// sent say, which the model does not track.
func valueExit(n *chanuse.Node, l *loop) bool {
	for b := range l.body {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || l.body[b.Succs[0]] && l.body[b.Succs[1]] {
			continue
		}
		c := iff.Cond
		if u, ok := c.(*ssa.UnOp); ok && u.Op == token.NOT {
			c = u.X
		}
		if u, ok := c.(*ssa.UnOp); ok && u.Op == token.ARROW && !u.CommaOk && n.Vals[u.X] {
			return true
		}
	}
	return false
}

// flagExit reports whether l's header test, a flag (for !done { select
// { ... done = true ... } }), cannot leave on entry, the flag's value from
// outside being a constant that goes in, and every way round passes an
// operation on the channel (one of opBlocks): the header's way out then
// follows an operation, as an event loop's does.
func flagExit(l *loop, opBlocks []*ssa.BasicBlock) bool {
	iff, ok := l.head.Instrs[len(l.head.Instrs)-1].(*ssa.If)
	if !ok || len(l.head.Succs) != 2 {
		return false
	}
	cond, neg := iff.Cond, false
	if u, ok := cond.(*ssa.UnOp); ok && u.Op == token.NOT {
		cond, neg = u.X, true
	}
	phi, ok := cond.(*ssa.Phi)
	if !ok || phi.Block() != l.head {
		return false
	}
	for i, p := range l.head.Preds {
		if l.body[p] {
			// A way round: it must pass an operation.
			passes := false
			for _, ob := range opBlocks {
				if ob.Dominates(p) {
					passes = true
					break
				}
			}
			if !passes {
				return false
			}
			continue
		}
		c, ok := phi.Edges[i].(*ssa.Const)
		if !ok || c.Value == nil || c.Value.Kind() != constant.Bool {
			return false
		}
		v := constant.BoolVal(c.Value) != neg
		in := 1
		if v {
			in = 0
		}
		if !l.body[l.head.Succs[in]] {
			return false
		}
	}
	return true
}
