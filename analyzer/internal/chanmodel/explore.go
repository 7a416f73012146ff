package chanmodel

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/census"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// okOf keys the ok of a comma-ok receive or select (its tuple) in known.
type okOf struct{ v ssa.Value }

// valOf keys the value a receive got, when every send sends one constant.
type valOf struct{ v ssa.Value }

type deferred struct {
	node  *chanuse.Node // a deferred call of a node
	close *opInfo       // or a deferred close of the channel
	sync  *syncOp       // or a deferred operation on a modelled object
}

// frame is one activation of a node's function in a goroutine.
type frame struct {
	node      *chanuse.Node
	blk, prev *ssa.BasicBlock
	idx       int
	known     map[any]int64   // tracked values: select indexes, oks, phis of them
	dec       map[string]bool // the direction each correlated condition took
	back      map[*ssa.BasicBlock]int
	defers    []deferred
	unwinding bool
	ret       *ssa.Return // the return it is unwinding from (errres.go)
}

func (f *frame) clone() *frame {
	c := *f
	c.known = make(map[any]int64, len(f.known))
	for k, v := range f.known {
		c.known[k] = v
	}
	c.dec = make(map[string]bool, len(f.dec))
	for k, v := range f.dec {
		c.dec[k] = v
	}
	c.back = make(map[*ssa.BasicBlock]int, len(f.back))
	for k, v := range f.back {
		c.back[k] = v
	}
	c.defers = append([]deferred(nil), f.defers...)
	return &c
}

// gor is one goroutine instance.
type gor struct {
	g      *chanuse.Node // the node it was started as (the root for the maker)
	frames []*frame
	parked []opInfo // the operations it waits at (a select's cases on the channel)
	dclose *opInfo  // it is at a deferred close
	done   bool
	then   bool      // the maker returning the channel: it goes on in the caller (CheckReturned)
	exit   token.Pos // where it returned, or the case it left its select by
	other  bool      // it left a select by another case
	sync   *syncOp   // the operation on a modelled object it waits at
	holds  []int     // the modelled locks it holds (copied on write)
	group  int       // 1 + the WaitGroup whose Go started it, or 0
	cw     int       // at a Cond's Wait (sync): 0 not yet in, k > 0 k-th in its queue, -1 woken (cond.go)
	raced  []int     // the goroutines waiting on the channel for it when it left its select (raced.go)
	left   *ssa.SelectState
	mapAt  ssa.Instruction // the map instruction it waits to run (mapelem.go)
	// stopped: it left a free loop by a way out the model does not
	// track (freeloops.go).
	stopped bool

	// Late clients (lifecycle.go): late, 1 + the index of the late call
	// it is (lateRoot) or that started it, 0 for none; did, it completed an
	// operation on the channel; guessed, it took a branch on a value the
	// model does not know; waiting, it was blocked when they began and
	// has not moved since.
	late                            int
	lateRoot, did, guessed, waiting bool
}

func (g *gor) clone() *gor {
	c := *g
	c.frames = make([]*frame, len(g.frames))
	for i, f := range g.frames {
		c.frames[i] = f.clone()
	}
	return &c
}

type state struct {
	gs     []*gor
	buf    int
	cap    int
	closed bool
	trips  map[string]int
	depth  int
	flags  map[*types.Var]int64 // tracked flags set so far (findFlags); shared with forks, copied on write

	sy []int // the modelled objects (copied on write): a WaitGroup's counter; a lock's -1 (held) or readers; a context's 1 (cancelled)

	sec []chanQ // the other channels followed (joint.go; copied on write)

	// elem: the element a map class follows is in the map (stored, not
	// deleted since; the field harness, mapelem.go).
	elem bool
	// started: the clients started at the element's store (CheckRegistry).
	started bool
	// lateOn: the late clients started (lifecycle.go).
	lateOn bool

	vals []int // the records of the buffer's values, in order (values.go; copied on write)
}

// fork copies s, with goroutine i of its own.
func (s *state) fork(i int) *state {
	c := *s
	c.gs = append([]*gor(nil), s.gs...)
	c.gs[i] = s.gs[i].clone()
	return &c
}

type explorer struct {
	m       *model
	budget  int
	states  int
	seen    map[string]bool
	queue   []*state
	found   []Stuck
	stuckOp map[opKey]bool
	out     []*state // successors of the state being expanded
	st      *state   // the state run is running, for the flags eval reads

	racedOp map[opKey]bool // the stuck operations with a raced witness (raced.go)

	countUnknown bool // a counting exit met a count it does not know (counts.go)
	got          int  // the record of the value the next resumed receive takes (values.go), -1 unknown
}

type opKey struct {
	in    ssa.Instruction
	state int
}

func (m *model) explore(budget int) []Stuck {
	e := &explorer{m: m, budget: budget, got: -1, seen: map[string]bool{}, stuckOp: map[opKey]bool{}, racedOp: map[opKey]bool{}}
	var free []string
	for k, v := range m.keys {
		if v < 0 {
			free = append(free, k)
		}
	}
	sort.Strings(free)
	mk := m.begin()
	root := m.ch.Nodes[0]
	for a := 0; a < 1<<len(free); a++ {
		trips := map[string]int{}
		for k, v := range m.keys {
			trips[k] = v
		}
		for i, k := range free {
			trips[k] = 1 + (a>>i)&1
		}
		c := m.capAdd
		if m.capKey != "" {
			c += trips[m.capKey]
		}
		if c < 0 {
			continue
		}
		idx := 0
		for i, in := range mk.Block().Instrs {
			if in == mk {
				idx = i + 1
			}
		}
		f := &frame{node: root, blk: mk.Block(), idx: idx, known: map[any]int64{}, dec: map[string]bool{}, back: map[*ssa.BasicBlock]int{}}
		g0 := &gor{g: root, frames: []*frame{f}}
		st := &state{gs: []*gor{g0}, cap: c, trips: trips}
		for _, sc := range m.secs {
			q := chanQ{cap: sc.capAdd, made: sc.atStart}
			if sc.capKey != "" {
				q.cap += trips[sc.capKey]
			}
			st.sec = append(st.sec, q)
		}
		if m.badCaps(st) {
			continue
		}
		if m.sy != nil {
			st.sy = append([]int(nil), m.sy.init...)
			g0.holds = append([]int(nil), m.sy.holds...)
			for _, d := range m.sy.defs {
				f.defers = append(f.defers, deferred{sync: d})
			}
		}
		e.push(st)
	}
	for len(e.queue) > 0 && e.states < e.budget {
		s := e.queue[0]
		e.queue = e.queue[1:]
		e.states++
		e.expand(s)
	}
	dbg("  states %d found %d", e.states, len(e.found))
	if e.countUnknown {
		giveUp(e.m.ch, "counting loop: a count or bound not known on a path")
		return nil
	}
	if census.On() && e.m.begin() != nil {
		over := ""
		if e.states >= e.budget {
			over = " (budget spent)"
		}
		at := e.m.begin()
		census.Printf(at.Parent().Prog.Fset, at.Pos(), "explored %d states, found %d%s", e.states, len(e.found), over)
	}
	return e.found
}

func (e *explorer) push(s *state) {
	k := s.key()
	if e.seen[k] {
		return
	}
	e.seen[k] = true
	e.queue = append(e.queue, s)
}

func (e *explorer) expand(s *state) {
	for i, g := range s.gs {
		if !g.done && g.parked == nil && g.dclose == nil && g.sync == nil && g.mapAt == nil {
			e.out = e.out[:0]
			c := s.fork(i)
			e.run(c, i, 0)
			for _, o := range e.out {
				o.depth = s.depth + 1
				e.push(o)
			}
			return
		}
	}
	e.transitions(s)
}

// run runs goroutine i of s (which s owns) to its next operation on the
// channel or its end, forking at branches; the results go to e.out.
func (e *explorer) run(s *state, i int, steps int) {
	e.st = s
	g := s.gs[i]
	for ; steps < 5000; steps++ {
		if len(g.frames) == 0 && g.then {
			e.m.goOn(g)
			if e.m.also != nil {
				e.spawn(s, e.m.also)
			}
			continue
		}
		if len(g.frames) == 0 {
			if e.holdsShared(g) {
				return // code the model does not see may release it
			}
			g.done = true
			if g.group > 0 {
				// wg.Go's goroutine returned: its Done.
				if !e.apply(s, i, &syncOp{kind: sAdd, obj: g.group - 1, delta: -1}) {
					return
				}
			}
			e.out = append(e.out, s)
			return
		}
		f := g.frames[len(g.frames)-1]
		if f.unwinding {
			if n := len(f.defers); n > 0 {
				d := f.defers[n-1]
				f.defers = f.defers[:n-1]
				if d.close != nil {
					g.dclose = d.close
					e.out = append(e.out, s)
					return
				}
				if d.sync != nil {
					if d.sync.blocks() || d.sync.wakes() {
						// defer wg.Wait(): it waits here, at the return;
						// a deferred Signal is a scheduling point (cond.go).
						g.sync = d.sync
						e.out = append(e.out, s)
						return
					}
					if !e.apply(s, i, d.sync) {
						return
					}
					continue
				}
				if !e.call(g, d.node) {
					return
				}
				continue
			}
			g.frames = g.frames[:len(g.frames)-1]
			if len(g.frames) > 0 {
				results(f, g.frames[len(g.frames)-1])
				g.frames[len(g.frames)-1].idx++
			}
			continue
		}
		if f.idx >= len(f.blk.Instrs) {
			return
		}
		in := f.blk.Instrs[f.idx]
		if ops := e.m.ops[f.node][in]; len(ops) > 0 {
			var park []opInfo
			for _, o := range ops {
				if o.kind != chanuse.DeferClose {
					park = append(park, o)
				}
			}
			if len(park) > 0 {
				for _, o := range park {
					if o.ch > 0 && !s.q(o.ch).made {
						return // another instance: not followed
					}
				}
				if absentElem(f, park) {
					return // a nil channel from a lookup: not followed
				}
				g.parked = park
				e.out = append(e.out, s)
				return
			}
			if absentElem(f, ops) {
				return // close of a nil channel from a lookup: panics
			}
			for k := range ops {
				f.defers = append(f.defers, deferred{close: &ops[k]})
			}
			f.idx++
			continue
		}
		kids := e.m.children[f.node][in]
		if e.m.sy != nil {
			if op := e.m.sy.ops[f.node][in]; op != nil {
				switch {
				case op.kind == sGo:
					if !e.apply(s, i, &syncOp{kind: sAdd, obj: op.obj, delta: 1}) {
						return
					}
					for _, k := range kids {
						e.spawnFrom(s, i, k)
						s.gs[len(s.gs)-1].group = op.obj + 1
					}
				case isDefer(in):
					f.defers = append(f.defers, deferred{sync: op})
				case op.blocks() || op.wakes():
					g.sync = op
					e.out = append(e.out, s)
					return
				default:
					if !e.apply(s, i, op) {
						return
					}
				}
				f.idx++
				continue
			}
		}
		if _, ok := f.node.Map[in]; ok {
			g.mapAt = in
			if len(g.holds) > 0 {
				// Under a modelled lock another goroutine may run
				// before it (mapelem.go).
				e.out = append(e.out, s)
				return
			}
			e.mapMove(s, i)
			continue
		}
		switch in := in.(type) {
		case *ssa.If:
			e.branch(s, i, f, in, steps)
			continue
		case *ssa.Jump:
			if !e.jump(s, f, f.blk.Succs[0]) {
				return
			}
			continue
		case *ssa.Return:
			e.stop(s, f, f.blk, nil)
			if len(g.frames) == 1 {
				g.exit = in.Pos()
				if !g.exit.IsValid() {
					g.exit = endOf(f.node.Fn)
				}
				g.then = !s.started && e.m.returnsOn(g, in)
			}
			f.unwinding, f.ret = true, in
			continue
		case *ssa.Panic:
			return
		case *ssa.Call:
			if in == e.m.thenCall && f.node == e.m.then {
				// Round again: a new channel from here on.
				g.exit, g.frames = in.Pos(), nil
				continue
			}
			if len(kids) > 0 {
				k := kids[0]
				if k.Call == ssa.CallInstruction(in) {
					if !e.call(g, k) {
						return
					}
					continue
				}
				e.spawnFrom(s, i, k)
			} else if chanuse.NoReturn(&in.Call) || testFails(&in.Call) {
				return
			}
		case *ssa.Go:
			for _, k := range kids {
				e.spawnFrom(s, i, k)
			}
		case *ssa.Defer:
			if len(kids) > 0 && kids[0].Call == ssa.CallInstruction(in) {
				f.defers = append(f.defers, deferred{node: kids[0]})
			}
		case *ssa.Store:
			if e.m.flags != nil {
				e.m.setFlag(s, in)
			}
			if e.m.vals != nil && e.m.vals.copies != nil {
				e.m.copyVal(f, in)
			}
			if e.m.sy != nil {
				if op := e.m.sy.cm.predSets[in]; op != nil {
					// A store to a tracked predicate: a scheduling point (cond.go).
					g.sync = op
					e.out = append(e.out, s)
					return
				}
				e.m.sy.setPred(s, in)
			}
		case *ssa.Alloc:
			if e.m.start != nil && ssa.Instruction(in) == e.m.start {
				// Round again: a new object from here on.
				g.exit, g.frames = in.Pos(), nil
				continue
			}
		case *ssa.MakeChan:
			if in == e.m.ch.Make {
				// Round again: a new channel from here on. A map
				// class's client registering its own element while it
				// holds a modelled lock would end with the lock held,
				// which the program releases: not followed (mapelem.go).
				if len(g.holds) > 0 && f.node.Map != nil {
					return
				}
				g.exit, g.frames = in.Pos(), nil
				continue
			}
			if c := e.m.secMake(in); c > 0 {
				q := s.q(c)
				if q.made {
					return // a second instance: not followed
				}
				q.made = true
				s.setQ(c, q)
			}
		}
		f.idx++
	}
}

func endOf(fn *ssa.Function) token.Pos {
	if s := fn.Syntax(); s != nil {
		return s.End()
	}
	return fn.Pos()
}

// call enters node k's function in g; false prunes the path.
func (e *explorer) call(g *gor, k *chanuse.Node) bool {
	if len(g.frames) >= maxFrames {
		return false
	}
	k = e.m.canon[k]
	g.frames = append(g.frames, &frame{node: k, blk: k.Fn.Blocks[0], known: map[any]int64{}, dec: map[string]bool{}, back: map[*ssa.BasicBlock]int{}})
	return true
}

func (e *explorer) spawn(s *state, k *chanuse.Node) {
	k = e.m.canon[k]
	s.gs = append(s.gs, &gor{g: k, frames: []*frame{{node: k, blk: k.Fn.Blocks[0], known: map[any]int64{}, dec: map[string]bool{}, back: map[*ssa.BasicBlock]int{}}}})
}

// jump moves f to block to, counting a loop's back edge and setting the
// tracked phis; false prunes the path (a loop gone round too often).
func (e *explorer) jump(s *state, f *frame, to *ssa.BasicBlock) bool {
	from := f.blk
	e.st = s
	e.stop(s, f, from, to)
	if l := e.m.loops[f.node.Fn][to]; l != nil {
		if l.body[from] {
			f.back[to]++
			limit := bound
			if l.counting {
				limit = e.countLimit(f, l)
			}
			if l.key != "" {
				limit = s.trips[l.key]
			}
			if f.back[to] > limit {
				return false
			}
		} else {
			delete(f.back, to)
		}
	}
	pred := -1
	for i, p := range to.Preds {
		if p == from {
			pred = i
		}
	}
	type pv struct {
		phi   *ssa.Phi
		v     int64
		ok    bool
		count bool // known only by counting (counts.go)
	}
	var set []pv
	e.st = s
	for _, in := range to.Instrs {
		phi, ok := in.(*ssa.Phi)
		if !ok {
			break
		}
		if pred < 0 {
			set = append(set, pv{phi, 0, false, false})
			continue
		}
		v, ok := e.eval(f, phi.Edges[pred])
		c, cok := false, false
		var cv int64
		if !ok && e.m.counting {
			cv, cok = e.evalc(f, phi.Edges[pred], true)
			c = cok
		}
		if c {
			v = cv
		}
		set = append(set, pv{phi, v, ok, c})
	}
	for _, p := range set {
		delete(f.known, p.phi)
		delete(f.known, cntOf{p.phi})
		switch {
		case p.count:
			f.known[cntOf{p.phi}] = p.v
		case p.ok:
			f.known[p.phi] = p.v
		}
	}
	f.prev, f.blk, f.idx = from, to, 0
	return true
}

// branch follows an If: a counted loop's test by the trip count, a known
// condition its way, a correlated one as before; otherwise both ways (the
// second in a fork of s, run to its end here).
func (e *explorer) branch(s *state, i int, f *frame, iff *ssa.If, steps int) {
	e.st = s
	dir := -1
	if l := e.m.loops[f.node.Fn][f.blk]; l != nil && l.exit == iff && l.key != "" {
		if f.back[f.blk] < s.trips[l.key]-l.off {
			dir = l.cont
		} else {
			dir = 1 - l.cont
		}
	} else if v, ok := e.eval(f, iff.Cond); ok {
		dir = 1
		if v != 0 {
			dir = 0
		}
	} else if v, ok := e.keyCmp(s, f, iff.Cond); ok {
		dir = 1
		if v != 0 {
			dir = 0
		}
	}
	// Counts (counts.go): a counting exit goes by the count, or the
	// checker gives up; an If outside an approximated loop's exits goes by
	// the counts it knows; an approximated loop's exit taken against the
	// count forgets the loop's counts.
	forget := -1
	var fl *loop
	if dir < 0 && e.m.counting {
		cdir := -1
		if v, ok := e.evalc(f, iff.Cond, true); ok {
			cdir = 1
			if v != 0 {
				cdir = 0
			}
		}
		switch l := e.m.approxExit(f.node.Fn, iff); {
		case e.m.countExits[iff]:
			if cdir < 0 {
				dbg("  counting exit unknown: %v in %s (known %v)", iff.Cond, f.node.Fn, f.known)
				e.countUnknown = true
				f.idx = len(f.blk.Instrs)
				return
			}
			dir = cdir
		case l == nil:
			dir = cdir
		case cdir >= 0:
			fl, forget = l, 1-cdir
		}
	}
	ck := ""
	if dir < 0 && !inLoop(iff.Cond) {
		ck = condKey(iff.Cond, 0)
		if !e.m.repeated(f.node.Fn)[ck] {
			ck = "" // tested once: nothing to agree with
		} else if d, ok := f.dec[ck]; ok {
			dir = 1
			if d {
				dir = 0
			}
			if dir == forget {
				forgetCounts(f, fl)
			}
		}
	}
	if dir < 0 {
		if s.gs[i].late > 0 {
			s.gs[i].guessed = true // both ways: s owns its goroutine i
		}
		c := s.fork(i)
		cf := c.gs[i].frames[len(c.gs[i].frames)-1]
		if ck != "" {
			cf.dec[ck] = false
		}
		if e.m.flags != nil {
			e.m.decide(c, s, iff.Cond)
		}
		if forget == 1 {
			forgetCounts(cf, fl)
		}
		if e.jump(c, cf, cf.blk.Succs[1]) {
			e.out = append(e.out, c) // runs on when expanded: paths that join meet in the visited set
		}
		if forget == 0 {
			forgetCounts(f, fl)
		}
		if ck != "" {
			f.dec[ck] = true
		}
		dir = 0
	}
	if !e.jump(s, f, f.blk.Succs[dir]) {
		// Pruned: make run stop by leaving the frame past its block.
		f.idx = len(f.blk.Instrs)
	}
}

// eval returns the value of v when the frame knows it.
func (e *explorer) eval(f *frame, v ssa.Value) (int64, bool) {
	return e.evalc(f, v, false)
}

// evalc is eval, and with counts also the counters, parameters and
// fields set once that counts.go follows.
func (e *explorer) evalc(f *frame, v ssa.Value, counts bool) (int64, bool) {
	if counts {
		if r, ok := e.evalCount(f, v); ok {
			return r, true
		}
	}
	if r, ok := doneOk(v); ok {
		return r, true // a context's Done is only closed (context.go)
	}
	switch x := v.(type) {
	case *ssa.Const:
		if x.Value == nil {
			return 0, false
		}
		switch x.Value.Kind() {
		case constant.Bool:
			if constant.BoolVal(x.Value) {
				return 1, true
			}
			return 0, true
		case constant.Int:
			return constant.Int64Val(x.Value)
		}
	case *ssa.Extract:
		switch t := x.Tuple.(type) {
		case *ssa.Select:
			if x.Index == 0 {
				r, ok := f.known[ssa.Value(t)]
				return r, ok
			}
			if x.Index == 1 {
				r, ok := f.known[okOf{t}]
				return r, ok
			}
		case *ssa.UnOp:
			if x.Index == 1 {
				r, ok := f.known[okOf{t}]
				return r, ok
			}
			r, ok := f.known[valOf{t}]
			return r, ok
		case *ssa.Lookup:
			if x.Index == 1 {
				r, ok := f.known[okOf{t}]
				return r, ok
			}
		}
	case *ssa.Phi:
		r, ok := f.known[ssa.Value(x)]
		return r, ok
	case *ssa.UnOp:
		if e.m.sy != nil && x.Op == token.MUL {
			if o, ok := e.m.sy.cm.preds[x.X]; ok && e.st != nil {
				return int64(e.st.sy[o]), true // a tracked predicate (cond.go)
			}
		}
		if e.m.flags != nil {
			if r, ok := e.m.flag(e.st, x); ok {
				return r, true
			}
		}
		if x.Op == token.ARROW {
			r, ok := f.known[valOf{x}]
			return r, ok
		}
		if x.Op == token.NOT {
			if r, ok := e.evalc(f, x.X, counts); ok {
				return 1 - r, true
			}
		}
	case *ssa.BinOp:
		if x.Op == token.EQL || x.Op == token.NEQ {
			// The channel followed is made: never nil.
			if f.node.Vals[x.X] && isNil(x.Y) || f.node.Vals[x.Y] && isNil(x.X) {
				if x.Op == token.EQL {
					return 0, true
				}
				return 1, true
			}
			// recover() is nil: the paths followed never panic (a
			// panic ends the path), and recover returns nil in a
			// goroutine that is not panicking (a deferred
			// "if v := recover(); v != nil { ch <- err }" does not
			// send after a normal return).
			if isRecover(x.X) && isNil(x.Y) || isRecover(x.Y) && isNil(x.X) {
				if x.Op == token.EQL {
					return 1, true
				}
				return 0, true
			}
			if r, ok := e.m.nilResult(x); ok {
				return r, true
			}
			if r, ok := elemNil(f, x); ok {
				return r, true
			}
			if e.m.sy != nil && e.m.sy.nonNil[e.m.canon[f.node]][x] {
				if x.Op == token.EQL {
					return 0, true
				}
				return 1, true
			}
			if r, ok := errResult(f, x); ok {
				return r, true
			}
			if r, ok := e.nilField(f, x); ok {
				return r, true
			}
		}
		a, ok1 := e.evalc(f, x.X, counts)
		if !ok1 {
			return 0, false
		}
		b, ok2 := e.evalc(f, x.Y, counts)
		if !ok2 {
			return 0, false
		}
		var r bool
		switch x.Op {
		case token.EQL:
			r = a == b
		case token.NEQ:
			r = a != b
		case token.LSS:
			r = a < b
		case token.LEQ:
			r = a <= b
		case token.GTR:
			r = a > b
		case token.GEQ:
			r = a >= b
		default:
			return 0, false
		}
		if r {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func isNil(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.IsNil()
}

// condKey names a condition by its structure, so that two tests of the
// same thing (if verbose ... if verbose, or x != nil twice) correlate.
func condKey(v ssa.Value, depth int) string {
	if depth > 6 {
		return fmt.Sprintf("%p", v)
	}
	switch x := v.(type) {
	case *ssa.BinOp:
		return "(" + x.Op.String() + " " + condKey(x.X, depth+1) + " " + condKey(x.Y, depth+1) + ")"
	case *ssa.UnOp:
		if x.Op == token.NOT || x.Op == token.MUL {
			return x.Op.String() + condKey(x.X, depth+1)
		}
	case *ssa.FieldAddr:
		return "&" + condKey(x.X, depth+1) + "." + strconv.Itoa(x.Field)
	case *ssa.Field:
		return condKey(x.X, depth+1) + "." + strconv.Itoa(x.Field)
	case *ssa.Const:
		if x.Value == nil {
			return "nil"
		}
		return "c" + x.Value.ExactString()
	}
	return fmt.Sprintf("%p", v)
}

// partners reports whether operation o of goroutine i can proceed in s
// alone (solo), and else which goroutines (indexes) are parked on the
// other side of a rendezvous with it.
func (e *explorer) partners(s *state, i int, o opInfo) (solo bool, with []int) {
	var other func(chanuse.Kind) bool
	q := s.q(o.ch)
	switch o.kind {
	case chanuse.Send, chanuse.SelectSend:
		if q.closed || q.buf < q.cap {
			return true, nil
		}
		other = func(k chanuse.Kind) bool { return k == chanuse.Recv || k == chanuse.SelectRecv }
	case chanuse.Recv, chanuse.SelectRecv:
		if q.buf > 0 || q.closed {
			return true, nil
		}
		other = func(k chanuse.Kind) bool { return k == chanuse.Send || k == chanuse.SelectSend }
	case chanuse.Close:
		return true, nil
	default:
		return false, nil
	}
	if q.cap != 0 {
		return false, nil
	}
	for j, h := range s.gs {
		if j == i {
			continue
		}
		for _, p := range h.parked {
			if p.ch == o.ch && other(p.kind) {
				with = append(with, j)
				break
			}
		}
	}
	return false, with
}

// resume moves goroutine i of s (owned) past its operation o, which took
// select case k (or -1 for a default) and received with ok.
func (e *explorer) resume(s *state, i int, o *opInfo, k int, ok bool) {
	cv, known := e.m.value, e.m.valueKnown
	if o != nil && o.ch > 0 {
		sc := e.m.secs[o.ch-1]
		cv, known = sc.value, sc.valueKnown
	}
	g := s.gs[i]
	g.waiting = false
	if o != nil && o.ch == 0 || g.dclose != nil && g.dclose.ch == 0 {
		g.did = true
	}
	if o != nil && o.ch > 0 {
		if sel, ok := o.op.Instr.(*ssa.Select); ok {
			// Left its select by a case on another channel.
			g.exit, g.other = sel.States[o.state].Pos, true
		}
	}
	g.parked, g.raced = nil, nil
	f := g.frames[len(g.frames)-1]
	if g.dclose != nil {
		g.dclose = nil
		return // unwinding goes on
	}
	in := f.blk.Instrs[f.idx]
	var okv int64
	if ok {
		okv = 1
	}
	var val int64
	if ok {
		val = cv
	}
	switch in := in.(type) {
	case *ssa.Select:
		f.known[ssa.Value(in)] = int64(k)
		f.known[okOf{in}] = okv
	case *ssa.UnOp:
		f.known[okOf{in}] = okv
		if known {
			f.known[valOf{in}] = val
		} else {
			delete(f.known, valOf{in})
		}
	}
	e.m.received(f, o, e.got)
	e.got = -1
	f.idx++
}

// transitions expands a state whose goroutines all wait at operations or
// have ended: each operation that can proceed is a successor; when none
// can, the waiting operations are stuck.
func (e *explorer) transitions(s *state) {
	moved := false
	var polls []*state
	for i, g := range s.gs {
		if g.done {
			continue
		}
		if g.mapAt != nil {
			moved = true
			c := s.fork(i)
			e.mapMove(c, i)
			e.next(c, s)
			continue
		}
		if g.sync != nil {
			if e.ready(s, g, g.sync) {
				moved = true
				c := s.fork(i)
				if e.take(c, i) {
					e.next(c, s)
				}
			}
			continue
		}
		if g.dclose != nil {
			moved = true
			if q := s.q(g.dclose.ch); !q.closed {
				c := s.fork(i)
				q.closed = true
				c.setQ(g.dclose.ch, q)
				e.resume(c, i, nil, 0, false)
				e.next(c, s)
			}
			continue
		}
		var sel *ssa.Select
		anyReady := false
		for _, o := range g.parked {
			solo, with := e.partners(s, i, o)
			if solo || len(with) > 0 {
				anyReady = true
			}
			if x, ok := o.op.Instr.(*ssa.Select); ok {
				sel = x
			}
			q := s.q(o.ch)
			switch {
			case o.kind == chanuse.Close:
				if q.closed {
					continue // panics
				}
				c := s.fork(i)
				q.closed = true
				c.setQ(o.ch, q)
				e.resume(c, i, &o, 0, false)
				e.next(c, s)
			case solo && (o.kind == chanuse.Send || o.kind == chanuse.SelectSend):
				if q.closed {
					continue // panics
				}
				c := s.fork(i)
				q.buf++
				c.setQ(o.ch, q)
				if e.m.vals != nil && o.ch == 0 {
					c.pushVal(e.m.sendDesc(o))
				}
				e.resume(c, i, &o, o.state, false)
				e.next(c, s)
			case solo:
				c := s.fork(i)
				ok := q.buf > 0
				e.got = 0 // closed and empty: the zero value
				if ok {
					q.buf--
					c.setQ(o.ch, q)
					e.got = -1
					if e.m.vals != nil && o.ch == 0 {
						e.got = c.popVal()
					}
				}
				e.resume(c, i, &o, o.state, ok)
				e.next(c, s)
			case o.kind == chanuse.Send || o.kind == chanuse.SelectSend:
				for _, j := range with {
					c := s.fork(i)
					c.gs[j] = c.gs[j].clone()
					e.resume(c, i, &o, o.state, false)
					p := recvOf(c.gs[j], o.ch)
					e.got = e.m.sendDesc(o)
					e.resume(c, j, &p, p.state, true)
					e.next(c, s)
				}
			}
		}
		if anyReady {
			moved = true
		}
		if sel != nil {
			ours := map[int]bool{}
			for _, o := range g.parked {
				ours[o.state] = true
			}
			for k, st := range sel.States {
				if ours[k] || e.m.deadCase(g.frames[len(g.frames)-1].node, sel, k) {
					continue
				}
				if e.m.sy != nil {
					// A case on a modelled context's Done fires once it is cancelled.
					if obj, ok := e.m.sy.cases[g.frames[len(g.frames)-1].node][sel][k]; ok && s.sy[obj] != 1 {
						continue
					}
				}
				moved = true
				c := s.fork(i)
				c.gs[i].exit, c.gs[i].other = st.Pos, true
				c.gs[i].guessed = c.gs[i].guessed || c.gs[i].late > 0 // a case the model does not follow
				e.resume(c, i, nil, k, false)
				c.gs[i].raced, c.gs[i].left = e.racing(s, i), st
				e.next(c, s)
			}
			if !sel.Blocking && !anyReady {
				c := s.fork(i)
				c.gs[i].exit, c.gs[i].other = sel.Pos(), true
				c.gs[i].guessed = c.gs[i].guessed || c.gs[i].late > 0
				e.resume(c, i, nil, -1, false)
				if e.m.purePoll(g.frames[len(g.frames)-1].node, sel) && !e.m.mayRecover(g) {
					polls = append(polls, c) // a move only if another moves (polls.go)
				} else {
					moved = true
					e.next(c, s)
				}
			}
		}
	}
	if moved {
		for _, c := range polls {
			e.next(c, s)
		}
		return
	}
	if e.startLate(s) {
		return
	}
	onChan, onOther := false, false
	for _, g := range s.gs {
		if primaryOp(g) >= 0 {
			onChan = true
		} else if len(g.parked) > 0 {
			onOther = true
		}
	}
	if !onChan {
		if !onOther && len(e.m.late) == 0 {
			e.syncStuck(s)
		}
		return
	}
	if len(e.m.late) == 0 && e.pollersWait(s) {
		return // the wait the pollers leave blocked is the report (polls.go)
	}
	for i, g := range s.gs {
		p := primaryOp(g)
		if p < 0 || !e.lateWitness(s, i) {
			continue
		}
		k := opKey{g.parked[p].op.Instr, g.parked[p].state}
		if _, ok := g.parked[p].op.Instr.(*ssa.Select); ok {
			k.state = -1
		}
		if e.stuckOp[k] && !e.raceFirst(s, i, k) || e.stopped(s, i) {
			continue
		}
		e.stuckOp[k] = true
		st := Stuck{Op: g.parked[p].op, Polls: pollsAt(g)}
		for j, h := range s.gs {
			if j == i {
				continue
			}
			x := e.exitOf(s, h)
			if x.Raced = h.racedWith(i); x.Raced {
				x.Case = h.left
			}
			if x.Raced && x.Other {
				e.racedOp[k] = true
			}
			st.Others = append(st.Others, x)
		}
		st.Objects = e.objects()
		dbg("  stuck %v at %v", st.Op.Kind, st.Op.Instr)
		e.found = append(e.found, st)
	}
}

// recvOf returns the receive goroutine g waits at.
func recvOf(g *gor, ch int) opInfo {
	for _, p := range g.parked {
		if p.ch == ch && (p.kind == chanuse.Recv || p.kind == chanuse.SelectRecv) {
			return p
		}
	}
	return opInfo{}
}

// next continues c, a successor of s; the goroutines it moved run on
// when it is expanded.
func (e *explorer) next(c, s *state) {
	c.depth = s.depth + 1
	e.push(c)
}

// key encodes the state for the visited set: goroutines in a canonical
// order, as identical goroutines are interchangeable.
func (s *state) key() string {
	gs := make([]string, 0, len(s.gs))
	for _, g := range s.gs {
		gs = append(gs, g.key())
	}
	sort.Strings(gs)
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d/%t/%v/%v/%t/%t/%t/%v/", s.buf, s.cap, s.closed, s.sy, s.sec, s.elem, s.started, s.lateOn, s.vals)
	ks := make([]string, 0, len(s.trips))
	for k, v := range s.trips {
		ks = append(ks, k+"="+strconv.Itoa(v))
	}
	sort.Strings(ks)
	b.WriteString(strings.Join(ks, ","))
	b.WriteString(s.flagsKey())
	b.WriteString("|")
	b.WriteString(strings.Join(gs, "|"))
	return b.String()
}

func (g *gor) key() string {
	stop := ""
	if g.stopped {
		stop = "S"
	}
	if g.late > 0 || g.waiting {
		stop += fmt.Sprintf("L%d%t%t%t%t", g.late, g.lateRoot, g.did, g.guessed, g.waiting)
	}
	if g.done {
		return "D" + stop + g.racedKey()
	}
	var b strings.Builder
	b.WriteString(stop)
	b.WriteString(g.racedKey())
	fmt.Fprintf(&b, "%p:%t:%d:%t:%p:%v:%d:%p:%d;", g.g, g.dclose != nil, len(g.parked), g.then, g.sync, g.holds, g.group, g.mapAt, g.cw)
	for _, f := range g.frames {
		fmt.Fprintf(&b, "%p.%d.%d.%t.%p", f.node, f.blk.Index, f.idx, f.unwinding, f.ret)
		if f.prev != nil {
			fmt.Fprintf(&b, ".%d", f.prev.Index)
		}
		var ks []string
		for k, v := range f.known {
			switch k := k.(type) {
			case okOf:
				ks = append(ks, fmt.Sprintf("o%p=%d", k.v, v))
			case valOf:
				ks = append(ks, fmt.Sprintf("v%p=%d", k.v, v))
			case errOf:
				ks = append(ks, fmt.Sprintf("e%p.%d=%d", k.call, k.index, v))
			case cntOf:
				ks = append(ks, fmt.Sprintf("n%p=%d", k.v, v))
			case fieldOf:
				ks = append(ks, fmt.Sprintf("f%p.%d.%d=%d", k.in, k.state, k.k, v))
			default:
				ks = append(ks, fmt.Sprintf("%p=%d", k, v))
			}
		}
		for k, v := range f.dec {
			ks = append(ks, fmt.Sprintf("%s=%t", k, v))
		}
		for k, v := range f.back {
			ks = append(ks, fmt.Sprintf("b%d=%d", k.Index, v))
		}
		sort.Strings(ks)
		b.WriteString(strings.Join(ks, ","))
		for _, d := range f.defers {
			fmt.Fprintf(&b, "d%p%t%p", d.node, d.close != nil, d.sync)
		}
		b.WriteString(";")
	}
	return b.String()
}

// testFails reports whether c marks a test failed (t.Error, t.Errorf,
// t.Fail): a leak on the path of a failed test is not worth a report, so
// the path is pruned as a t.Fatal's is.
func testFails(c *ssa.CallCommon) bool {
	fn := c.StaticCallee()
	if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "testing" {
		if !c.IsInvoke() || c.Method.Pkg() == nil || c.Method.Pkg().Path() != "testing" {
			return false
		}
		switch c.Method.Name() {
		case "Error", "Errorf", "Fail":
			return true
		}
		return false
	}
	switch fn.Name() {
	case "Error", "Errorf", "Fail":
		return true
	}
	return false
}

// isRecover reports whether v is the result of the builtin recover.
func isRecover(v ssa.Value) bool {
	c, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	b, ok := c.Call.Value.(*ssa.Builtin)
	return ok && b.Name() == "recover"
}

// keyCmp evaluates a comparison of a counted loop's bound with a
// constant (the guard 0 < n go/ssa puts before a range over an int, an
// if len(xs) == 0 before the loop over xs) by the trips of this run: the
// loops on that bound run that many times, so the bound is that.
func (e *explorer) keyCmp(s *state, f *frame, v ssa.Value) (int64, bool) {
	b, ok := v.(*ssa.BinOp)
	if !ok || len(s.trips) == 0 {
		return 0, false
	}
	free := false
	side := func(x ssa.Value) (int64, bool, bool) {
		if c, ok := x.(*ssa.Const); ok {
			if c.Value == nil || c.Value.Kind() != constant.Int {
				return 0, false, false
			}
			v, exact := constant.Int64Val(c.Value)
			return v, exact, false
		}
		if !isInt(x.Type()) {
			return 0, false, false
		}
		k := root(x, f.node, 0)
		t, ok := s.trips[k]
		if ok && e.m.keys[k] < 0 {
			free = true
		}
		return int64(t), ok, ok
	}
	x, okx, kx := side(b.X)
	y, oky, ky := side(b.Y)
	if !okx || !oky || !kx && !ky {
		return 0, false
	}
	// A free bound runs 1 or 2 times here, standing for any count of 1
	// or more: only its comparison with 0 is the same for all of them.
	if free && !(kx && !ky && y == 0 || ky && !kx && x == 0) {
		return 0, false
	}
	var r bool
	switch b.Op {
	case token.EQL:
		r = x == y
	case token.NEQ:
		r = x != y
	case token.LSS:
		r = x < y
	case token.LEQ:
		r = x <= y
	case token.GTR:
		r = x > y
	case token.GEQ:
		r = x >= y
	default:
		return 0, false
	}
	if r {
		return 1, true
	}
	return 0, true
}
