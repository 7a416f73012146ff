package chanblock

import (
	"fmt"
	"go/token"
	"go/types"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// oneValue reports a stop signal given by one send while several
// goroutines wait for it: a channel nothing closes, sent on once (one send,
// outside loops, in a function no loop calls), or handed to
// os/signal.Notify (one value per signal), that two or more goroutines
// receive from, each of which can return only after that receive. A send
// wakes one receiver; every other waiter blocks forever. Closing the
// channel wakes them all.
//
// The waiters must all be started on one path: go statements in one
// function (or in the callees it passes the same object to) of which each
// dominates the next, a go statement in a loop counting as many when the
// channel (or the struct holding it) is the same in every iteration.
func oneValue(st *state, funcs []*ssa.Function) {
	ov := &oneVal{st: st, callers: map[*ssa.Function][]ssa.CallInstruction{}}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.MakeChan:
					ov.local(in)
				case ssa.CallInstruction:
					if callee := chanuse.Callee(fn.Pkg, in.Common()); callee != nil {
						ov.callers[callee] = append(ov.callers[callee], in)
					}
				}
			}
		}
	}
	for _, cc := range chanuse.Fields(st.pass.Pkg, st.sealed, funcs) {
		ov.field(cc)
	}
	ov.globals(funcs)
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					ov.storedLocal(mc, funcs)
				}
			}
		}
	}
}

// globals checks the package's unexported channel variables: a stop
// channel kept in a package variable (var shutdown = make(chan
// struct{})), that goroutines started by go statements of the package
// receive from, sent one value. The variable must only be loaded (and
// assigned makes), and its loads only sent on and received from.
func (ov *oneVal) globals(funcs []*ssa.Function) {
	type use struct {
		send ssa.Instruction
		recv map[*ssa.Function][]chanuse.Op
		bad  bool
	}
	uses := map[*ssa.Global]*use{}
	get := func(g *ssa.Global) *use {
		u := uses[g]
		if u == nil {
			u = &use{recv: map[*ssa.Function][]chanuse.Op{}}
			uses[g] = u
		}
		return u
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				for _, op := range instr.Operands(nil) {
					g, ok := (*op).(*ssa.Global)
					if !ok || g.Pkg != fn.Pkg || g.Object() == nil || g.Object().Exported() {
						continue
					}
					if _, ok := g.Type().(*types.Pointer).Elem().Underlying().(*types.Chan); !ok {
						continue
					}
					u := get(g)
					switch in := instr.(type) {
					case *ssa.Store:
						if _, ok := in.Val.(*ssa.MakeChan); !ok || in.Addr != ssa.Value(g) {
							u.bad = true
						}
					case *ssa.UnOp:
						if in.Op != token.MUL {
							u.bad = true
							continue
						}
						ov.globalLoad(in, u.recv, &u.send, &u.bad)
					case *ssa.DebugRef:
					default:
						u.bad = true
					}
				}
			}
		}
	}
	for g, u := range uses {
		if u.bad || u.send == nil || len(u.recv) == 0 {
			continue
		}
		if _, ok := u.recv[u.send.Parent()]; ok {
			continue // the sender receives too
		}
		signal := isEmptyStruct(g.Type().(*types.Pointer).Elem())
		var ws []waiter
		for fn, ops := range u.recv {
			if !waits(fn, ops, signal) {
				continue
			}
			for _, site := range append(goSites(fn, ov.callers), methodValueStarts(ov.st.funcs, fn)...) {
				w := waiter{recv: ops[0].Instr, start: site, n: 1}
				if ssaloop.InLoop(site.Block()) {
					w.n = 2
				}
				ws = append(ws, w)
			}
		}
		name := "package variable " + g.Name()
		ov.report(u.send, "one value is sent on "+name, name, chain(ws), analysis.RelatedInformation{Pos: g.Pos(), Message: "the variable is declared here"})
	}
}

// globalLoad classifies the uses of a load of a channel variable: one
// send (outside loops, in a function no loop calls), receives; anything
// else marks it bad.
func (ov *oneVal) globalLoad(ld *ssa.UnOp, recv map[*ssa.Function][]chanuse.Op, send *ssa.Instruction, bad *bool) {
	fn := ld.Parent()
	for _, r := range *ld.Referrers() {
		switch x := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Send:
			if x.Chan != ssa.Value(ld) || x.X == ssa.Value(ld) || *send != nil || ssaloop.InLoop(x.Block()) || ov.calledInLoop(fn, 0) {
				*bad = true
				continue
			}
			*send = x
		case *ssa.UnOp:
			if x.Op != token.ARROW {
				*bad = true
				continue
			}
			recv[fn] = append(recv[fn], chanuse.Op{Kind: chanuse.Recv, Instr: x})
		case *ssa.Select:
			for i, st := range x.States {
				if st.Send == ssa.Value(ld) || st.Chan == ssa.Value(ld) && st.Dir != types.RecvOnly {
					*bad = true
				} else if st.Chan == ssa.Value(ld) {
					recv[fn] = append(recv[fn], chanuse.Op{Kind: chanuse.SelectRecv, Instr: x, State: i})
				}
			}
		default:
			*bad = true
		}
	}
}

// storedLocal checks a channel that its maker both hands to goroutines
// it starts (captured by function literals) and stores in a private
// field of the struct it builds, through which the rest of the package
// reaches it (jaegertracing/jaeger#1454: New starts the workers on the
// local stop channel and returns the pool holding it; Stop sends one
// value on p.stop). The waiters are the captured goroutines; the field's
// uses elsewhere must be one send and nothing else.
func (ov *oneVal) storedLocal(mc *ssa.MakeChan, funcs []*ssa.Function) {
	fn := mc.Parent()
	var field *types.Var
	var store *ssa.Store
	type capture struct {
		g   ssa.CallInstruction // a go statement, or a group's Go handed the literal
		lit *ssa.Function
		fv  ssa.Value // the literal's free variable, or the function's parameter
	}
	var caps []capture
	// toField accepts a store of the channel into a field of a struct the
	// maker allocates (the composite literal it returns).
	toField := func(x *ssa.Store) bool {
		fa, ok := x.Addr.(*ssa.FieldAddr)
		if !ok || field != nil {
			return false
		}
		x0 := fa.X
		if u, ok := x0.(*ssa.UnOp); ok && u.Op == token.MUL {
			x0 = u.X // s := &T{}; s.f = ch, with s captured by reference
			if v, ok := x0.(*ssa.Alloc); !ok || !newStructVar(v) {
				return false
			}
		} else if _, ok := x0.(*ssa.Alloc); !ok {
			return false
		}
		field, store = chanuse.StructFieldOf(fa), x
		return true
	}
	captured := func(mk *ssa.MakeClosure, v ssa.Value) bool {
		refs := *mk.Referrers()
		if len(refs) != 1 {
			return false
		}
		var g ssa.CallInstruction
		switch x := refs[0].(type) {
		case *ssa.Go:
			if x.Call.Value == ssa.Value(mk) {
				g = x
			}
		case *ssa.Call:
			if chanuse.GroupGo(&x.Call) != nil && x.Call.Args[1] == ssa.Value(mk) {
				g = x // wg.Go(func() { ... }), errgroup's g.Go
			}
		}
		if g == nil {
			return false
		}
		lit := mk.Fn.(*ssa.Function)
		for i, b := range mk.Bindings {
			if b == v {
				caps = append(caps, capture{g, lit, lit.FreeVars[i]})
			}
		}
		return true
	}
	// passed reports a go statement that hands v to a function of the
	// package as an argument: go worker(jobs, stop).
	passed := func(g *ssa.Go, v ssa.Value) bool {
		callee, args := calleeArgs(fn.Pkg, &g.Call)
		if callee == nil || callee.Parent() != nil {
			return false
		}
		found := false
		for i, a := range args {
			if a == v && i < len(callee.Params) {
				caps = append(caps, capture{g, callee, callee.Params[i]})
				found = true
			}
		}
		return found
	}
	// converted accepts a conversion to a receive-only channel handed to
	// go statements: go worker(quit) with quit <-chan T.
	converted := func(ct *ssa.ChangeType) bool {
		for _, u := range *ct.Referrers() {
			if g, ok := u.(*ssa.Go); !ok || !passed(g, ct) {
				if _, ok := u.(*ssa.DebugRef); !ok {
					return false
				}
			}
		}
		return true
	}
	var variable *ssa.Alloc
	for _, r := range *mc.Referrers() {
		switch x := r.(type) {
		case *ssa.Go:
			if !passed(x, mc) {
				return
			}
		case *ssa.ChangeType:
			if !converted(x) {
				return
			}
		case *ssa.DebugRef:
		case *ssa.Store:
			if a, ok := x.Addr.(*ssa.Alloc); ok && variable == nil {
				variable = a
			} else if !toField(x) {
				return
			}
		case *ssa.MakeClosure:
			if !captured(x, mc) {
				return
			}
		default:
			return
		}
	}
	if variable != nil {
		// A local variable captured by reference: stored once, loaded to
		// fill the field, captured by the goroutines' literals.
		for _, r := range *variable.Referrers() {
			switch x := r.(type) {
			case *ssa.DebugRef:
			case *ssa.Store:
				if x.Val != ssa.Value(mc) || x.Addr != ssa.Value(variable) {
					return
				}
			case *ssa.UnOp:
				if x.Op != token.MUL {
					return
				}
				for _, u := range *x.Referrers() {
					switch y := u.(type) {
					case *ssa.DebugRef:
					case *ssa.Store:
						if y.Val != ssa.Value(x) || !toField(y) {
							return
						}
					case *ssa.Go:
						if !passed(y, x) {
							return
						}
					case *ssa.ChangeType:
						if !converted(y) {
							return
						}
					default:
						return
					}
				}
			case *ssa.MakeClosure:
				if !captured(x, variable) {
					return
				}
			default:
				return
			}
		}
	}
	if field == nil || len(caps) == 0 || field.Pkg() != ov.st.pass.Pkg || !ov.st.sealed.Private(field) {
		return
	}
	// The maker uses the field for nothing else.
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if fa, ok := instr.(*ssa.FieldAddr); ok && chanuse.StructFieldOf(fa) == field {
				for _, r := range *fa.Referrers() {
					if r != ssa.Instruction(store) {
						if _, ok := r.(*ssa.DebugRef); !ok {
							return
						}
					}
				}
			}
		}
	}
	signal := isEmptyStruct(mc.Type())
	var ws []waiter
	for _, c := range caps {
		var ops []chanuse.Op
		uses := []ssa.Value{c.fv}
		if _, ok := c.fv.Type().Underlying().(*types.Pointer); ok {
			uses = nil
			for _, r := range *c.fv.Referrers() {
				u, ok := r.(*ssa.UnOp)
				if !ok || u.Op != token.MUL {
					if _, ok := r.(*ssa.DebugRef); !ok {
						return
					}
					continue
				}
				uses = append(uses, u)
			}
		}
		for _, v := range uses {
			for _, r := range *v.Referrers() {
				switch x := r.(type) {
				case *ssa.DebugRef:
				case *ssa.UnOp:
					if x.Op != token.ARROW {
						return
					}
					ops = append(ops, chanuse.Op{Kind: chanuse.Recv, Instr: x})
				case *ssa.Select:
					for i, s := range x.States {
						if s.Send == v || s.Chan == v && s.Dir != types.RecvOnly {
							return
						}
						if s.Chan == v {
							ops = append(ops, chanuse.Op{Kind: chanuse.SelectRecv, Instr: x, State: i})
						}
					}
				default:
					return // sent, closed or handed on by the goroutine: not followed
				}
			}
		}
		if len(ops) == 0 || !waits(c.lit, ops, signal) {
			continue
		}
		w := waiter{recv: ops[0].Instr, start: c.g, n: 1}
		if ssaloop.InLoop(c.g.Block()) && !ssaloop.InLoop(mc.Block()) {
			w.n = 2
		}
		ws = append(ws, w)
	}
	ws = chain(ws)
	if count(ws) < 2 {
		return
	}
	// The rest of the package reaches the channel through the field only
	// to send on it once.
	var others []*ssa.Function
	for _, f := range funcs {
		if f != fn {
			others = append(others, f)
		}
	}
	c := chanuse.Fields(ov.st.pass.Pkg, ov.st.sealed, others)[field]
	if c == nil || c.Escapes || c.Stored || len(c.Makes) > 0 {
		return
	}
	var send ssa.Instruction
	for _, op := range c.Ops {
		switch op.Kind {
		case chanuse.Send, chanuse.SelectSend:
			if send != nil || ssaloop.InLoop(op.Instr.Block()) || ov.calledInLoop(op.Instr.Parent(), 0) {
				return
			}
			send = op.Instr
		default:
			return // closed, or received elsewhere too: not this shape
		}
	}
	if send == nil {
		return
	}
	name := fmt.Sprintf("field %s of %s", field.Name(), ownerName(ov.st.sealed, field))
	ov.report(send, "one value is sent on "+name, name, ws, analysis.RelatedInformation{Pos: mc.Pos(), Message: "the channel is made here, handed to the waiting goroutines and stored in the field"})
}

type oneVal struct {
	st      *state
	callers map[*ssa.Function][]ssa.CallInstruction
}

// waiter is a goroutine that waits for the stop value.
type waiter struct {
	recv     ssa.Instruction // its receive
	start    ssa.Instruction // the go statement (or the call leading to it) in the starting function
	n        int             // 2 for a go statement in a loop that starts it many times
	self     bool            // the channel's maker waits itself: start is its receive
	competes bool            // a helper the waiter starts, which may take the value and leave another way too
}

// local checks a channel made in a function.
func (ov *oneVal) local(mc *ssa.MakeChan) {
	ch := ov.st.follow(mc)
	if ch.Escapes && !ch.OnlyNotified() || len(ch.Returns) > 0 {
		return
	}
	root := ch.Nodes[0]
	var send ssa.Instruction
	recvs := map[*chanuse.Node][]chanuse.Op{}
	sendG := map[*chanuse.Node]bool{}
	for _, n := range ch.Nodes {
		for _, op := range n.Ops {
			switch op.Kind {
			case chanuse.Close, chanuse.DeferClose:
				return
			case chanuse.Send, chanuse.SelectSend:
				if send != nil || ch.InLoop(op) || inLoopChain(n) {
					return
				}
				send = op.Instr
				sendG[n.G] = true
			case chanuse.Recv, chanuse.SelectRecv:
				if n != n.G {
					return // received in a helper: not followed
				}
				recvs[n] = append(recvs[n], op)
			}
		}
	}
	what := "one value is sent on this channel"
	at := send
	if ch.OnlyNotified() {
		if send != nil || len(ch.Notified) != 1 {
			return
		}
		at = ch.Notified[0]
		what = "signal.Notify sends one value per signal on this channel"
	}
	if at == nil {
		return
	}
	signal := ch.OnlyNotified() || isEmptyStruct(mc.Type())
	var ws []waiter
	for g, ops := range recvs {
		if sendG[g] {
			return // a goroutine that sends and receives: a relay, not followed
		}
		if !waits(g.Fn, ops, signal) {
			continue
		}
		w := waiter{recv: ops[0].Instr, n: 1}
		if g == root {
			w.start, w.self = ops[0].Instr, true
		} else {
			// The instruction of root that leads to g's go statement.
			x := g
			for x.Parent != nil && x.Parent != root {
				x = x.Parent
			}
			if x.Start != nil {
				w.start = x.Start // a go statement or a group's Go
			} else {
				w.start = x.Call
			}
			if g.Start != nil && ssaloop.InLoop(g.Start.Block()) && !ssaloop.InLoop(mc.Block()) {
				w.n = 2
			}
		}
		ws = append(ws, w)
	}
	ov.report(at, what, "this channel", chain(ws), analysis.RelatedInformation{Pos: mc.Pos(), Message: "the channel is made here"})
}

// inLoopChain reports whether n is reached from the channel's maker
// through a call or go statement in a loop.
func inLoopChain(n *chanuse.Node) bool {
	for x := n; x.Parent != nil; x = x.Parent {
		var site ssa.Instruction = x.Call
		if x.Start != nil {
			site = x.Start
		}
		if site != nil && ssaloop.InLoop(site.Block()) {
			return true
		}
	}
	return false
}

// chain keeps the waiters started on one path: the longest sequence of
// start instructions in one function each dominating the next. The
// maker's own wait counts only last: goroutines it starts after it has
// received (a second signal forcing the exit) wait one at a time.
func chain(ws []waiter) []waiter {
	var best []waiter
	for _, w := range ws {
		var c []waiter
		for _, d := range ws {
			if d == w || !d.self && dominates(d.start, w.start) {
				c = append(c, d)
			}
		}
		if count(c) > count(best) {
			best = c
		}
	}
	return best
}

func count(ws []waiter) int {
	n := 0
	for _, w := range ws {
		n += w.n
	}
	return n
}

// dominates reports whether a runs before b on every path to b (or is b).
func dominates(a, b ssa.Instruction) bool {
	if a.Parent() != b.Parent() {
		return false
	}
	ab, bb := a.Block(), b.Block()
	if ab == bb {
		return index(a) <= index(b)
	}
	return ab.Dominates(bb)
}

// waits reports whether fn, running as its own goroutine, can return only
// after one of its receives ops from the channel: every path from its
// entry to a return passes a plain receive or enters a select case that
// receives. Unless signal, the received value must be unused (a stop
// signal, not data).
func waits(fn *ssa.Function, ops []chanuse.Op, signal bool) bool {
	// go/ssa gives every function with a defer a Recover block: only a
	// deferred call that may recover opens another way out (a deferred
	// wg.Done does not).
	if len(fn.Blocks) == 0 || recovers(fn) {
		return false
	}
	stop := map[*ssa.BasicBlock]int{} // block -> index of the receive that stops the path there
	cut := map[*ssa.BasicBlock]bool{} // If blocks whose true edge enters a receiving case
	for _, op := range ops {
		switch in := op.Instr.(type) {
		case *ssa.UnOp:
			if !signal && used(in) {
				return false
			}
			if i, ok := stop[in.Block()]; !ok || index(in) < i {
				stop[in.Block()] = index(in)
			}
		case *ssa.Call:
			// A call of a helper that waits (the caller checks it does).
			if i, ok := stop[in.Block()]; !ok || index(in) < i {
				stop[in.Block()] = index(in)
			}
		case *ssa.Select:
			if !signal && selectValueUsed(in, op.State) {
				return false
			}
			// The edge into case k's body, not its block: an empty case
			// jumps straight to the block after the select, which the
			// other cases reach too.
			b := caseTest(in, op.State)
			if b == nil {
				return false
			}
			cut[b] = true
		default:
			return false
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
		end := len(b.Instrs)
		if i, ok := stop[b]; ok {
			end = i
		}
		dead := false
		for _, instr := range b.Instrs[:end] {
			switch in := instr.(type) {
			case *ssa.Panic:
				dead = true
			case *ssa.Call:
				dead = dead || chanuse.NoReturn(in.Common())
			case *ssa.Return:
				if !dead {
					return false
				}
			}
		}
		if _, ok := stop[b]; ok || dead {
			continue
		}
		succs := b.Succs
		if cut[b] {
			succs = succs[1:] // the receiving case's edge is cut
		}
		stack = append(stack, succs...)
	}
	return true
}

// used reports whether the value a receive yields is used.
func used(u *ssa.UnOp) bool {
	for _, r := range *u.Referrers() {
		if _, ok := r.(*ssa.DebugRef); !ok {
			return true
		}
	}
	return false
}

// selectValueUsed reports whether the value case k of sel receives is
// used.
func selectValueUsed(sel *ssa.Select, k int) bool {
	idx := 2 // the tuple is (index, recvOk, r0, r1, ...) over receive cases
	for i := 0; i < k; i++ {
		if sel.States[i].Dir == types.RecvOnly {
			idx++
		}
	}
	for _, r := range *sel.Referrers() {
		if ex, ok := r.(*ssa.Extract); ok && ex.Index == idx {
			for _, u := range *ex.Referrers() {
				if _, ok := u.(*ssa.DebugRef); !ok {
					return true
				}
			}
		}
	}
	return false
}

// caseTest returns the block that tests whether the select chose case k
// ("index == k"): its true edge enters the case's body.
func caseTest(sel *ssa.Select, k int) *ssa.BasicBlock {
	for _, r := range *sel.Referrers() {
		ex, ok := r.(*ssa.Extract)
		if !ok || ex.Index != 0 {
			continue
		}
		for _, u := range *ex.Referrers() {
			bin, ok := u.(*ssa.BinOp)
			if !ok || bin.Op != token.EQL {
				continue
			}
			c, ok := bin.Y.(*ssa.Const)
			if !ok || c.Value == nil || c.Value.String() != fmt.Sprint(k) {
				continue
			}
			for _, x := range *bin.Referrers() {
				if iff, ok := x.(*ssa.If); ok && iff.Block().Succs[0] != iff.Block().Succs[1] {
					return iff.Block()
				}
			}
		}
	}
	return nil
}

func isEmptyStruct(t types.Type) bool {
	ch, ok := t.Underlying().(*types.Chan)
	if !ok {
		return false
	}
	s, ok := ch.Elem().Underlying().(*types.Struct)
	return ok && s.NumFields() == 0
}

// field checks a private channel field as a class. The waiters are
// goroutines started with one object: go statements that start a function
// receiving from the field of that object (or a group's Go that starts
// such a function literal), in one function and the callees it hands the
// object to.
func (ov *oneVal) field(c *chanuse.Class) {
	if c.Escapes || c.Stored || len(c.Makes) == 0 {
		return
	}
	var send ssa.Instruction
	var sends []chanuse.Op // every send, when there are several or one in a loop
	recvs := map[*ssa.Function][]chanuse.Op{}
	bases := map[*ssa.Function]fieldPath{}
	for _, op := range c.Ops {
		switch op.Kind {
		case chanuse.Close, chanuse.DeferClose:
			return
		case chanuse.Send, chanuse.SelectSend:
			sends = append(sends, op.Op)
			if send != nil || ssaloop.InLoop(op.Instr.Block()) || ov.calledInLoop(op.Instr.Parent(), 0) {
				send = nil
				continue
			}
			send = op.Instr
		case chanuse.Recv, chanuse.SelectRecv:
			fn := op.Instr.Parent()
			p := pathOf(op.Base)
			if b, ok := bases[fn]; ok && (b.root != p.root || b.path != p.path) {
				return
			}
			bases[fn] = p
			recvs[fn] = append(recvs[fn], op.Op)
		}
	}
	// Several sends, or one in a loop, each followed by a Wait on a
	// WaitGroup field (tarantool/tt#762): checked once the waiters are
	// known, which must all be counted on that field.
	var waitField *types.Var
	if len(sends) > 1 || send == nil && len(sends) == 1 {
		if waitField = waitAfterSends(sends); waitField == nil {
			return
		}
		send = sends[0].Instr
	}
	if send == nil {
		return
	}
	if _, ok := recvs[send.Parent()]; ok {
		return // the sender receives too
	}
	signal := isEmptyStruct(c.Field.Type())
	// The waiting functions, and how each is started: a go statement (or
	// a group's Go) that hands it the object it receives from.
	type start struct {
		g    ssa.CallInstruction
		base ssa.Value // the object, in g's function
		recv ssa.Instruction
		path fieldPath // the fields from base to the struct holding the channel
	}
	var starts []start
	for fn, ops := range recvs {
		if !waits(fn, ops, signal) {
			continue
		}
		for _, g := range append(goSites(fn, ov.callers), methodValueStarts(ov.st.funcs, fn)...) {
			if b := outerBase(fn, g, bases[fn].root); b != nil {
				starts = append(starts, start{g, b, ops[0].Instr, bases[fn]})
			}
		}
	}
	// A wait in a helper (w.waitStop()): a function that calls it on every
	// path to its return waits too, on the object it hands the helper.
	for fn, ops := range recvs {
		root, ok := bases[fn].root.(*ssa.Parameter)
		if !ok || !waits(fn, ops, signal) {
			continue
		}
		for _, c := range ov.callers[fn] {
			call, ok := c.(*ssa.Call)
			if !ok || call.Call.IsInvoke() {
				continue
			}
			g := call.Parent()
			if _, own := recvs[g]; own || !waits(g, []chanuse.Op{{Kind: chanuse.Recv, Instr: call}}, true) {
				continue
			}
			arg := paramArg(call, fn, root)
			if arg == nil {
				continue
			}
			p := pathOf(arg)
			p.path += bases[fn].path
			p.loads = p.loads || bases[fn].loads
			for _, site := range append(goSites(g, ov.callers), methodValueStarts(ov.st.funcs, g)...) {
				if b := outerBase(g, site, p.root); b != nil {
					starts = append(starts, start{site, b, ops[0].Instr, p})
				}
			}
		}
	}
	if len(starts) == 0 { // one go statement in a loop counts as many: report checks the count
		return
	}
	// From each function that starts a waiter, follow the object into the
	// callees it is handed to, collecting the starts on one path.
	best := []waiter(nil)
	for _, s := range starts {
		ws := ov.startsFrom(s.g.Parent(), s.base, func(g ssa.CallInstruction, base ssa.Value) (waiter, bool) {
			for _, t := range starts {
				if t.g == g && sameBase(t.base, base) && t.path.path == s.path.path {
					w := waiter{recv: t.recv, start: g, n: 1}
					// Through a pointer field the struct holding the
					// channel may be another one in every iteration.
					if ssaloop.InLoop(g.Block()) && !inLoopDef(base, g.Block()) && !t.path.loads {
						w.n = 2
					}
					return w, true
				}
			}
			return waiter{}, false
		}, 0)
		if count(ws) > count(best) {
			best = ws
		}
	}
	if count(best) < 2 {
		// The waiters may be started by sibling helpers one function
		// calls with the object (startHelpers: startSignalHandling, then,
		// when configured, startIntegrityChecks).
		for _, s := range starts {
			for _, c := range ov.callers[s.g.Parent()] {
				call, ok := c.(*ssa.Call)
				callee, args := calleeArgs(c.Parent().Pkg, c.Common())
				if !ok || callee != s.g.Parent() || len(args) == 0 || len(callee.Params) == 0 || objOf(s.base) != callee.Params[0] {
					continue
				}
				ws := ov.startsFrom(call.Parent(), args[0], func(g ssa.CallInstruction, base ssa.Value) (waiter, bool) {
					for _, t := range starts {
						if t.g == g && sameBase(t.base, base) && t.path.path == s.path.path {
							return waiter{recv: t.recv, start: g, n: 1}, true
						}
					}
					return waiter{}, false
				}, 1)
				if count(ws) > count(best) {
					best = ws
				}
			}
		}
	}
	if count(best) < 2 {
		best = ov.competitor(recvs, bases, best, func(yield func(g ssa.CallInstruction, recv ssa.Instruction)) {
			for _, s := range starts {
				yield(s.g, s.recv)
			}
		})
	}
	if count(best) < 2 {
		// Per way to the struct holding the channel: m.a.stop and
		// m.b.stop are two channels.
		paths := map[string]bool{}
		for _, s := range starts {
			paths[s.path.path] = true
		}
		for _, p := range slices.Sorted(maps.Keys(paths)) {
			ws := apiStarts(send, func(yield func(g ssa.CallInstruction, base ssa.Value, recv ssa.Instruction)) {
				for _, s := range starts {
					if s.path.path == p {
						yield(s.g, s.base, s.recv)
					}
				}
			})
			if count(ws) > count(best) {
				best = ws
			}
		}
	}
	if waitField != nil {
		for _, w := range best {
			if w.competes || !donesOn(w.recv.Parent(), waitField) {
				return // a waiter the Wait does not wait for
			}
		}
	}
	name := fmt.Sprintf("field %s of %s", c.Field.Name(), ownerName(ov.st.sealed, c.Field))
	ov.report(send, "one value is sent on "+name, name, best, analysis.RelatedInformation{Pos: c.Makes[0].Pos(), Message: "the channel is made here"})
}

// paramArg returns the argument call passes for p, a parameter of
// fn, its static callee; nil if there is none.
func paramArg(call *ssa.Call, fn *ssa.Function, p *ssa.Parameter) ssa.Value {
	for i, q := range fn.Params {
		if q == p && i < len(call.Call.Args) {
			return call.Call.Args[i]
		}
	}
	return nil
}

// fieldPath is the way a function reaches the struct holding a channel
// field from an object it has: the object (a parameter, a captured
// variable's load), the fields selected from it (m.lifecycle for a field
// of an embedded struct, s.conn for a field of another struct s points
// to), and whether the way loads a pointer from a field.
type fieldPath struct {
	root  ssa.Value
	path  string
	loads bool
}

// pathOf splits base, the struct a channel field is loaded from, into the
// object it is reached from and the fields selected on the way.
func pathOf(base ssa.Value) fieldPath {
	p := fieldPath{root: base}
	for i := 0; i < 4; i++ {
		switch x := p.root.(type) {
		case *ssa.FieldAddr:
			p.path = fmt.Sprintf(".%d", x.Field) + p.path
			p.root = x.X
		case *ssa.Field:
			p.path = fmt.Sprintf(".%d", x.Field) + p.path
			p.root = x.X
		case *ssa.UnOp:
			fa, ok := x.X.(*ssa.FieldAddr)
			if !ok || x.Op != token.MUL {
				return p
			}
			p.path = "*" + p.path
			p.root, p.loads = fa, true
		default:
			return p
		}
	}
	return p
}

// newStructVar reports whether v, a local variable, only ever holds
// structs its function allocates.
func newStructVar(v *ssa.Alloc) bool {
	stored := false
	for _, r := range *v.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Addr == ssa.Value(v) {
			if a, ok := st.Val.(*ssa.Alloc); !ok || a.Parent() != v.Parent() {
				return false
			}
			stored = true
		}
	}
	return stored
}

// apiStarts returns one waiter per exported method that starts one on its
// receiver (gocui#25: MainLoop starts the event poller and StartTicking
// the ticker, both waiting on g.stop): a caller that uses the type as
// documented calls both on one object, so both goroutines wait at once.
// The method that sends must not be one of them.
func apiStarts(send ssa.Instruction, starts func(yield func(g ssa.CallInstruction, base ssa.Value, recv ssa.Instruction))) []waiter {
	var ws []waiter
	methods := map[*ssa.Function]bool{}
	waiting := map[*ssa.Function]bool{}
	starts(func(g ssa.CallInstruction, base ssa.Value, recv ssa.Instruction) {
		m := g.Parent()
		if m.Signature.Recv() == nil || !token.IsExported(m.Name()) || len(m.Params) == 0 || objOf(base) != m.Params[0] {
			return
		}
		if methods[m] || waiting[recv.Parent()] || m == send.Parent() {
			return
		}
		methods[m], waiting[recv.Parent()] = true, true
		ws = append(ws, waiter{recv: recv, start: g, n: 1})
	})
	return ws
}

// startsFrom collects, in fn with the object base, the waiters started on
// one path: go statements (and group Go calls) that start a waiter with
// base, and calls that hand base to a function that does, each dominating
// the next. A call stands at its position for the waiters its callee
// starts.
func (ov *oneVal) startsFrom(fn *ssa.Function, base ssa.Value, isStart func(ssa.CallInstruction, ssa.Value) (waiter, bool), depth int) []waiter {
	var ws []waiter
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Go:
				if w, ok := isStart(in, base); ok {
					ws = append(ws, w)
				}
			case *ssa.Call:
				if w, ok := isStart(in, base); ok {
					ws = append(ws, w) // a group's Go, or a starter handed a method value
					continue
				}
				if chanuse.GroupGo(&in.Call) != nil {
					continue
				}
				callee, args := calleeArgs(fn.Pkg, &in.Call)
				if depth >= 3 || callee == nil || callee == fn {
					continue
				}
				for i, a := range args {
					if sameBase(a, base) && i < len(callee.Params) {
						for _, w := range ov.startsFrom(callee, callee.Params[i], isStart, depth+1) {
							w.start = in
							if ssaloop.InLoop(in.Block()) {
								w.n = 1 // several calls, perhaps on several objects: counted once
							}
							ws = append(ws, w)
						}
						break
					}
				}
			}
		}
	}
	return chain(ws)
}

// inLoopDef reports whether v is defined in a block of the loop around
// at: a value that may differ from one iteration to the next.
func inLoopDef(v ssa.Value, at *ssa.BasicBlock) bool {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		if _, ok := u.X.(*ssa.FreeVar); ok {
			return false
		}
		if a, ok := u.X.(*ssa.Alloc); ok {
			v = a
		}
	}
	instr, ok := v.(ssa.Instruction)
	if !ok {
		return false // a parameter, free variable, global or constant
	}
	vb := instr.Block()
	if vb == nil || !ssaloop.InLoop(vb) {
		return false
	}
	// v's block and at are in one loop when each reaches the other.
	return reachable(vb, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })[at] &&
		reachable(at, func(x *ssa.BasicBlock) []*ssa.BasicBlock { return x.Succs })[vb]
}

// goSites returns the go statements that start fn: a go statement of a
// method or function, or, for a function literal, any start of it
// (chanuse.Starts: a go statement, a group's Go, one of the package's
// goroutine helpers handed the literal).
func goSites(fn *ssa.Function, callers map[*ssa.Function][]ssa.CallInstruction) []ssa.CallInstruction {
	var gs []ssa.CallInstruction
	if fn.Parent() != nil {
		// A literal: its MakeClosure (or the function itself, without free
		// variables) started.
		for _, b := range fn.Parent().Blocks {
			for _, instr := range b.Instrs {
				c, ok := instr.(ssa.CallInstruction)
				if !ok {
					continue
				}
				v := ssa.Value(fn)
				for _, op := range instr.Operands(nil) {
					if mk, ok := (*op).(*ssa.MakeClosure); ok && mk.Fn == fn {
						v = mk
					}
				}
				if chanuse.Starts(fn.Pkg, instr, v) {
					gs = append(gs, c)
				}
			}
		}
		return gs
	}
	for _, c := range callers[fn] {
		if g, ok := c.(*ssa.Go); ok {
			gs = append(gs, g)
		}
	}
	return gs
}

// methodValueStarts returns the instructions of funcs that start fn, a
// method, as a method value: its bound closure s.m handed to a group's Go
// (wg.Go(s.loop)), to one of the package's goroutine starters, or called
// by a go statement (chanuse.Starts).
func methodValueStarts(funcs []*ssa.Function, fn *ssa.Function) []ssa.CallInstruction {
	if fn.Signature.Recv() == nil || fn.Object() == nil {
		return nil
	}
	var gs []ssa.CallInstruction
	for _, v := range funcValues(funcs, fn) {
		mk, ok := v.(*ssa.MakeClosure)
		if !ok || !boundOf(mk, fn) {
			continue
		}
		for _, r := range *mk.Referrers() {
			if c, ok := r.(ssa.CallInstruction); ok && chanuse.Starts(mk.Parent().Pkg, r, mk) {
				gs = append(gs, c)
			}
		}
	}
	return gs
}

// boundOf reports whether mk makes a method value of fn: the $bound
// wrapper of fn's method, with the receiver as its one binding.
func boundOf(mk *ssa.MakeClosure, fn *ssa.Function) bool {
	w, ok := mk.Fn.(*ssa.Function)
	return ok && w != fn && w.Synthetic != "" && len(mk.Bindings) == 1 && w.Object() != nil && w.Object() == fn.Object()
}

// boundStarted returns the method value of fn that g starts, or nil.
func boundStarted(fn *ssa.Function, g ssa.CallInstruction) *ssa.MakeClosure {
	for _, op := range g.Operands(nil) {
		if mk, ok := (*op).(*ssa.MakeClosure); ok && boundOf(mk, fn) {
			return mk
		}
	}
	return nil
}

// calledInLoop reports whether fn (or, for a function literal, the
// function around it) runs in a loop of one of its callers.
func (ov *oneVal) calledInLoop(fn *ssa.Function, depth int) bool {
	if depth > 3 {
		return true
	}
	if fn.Parent() != nil {
		for _, b := range fn.Parent().Blocks {
			for _, instr := range b.Instrs {
				if mk, ok := instr.(*ssa.MakeClosure); ok && mk.Fn == fn && ssaloop.InLoop(b) {
					return true
				}
			}
		}
		return ov.calledInLoop(fn.Parent(), depth+1)
	}
	for _, c := range ov.callers[fn] {
		if ssaloop.InLoop(c.Block()) || ov.calledInLoop(c.Parent(), depth+1) {
			return true
		}
	}
	return false
}

func (ov *oneVal) report(at ssa.Instruction, what, name string, ws []waiter, made analysis.RelatedInformation) {
	if count(ws) < 2 {
		return
	}
	fset := ov.st.pass.Fset
	sort.Slice(ws, func(i, j int) bool { return ws[i].recv.Pos() < ws[j].recv.Pos() })
	var lines []string
	rel := []analysis.RelatedInformation{}
	for _, w := range ws {
		l := fmt.Sprintf("line %d", fset.Position(w.recv.Pos()).Line)
		msg := "a goroutine waits here for the stop value, and returns only after receiving it"
		if w.competes {
			l += ", a helper the waiter starts"
			msg = "a helper goroutine the waiter starts receives the stop value here too (it may also leave another way)"
		}
		if w.n > 1 {
			l += ", started in a loop"
			msg = "goroutines started in a loop wait here for the stop value, and return only after receiving it"
		}
		lines = append(lines, l)
		rel = append(rel, analysis.RelatedInformation{Pos: w.recv.Pos(), Message: msg})
	}
	rel = append(rel, made)
	how := "wait for it and can return only after receiving from"
	for _, w := range ws {
		if w.competes {
			how = "receive from it, one of which can return only after receiving from"
		}
	}
	ov.st.Report(analysis.Diagnostic{
		Pos:      at.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("%s, but %d or more goroutines %s %s (%s): one value wakes only one of them, and every other waiter blocks forever (close the channel to wake them all)",
			what, count(ws), how, name, strings.Join(lines, "; ")),
		Related: rel,
	})
}

// outerBase maps base, the object fn (started by g, a go statement or a
// group's Go) receives from, to the value g's function passes or
// captures: a parameter, or a captured variable's load.
func outerBase(fn *ssa.Function, g ssa.CallInstruction, base ssa.Value) ssa.Value {
	if mk := boundStarted(fn, g); mk != nil {
		// A method value started (wg.Go(s.loop), go f() with f := s.loop):
		// the receiver is the value it binds.
		if len(fn.Params) > 0 && base == ssa.Value(fn.Params[0]) {
			return mk.Bindings[0]
		}
		return nil
	}
	if u, ok := base.(*ssa.UnOp); ok && u.Op == token.MUL {
		if _, ok := u.X.(*ssa.FreeVar); ok {
			base = u.X
		}
	}
	n := &chanuse.Node{Fn: fn, Start: g}
	if gs, ok := g.(*ssa.Go); ok {
		n.Go = gs
	}
	return outer(n, base)
}

// sameBase reports whether a and b are one object in one function: one
// value, loads of one variable, or a parameter and the variable it is
// spilled to (a parameter a function literal captures).
func sameBase(a, b ssa.Value) bool {
	return sameObj(a, b) || objOf(a) == objOf(b) && objOf(a) != nil
}

// objOf returns the parameter v is (or is the variable, or a load of the
// variable, that a parameter is stored in once), or nil.
func objOf(v ssa.Value) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		v = u.X
	}
	switch x := v.(type) {
	case *ssa.Parameter:
		return x
	case *ssa.Alloc:
		var p ssa.Value
		for _, r := range *x.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == x {
				if p != nil {
					return nil
				}
				p = st.Val
			}
		}
		if _, ok := p.(*ssa.Parameter); ok {
			return p
		}
	}
	return nil
}

// competitor finds, for a waiter that can return only after its receive
// (started by one of starts), a helper goroutine it starts itself on the
// same object that also receives from the field (elastic/beats#49414:
// unitListen starts watchErrChan, and both select on stopChan). The helper
// may have other ways out (its context, which the waiter cancels only once
// it has the value), but while it waits it competes for the one value: when
// it takes it, the waiter blocks forever. It returns the waiter and the
// helper, or best when there is none.
func (ov *oneVal) competitor(recvs map[*ssa.Function][]chanuse.Op, bases map[*ssa.Function]fieldPath, best []waiter, starts func(yield func(g ssa.CallInstruction, recv ssa.Instruction))) []waiter {
	found := best
	starts(func(g ssa.CallInstruction, recv ssa.Instruction) {
		if count(found) >= 2 {
			return
		}
		fn := recv.Parent()
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				gs, ok := instr.(*ssa.Go)
				if !ok || count(found) >= 2 {
					continue
				}
				hf := goFunc(gs)
				ops := recvs[hf]
				if hf == nil || hf == fn || len(ops) == 0 || bases[hf].path != bases[fn].path {
					continue
				}
				// The helper runs before the waiter can have the value:
				// its start comes before every receive of the waiter.
				before := true
				for _, op := range recvs[fn] {
					before = before && dominates(gs, op.Instr)
				}
				if b := outerBase(hf, gs, bases[hf].root); !before || b == nil || !sameBase(b, bases[fn].root) {
					continue
				}
				found = []waiter{{recv: recv, start: g, n: 1}, {recv: ops[0].Instr, start: gs, n: 1, competes: true}}
			}
		}
	})
	return found
}

// waitAfterSends returns the WaitGroup field that every send of sends is
// followed by a Wait on, on every path from the send, before any other send
// and before the function returns: however often the sender comes round
// (a restart loop), it sends one value and then waits for the goroutines it
// signalled (tarantool/tt#762: wd.done <- true; wd.doneBarrier.Wait()).
// The sends must be plain and in one function. It returns nil otherwise.
func waitAfterSends(sends []chanuse.Op) *types.Var {
	var field *types.Var
	at := map[ssa.Instruction]bool{}
	for _, op := range sends {
		if op.Kind != chanuse.Send || op.Instr.Parent() != sends[0].Instr.Parent() {
			return nil
		}
		at[op.Instr] = true
	}
	for _, op := range sends {
		ok := true
		ssawalk.Forward(op.Instr, func(instr ssa.Instruction) ssawalk.Action {
			if at[instr] {
				ok = false // another send before any Wait
				return ssawalk.Stop
			}
			switch in := instr.(type) {
			case *ssa.Call:
				if w := wgCall(&in.Call, "Wait"); w != nil {
					f := chanuse.StructFieldOf(w)
					if f == nil || field != nil && f != field {
						ok = false
						return ssawalk.Stop
					}
					field = f
					return ssawalk.Cut
				}
			case *ssa.Return, *ssa.Panic:
				ok = false // leaves without waiting
				return ssawalk.Stop
			}
			return ssawalk.Continue
		})
		if !ok {
			return nil
		}
	}
	return field
}

// donesOn reports whether fn defers Done on the WaitGroup field f.
func donesOn(fn *ssa.Function, f *types.Var) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if d, ok := instr.(*ssa.Defer); ok {
				if w := wgCall(&d.Call, "Done"); w != nil && chanuse.StructFieldOf(w) == f {
					return true
				}
			}
		}
	}
	return false
}
