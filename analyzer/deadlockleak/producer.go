package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// producers reports the producer that outlives its consumer: a function
// sends on a private channel field with plain sends in a loop no count
// bounds (a loop reading requests off a stream; constBounded), while every receive of
// the field is a select case beside a stop case that returns (a closed
// "closec", a context's Done) on a signal the producer neither gives
// itself nor is followed by (its callers do not close it after it
// returns). Once the consumer has stopped, the producer's next send, or
// the one after the buffer has filled, blocks forever: no buffer is big
// enough for a loop (etcd-io/etcd#18739: recvLoop queues control
// responses on ctrlStream, with room for 16, which only sendLoop reads,
// and sendLoop returns when closec is closed).
func producers(pass *analysis.Pass, funcs []*ssa.Function, classes map[*types.Var]*chanuse.Class, callers map[*ssa.Function][]*ssa.Call) {
	for _, c := range classes {
		if c.Escapes || c.Stored || len(c.Makes) == 0 {
			continue
		}
		byFn := map[*ssa.Function][]chanuse.FieldOp{}
		var recvs []chanuse.FieldOp
		plainRecv := false
		for _, op := range c.Ops {
			switch op.Kind {
			case chanuse.Send:
				fn := op.Instr.Parent()
				byFn[fn] = append(byFn[fn], op)
			case chanuse.SelectRecv:
				recvs = append(recvs, op)
			case chanuse.Recv:
				plainRecv = true
			}
		}
		if plainRecv && len(recvs) == 0 {
			abandonedStream(pass, c, byFn, funcs)
			continue
		}
		if plainRecv || len(recvs) == 0 {
			continue // a plain receive or a range waits for the values
		}
		for fn, sends := range byFn {
			producer(pass, c, fn, sends, recvs, callers)
		}
	}
}

func producer(pass *analysis.Pass, c *chanuse.Class, fn *ssa.Function, sends, recvs []chanuse.FieldOp, callers map[*ssa.Function][]*ssa.Call) {
	var looped []ssa.Instruction
	var via ssa.Instruction // the call in a caller's loop that reaches fn
	for _, op := range sends {
		b := op.Instr.Block()
		if !ssaloop.InLoop(b) {
			// A send made once per call of a helper that a loop calls
			// (Notify called for every event a listener reads).
			param, fresh := paramIndex(op.Base)
			if fresh {
				continue // one send into an instance each call makes
			}
			if at := loopCall(fn, param, callers, 0); at != nil {
				via = at
				looped = append(looped, op.Instr)
			}
			continue
		}
		if constBounded(b) {
			continue
		}
		// The same instance on every round (a request's own reply
		// channel, one per round, is another pattern).
		if def, ok := baseKey(op.Base).(ssa.Instruction); ok && ssaloop.Blocks(b)[def.Block()] {
			continue
		}
		looped = append(looped, op.Instr)
	}
	if len(looped) == 0 {
		return
	}
	for _, op := range c.Ops {
		if (op.Kind == chanuse.Close || op.Kind == chanuse.DeferClose) && op.Instr.Parent() == fn {
			return // the producer closes it: its own end of the stream
		}
	}
	// Every receive can leave on a stop signal that the producer does not
	// give, nor a caller of it, after it returns.
	var sel *ssa.Select
	var stop ssa.SelectState
	for _, op := range recvs {
		s := op.Instr.(*ssa.Select)
		st, ok := leavesOn(s, op.State, fn, callers)
		if !ok {
			return
		}
		if sel == nil {
			sel, stop = s, st
		}
	}
	line := func(p ssaPos) int { return pass.Fset.Position(p.Pos()).Line }
	for _, send := range looped {
		where := "in a loop"
		rel := []analysis.RelatedInformation{
			{Pos: sel.Pos(), Message: "the only receive, in a select"},
			{Pos: stop.Pos, Message: "the receiver stops here"},
			{Pos: c.Makes[0].Pos(), Message: "the channel is made here"},
		}
		if !ssaloop.InLoop(send.Block()) {
			where = fmt.Sprintf("made on every round of the loop in %s (line %d)", via.Parent().Name(), line(via))
			rel = append(rel, analysis.RelatedInformation{Pos: via.Pos(), Message: "called here, in a loop no count bounds"})
		}
		pass.Report(analysis.Diagnostic{
			Pos:      send.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this plain send %s feeds field %s, whose only receiver, the select in %s (line %d), returns when a stop signal fires (line %d) that %s does not watch: once the receiver has stopped, this send blocks forever (after the buffer fills) and its goroutine leaks (send in a select with the stop case)",
				where, c.Field.Name(), sel.Parent().Name(), line(sel), pass.Fset.Position(stop.Pos).Line, fn.Name()),
			Related: rel,
		})
	}
}

// ssaPos is anything with a position.
type ssaPos interface{ Pos() token.Pos }

// leavesOn returns a stop case of sel other than case k whose body
// returns, on a channel that the producer fn does not close or send on
// (canLeave), nor a function that calls fn.
func leavesOn(sel *ssa.Select, k int, fn *ssa.Function, callers map[*ssa.Function][]*ssa.Call) (ssa.SelectState, bool) {
	bodies, _ := caseBodies(sel)
	for i, st := range sel.States {
		if i == k || st.Dir != types.RecvOnly || !isStopChan(st.Chan) {
			continue
		}
		body, ok := bodies[i]
		if !ok || leaves(body, sel.Block()) == nil {
			continue
		}
		if fk, ok := chanKey(st.Chan).(fieldKey); ok {
			if signalsField(fn, fk.field, 0) {
				continue
			}
			after := false
			for _, call := range callers[fn] {
				after = after || signalsField(call.Parent(), fk.field, 1)
			}
			if after {
				continue // closed once the producer has returned
			}
		} else if outsideStop(st.Chan, 0) == "" {
			continue // a channel the consumer was given: who closes it is not followed
		}
		return *st, true
	}
	return ssa.SelectState{}, false
}

// loopCall returns a call of fn (or of a function calling it, up to three
// levels) made in a loop no count bounds that watches no channel
// (constBounded, watches), on the same instance every round: fn then
// runs any number of times, as a send inside such a loop would. param is
// the index of fn's parameter the instance comes from, or -1; an
// argument for it made inside the loop is a new instance each round (a
// request's own reply channel).
func loopCall(fn *ssa.Function, param int, callers map[*ssa.Function][]*ssa.Call, depth int) ssa.Instruction {
	if depth > 2 {
		return nil
	}
	for _, call := range callers[fn] {
		arg := -1
		var v ssa.Value
		if args := call.Call.Args; param >= 0 && param < len(args) {
			v = args[param]
			if p, ok := v.(*ssa.Parameter); ok {
				arg = slices.Index(call.Parent().Params, p)
			}
		}
		b := call.Block()
		if !ssaloop.InLoop(b) {
			if at := loopCall(call.Parent(), arg, callers, depth+1); at != nil {
				return at
			}
			continue
		}
		if constBounded(b) || watches(b) {
			continue
		}
		if def, ok := v.(ssa.Instruction); ok && ssaloop.Blocks(b)[def.Block()] {
			continue // a new instance each round
		}
		return call
	}
	return nil
}

// paramIndex returns the index of the parameter of its function that v,
// a channel's base, is reached from (through loads, fields and a local
// copy of a struct parameter), or -1; fresh tells that v is an instance
// the function makes (or gets from a call) itself, anew on every call.
func paramIndex(v ssa.Value) (idx int, fresh bool) {
	for range 8 {
		switch x := v.(type) {
		case *ssa.Parameter:
			return slices.Index(x.Parent().Params, x), false
		case *ssa.UnOp:
			v = x.X
		case *ssa.FieldAddr:
			v = x.X
		case *ssa.Field:
			v = x.X
		case *ssa.Alloc:
			var stored ssa.Value
			for _, r := range *x.Referrers() {
				if st, ok := r.(*ssa.Store); ok && st.Addr == x {
					stored = st.Val
				}
			}
			if stored == nil {
				return -1, true // a struct made here
			}
			v = stored
		case *ssa.Call, *ssa.MakeChan:
			return -1, true
		default:
			return -1, false
		}
	}
	return -1, false
}

// abandonedStream reports the stream producer whose consumer stops on its
// own: one function sends on the field from a plain send in a loop no
// count bounds that watches no channel, and runs as a goroutine (go
// x.readLoop()); every receive of the field is a plain one in a loop that
// can be left from a block no receive dominates, that is, on the
// consumer's own test (its state machine says it is done, a want()
// condition), not on the stream's close. Once the consumer has left, the
// producer's next send blocks forever, its close never reached
// (restatedev/sdk-go#141: readInputLoop forwards every read of the
// invocation stream; pollProgress takes input only while the state
// machine asks for it, and the invocation returns).
func abandonedStream(pass *analysis.Pass, c *chanuse.Class, byFn map[*ssa.Function][]chanuse.FieldOp, funcs []*ssa.Function) {
	if c.Escapes || c.Stored || len(c.Makes) == 0 || len(byFn) != 1 {
		return
	}
	var fn *ssa.Function
	var sends []chanuse.FieldOp
	for f, ss := range byFn {
		fn, sends = f, ss
	}
	var send ssa.Instruction
	for _, op := range sends {
		if b := op.Instr.Block(); ssaloop.InLoop(b) && !countBounded(b, true) && !watches(b) && loopsOn(op.Instr) {
			send = op.Instr
		}
	}
	if send == nil || !startedAsGoroutine(fn, funcs) {
		return
	}
	var leave, recv ssa.Instruction
	for _, op := range c.Ops {
		if op.Kind != chanuse.Recv {
			continue
		}
		b := op.Instr.Block()
		if op.Instr.Parent() == fn || !ssaloop.InLoop(b) || counted(b) {
			return // a consumer that takes a count, or the producer itself
		}
		at := ownExit(b, c)
		if at == nil {
			return // it leaves only on the close, or never
		}
		if leave == nil {
			leave, recv = at, op.Instr
		}
	}
	if leave == nil {
		return
	}
	line := func(p ssaPos) int { return pass.Fset.Position(p.Pos()).Line }
	pass.Report(analysis.Diagnostic{
		Pos:      send.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("this goroutine sends a stream of values on field %s with a plain send, and its consumer in %s (line %d) can leave its loop on a test of its own (line %d), not on the stream's close: the goroutine's next send then blocks forever and it leaks (send in a select on a done channel or context the consumer's owner cancels)",
			c.Field.Name(), recv.Parent().Name(), line(recv), line(leave)),
		Related: []analysis.RelatedInformation{
			{Pos: recv.Pos(), Message: "the receive, in a loop"},
			{Pos: leave.Pos(), Message: "the consumer leaves its loop here without receiving"},
			{Pos: c.Makes[0].Pos(), Message: "the channel is made here"},
		},
	})
}

// startedAsGoroutine reports whether some function of funcs starts fn
// with a go statement (a function, or a method value: go x.readLoop()),
// or starts a function literal that calls it (go func() { x.readLoop() }()).
func startedAsGoroutine(fn *ssa.Function, funcs []*ssa.Function) bool {
	for _, f := range funcs {
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok {
					continue
				}
				callee := g.Call.StaticCallee()
				if callee == fn || callee != nil && callee.Parent() != nil && calls(callee, fn) {
					return true
				}
			}
		}
	}
	return false
}

// calls reports whether f calls fn directly.
func calls(f, fn *ssa.Function) bool {
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			if c, ok := instr.(*ssa.Call); ok && c.Call.StaticCallee() == fn {
				return true
			}
		}
	}
	return false
}

// ownExit returns the branch of a loop around b (a receive's block) that
// leaves the loop from a block no receive of class c in the loop
// dominates, toward a return: the consumer stops before taking the next
// value, on its own test. Nil if every way out follows a receive (a range,
// a test of ok or of the value) or the loop has none.
func ownExit(b *ssa.BasicBlock, c *chanuse.Class) ssa.Instruction {
	loop := ssaloop.Blocks(b)
	var recvBlocks []*ssa.BasicBlock
	for _, op := range c.Ops {
		if op.Kind == chanuse.Recv && loop[op.Instr.Block()] {
			recvBlocks = append(recvBlocks, op.Instr.Block())
		}
	}
	for x := range loop {
		iff, ok := x.Instrs[len(x.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		for _, s := range x.Succs {
			if loop[s] || !returns(s) {
				continue
			}
			after := false
			for _, rb := range recvBlocks {
				after = after || rb.Dominates(x)
			}
			if !after {
				if in, ok := iff.Cond.(ssa.Instruction); ok && in.Pos().IsValid() {
					return in
				}
				return iff
			}
		}
	}
	return nil
}

// counted reports whether a loop around b has an exit test on a phi of the
// loop (an index: for i := 0; i < n; i++, a range over a slice), so the
// consumer takes a count of values; a test on what a call returns (its
// state machine's next step) is its own decision instead.
func counted(b *ssa.BasicBlock) bool {
	loop := ssaloop.Blocks(b)
	for x := range loop {
		iff, ok := x.Instrs[len(x.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		exits := false
		for _, s := range x.Succs {
			exits = exits || !loop[s]
		}
		if !exits {
			continue
		}
		switch c := iff.Cond.(type) {
		case *ssa.BinOp:
			for _, v := range []ssa.Value{c.X, c.Y} {
				if p, ok := v.(*ssa.Phi); ok && loop[p.Block()] {
					return true
				}
			}
		case *ssa.Extract:
			if _, ok := c.Tuple.(*ssa.Next); ok {
				return true
			}
		}
	}
	return false
}
