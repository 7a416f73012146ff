package chanmodel

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/ssa"
)

// Joint channels: a select of the model's goroutines with a case on
// another channel the package makes used to make the checker give up
// (when that case fires is the program's timing). When that other
// channel's whole life is in the model (chanuse.Follow: not escaped, not
// returned, every operation in a function the model runs, on the same
// instance), the model follows it too, with the spec's semantics: its
// buffer, close waking every receiver, a select choosing among its ready
// cases, a default only when none is ready. A case on a followed channel
// fires only when that channel is ready. At most maxJoint other channels
// are followed; past that, or when one is not wholly in the model, the
// checker gives up as before.

// maxJoint bounds the other channels followed with the channel.
const maxJoint = 2

// secChan is another channel followed with the channel (index 1+ in the
// state's channels; the channel itself is 0).
type secChan struct {
	mk         *ssa.MakeChan
	ch         *chanuse.Channel
	atStart    bool // made before the channel, in its maker: made when the exploration starts
	capKey     string
	capAdd     int
	value      int64 // the one constant every send sends, when valueKnown
	valueKnown bool
}

// chanQ is the state of one followed channel.
type chanQ struct {
	buf, cap int
	closed   bool
	made     bool
}

// q returns the state of channel c in s.
func (s *state) q(c int) chanQ {
	if c == 0 {
		return chanQ{s.buf, s.cap, s.closed, true}
	}
	return s.sec[c-1]
}

// setQ sets the state of channel c in s (which s owns; the others' slice
// is copied on write).
func (s *state) setQ(c int, q chanQ) {
	if c == 0 {
		s.buf, s.cap, s.closed = q.buf, q.cap, q.closed
		return
	}
	s.sec = append([]chanQ(nil), s.sec...)
	s.sec[c-1] = q
}

// joint finds the other channels made in the package that the model's
// goroutines select on, and follows those wholly in the model: their
// operations (select cases and plain ones) are added to m.ops with their
// index, and the goroutines that use only them are added to the model's
// nodes (m.extra). A channel that cannot be followed is left alone: a
// select case on it makes localCases give up as before. Plain operations
// on channels no select has a case on still return at once: following
// them too changes models the checker explores today, whose loop counts
// it does not correlate across closures (a feeder goroutine's range over
// a captured slice against the collector's), and found no new bug on the
// development set.
func (m *model) joint() {
	var cands []*ssa.MakeChan
	seen := map[*ssa.MakeChan]bool{}
	for _, n := range m.ch.Nodes {
		if m.canon[n] != n {
			continue
		}
		for _, b := range n.Fn.Blocks {
			for _, in := range b.Instrs {
				sel, isSel := in.(*ssa.Select)
				if !isSel {
					continue
				}
				for _, o := range chanOps(n, in) {
					if o.ch == nil || n.Vals[o.ch] {
						continue
					}
					mc := madeByN(n, o.ch)
					if mc == nil || mc == m.ch.Make || seen[mc] {
						continue
					}
					if m.deadCase(n, sel, o.state) {
						continue
					}
					seen[mc] = true
					cands = append(cands, mc)
				}
			}
		}
	}
	if len(cands) > maxJoint {
		m.jointWhy = "over 2 other channels"
		return
	}
	// The model's nodes by their path of starts and calls from the root,
	// so that another channel's tree, made in the same function, maps
	// onto them; its nodes the model lacks (goroutines that use only the
	// other channel) are added.
	byPath := map[string]*chanuse.Node{}
	for _, n := range m.ch.Nodes {
		byPath[nodePath(n)] = m.canon[n]
	}
	type found struct {
		n  *chanuse.Node
		in ssa.Instruction
		o  opInfo
	}
	var adds []found
	var extra []*chanuse.Node
	keys := map[*chanuse.Node][2]string{} // an added node's path and its parent's
	for _, mc := range cands {
		c := len(m.secs) + 1
		sc, more, fs, why := m.follow(mc, c, byPath, keys, extra)
		if sc == nil {
			m.jointWhy = why
			continue
		}
		for _, n := range more {
			byPath[keys[n][0]] = n
		}
		extra = append(extra, more...)
		for _, f := range fs {
			adds = append(adds, found{f.n, f.in, f.o})
		}
		m.secs = append(m.secs, sc)
	}
	// The added nodes: children of the model's nodes where they start.
	for _, n := range extra {
		p := byPath[keys[n][1]]
		at := startOf(n)
		if m.children[p] == nil {
			m.children[p] = map[ssa.Instruction][]*chanuse.Node{}
		}
		m.children[p][at] = append(m.children[p][at], n)
		m.canon[n] = n
		m.index[n] = len(m.ch.Nodes) + len(m.extra)
		m.extra = append(m.extra, n)
	}
	for _, a := range adds {
		if m.ops[a.n] == nil {
			m.ops[a.n] = map[ssa.Instruction][]opInfo{}
		}
		m.ops[a.n][a.in] = append(m.ops[a.n][a.in], a.o)
	}
}

// secOp is an operation on a followed channel in a model's node.
type secOp struct {
	n  *chanuse.Node
	in ssa.Instruction
	o  opInfo
}

// follow checks that mc's channel can be followed as channel c: its
// whole life in the model (its nodes the model lacks become more), every
// operation on this instance. It returns nil and why when not.
func (m *model) follow(mc *ssa.MakeChan, c int, byPath map[string]*chanuse.Node, keys map[*chanuse.Node][2]string, extra []*chanuse.Node) (*secChan, []*chanuse.Node, []secOp, string) {
	sc, why := m.followable(mc)
	if sc == nil {
		return nil, nil, nil, why
	}
	var more []*chanuse.Node
	// Its maker is the model's root, or one node of the model (a
	// goroutine making it): its tree hangs from there.
	prefix, at := "", false
	if sc.ch.Nodes[0].Fn == m.ch.Nodes[0].Fn {
		at = true
	} else {
		var p *chanuse.Node
		for _, n := range m.ch.Nodes {
			if m.canon[n] == n && n.Fn == sc.ch.Nodes[0].Fn {
				if p != nil {
					return nil, nil, nil, "another channel's maker runs twice"
				}
				p = n
			}
		}
		if p != nil {
			prefix, at = nodePath(p), true
		}
	}
	mine := map[string]bool{}
	// hang adds the nodes of tree (after its root) the model lacks,
	// under the model's node at prefix.
	hang := func(tree []*chanuse.Node, prefix string) string {
		for _, n := range tree[1:] {
			k := nodePath(n) + prefix
			if byPath[k] != nil {
				continue
			}
			pk := nodePath(n.Parent) + prefix
			if byPath[pk] == nil && !mine[pk] || startOf(n) == nil || n.Fn == nil || n.Fn.Blocks == nil {
				return "another channel's tree"
			}
			keys[n] = [2]string{k, pk}
			for a := n.Parent; a != nil; a = a.Parent {
				if a.Fn == n.Fn && n.G == n {
					return "another channel's goroutine restarts its function"
				}
			}
			mine[k] = true
			more = append(more, n)
		}
		return ""
	}
	if at {
		if why := hang(sc.ch.Nodes, prefix); why != "" {
			return nil, nil, nil, why
		}
	}
	// Every operation chanuse finds on it must be one the model runs on
	// this instance.
	want := map[opKey]bool{}
	for _, cn := range sc.ch.Nodes {
		for _, op := range cn.Ops {
			want[opKey{op.Instr, op.State}] = true
		}
	}
	got := map[opKey]bool{}
	var fs []secOp
	scan := append(append(append([]*chanuse.Node(nil), m.ch.Nodes...), extra...), more...)
	for _, n := range scan {
		if m.canon[n] != nil && m.canon[n] != n {
			continue
		}
		for _, b := range n.Fn.Blocks {
			for _, in := range b.Instrs {
				for _, o := range chanOps(n, in) {
					if madeByN(n, o.ch) != mc {
						continue
					}
					k := opKey{in, o.state}
					if !want[k] {
						return nil, nil, nil, "another channel's instances"
					}
					got[k] = true
					fs = append(fs, secOp{n, in, opInfo{kind: o.kind, state: o.state, ch: c,
						op: chanuse.Op{Kind: o.kind, Instr: in, Node: n, State: o.state}}})
				}
			}
		}
	}
	if len(got) != len(want) || len(got) == 0 {
		return nil, nil, nil, "another channel used outside the model"
	}
	// Made before the channel in its maker, nothing done on it before
	// the channel is made; or made in the model's code.
	root := m.ch.Nodes[0]
	if mc.Parent() == root.Fn && before(mc, m.ch.Make) {
		if ssaloop.InLoop(mc.Block()) {
			return nil, nil, nil, "another channel made in a loop"
		}
		for _, f := range fs {
			if f.n == root && !reaches(m.ch.Make, f.in) {
				return nil, nil, nil, "another channel used before the make"
			}
		}
		sc.atStart = true
	} else {
		inModel := false
		for _, n := range scan {
			if (m.canon[n] == nil || m.canon[n] == n) && n.Fn == mc.Parent() {
				inModel = true
			}
		}
		if !inModel {
			return nil, nil, nil, "another channel made outside the model"
		}
	}
	return sc, more, fs, ""
}

// nodePath names n by the starts and calls that lead to it from its
// root (the function making its channel).
func nodePath(n *chanuse.Node) string {
	var b strings.Builder
	for ; n != nil && n.Parent != nil; n = n.Parent {
		fmt.Fprintf(&b, "%p/", startOf(n))
	}
	return b.String()
}

// startOf returns where n is started or called in its parent.
func startOf(n *chanuse.Node) ssa.Instruction {
	switch {
	case n.Go != nil:
		return n.Go
	case n.Start != nil:
		return n.Start
	case n.Call != nil:
		return n.Call
	}
	return nil
}

// withExtra makes the model's channel the channel with the nodes added
// for the other channels followed (after the checks that read the
// channel's own operations off its nodes).
func (m *model) withExtra() {
	if len(m.extra) == 0 {
		return
	}
	c := *m.ch
	c.Nodes = append(append([]*chanuse.Node(nil), m.ch.Nodes...), m.extra...)
	m.ch = &c
	m.extra = nil
}

// followable returns mc's channel, or why not, when the checker can follow it beside
// the channel: not escaped nor returned, no callback nodes, values that
// do not decide the paths (the narrowings of the channel itself).
func (m *model) followable(mc *ssa.MakeChan) (*secChan, string) {
	ch := chanuse.Follow(mc)
	if ch.Escapes || len(ch.Notified) > 0 {
		return nil, "another channel escapes"
	}
	// A channel returned by its maker: the caller's uses of the result
	// are not in chanuse's tree. (Following them too, through
	// chanuse.FollowResult, made a producer ranging over a slice literal
	// look as if it could send once while its caller takes two values:
	// the loop counts across the call are not correlated.)
	if len(ch.Returns) > 0 || len(ch.Nodes) == 0 {
		return nil, "another channel is returned"
	}
	for _, n := range ch.Nodes {
		if n.Callback || n.Alt {
			return nil, "another channel in a callback"
		}
	}
	o := &model{ch: ch}
	if !o.constValue() || o.sentinel() || o.testsValues() || o.stateful() || testsReceived(ch) {
		return nil, "another channel's values decide the paths"
	}
	return &secChan{mk: mc, ch: ch, value: o.value, valueKnown: o.valueKnown}, ""
}

// jointCaps sets the followed channels' capacities: a constant, or a
// counted loop's key plus a constant; false gives up on the model.
func (m *model) jointCaps() bool {
	for _, sc := range m.secs {
		size := sc.mk.Size
		if c, ok := size.(*ssa.Const); ok {
			v, exact := constant.Int64Val(constant.ToInt(c.Value))
			if !exact || v < 0 || v > 64 {
				return false
			}
			sc.capAdd = int(v)
			continue
		}
		add := 0
		if b, ok := size.(*ssa.BinOp); ok && (b.Op == token.ADD || b.Op == token.SUB) {
			if c, ok := b.Y.(*ssa.Const); ok {
				v, exact := constant.Int64Val(constant.ToInt(c.Value))
				if !exact {
					return false
				}
				add = int(v)
				if b.Op == token.SUB {
					add = -add
				}
				size = b.X
			}
		}
		k := root(size, m.nodeOf(sc.mk.Parent()), 0)
		if _, ok := m.keys[k]; !ok {
			return false
		}
		sc.capKey, sc.capAdd = k, add
	}
	return true
}

// nodeOf returns the model's canonical node running fn, or nil.
func (m *model) nodeOf(fn *ssa.Function) *chanuse.Node {
	for _, n := range m.ch.Nodes {
		if m.canon[n] == n && n.Fn == fn {
			return n
		}
	}
	return nil
}

// unfollowedWaits reports whether the model's functions wait on a
// WaitGroup or take a lock the model does not follow: such a call returns
// at once in the model, and a followed channel's state seen after it
// (a poll with a default after wg.Wait) would be one the program never
// shows.
func (m *model) unfollowedWaits() bool {
	for _, n := range m.ch.Nodes {
		if m.canon[n] != n {
			continue
		}
		for _, b := range n.Fn.Blocks {
			for _, in := range b.Instrs {
				c, ok := in.(ssa.CallInstruction)
				if !ok || !blockingSync(c.Common()) {
					continue
				}
				if m.sy != nil && m.sy.ops[n][in] != nil {
					continue
				}
				return true
			}
		}
	}
	return false
}

// blockingSync reports whether c waits on a sync object (WaitGroup,
// Mutex, RWMutex, Cond) or an errgroup.
func blockingSync(c *ssa.CallCommon) bool {
	var fn *types.Func
	if c.IsInvoke() {
		fn = c.Method
	} else if f := c.StaticCallee(); f != nil {
		fn, _ = f.Object().(*types.Func)
	}
	if fn == nil || fn.Pkg() == nil {
		return false
	}
	switch fn.Pkg().Path() {
	case "sync":
		switch fn.Name() {
		case "Wait", "Lock", "RLock":
			return true
		}
	case "golang.org/x/sync/errgroup":
		return fn.Name() == "Wait"
	}
	return false
}

// chanOp is an operation found by chanOps: its kind, the select case,
// and the channel value it operates on.
type chanOp struct {
	kind  chanuse.Kind
	state int
	ch    ssa.Value
}

// chanOps returns the channel operations instruction in performs.
func chanOps(n *chanuse.Node, in ssa.Instruction) []chanOp {
	switch x := in.(type) {
	case *ssa.Send:
		return []chanOp{{chanuse.Send, 0, x.Chan}}
	case *ssa.UnOp:
		if x.Op == token.ARROW {
			return []chanOp{{chanuse.Recv, 0, x.X}}
		}
	case *ssa.Select:
		var r []chanOp
		for k, st := range x.States {
			kd := chanuse.SelectRecv
			if st.Dir == types.SendOnly {
				kd = chanuse.SelectSend
			}
			r = append(r, chanOp{kd, k, st.Chan})
		}
		return r
	case *ssa.Call:
		if b, ok := x.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(x.Call.Args) == 1 {
			return []chanOp{{chanuse.Close, 0, x.Call.Args[0]}}
		}
	case *ssa.Defer:
		if b, ok := x.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" && len(x.Call.Args) == 1 {
			return []chanOp{{chanuse.DeferClose, 0, x.Call.Args[0]}}
		}
	}
	return nil
}

// madeByN is madeBy that also follows a parameter to the argument of the
// call or go statement that runs n.
func madeByN(n *chanuse.Node, v ssa.Value) *ssa.MakeChan {
	for i := 0; i < 12 && v != nil; i++ {
		if mc, ok := v.(*ssa.MakeChan); ok {
			return mc
		}
		if p, ok := v.(*ssa.Parameter); ok {
			if n == nil || n.Parent == nil || n.Fn != p.Parent() {
				return nil
			}
			c := callOf(n)
			if c == nil {
				return nil
			}
			found := false
			for j, q := range p.Parent().Params {
				if q != p {
					continue
				}
				if c.IsInvoke() {
					j--
				}
				if j >= 0 && j < len(c.Args) {
					v, n, found = c.Args[j], n.Parent, true
				}
			}
			if !found {
				return nil
			}
			continue
		}
		var ok bool
		if v, n, ok = origin(n, v); !ok {
			return nil
		}
	}
	return nil
}

// before reports whether a runs before b in their function: a's block
// dominates b's, earlier in the block when they share it.
func before(a, b ssa.Instruction) bool {
	if a.Block() == b.Block() {
		for _, in := range a.Block().Instrs {
			if in == a {
				return true
			}
			if in == b {
				return false
			}
		}
		return false
	}
	return a.Block().Dominates(b.Block())
}

// reaches reports whether b can run after a in their function.
func reaches(a, b ssa.Instruction) bool {
	if a.Block() == b.Block() && before(a, b) {
		return true
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), a.Block().Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] {
			continue
		}
		if x == b.Block() {
			return true
		}
		seen[x] = true
		stack = append(stack, x.Succs...)
	}
	return false
}

// secMake returns the index of the followed channel mc makes, or 0.
func (m *model) secMake(mc *ssa.MakeChan) int {
	for i, sc := range m.secs {
		if sc.mk == mc {
			return i + 1
		}
	}
	return 0
}

// followed reports whether v, a channel value in n's function, is one of
// the channels followed with the channel.
func (m *model) followed(n *chanuse.Node, v ssa.Value) bool {
	if len(m.secs) == 0 {
		return false
	}
	mc := madeByN(n, v)
	return mc != nil && m.secMake(mc) > 0
}

// badCaps reports whether a followed channel's capacity is negative for
// the trip counts of s.
func (m *model) badCaps(s *state) bool {
	for _, q := range s.sec {
		if q.cap < 0 {
			return true
		}
	}
	return false
}

// primaryOp returns the index in g.parked of its first operation on the
// channel itself, or -1 (not parked, or parked only on others).
func primaryOp(g *gor) int {
	for i, o := range g.parked {
		if o.ch == 0 {
			return i
		}
	}
	return -1
}

// testsReceived reports whether a value received from ch (through phis,
// fields, loads and len) is compared with a constant, nil included, or tested
// by an If: the received values are not tracked, and an error received
// only from senders that checked it against nil would otherwise be nil on
// some paths (errCh's case taken, then "if err != nil" not).
func testsReceived(ch *chanuse.Channel) bool {
	for _, n := range ch.Nodes {
		for _, op := range n.Ops {
			got := receivedValues(op)
			seen := map[ssa.Value]bool{}
			for _, v := range got {
				if testedValue(v, seen, 0) {
					return true
				}
			}
		}
	}
	return false
}

func testedValue(v ssa.Value, seen map[ssa.Value]bool, depth int) bool {
	if depth > 6 || seen[v] || v.Referrers() == nil {
		return false
	}
	seen[v] = true
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.If:
			return true
		case *ssa.BinOp:
			if r.Op != token.EQL && r.Op != token.NEQ {
				continue
			}
			for _, x := range []ssa.Value{r.X, r.Y} {
				if _, ok := x.(*ssa.Const); ok {
					return true
				}
			}
		case *ssa.Call:
			// Its length: if len(b) == 0 { return } (an empty value
			// ending the stream).
			if b, ok := r.Call.Value.(*ssa.Builtin); ok && (b.Name() == "len" || b.Name() == "cap") && testedValue(r, seen, depth+1) {
				return true
			}
		case *ssa.Phi, *ssa.FieldAddr, *ssa.Field, *ssa.ChangeType, *ssa.MakeInterface:
			if testedValue(r.(ssa.Value), seen, depth+1) {
				return true
			}
		case *ssa.UnOp:
			if r.Op == token.MUL && testedValue(r, seen, depth+1) {
				return true
			}
		case *ssa.Store:
			// A variable it is stored in (err = <-errc in a select).
			if a, ok := r.Addr.(*ssa.Alloc); ok && r.Val == v {
				for _, ar := range *a.Referrers() {
					if l, ok := ar.(*ssa.UnOp); ok && l.Op == token.MUL && testedValue(l, seen, depth+1) {
						return true
					}
				}
			}
		}
	}
	return false
}
