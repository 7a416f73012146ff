// Package chanmodel checks one channel, whose whole life the package sees
// (chanuse), by exploring the paths and interleavings of the goroutines
// that use it, up to a bound, in the style of GCatch's BMOC detector: it
// finds an operation on the channel that some path leaves blocked forever.
//
// Each goroutine runs its code the way go/ssa lowers it. Values are
// unknown, and an If on an unknown value takes both ways, except that the
// ok of a comma-ok receive and the index of a select are tracked, two Ifs
// on the same condition in one activation agree, and counted loops on the
// same bound run the same number of times. Between two operations on the
// channel a goroutine's steps touch nothing the others see, so goroutines
// only interleave at the channel's operations. Any doubt (a loop around an
// operation that is neither counted nor driven by the channel, a capacity
// that is not known, a state budget spent) gives up silently: the checker
// reports only deadlocks it has a path for.
package chanmodel

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/census"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/ssa"
)

// Stuck is an operation on the channel that some interleaving leaves
// blocked forever.
type Stuck struct {
	Op     chanuse.Op
	Others []Exit // how each other goroutine of the witness ended
	// Sync is set, and Op zero, when the operation left blocked is on a
	// WaitGroup, a lock or a context rather than on the channel.
	Sync *SyncStuck
	// Objects are where the WaitGroups, locks and contexts the model
	// follows are made.
	Objects []token.Pos
	// Polls: Op is a select with a default in a loop that spins there
	// rather than blocks, as nothing can make its cases ready (polls.go).
	Polls bool
}

// SyncStuck is a wait on a WaitGroup, a lock or a context's Done that
// some interleaving leaves blocked forever.
type SyncStuck struct {
	Pos    token.Pos
	What   string // the operation: wg.Wait, mu.Lock, <-ctx.Done()
	Object string // the object: wg, mu, ctx
	Kind   string // "wait", "lock", "done" or "cond" (a Cond's Wait not woken)
	Count  int    // a WaitGroup's counter when stuck
	Holder int    // the index in Others of the goroutine holding the lock; -1 none, -2 the waiter itself
}

// Exit tells how one goroutine of a witness ended.
type Exit struct {
	Fn      *ssa.Function // the goroutine's function
	Blocked bool          // it is blocked too (on Op of this channel) rather than returned
	Other   bool          // it left a select by a case on another channel (or its default)
	Pos     token.Pos     // where: its return, the case it left by, or its blocked operation
	Sends   bool          // it sends on the channel somewhere
	Recvs   bool          // it receives from the channel somewhere
	Sync    string        // it is blocked at this operation on a WaitGroup, lock or context (Pos is there)
	Holds   []string      // the modelled locks it holds
	Dones   bool          // it calls Done (or is counted by Go) on the WaitGroup the witness waits on
	Polls   bool          // it spins at a select with a default rather than blocks (polls.go)

	// Raced: it left that select while the witness's blocked goroutine
	// waited on the channel for it, by Case (raced.go).
	Raced bool
	Case  *ssa.SelectState
}

// bound is how many times a loop that is not counted may go round per
// activation.
const bound = 2

// neverFull is the capacity of a buffer the bounded model cannot fill.
const neverFull = 1 << 20

// maxFrames bounds the depth of inlined calls.
const maxFrames = 8

// loop is a natural loop of a function.
type loop struct {
	head     *ssa.BasicBlock
	body     map[*ssa.BasicBlock]bool
	exit     *ssa.If // the counted exit test in the header, or nil
	cont     int     // the successor index of exit that stays in the loop
	key      string  // the counted loop's key, "" when not counted
	relevant bool    // an operation, a start or a call of a node is inside
	event    bool    // every way out follows an operation on the channel
	free     bool    // relevant, neither counted nor event: runs 0 to bound times (freeloops.go)
	off      int     // a counted loop's test stays while back edges < trips - off (startOffset)
	counting bool    // relevant, not counted, leaves when a counter reaches a bound (counts.go)
	limit    int     // a counting loop's constant bound, when over bound
	bounds   []ssa.Value
	// untracked: the blocks of the body that leave the loop (by an edge
	// out or a return) after no operation on the channel: the ways out
	// that keep it from being an event loop (freeloops.go).
	untracked map[*ssa.BasicBlock]bool
}

type opInfo struct {
	kind  chanuse.Kind
	state int
	op    chanuse.Op
	ch    int // 0: the channel; i: m.secs[i-1] (joint.go)
}

// model is what the exploration needs of the channel, computed once.
type model struct {
	ch       *chanuse.Channel
	canon    map[*chanuse.Node]*chanuse.Node
	ops      map[*chanuse.Node]map[ssa.Instruction][]opInfo
	children map[*chanuse.Node]map[ssa.Instruction][]*chanuse.Node
	loops    map[*ssa.Function]map[*ssa.BasicBlock]*loop // by header
	keys     map[string]int                              // counted loop keys; constant ones have their trip count, others -1
	capKey   string
	capAdd   int
	index    map[*chanuse.Node]int
	dead     map[*ssa.Select]map[int]bool // deadCase, cached
	rep      map[*ssa.Function]map[string]bool
	// value is the one constant every send sends (valueKnown), so a
	// receive that gets a value knows it: if <-done { return }.
	value      int64
	valueKnown bool
	sends      map[*chanuse.Node]bool // by goroutine (G)
	recvs      map[*chanuse.Node]bool
	closes     map[*chanuse.Node]bool
	// then is the caller's root when the maker returns the channel to it
	// (CheckReturned): the maker's goroutine goes on there after
	// thenCall, when it returns at one of rets.
	then     *chanuse.Node
	also     *chanuse.Node   // a second client, started as then begins (CheckClients)
	late     []*chanuse.Node // clients started once nothing else can move (lifecycle.go)
	thenCall *ssa.Call
	rets     map[*ssa.Return]bool
	flags    map[*types.Var]bool // boolean fields tracked (findFlags)

	sy *syncModel // the WaitGroups, locks and contexts modelled, or nil

	secs     []*secChan      // other channels followed with it (joint.go)
	jointWhy string          // why another channel is not followed, for the census
	extra    []*chanuse.Node // nodes added for the other channels, until withExtra
	hobj     *HarnessObject  // the field harness's object (harnesssync.go)
	early    bool            // the clients start at the element's store (CheckRegistry)

	// start is where the exploration begins when the model is rooted at
	// a sync object rather than a channel (roots.go): the object's
	// allocation. Nil for a channel's model, which begins at its make.
	start ssa.Instruction

	counting   bool             // a counting loop is followed: counters are evaluated (counts.go)
	countExits map[*ssa.If]bool // the counting loops' exits
	loopWhy    string           // why loopsOf gave up, when not the usual

	vals *values // the values on the channel the receivers test against nil (values.go), or nil

	// stops: the blocks leaving a free loop by an untracked way out, with
	// the loops they leave (freeloops.go).
	stops map[*ssa.BasicBlock][]*loop

	polls    map[pollKey]bool       // selects whose default is a pure poll (polls.go)
	recovers map[*ssa.Function]bool // functions that defer a call that may recover (polls.go)
}

// begin is the instruction the maker's goroutine starts after.
func (m *model) begin() ssa.Instruction {
	if m.start != nil {
		return m.start
	}
	return m.ch.Make
}

// Check explores the goroutines that use ch and returns the operations
// some interleaving leaves blocked forever, each once with its first
// (shortest) witness. It returns nothing when ch escapes, when the model
// is outside what the checker follows, or when budget states are spent.
func Check(ch *chanuse.Channel, budget int) []Stuck {
	m := build(ch)
	if m == nil {
		dbg("%s: no model", ch.Make.Parent().Name())
		return nil
	}
	dbg("%s: keys %v cap %s+%d", ch.Make.Parent().Name(), m.keys, m.capKey, m.capAdd)
	return m.explore(budget)
}

func build(ch *chanuse.Channel) *model {
	if ch.Escapes || ch.Make == nil || len(ch.Returns) > 0 || len(ch.Nodes) == 0 {
		giveUp(ch, "escapes or returned")
		return nil
	}
	m := newModel(ch)
	if m == nil {
		return nil
	}
	m.joint()
	if !m.constValue() || m.localCases() {
		dbg("%s: local select case", ch.Make.Parent().Name())
		why := "select case on another local channel, or values"
		if m.jointWhy != "" {
			why += " (joint: " + m.jointWhy + ")"
		}
		giveUp(ch, why)
		return nil
	}
	if m.sentinel() || m.testsValues() {
		dbg("%s: sentinel", ch.Make.Parent().Name())
		giveUp(ch, "sentinel or tested values")
		return nil
	}
	if m.stateful() {
		dbg("%s: stateful", ch.Make.Parent().Name())
		giveUp(ch, "stateful")
		return nil
	}
	if lenRead(ch) {
		giveUp(ch, "len of the channel read")
		return nil
	}
	m.findValues()
	m.withExtra()
	for _, n := range m.ch.Nodes {
		if m.canon[n] != n {
			continue
		}
		if !m.loopsOf(n) {
			if m.loopWhy != "" {
				giveUp(ch, m.loopWhy)
				return nil
			}
			giveUp(ch, "loop neither counted nor event")
			return nil
		}
	}
	if !m.freeLoopsAlone() {
		giveUp(ch, "loop neither counted nor event: "+m.loopWhy)
		return nil
	}
	m.stopExits()
	// The capacity: a constant, or a counted loop's bound (plus a constant).
	size := ch.Make.Size
	if c, ok := size.(*ssa.Const); ok {
		v, exact := constant.Int64Val(constant.ToInt(c.Value))
		if !exact || v < 0 {
			giveUp(ch, "inexact capacity")
			return nil
		}
		// Past 64 the bounded model never fills the buffer, as the
		// program does not on paths of that few sends.
		m.capAdd = int(min(v, neverFull))
	} else {
		add := 0
		if b, ok := size.(*ssa.BinOp); ok && (b.Op == token.ADD || b.Op == token.SUB) {
			if c, ok := b.Y.(*ssa.Const); ok {
				v, exact := constant.Int64Val(constant.ToInt(c.Value))
				if !exact {
					giveUp(ch, "inexact capacity")
					return nil
				}
				add = int(v)
				if b.Op == token.SUB {
					add = -add
				}
				size = b.X
			}
		}
		k := root(size, ch.Nodes[0], 0)
		if _, ok := m.keys[k]; ok {
			m.capKey, m.capAdd = k, add
		} else {
			// A size from elsewhere (a parameter, a field, a setting):
			// explored as never full, so no send blocks for room; a
			// receive left waiting on a path of n sends is left so for
			// every capacity of n or more.
			dbg("capacity %s not in keys %v: never full", k, m.keys)
			m.capAdd = neverFull
		}
	}
	if len(m.keys) > 4 {
		giveUp(ch, "over 4 loop keys")
		return nil
	}
	if !m.jointCaps() {
		giveUp(ch, "joint: capacity of another channel")
		return nil
	}
	m.sy = m.buildSync()
	if len(m.secs) > 0 && m.unfollowedWaits() {
		giveUp(ch, "joint: a wait the model does not follow")
		return nil
	}
	return m
}

// newModel makes the model's tree of nodes: each node's canonical node,
// the nodes started or called at each instruction, the channel's
// operations; nil gives up.
func newModel(ch *chanuse.Channel) *model {
	if len(ch.Each) > 0 {
		// An operation once per pass over a slice of channels
		// (chanuse's slices.go): the model's loops would repeat it.
		giveUp(ch, "an operation on a slice element in its range loop")
		return nil
	}
	m := &model{ch: ch, canon: map[*chanuse.Node]*chanuse.Node{},
		ops:      map[*chanuse.Node]map[ssa.Instruction][]opInfo{},
		children: map[*chanuse.Node]map[ssa.Instruction][]*chanuse.Node{},
		loops:    map[*ssa.Function]map[*ssa.BasicBlock]*loop{},
		keys:     map[string]int{}, index: map[*chanuse.Node]int{}, rep: map[*ssa.Function]map[string]bool{}, dead: map[*ssa.Select]map[int]bool{},
		sends: map[*chanuse.Node]bool{}, recvs: map[*chanuse.Node]bool{}, closes: map[*chanuse.Node]bool{}}
	type gf struct {
		g  *chanuse.Node
		fn *ssa.Function
	}
	first := map[gf]*chanuse.Node{}
	for i, n := range ch.Nodes {
		if n.Callback || n.Fn == nil || n.Fn.Blocks == nil {
			giveUp(ch, "callback node")
			return nil
		}
		m.index[n] = i
		// A function reached again in the same goroutine is recorded
		// once (chanuse's walk stops there): run it as the first.
		k := gf{n.G, n.Fn}
		if f := first[k]; f != nil && len(n.Ops) == 0 && len(n.Vals) == 0 {
			m.canon[n] = f
		} else {
			if first[k] == nil {
				first[k] = n
			}
			m.canon[n] = n
		}
	}
	for _, n := range ch.Nodes {
		if n.Parent != nil {
			p := m.canon[n.Parent]
			at := startOf(n)
			if at == nil {
				giveUp(ch, "node without a start")
				return nil
			}
			if m.children[p] == nil {
				m.children[p] = map[ssa.Instruction][]*chanuse.Node{}
			}
			m.children[p][at] = append(m.children[p][at], n)
			if len(m.children[p][at]) > 1 {
				giveUp(ch, "two nodes at one call")
				return nil
			}
			// A goroutine that starts its own function again folds the
			// new goroutines into itself: they are not in the model.
			for a := n.Parent; a != nil; a = a.Parent {
				if a.Fn == n.Fn && n.G == n {
					giveUp(ch, "goroutine restarts its function")
					return nil
				}
			}
		}
		for _, op := range n.Ops {
			if m.ops[n] == nil {
				m.ops[n] = map[ssa.Instruction][]opInfo{}
			}
			m.ops[n][op.Instr] = append(m.ops[n][op.Instr], opInfo{kind: op.Kind, state: op.State, op: op})
			switch op.Kind {
			case chanuse.Send, chanuse.SelectSend:
				m.sends[n.G] = true
			case chanuse.Recv, chanuse.SelectRecv:
				m.recvs[n.G] = true
			case chanuse.Close, chanuse.DeferClose:
				m.closes[n.G] = true
			}
		}
	}
	return m
}

// loopsOf finds the loops of n's function, their keys, and whether each
// is one the checker can follow; false gives up on the channel.
func (m *model) loopsOf(n *chanuse.Node) bool {
	fn := n.Fn
	ls := map[*ssa.BasicBlock]*loop{}
	for _, b := range fn.Blocks {
		for _, s := range b.Succs {
			if !s.Dominates(b) {
				continue
			}
			l := ls[s]
			if l == nil {
				l = &loop{head: s, body: map[*ssa.BasicBlock]bool{s: true}}
				ls[s] = l
			}
			// The natural loop: blocks reaching the back edge's source
			// without passing the header.
			stack := []*ssa.BasicBlock{b}
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if l.body[x] {
					continue
				}
				l.body[x] = true
				stack = append(stack, x.Preds...)
			}
		}
	}
	opsAt := m.ops[n]
	kids := m.children[n]
	for _, l := range ls {
		var opBlocks []*ssa.BasicBlock
		for b := range l.body {
			for _, in := range b.Instrs {
				if len(opsAt[in]) > 0 {
					opBlocks = append(opBlocks, b)
				}
			}
		}
		// Inside the loop, for what it runs: the body, and the blocks
		// that leave it from within (an operation before a return in the
		// loop), not those after the header's way out.
		var exits []*ssa.BasicBlock // the header's way out: what follows the loop
		for _, x := range l.head.Succs {
			if !l.body[x] {
				exits = append(exits, x)
			}
		}
		for _, b := range fn.Blocks {
			if !l.head.Dominates(b) || l.relevant {
				continue
			}
			after := false
			for _, x := range exits {
				// An exit straight back to an enclosing loop's header
				// dominates this loop too: it is not after it.
				if x.Dominates(b) && !x.Dominates(l.head) {
					after = true
					break
				}
			}
			if after {
				continue
			}
			for _, in := range b.Instrs {
				if len(opsAt[in]) > 0 || len(kids[in]) > 0 {
					l.relevant = true
				}
			}
		}
		m.counted(n, l)
		if !l.relevant && l.key != "" && condLoop(l) {
			l.relevant = true // its trips decide a Cond's operations (cond.go)
		}
		// An event loop: every way out (an edge out of the body, or a
		// return in it) follows an operation on the channel.
		l.event = len(opBlocks) > 0
		for b := range l.body {
			out := false
			for _, s := range b.Succs {
				if !l.body[s] {
					out = true
				}
			}
			if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
				out = true
			}
			if !out {
				continue
			}
			after := false
			for _, ob := range opBlocks {
				if ob.Dominates(b) {
					after = true
					break
				}
			}
			if !after && !(b == l.head && flagExit(l, opBlocks)) {
				l.event = false
				if l.untracked == nil {
					l.untracked = map[*ssa.BasicBlock]bool{}
				}
				l.untracked[b] = true
			}
		}
		if l.relevant && !m.valueKnown && valueExit(n, l) {
			dbg("loop %s in %s: leaves by a received value", l.head, fn)
			m.loopWhy = "loop: leaves by a value received from the channel"
			return false
		}
		if l.relevant && l.key == "" {
			if exits, ok := m.countingExits(n, l); len(exits) > 0 {
				if !ok {
					dbg("loop %s in %s: counts its way out to a bound not followed", l.head, fn)
					return false
				}
				l.counting, m.counting = true, true
				dbg("loop %s in %s: counting, bounds %v", l.head, fn, l.bounds)
				if m.countExits == nil {
					m.countExits = map[*ssa.If]bool{}
				}
				for _, x := range exits {
					m.countExits[x] = true
				}
			}
		}
		if l.relevant && l.key == "" && !l.event {
			dbg("loop %s in %s: not counted, not event", l.head, fn)
			l.free = true
		}
		if l.key != "" && l.relevant {
			dbg("loop %s in %s: key %s", l.head, fn, l.key)
			if _, ok := m.keys[l.key]; !ok {
				m.keys[l.key] = -1
				if v, ok := constKey(l.key); ok {
					if v > 4 {
						m.loopWhy = "counted loop: a constant count over 4"
						return false
					}
					m.keys[l.key] = v
				}
			}
		} else {
			l.key = ""
		}
	}
	m.loops[fn] = ls
	return true
}

func constKey(k string) (int, bool) {
	var v int
	if _, err := fmt.Sscanf(k, "c:%d", &v); err == nil {
		return v, true
	}
	return 0, false
}

// counted sets l's exit test and key when l is a counted loop: its
// header tests an induction variable (from a constant, step 1) against a
// bound that does not change in the loop, or ranges over a map.
func (m *model) counted(n *chanuse.Node, l *loop) {
	iff, ok := l.head.Instrs[len(l.head.Instrs)-1].(*ssa.If)
	if !ok || len(l.head.Succs) != 2 {
		return
	}
	in0, in1 := l.body[l.head.Succs[0]], l.body[l.head.Succs[1]]
	if in0 == in1 {
		return
	}
	cont := 0
	if in1 {
		cont = 1
	}
	var bnd ssa.Value
	switch c := iff.Cond.(type) {
	case *ssa.BinOp:
		// The bound must hold still: not set in this loop, nor in an
		// enclosing one (a count of what an outer loop started).
		if c.Op != token.LSS || !m.induction(l, c.X) || definedIn(l, c.Y) || inLoop(lenBase(c.Y)) {
			return
		}
		bnd = c.Y
	case *ssa.Extract:
		nx, ok := c.Tuple.(*ssa.Next)
		if !ok || c.Index != 0 || nx.IsString {
			return
		}
		rg, ok := nx.Iter.(*ssa.Range)
		if !ok || definedIn(l, rg.X) {
			return
		}
		k := root(rg.X, n, 0)
		l.exit, l.cont, l.key = iff, cont, "len:"+k
		return
	default:
		return
	}
	l.exit, l.cont, l.key = iff, cont, root(bnd, n, 0)
	l.off = startOffset(l, iff.Cond.(*ssa.BinOp).X)
}

// startOffset is where a counted loop's test starts counting: the
// induction variable's constant start, plus one when the test reads it
// stepped. The test stays in the loop while its back edges number fewer
// than the bound less this: 0 for i := 0; i < n and for go/ssa's range
// over a slice (from -1, stepped); 1 for a range over an int, whose test
// follows the first body (from 0, stepped), which so runs n times, not
// n+1.
func startOffset(l *loop, v ssa.Value) int {
	d := 0
	if b, ok := v.(*ssa.BinOp); ok {
		v, d = b.X, 1
	}
	phi := v.(*ssa.Phi)
	for i, e := range phi.Edges {
		if !l.body[phi.Block().Preds[i]] {
			if c, ok := e.(*ssa.Const); ok && c.Value != nil {
				if x, exact := constant.Int64Val(constant.ToInt(c.Value)); exact {
					return int(x) + d
				}
			}
		}
	}
	return d
}

// induction reports whether v is the loop's induction variable (a phi in
// the header from a constant outside, stepped by one inside), or that plus
// one (go/ssa's range over a slice tests the stepped index).
func (m *model) induction(l *loop, v ssa.Value) bool {
	var phi *ssa.Phi
	var step ssa.Value
	switch x := v.(type) {
	case *ssa.Phi:
		phi = x
	case *ssa.BinOp:
		p, ok := x.X.(*ssa.Phi)
		if !ok || x.Op != token.ADD || !isOne(x.Y) {
			return false
		}
		phi, step = p, x
	default:
		return false
	}
	if phi.Block() != l.head {
		return false
	}
	for i, e := range phi.Edges {
		if !l.body[l.head.Preds[i]] {
			if _, ok := e.(*ssa.Const); !ok {
				return false
			}
			continue
		}
		if step != nil && e == step {
			continue
		}
		b, ok := e.(*ssa.BinOp)
		if !ok || b.Op != token.ADD || b.X != phi || !isOne(b.Y) {
			return false
		}
	}
	return true
}

func isOne(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
		return false
	}
	x, exact := constant.Int64Val(c.Value)
	return exact && x == 1
}

func definedIn(l *loop, v ssa.Value) bool {
	in, ok := v.(ssa.Instruction)
	return ok && in.Block() != nil && l.body[in.Block()]
}

// root names the value a loop bound or a capacity comes from, so that
// loops and capacities on the same bound share a key: through conversions,
// len, a variable stored once, free variables to the closure's binding and
// parameters to the call that passes them.
func root(v ssa.Value, n *chanuse.Node, depth int) string {
	if depth > 8 {
		return fmt.Sprintf("v%p", v)
	}
	switch x := v.(type) {
	case *ssa.Const:
		if x.Value != nil && x.Value.Kind() == constant.Int {
			if i, ok := constant.Int64Val(x.Value); ok {
				return fmt.Sprintf("c:%d", i)
			}
		}
		if x.Value != nil && x.Value.Kind() == constant.String {
			return "s:" + x.Value.ExactString() // a map key (syncmap.go)
		}
	case *ssa.ChangeType:
		return root(x.X, n, depth+1)
	case *ssa.Convert:
		if isInt(x.X.Type()) {
			return root(x.X, n, depth+1)
		}
	case *ssa.Slice:
		return root(x.X, n, depth+1)
	case *ssa.Call:
		if b, ok := x.Call.Value.(*ssa.Builtin); ok && b.Name() == "len" && len(x.Call.Args) == 1 {
			return "len:" + root(x.Call.Args[0], n, depth+1)
		}
	case *ssa.Field:
		// A field of one value, read twice (range t.xs, then len(t.xs)):
		// one key. Sharing a key only leaves out paths where the reads
		// differ, so it cannot invent a witness.
		return fmt.Sprintf("%s.%d", root(x.X, n, depth+1), x.Field)
	case *ssa.UnOp:
		if x.Op == token.MUL {
			addr, on := x.X, n
			// A variable the closure captured (go/ssa captures by
			// address) and only reads: the variable in the binder.
			if fv, ok := addr.(*ssa.FreeVar); ok && n != nil && n.Parent != nil && onlyLoaded(fv) {
				if mk := closureOf(n); mk != nil {
					if b := chanuse.Bound(mk, fv); b != nil {
						addr, on = b, n.Parent
					}
				}
			}
			if a, ok := addr.(*ssa.Alloc); ok {
				if s := chanuse.OnlyStore(a); s != nil {
					return root(s, on, depth+1)
				}
			}
			if g, ok := x.X.(*ssa.Global); ok {
				return "g:" + g.RelString(nil) // a package variable, read at each use
			}
			if fa, ok := x.X.(*ssa.FieldAddr); ok {
				return fmt.Sprintf("%s->%d", root(fa.X, n, depth+1), fa.Field)
			}
		}
	case *ssa.Alloc:
		if s := chanuse.OnlyStore(x); s != nil {
			return "*" + root(s, n, depth+1)
		}
	case *ssa.FreeVar:
		if n != nil && n.Parent != nil {
			if mk := closureOf(n); mk != nil {
				if b := chanuse.Bound(mk, x); b != nil {
					return root(b, n.Parent, depth+1)
				}
			}
		}
	case *ssa.Parameter:
		if n != nil && n.Parent != nil && n.Fn == x.Parent() {
			if c := callOf(n); c != nil {
				for i, p := range x.Parent().Params {
					if p != x {
						continue
					}
					if c.IsInvoke() {
						i--
					}
					if i >= 0 && i < len(c.Args) {
						return root(c.Args[i], n.Parent, depth+1)
					}
				}
			}
		}
	}
	return fmt.Sprintf("v%p", v)
}

func isInt(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsInteger != 0
}

// onlyLoaded reports whether the closure only reads the captured
// variable fv.
func onlyLoaded(fv *ssa.FreeVar) bool {
	for _, r := range *fv.Referrers() {
		if u, ok := r.(*ssa.UnOp); !ok || u.Op != token.MUL {
			if _, ok := r.(*ssa.DebugRef); !ok {
				return false
			}
		}
	}
	return true
}

// callOf returns the go statement or call that runs n from its parent
// with arguments (not a wrapper's start, whose arguments are the
// wrapper's), or nil.
func callOf(n *chanuse.Node) *ssa.CallCommon {
	switch {
	case n.Go != nil:
		return n.Go.Common()
	case n.Call != nil:
		return n.Call.Common()
	}
	return nil
}

// closureOf returns the MakeClosure that n's function literal was made by.
func closureOf(n *chanuse.Node) *ssa.MakeClosure {
	var c *ssa.CallCommon
	switch {
	case n.Go != nil:
		c = n.Go.Common()
	case n.Call != nil:
		c = n.Call.Common()
	case n.Start != nil:
		c = n.Start.Common()
		if len(c.Args) == 2 {
			mk, _ := c.Args[1].(*ssa.MakeClosure)
			return mk
		}
		return nil
	default:
		return nil
	}
	mk, _ := c.Value.(*ssa.MakeClosure)
	return mk
}

// inLoop reports whether v is computed in a loop of its function.
func inLoop(v ssa.Value) bool {
	in, ok := v.(ssa.Instruction)
	return ok && in.Block() != nil && ssaloop.InLoop(in.Block())
}

// stateful reports whether a value sent on the channel derives from one
// received from it (a token carrying state: status := <-c; ...; c <-
// status): the paths then depend on the values, which are not tracked.
func (m *model) stateful() bool {
	recvd := map[ssa.Value]bool{}
	for _, n := range m.ch.Nodes {
		for _, op := range n.Ops {
			switch op.Kind {
			case chanuse.Recv:
				recvd[op.Instr.(ssa.Value)] = true
			case chanuse.SelectRecv:
				recvd[op.Instr.(*ssa.Select)] = true
			}
		}
	}
	if len(recvd) == 0 {
		return false
	}
	seen := map[ssa.Value]bool{}
	var from func(v ssa.Value, depth int) bool
	from = func(v ssa.Value, depth int) bool {
		if v == nil || seen[v] || depth > 10 {
			return false
		}
		seen[v] = true
		if recvd[v] {
			return true
		}
		switch x := v.(type) {
		case *ssa.Alloc:
			for _, r := range *x.Referrers() {
				switch r := r.(type) {
				case *ssa.Store:
					if from(r.Val, depth+1) {
						return true
					}
				case *ssa.FieldAddr, *ssa.IndexAddr:
					for _, r2 := range *r.(ssa.Value).Referrers() {
						if st, ok := r2.(*ssa.Store); ok && from(st.Val, depth+1) {
							return true
						}
					}
				}
			}
			return false
		case *ssa.Call, *ssa.Parameter, *ssa.FreeVar, *ssa.Global, *ssa.Const, *ssa.Function:
			return false
		case ssa.Instruction:
			var ops []*ssa.Value
			for _, o := range x.Operands(ops) {
				if *o != nil && from(*o, depth+1) {
					return true
				}
			}
		}
		return false
	}
	for _, n := range m.ch.Nodes {
		for _, op := range n.Ops {
			if x := sent(op); x != nil && from(x, 0) {
				return true
			}
		}
	}
	return false
}

// deadCase reports whether case k of sel, on another channel, can never
// fire: its channel is made in the package, does not escape, and nothing
// sends on or closes it (a receive) or receives from it (a send).
func (m *model) deadCase(n *chanuse.Node, sel *ssa.Select, k int) bool {
	if d, ok := m.dead[sel][k]; ok {
		return d
	}
	if m.dead[sel] == nil {
		m.dead[sel] = map[int]bool{}
	}
	d := deadCase(n, sel, k)
	m.dead[sel][k] = d
	return d
}

func deadCase(n *chanuse.Node, sel *ssa.Select, k int) bool {
	mc := madeBy(n, sel.States[k].Chan)
	if mc == nil {
		return false
	}
	c := chanuse.Follow(mc)
	if c.Escapes || len(c.Returns) > 0 {
		return false
	}
	send := sel.States[k].Dir == types.SendOnly
	for _, cn := range c.Nodes {
		for _, op := range cn.Ops {
			switch op.Kind {
			case chanuse.Send, chanuse.SelectSend, chanuse.Close, chanuse.DeferClose:
				if !send {
					return false
				}
			default:
				if send {
					return false
				}
			}
		}
	}
	return true
}

// repeated returns the condition keys that more than one If of fn,
// outside loops, tests: only those need a recorded direction.
func (m *model) repeated(fn *ssa.Function) map[string]bool {
	if r, ok := m.rep[fn]; ok {
		return r
	}
	n := map[string]int{}
	for _, b := range fn.Blocks {
		if iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If); ok && !inLoop(iff.Cond) {
			n[condKey(iff.Cond, 0)]++
		}
	}
	r := map[string]bool{}
	for k, c := range n {
		if c > 1 {
			r[k] = true
		}
	}
	m.rep[fn] = r
	return r
}

// sent returns the value op sends, or nil when op does not send.
func sent(op chanuse.Op) ssa.Value {
	switch op.Kind {
	case chanuse.Send:
		return op.Instr.(*ssa.Send).X
	case chanuse.SelectSend:
		return op.Instr.(*ssa.Select).States[op.State].Send
	}
	return nil
}

// constValue sets value when every send sends the same boolean or integer
// constant; it returns false when that is not settled (never).
func (m *model) constValue() bool {
	var c *ssa.Const
	for _, n := range m.ch.Nodes {
		for _, op := range n.Ops {
			x := sent(op)
			if x == nil {
				continue
			}
			k, ok := x.(*ssa.Const)
			if !ok || k.Value == nil || (k.Value.Kind() != constant.Bool && k.Value.Kind() != constant.Int) || c != nil && !constant.Compare(c.Value, token.EQL, k.Value) {
				return true
			}
			c = k
		}
	}
	if c == nil {
		return true
	}
	if c.Value.Kind() == constant.Bool {
		if constant.BoolVal(c.Value) {
			m.value = 1
		}
	} else if v, ok := constant.Int64Val(c.Value); ok {
		m.value = v
	} else {
		return true
	}
	m.valueKnown = true
	return true
}

// localCases reports whether a select of the model's functions has a
// case on another channel made in the package (found through free
// variables) that the model does not follow (joint.go) and that may fire:
// its timing is the program's, which the checker does not model (a case
// on a context, a timer or a channel from elsewhere may fire at any time).
// A select with no case on this channel counts too: it decides the paths
// by that channel's state (if errc has a value, return; else read vals).
func (m *model) localCases() bool {
	for _, n := range append(append([]*chanuse.Node(nil), m.ch.Nodes...), m.extra...) {
		for _, b := range n.Fn.Blocks {
			for _, in := range b.Instrs {
				sel, ok := in.(*ssa.Select)
				if !ok {
					continue
				}
				for k, st := range sel.States {
					if st.Chan == nil || n.Vals[st.Chan] {
						continue
					}
					if mc := madeBy(n, st.Chan); mc != nil && !m.followed(n, st.Chan) && !m.deadCase(n, sel, k) {
						return true
					}
				}
			}
		}
	}
	return false
}

// madeBy returns the make of v, followed through conversions and free
// variables, or nil.
func madeBy(n *chanuse.Node, v ssa.Value) *ssa.MakeChan {
	for i := 0; i < 8; i++ {
		if mc, ok := v.(*ssa.MakeChan); ok {
			return mc
		}
		var ok bool
		if v, n, ok = origin(n, v); !ok {
			return nil
		}
	}
	return nil
}

// origin steps back from v, a value in n's function, to where it comes
// from: through a conversion, a load of a variable stored once, or a free
// variable to its binding in the parent node; ok is false when v is none
// of these.
func origin(n *chanuse.Node, v ssa.Value) (ssa.Value, *chanuse.Node, bool) {
	switch x := v.(type) {
	case *ssa.ChangeType:
		return x.X, n, true
	case *ssa.UnOp:
		if x.Op == token.MUL {
			return x.X, n, true
		}
	case *ssa.Alloc:
		if st := chanuse.OnlyStore(x); st != nil {
			return st, n, true
		}
	case *ssa.FreeVar:
		if n != nil && n.Parent != nil {
			if mk := closureOf(n); mk != nil {
				return chanuse.Bound(mk, x), n.Parent, true
			}
		}
	}
	return nil, nil, false
}

// sentinel reports whether a function sends a constant on the channel
// after a loop that sends other values on it (for _, t := range ts
// { ch <- t }; ch <- task{}): the constant ends the stream and the
// receivers test for it, a value the checker does not follow.
func (m *model) sentinel() bool {
	for _, n := range m.ch.Nodes {
		var consts []*ssa.BasicBlock
		looped := false
		for _, op := range n.Ops {
			var x ssa.Value
			switch in := op.Instr.(type) {
			case *ssa.Send:
				x = in.X
			case *ssa.Select:
				for _, st := range in.States {
					if st.Dir == types.SendOnly && n.Vals[st.Chan] {
						x = st.Send
					}
				}
			}
			if x == nil {
				continue
			}
			if _, ok := x.(*ssa.Const); ok {
				if !ssaloop.InLoop(op.Instr.Block()) {
					consts = append(consts, op.Instr.Block())
				}
			} else if ssaloop.InLoop(op.Instr.Block()) {
				looped = true
			}
		}
		if looped && len(consts) > 0 {
			return true
		}
	}
	return false
}

// testsValues reports whether a receiver compares a value it received
// from the channel (or a field of it) with a constant other than nil
// (if m.Kind == "end" { return }, switch v { case -1: ... }): its paths
// then depend on what the senders send, which the checker does not
// follow (x/tools playground's TestBuffer never sends "end"). A test
// against nil (an error received) stays unknown both ways: any sender
// may send one.
func (m *model) testsValues() bool {
	for _, n := range m.ch.Nodes {
		for _, op := range n.Ops {
			got := receivedValues(op)
			for _, v := range got {
				if comparedToConst(v, 0) {
					return true
				}
			}
		}
	}
	return false
}

// comparedToConst reports whether v, or a field of it (loaded through a
// pointer), is compared with a constant that is not nil.
func comparedToConst(v ssa.Value, depth int) bool {
	if depth > 3 || v.Referrers() == nil {
		return false
	}
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.BinOp:
			if r.Op != token.EQL && r.Op != token.NEQ {
				continue
			}
			for _, x := range []ssa.Value{r.X, r.Y} {
				if c, ok := x.(*ssa.Const); ok && !c.IsNil() {
					return true
				}
			}
		case *ssa.FieldAddr, *ssa.Field:
			if comparedToConst(r.(ssa.Value), depth+1) {
				return true
			}
		case *ssa.UnOp:
			if r.Op == token.MUL && comparedToConst(r, depth+1) {
				return true
			}
		}
	}
	return false
}

// lenBase strips len and integer conversions off a loop bound: len(xs)
// computed in an enclosing loop's body is as still as xs (for range xs
// inside for range seeds).
func lenBase(v ssa.Value) ssa.Value {
	for i := 0; i < 4; i++ {
		switch x := v.(type) {
		case *ssa.Call:
			if b, ok := x.Call.Value.(*ssa.Builtin); ok && b.Name() == "len" && len(x.Call.Args) == 1 {
				v = x.Call.Args[0]
				continue
			}
		case *ssa.Convert:
			if isInt(x.X.Type()) {
				v = x.X
				continue
			}
		}
		return v
	}
	return v
}

// giveUp prints the census line of a channel the model gives up on.
func giveUp(ch *chanuse.Channel, why string) {
	if ch.Make == nil && ch.Why == "" {
		ch.Why = why // a sync object's model (roots.go) prints it
	}
	if census.On() && ch.Make != nil {
		census.Printf(ch.Make.Parent().Prog.Fset, ch.Make.Pos(), "gives up: %s", why)
	}
}

// lenRead reports whether a goroutine of the model branches on len(ch): a
// receive guarded by `len(ch) > 0` cannot block, but the model does not
// decide branches on the buffer's count (nats-server's test draining
// errCh only when it holds an error was a false finding once capacities
// over 64 were explored).
func lenRead(ch *chanuse.Channel) bool {
	for _, n := range ch.Nodes {
		for v := range n.Vals {
			for _, r := range *v.Referrers() {
				if c, ok := r.(*ssa.Call); ok {
					if b, ok := c.Call.Value.(*ssa.Builtin); ok && b.Name() == "len" && decides(c) {
						return true
					}
				}
			}
		}
	}
	return false
}

// decides reports whether v is compared and the comparison decides a
// branch (if len(ch) > 0).
func decides(v ssa.Value) bool {
	for _, r := range *v.Referrers() {
		if b, ok := r.(*ssa.BinOp); ok {
			for _, rr := range *b.Referrers() {
				if _, ok := rr.(*ssa.If); ok {
					return true
				}
			}
		}
	}
	return false
}

// receivedValues returns the values op receives from the channel: the
// receive itself, the value of a comma-ok receive, or a select case's
// value (received values follow the index and ok in the select's tuple,
// one per receiving case, in case order). Other ops receive nothing.
func receivedValues(op chanuse.Op) []ssa.Value {
	var got []ssa.Value
	switch in := op.Instr.(type) {
	case *ssa.UnOp:
		if in.CommaOk {
			for _, r := range *in.Referrers() {
				if e, ok := r.(*ssa.Extract); ok && e.Index == 0 {
					got = append(got, e)
				}
			}
		} else {
			got = append(got, in)
		}
	case *ssa.Select:
		if op.Kind != chanuse.SelectRecv {
			return nil
		}
		idx := 2
		for k, st := range in.States {
			if st.Dir != types.RecvOnly {
				continue
			}
			if k == op.State {
				for _, r := range *in.Referrers() {
					if e, ok := r.(*ssa.Extract); ok && e.Index == idx {
						got = append(got, e)
					}
				}
			}
			idx++
		}
	}
	return got
}
