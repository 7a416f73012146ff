package chanmodel

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// CheckReturned checks a channel that its maker returns to a caller in
// the package: maker is the model of the channel in the function that
// makes it (chanuse.Follow, with Returns), caller the model of what the
// call's result becomes in the caller (chanuse.FollowResult of call). The
// harness is one run of the maker with the goroutines it starts; when the
// maker returns the channel the same goroutine goes on in the caller after
// the call, with the goroutines the caller starts. A return of something
// else (nil, on an error path) ends that goroutine: the caller does not
// get the channel. The caller reaching the call again (a loop) gets a new
// channel, so its goroutine ends there as well.
//
// It returns nothing when either side escapes, when the caller returns
// the channel on, when the maker starts no goroutine that uses the
// channel (a function that fills a channel and returns it is the
// unclosed rule's: which of its paths runs depends on the values it
// reads), or under the same doubts as Check.
func CheckReturned(maker, caller *chanuse.Channel, call *ssa.Call, budget int) []Stuck {
	async := false
	for _, n := range maker.Nodes {
		if n.G != maker.Nodes[0] {
			async = true
		}
	}
	if !async || maker.Escapes || caller.Escapes || maker.Make == nil || len(maker.Returns) == 0 || len(caller.Returns) > 0 ||
		len(maker.Nodes) == 0 || len(caller.Nodes) == 0 || caller.Nodes[0].Fn != call.Parent() {
		return nil
	}
	// The two trees as one channel: the maker's root first, the caller's
	// root a goroutine continuation of it (then).
	joint := &chanuse.Channel{Make: maker.Make, Field: maker.Field,
		Nodes: append(append([]*chanuse.Node(nil), maker.Nodes...), caller.Nodes...)}
	m := build(joint)
	if m == nil {
		dbg("%s: no joint model with %s", maker.Make.Parent().Name(), call.Parent().Name())
		return nil
	}
	if callerCases(maker, call) {
		dbg("%s: selects on a channel of %s", maker.Make.Parent().Name(), call.Parent().Name())
		return nil
	}
	m.then, m.thenCall = caller.Nodes[0], call
	m.findFlags()
	m.rets = map[*ssa.Return]bool{}
	for _, r := range maker.Returns {
		m.rets[r] = true
	}
	return m.explore(budget)
}

// CheckClient checks a channel kept beyond its maker (a struct field)
// under a harness: the owner, joint.Nodes[0] (the function that makes
// the channel, from the make on), runs with the goroutines it starts;
// when it returns at one of rets (those that hand the object out: no
// error), the same goroutine goes on as client, one call of a function
// from its entry (with what it calls and starts), or ends when client is
// nil or the owner returns elsewhere. client and its tree are nodes of joint without a parent
// in the owner's tree. The owner's goroutines and the client share the
// channel's state and the tracked flags (findFlags).
func CheckClient(joint *chanuse.Channel, client *chanuse.Node, rets []*ssa.Return, budget int) []Stuck {
	return CheckHarness(joint, nil, client, nil, rets, budget)
}

// returnsOn reports whether g, the maker's goroutine returning at r from
// its last frame, goes on in the caller: at a return of the channel
// (CheckReturned), or of the object without an error (CheckClient).
func (m *model) returnsOn(g *gor, r *ssa.Return) bool {
	return m.then != nil && g.g == m.ch.Nodes[0] && m.rets[r]
}

// goOn moves g, the maker's goroutine that returned the channel, into the
// caller after the call (or the client's entry).
func (m *model) goOn(g *gor) {
	b, idx := m.then.Fn.Blocks[0], 0
	if m.thenCall != nil {
		b = m.thenCall.Block()
		for i, in := range b.Instrs {
			if in == ssa.Instruction(m.thenCall) {
				idx = i + 1
			}
		}
	}
	g.then, g.g, g.stopped = false, m.then, false
	g.frames = []*frame{{node: m.then, blk: b, idx: idx, known: map[any]int64{}, dec: map[string]bool{}, back: map[*ssa.BasicBlock]int{}}}
}

// findFlags records the boolean struct fields the model's functions only
// ever set to constants (c.reported = true; s.closed = true): CheckReturned
// tracks them, from false, so that a goroutine testing one sees what
// another set before it (report once: if c.reported { return }). Known
// values only prune paths the unknown ones would take too, so tracking
// adds no witness.
func (m *model) findFlags() {
	flags := map[*types.Var]bool{}
	for _, n := range m.ch.Nodes {
		for _, b := range n.Fn.Blocks {
			for _, in := range b.Instrs {
				st, ok := in.(*ssa.Store)
				if !ok {
					continue
				}
				v := flagField(st.Addr)
				if v == nil {
					continue
				}
				if c, ok := st.Val.(*ssa.Const); !ok || c.Value == nil || c.Value.Kind() != constant.Bool {
					flags[v] = false
				} else if _, seen := flags[v]; !seen {
					flags[v] = true
				}
			}
		}
	}
	m.flags = map[*types.Var]bool{}
	for v, ok := range flags {
		if ok {
			m.flags[v] = true
		}
	}
}

// decide records the boolean field an If tests (if t.enabled, if
// !t.enabled) in both ways the If forks: no (in no) and yes (in yes), so
// that every later test of the field, in any goroutine of the harness,
// agrees until a store changes it (the constructor's keepaliveEnabled
// that starts the keepalive goroutine and that Close tests before
// waiting for it). A recorded value only prunes paths.
func (m *model) decide(no, yes *state, cond ssa.Value) {
	neg := false
	if u, ok := cond.(*ssa.UnOp); ok && u.Op == token.NOT {
		cond, neg = u.X, true
	}
	ld, ok := cond.(*ssa.UnOp)
	if !ok || ld.Op != token.MUL {
		return
	}
	fv := flagField(ld.X)
	if fv == nil {
		return
	}
	if _, ok := yes.flags[fv]; ok {
		return
	}
	if m.flags[fv] {
		return // tracked from false: known already
	}
	val := func(s *state, x int64) {
		f := make(map[*types.Var]int64, len(s.flags)+1)
		for k, v := range s.flags {
			f[k] = v
		}
		f[fv] = x
		s.flags = f
	}
	y, n := int64(1), int64(0)
	if neg {
		y, n = 0, 1
	}
	val(yes, y)
	val(no, n)
}

// flagField returns the boolean field addr addresses, or nil.
func flagField(addr ssa.Value) *types.Var {
	fa, ok := addr.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	v := chanuse.StructFieldOf(fa)
	if v == nil {
		return nil
	}
	if b, ok := v.Type().Underlying().(*types.Basic); !ok || b.Kind() != types.Bool {
		return nil
	}
	return v
}

// setFlag records a constant store to a tracked flag in s (which owns
// its goroutine but shares the map with its forks: copied on write).
func (m *model) setFlag(s *state, st *ssa.Store) {
	v := flagField(st.Addr)
	if v == nil {
		return
	}
	c, ok := st.Val.(*ssa.Const)
	f := make(map[*types.Var]int64, len(s.flags)+1)
	for k, x := range s.flags {
		f[k] = x
	}
	switch {
	case ok && c.Value != nil && c.Value.Kind() == constant.Bool:
		f[v] = 0
		if constant.BoolVal(c.Value) {
			f[v] = 1
		}
	case m.flags[v]:
		return // never: findFlags saw only constants
	default:
		if _, had := f[v]; !had {
			return
		}
		delete(f, v) // unknown again
	}
	s.flags = f
}

// flag returns the value of a load of a tracked flag in s.
func (m *model) flag(s *state, v ssa.Value) (int64, bool) {
	ld, ok := v.(*ssa.UnOp)
	if !ok || ld.Op != token.MUL || s == nil {
		return 0, false
	}
	fv := flagField(ld.X)
	if fv == nil {
		return 0, false
	}
	if x, ok := s.flags[fv]; ok {
		return x, true
	}
	if m.flags[fv] {
		return 0, true // tracked from false
	}
	return 0, false
}

// flagsKey encodes the tracked flags of s for the visited set.
func (s *state) flagsKey() string {
	if len(s.flags) == 0 {
		return ""
	}
	ks := make([]string, 0, len(s.flags))
	for v, x := range s.flags {
		ks = append(ks, fmt.Sprintf("%p=%d", v, x))
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// nilResult evaluates a comparison with nil of another result of the call
// the caller got the channel from (ch, err := watch(); if err != nil):
// every return of the maker that returns the channel returns a constant
// nil there, so the caller's test is known.
func (m *model) nilResult(x *ssa.BinOp) (int64, bool) {
	if m.thenCall == nil || x.Op != token.EQL && x.Op != token.NEQ {
		return 0, false
	}
	e, ok := x.X.(*ssa.Extract)
	if !ok || !isNil(x.Y) {
		if e, ok = x.Y.(*ssa.Extract); !ok || !isNil(x.X) {
			return 0, false
		}
	}
	if e.Tuple != ssa.Value(m.thenCall) {
		return 0, false
	}
	for r := range m.rets {
		if e.Index >= len(r.Results) || !isNil(r.Results[e.Index]) {
			return 0, false
		}
	}
	if x.Op == token.EQL {
		return 1, true
	}
	return 0, true
}

// callerCases reports whether a select of the maker's goroutines has a
// case on a channel the caller makes and hands to the maker (a done
// channel the caller closes when it returns): the caller decides when
// that case fires, which the checker does not follow (it would let it
// fire at any time).
func callerCases(maker *chanuse.Channel, call *ssa.Call) bool {
	for _, n := range maker.Nodes {
		for _, b := range n.Fn.Blocks {
			for _, in := range b.Instrs {
				sel, ok := in.(*ssa.Select)
				if !ok {
					continue
				}
				for _, st := range sel.States {
					if st.Chan == nil {
						continue
					}
					p := paramOf(n, st.Chan)
					if p == nil {
						continue
					}
					for i, q := range p.Parent().Params {
						if q == p && i < len(call.Call.Args) && madeBy(nil, call.Call.Args[i]) != nil {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// paramOf returns the parameter of the maker (the root of n's tree) that
// v comes from, through conversions and free variables, or nil.
func paramOf(n *chanuse.Node, v ssa.Value) *ssa.Parameter {
	for i := 0; i < 8 && n != nil; i++ {
		if p, ok := v.(*ssa.Parameter); ok {
			if n.Parent == nil {
				return p
			}
			return nil
		}
		var ok bool
		if v, n, ok = origin(n, v); !ok {
			return nil
		}
	}
	return nil
}
