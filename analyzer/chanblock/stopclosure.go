package chanblock

import (
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// stopClosures reports a stop function that sends on an unbuffered
// channel whose only receiver is one goroutine able to return without
// that receive: the function's maker starts the goroutine (once, outside
// loops), which waits for the channel in a blocking select beside other
// cases and can return by one of them, and hands out a function literal
// (returned, stored, called later) whose only use of the channel is a
// plain send. Once the goroutine has left by the other case (its timer
// fired, its input ended, its context was cancelled), nobody receives
// and the stop function blocks forever; closing the channel, or a select
// on a channel the goroutine closes when it returns, cannot block
// (gdgvda/cron#57: a clock timer's stop() sent on stop after the timer
// goroutine had fired and gone).
func stopClosures(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok && capacity(mc) == 0 {
					stopClosure(st, mc)
				}
			}
		}
	}
}

// stopCapture is a function the maker hands the channel to: the
// goroutine it starts, or a function literal it builds.
type stopCapture struct {
	fn  *ssa.Function
	v   ssa.Value          // the channel inside fn: a free variable or a parameter
	g   *ssa.Go            // the go statement, for the goroutine
	mk  *ssa.MakeClosure   // the literal, for a stop function
	ops []ssa.Instruction  // fn's operations on the channel
	vs  map[ssa.Value]bool // the channel's values in fn (v and its conversions)
}

func stopClosure(st *state, mc *ssa.MakeChan) {
	fn := mc.Parent()
	var caps []stopCapture
	// goArg accepts a go statement that hands v to a function of the
	// package: go watch(t, stop).
	goArg := func(g *ssa.Go, v ssa.Value) bool {
		callee, args := calleeArgs(fn.Pkg, &g.Call)
		if callee == nil || len(callee.Blocks) == 0 || callee.Pkg != fn.Pkg {
			return false
		}
		n := 0
		for i, a := range args {
			if a == v && i < len(callee.Params) {
				caps = append(caps, stopCapture{fn: callee, v: callee.Params[i], g: g})
				n++
			}
		}
		return n == 1
	}
	closure := func(mk *ssa.MakeClosure, v ssa.Value) bool {
		lit := mk.Fn.(*ssa.Function)
		var g *ssa.Go
		for _, r := range *mk.Referrers() {
			if x, ok := r.(*ssa.Go); ok {
				if x.Call.Value != ssa.Value(mk) || g != nil {
					return false
				}
				g = x
			}
		}
		n := 0
		for i, b := range mk.Bindings {
			if b == v {
				caps = append(caps, stopCapture{fn: lit, v: lit.FreeVars[i], g: g, mk: mk})
				n++
			}
		}
		return n == 1
	}
	var variable *ssa.Alloc
	var uses func(v ssa.Value) bool
	uses = func(v ssa.Value) bool {
		for _, r := range *v.Referrers() {
			switch x := r.(type) {
			case *ssa.DebugRef:
			case *ssa.ChangeType: // to a directional channel
				if !uses(x) {
					return false
				}
			case *ssa.Go:
				if !goArg(x, v) {
					return false
				}
			case *ssa.MakeClosure:
				if !closure(x, v) {
					return false
				}
			case *ssa.Store:
				// A variable the literals capture by reference: stored
				// once, then captured or loaded.
				a, ok := x.Addr.(*ssa.Alloc)
				if !ok || x.Val != v || variable != nil {
					return false
				}
				variable = a
				for _, r := range *a.Referrers() {
					switch y := r.(type) {
					case *ssa.DebugRef:
					case *ssa.Store:
						if y != x {
							return false
						}
					case *ssa.UnOp:
						if y.Op != token.MUL || !uses(y) {
							return false
						}
					case *ssa.MakeClosure:
						if !closure(y, a) {
							return false
						}
					default:
						return false
					}
				}
			default:
				return false // used by the maker itself, stored or passed on: not this shape
			}
		}
		return true
	}
	if !uses(mc) || len(caps) != 2 {
		return
	}
	var recv, stop *stopCapture
	for i := range caps {
		c := &caps[i]
		if !c.collect() {
			return
		}
		if c.g != nil {
			if recv != nil {
				return
			}
			recv = c
		} else {
			stop = c
		}
	}
	if recv == nil || stop == nil || ssaloop.InLoop(recv.g.Block()) || len(stop.ops) == 0 {
		return
	}
	var send *ssa.Send
	for _, op := range stop.ops {
		s, ok := op.(*ssa.Send)
		if !ok {
			return // the stop function receives, selects or closes too
		}
		if send == nil {
			send = s
		}
	}
	// The goroutine only receives, in at least one blocking select with
	// other cases, and can return without any of its receives.
	var rops []chanuse.Op
	choice := false
	signal := isEmptyStruct(mc.Type())
	for _, op := range recv.ops {
		switch x := op.(type) {
		case *ssa.UnOp:
			if !signal && used(x) {
				return // data, not a stop signal
			}
			rops = append(rops, chanuse.Op{Kind: chanuse.Recv, Instr: x})
		case *ssa.Select:
			k := -1
			for i, s := range x.States {
				if recv.vs[s.Chan] {
					if s.Dir != types.RecvOnly || k >= 0 {
						return
					}
					k = i
				}
			}
			if k < 0 || !signal && selectValueUsed(x, k) {
				return
			}
			if x.Blocking && len(x.States) > 1 {
				choice = true
			}
			rops = append(rops, chanuse.Op{Kind: chanuse.SelectRecv, Instr: x, State: k})
		default:
			return
		}
	}
	if !choice || len(rops) == 0 || recovers(recv.fn) || waits(recv.fn, rops, true) {
		return
	}
	st.Report(analysis.Diagnostic{
		Pos: send.Pos(),
		Message: "this stop function sends on an unbuffered channel whose only receiver, the goroutine started here, " +
			"can leave its select by another case and return; the send then blocks forever (close the channel instead)",
		Related: []analysis.RelatedInformation{
			{Pos: recv.g.Pos(), Message: "the only receiving goroutine is started here"},
			{Pos: mc.Pos(), Message: "the channel is made here"},
		},
	})
}

// collect gathers the capture's operations on the channel; it fails on
// any other use (the channel handed on, stored or compared).
func (c *stopCapture) collect() bool {
	c.vs = map[ssa.Value]bool{}
	var walk func(v ssa.Value) bool
	walk = func(v ssa.Value) bool {
		c.vs[v] = true
		for _, r := range *v.Referrers() {
			switch x := r.(type) {
			case *ssa.DebugRef:
			case *ssa.ChangeType:
				if !walk(x) {
					return false
				}
			case *ssa.UnOp:
				switch x.Op {
				case token.MUL: // a load of the captured variable
					if !walk(x) {
						return false
					}
				case token.ARROW:
					c.ops = append(c.ops, x)
				default:
					return false
				}
			case *ssa.Send:
				if x.Chan != v {
					return false
				}
				c.ops = append(c.ops, x)
			case *ssa.Select:
				for _, s := range x.States {
					if s.Send == v {
						return false
					}
				}
				c.ops = append(c.ops, x)
			default:
				return false
			}
		}
		return true
	}
	return walk(c.v)
}
