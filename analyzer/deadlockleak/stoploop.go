package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"
	"path/filepath"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// stopLoops reports the unguarded send of a loop that stops on a signal:
// a loop whose select returns when a stop channel fires (a context's Done,
// a chan struct{} or chan bool such as quit or done) also sends, with a
// plain send (directly or in a helper it calls), on a channel it did not
// make. The stop signal is how the loop learns that its partner is
// leaving, and the partner that stops receiving is the one this send
// needs: once it has gone, the send blocks forever and the goroutine
// leaks, never seeing the stop it was written to watch (square/p2#640,
// ethersphere/bee#1456, lestrrat-go/backoff#30).
//
// A send on its own proves little (the receiver may outlive the loop), so
// the rule asks for evidence that the receiver can leave first: the same
// function sends on the same channel in a select that also watches a stop
// signal (the guard given to one send and not the other), or another
// function does so on the same struct field; or the channel
// is a struct field that the package hands to its callers (returned by a
// function, or an exported field of an exported type that only the
// package fills, with channels it makes); or it is an unbuffered private
// field whose every receiver is a select that can return on a signal the
// sender does not give itself; or the loop is a function literal feeding a
// channel its maker made and returns to its caller (a generator).
//
// The select that stops may also be outside any loop (wait for the work
// or the stop, then send the result): the sends that count are those it
// dominates on paths through its other cases (kubernetes/kubernetes#25331).
func stopLoops(pass *analysis.Pass, funcs []*ssa.Function, classes map[*types.Var]*chanuse.Class) {
	handedOut := returnedFields(funcs, classes)
	made := madeFields(funcs)
	guarded := guardedFields(funcs)
	notifies := chanuse.RoomSends(funcs, classes)
	closures := map[*ssa.Function]*ssa.MakeClosure{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeClosure); ok {
					closures[mc.Fn.(*ssa.Function)] = mc
				}
			}
		}
	}
	roomMemo := map[*types.Var]bool{}
	roomy := func(f *types.Var) bool {
		r, ok := roomMemo[f]
		if !ok {
			r = exportedRoom(pass.Pkg, funcs, f)
			roomMemo[f] = r
		}
		return r
	}
	for _, fn := range funcs {
		stopLoop(pass, fn, handedOut, made, guarded, classes, notifies, roomy)
		twinSends(pass, fn, classes, closures)
	}
}

// twinSends reports the plain send of a function that also sends on the
// same channel in a select watching a stop signal, loop or no loop: the
// guard on one send says the author knows the receiver can stop, and the
// other send has the same receiver (graph-gophers/graphql-go#626: the
// data response sent in a select on the context, the error response
// plainly, after the transport stopped reading). A send that the stop
// case leads to is meant for after the stop and is left out, and so are a
// channel known to be made with a buffer (room for the one value is the
// usual fix) and a function that also receives from the channel.
func twinSends(pass *analysis.Pass, fn *ssa.Function, classes map[*types.Var]*chanuse.Class, closures map[*ssa.Function]*ssa.MakeClosure) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			send, ok := instr.(*ssa.Send)
			if !ok {
				continue
			}
			key := chanKey(send.Chan)
			if key == nil || receivesIn(fn, key) {
				continue
			}
			guard := guardedSend(fn, key)
			if guard == nil || mayBeBuffered(send.Chan, key, classes, closures) {
				continue
			}
			// The author gives up on the receiver when the stop fires; a
			// plain send that follows the stop is written for a receiver
			// that waits for it (os/exec's watchCtx reporting its cancel).
			bodies, _ := caseBodies(guard)
			stop := token.NoPos
			for k, st := range guard.States {
				body, ok := bodies[k]
				if st.Dir != types.RecvOnly || !isStopChan(st.Chan) || !ok {
					continue
				}
				if body == send.Block() || reaches(body, send.Block()) {
					stop = token.NoPos
					break
				}
				if stop == token.NoPos {
					stop = st.Pos
				}
			}
			if stop == token.NoPos {
				continue
			}
			line := func(p token.Pos) string { return at(pass, p, send.Pos()) }
			pass.Report(analysis.Diagnostic{
				Pos:      send.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("%s sends on this channel in a select that gives up when the case at %s fires (%s), so its receiver can stop; this plain send does not watch that signal: once the receiver has stopped, it blocks forever and the goroutine leaks (send in a select with the stop case)",
					fn.Name(), line(stop), line(guard.Pos())),
				Related: []analysis.RelatedInformation{
					{Pos: guard.Pos(), Message: "the same channel, sent on in a select that watches a stop signal"},
					{Pos: stop, Message: "the stop case"},
				},
			})
		}
	}
}

// mayBeBuffered reports whether the channel key names may have been made
// with a buffer: a field whose makes are not all unbuffered, or a local or
// captured variable bound to a buffered make. A parameter's channel is
// not known and counts as unbuffered.
func mayBeBuffered(v ssa.Value, key any, classes map[*types.Var]*chanuse.Class, closures map[*ssa.Function]*ssa.MakeClosure) bool {
	if fk, ok := key.(fieldKey); ok {
		c := classes[fk.field]
		if c == nil {
			return true
		}
		for _, m := range c.Makes {
			if capacity(m) != 0 {
				return true
			}
		}
		return c.Stored || len(c.Makes) == 0
	}
	if mc, ok := resolve(v, closures).(*ssa.MakeChan); ok {
		return capacity(mc) != 0
	}
	return false
}

// guardedFields maps each channel field of the package that some function
// sends on in a select that also watches a stop signal to one such
// select: the author knows the field's receiver can leave.
func guardedFields(funcs []*ssa.Function) map[*types.Var]*ssa.Select {
	out := map[*types.Var]*ssa.Select{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				sel, ok := instr.(*ssa.Select)
				if !ok {
					continue
				}
				var fields []*types.Var
				stop := false
				for _, st := range sel.States {
					if st.Dir == types.SendOnly {
						if k, ok := chanKey(st.Chan).(fieldKey); ok && k.field.Pkg() == fn.Pkg.Pkg {
							fields = append(fields, k.field)
						}
					}
					if st.Dir == types.RecvOnly && isStopChan(st.Chan) {
						stop = true
					}
				}
				if !stop {
					continue
				}
				for _, f := range fields {
					if out[f] == nil {
						out[f] = sel
					}
				}
			}
		}
	}
	return out
}

// stopCase is a select case that leaves its function when a stop signal
// fires.
type stopCase struct {
	sel *ssa.Select
	k   int
	ret ssa.Instruction // the return it reaches
	// once: the select is not in a loop (wait for the work or the stop,
	// then do the work); the sends that count are those after it, on a
	// path through another case.
	once bool
	body *ssa.BasicBlock // the stop case's body
}

func stopLoop(pass *analysis.Pass, fn *ssa.Function, handedOut map[*types.Var]*ssa.Return, made map[*types.Var]bool, guarded map[*types.Var]*ssa.Select, classes map[*types.Var]*chanuse.Class, notifies map[*ssa.Send]bool, roomy func(*types.Var) bool) {
	var stops []stopCase
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			sel, ok := instr.(*ssa.Select)
			if !ok {
				continue
			}
			once := !ssaloop.InLoop(b)
			bodies, _ := caseBodies(sel)
			for k, st := range sel.States {
				if st.Dir != types.RecvOnly || !isStopChan(st.Chan) {
					continue
				}
				body, ok := bodies[k]
				if !ok {
					continue
				}
				if ret := leaves(body, sel.Block()); ret != nil {
					stops = append(stops, stopCase{sel, k, ret, once, body})
				}
			}
		}
	}
	if len(stops) == 0 {
		return
	}
	// The sends and receives on a cycle through a stop case.
	var sends []sendSite
	var recvs []*ssa.UnOp
	for _, b := range fn.Blocks {
		if stopAround(stops, b.Instrs[0]) == nil {
			continue
		}
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Send:
				sends = append(sends, sendSite{in, chanKey(in.Chan), in, nil})
			case *ssa.Call:
				sends = append(sends, helperSends(fn, in)...)
			case *ssa.UnOp:
				if in.Op == token.ARROW && !in.CommaOk {
					recvs = append(recvs, in)
				}
			}
		}
	}
	var loops []stopCase
	for _, st := range stops {
		if !st.once {
			loops = append(loops, st)
		}
	}
	stopRecvs(pass, fn, loops, recvs)
	for _, site := range sends {
		send, key := site.send, site.key
		if key == nil || receivesIn(fn, key) || notifies[send] {
			continue // a send that found room cannot block
		}
		stop := stopAround(stops, site.at)
		if stop == nil {
			continue
		}
		if fk, ok := key.(fieldKey); ok && stop.once && buffered(classes[fk.field]) {
			// One send after the select, into a channel with room: the
			// buffered result channel is the usual fix of this leak.
			continue
		}
		line := func(p token.Pos) string { return at(pass, p, send.Pos()) }
		stopPos := stop.sel.States[stop.k].Pos
		rel := []analysis.RelatedInformation{{Pos: stopPos, Message: "the loop stops here"}}
		loop := "the loop in " + fn.Name() + " stops"
		if stop.once {
			loop = fn.Name() + " returns"
			rel[0].Message = "it returns here, in the select before the send"
		}
		if site.via != nil {
			rel = append(rel, analysis.RelatedInformation{Pos: site.via.Pos(), Message: fmt.Sprintf("the loop calls %s, which sends, here", site.send.Parent().Name())})
		}
		var msg string
		if guard := guardedSend(fn, key); guard != nil {
			msg = fmt.Sprintf("%s when the case at %s fires, and it sends on this channel in a select that watches that signal (%s), but not here: once the receiver has stopped, the send blocks forever and the goroutine leaks (send in a select with the stop case)",
				loop, line(stopPos), line(guard.Pos()))
			rel = append(rel, analysis.RelatedInformation{Pos: guard.Pos(), Message: "the same channel, sent on in a select that watches the stop signal"})
		} else if fk, ok := key.(fieldKey); ok && handedOut[fk.field] != nil && !(roomEach(classes[fk.field]) && receivedOwner(send)) {
			ret := handedOut[fk.field]
			msg = fmt.Sprintf("%s when the case at %s fires, but this send on field %s does not watch it; %s hands that channel to its caller (%s), who stops receiving when it is done: the send then blocks forever and the goroutine leaks (send in a select with the stop case)",
				loop, line(stopPos), fk.field.Name(), ret.Parent().Name(), line(ret.Pos()))
			rel = append(rel, analysis.RelatedInformation{Pos: ret.Pos(), Message: "the channel is handed to the caller here"})
		} else if fk, ok := key.(fieldKey); ok && made[fk.field] && exportedField(fk) != "" && !(stop.once && roomy(fk.field)) {
			msg = fmt.Sprintf("%s when the case at %s fires, but this send on %s does not watch it; the package's users receive from that exported field, and stop when they are done: the send then blocks forever and the goroutine leaks (send in a select with the stop case)",
				loop, line(stopPos), exportedField(fk))
		} else if fk, ok := key.(fieldKey); ok && leavingReceivers(classes[fk.field], fn) != nil {
			sel := leavingReceivers(classes[fk.field], fn)
			msg = fmt.Sprintf("%s when the case at %s fires, but this send on field %s, an unbuffered channel, does not watch it; the field's only receiver, the select in %s (%s), can return through another case: the send then blocks forever and the goroutine leaks (send in a select with the stop case)",
				loop, line(stopPos), fk.field.Name(), sel.Parent().Name(), line(sel.Pos()))
			rel = append(rel, analysis.RelatedInformation{Pos: sel.Pos(), Message: "the receiver, which can return without receiving"})
		} else if ret := returnedCapture(fn, key); ret != nil {
			msg = fmt.Sprintf("%s when the case at %s fires, but this send does not watch it; %s makes the channel and returns it to its caller (%s), who stops receiving when it is done: the send then blocks forever and the goroutine leaks (send in a select with the stop case)",
				loop, line(stopPos), ret.Parent().Name(), line(ret.Pos()))
			rel = append(rel, analysis.RelatedInformation{Pos: ret.Pos(), Message: "the channel is handed to the caller here"})
		} else if fk, ok := key.(fieldKey); ok && guarded[fk.field] != nil {
			g := guarded[fk.field]
			msg = fmt.Sprintf("%s when the case at %s fires, but this send on field %s does not watch it, while %s sends on that field in a select that watches a stop signal (%s): its receiver can leave, and once it has, the send blocks forever and the goroutine leaks (send in a select with the stop case)",
				loop, line(stopPos), fk.field.Name(), g.Parent().Name(), line(g.Pos()))
			rel = append(rel, analysis.RelatedInformation{Pos: g.Pos(), Message: "the same field, sent on in a select that watches a stop signal"})
		} else {
			continue
		}
		pass.Report(analysis.Diagnostic{Pos: send.Pos(), Category: "deadlock", Message: msg, Related: rel})
	}
}

// buffered reports whether every channel stored in the field is made with
// room for all the sends the package can make on it: nothing but its makes
// is stored in it, no send on it is in a loop, and there are no more send
// statements than the smallest capacity.
func buffered(c *chanuse.Class) bool {
	if c == nil || c.Stored || len(c.Makes) == 0 {
		return false
	}
	room := -1
	for _, m := range c.Makes {
		if n := capacity(m); n < 1 {
			return false
		} else if room < 0 || n < room {
			room = n
		}
	}
	sends := map[ssa.Instruction]bool{}
	for _, op := range c.Ops {
		if op.Kind != chanuse.Send && op.Kind != chanuse.SelectSend {
			continue
		}
		if ssaloop.InLoop(op.Instr.Block()) {
			return false
		}
		sends[op.Instr] = true
	}
	return len(sends) <= room
}

// roomEach reports whether every channel stored in the field is made with
// room for a value: nothing but its makes is stored in it.
func roomEach(c *chanuse.Class) bool {
	if c == nil || c.Stored || len(c.Makes) == 0 {
		return false
	}
	for _, m := range c.Makes {
		if capacity(m) < 1 {
			return false
		}
	}
	return true
}

// receivedOwner reports whether send's channel is a field of a value the
// sender received (req := <-c.requests; req.reply <- r): a loop that
// replies once to each request it takes sends once on each reply channel,
// and a reply channel made with room takes that one value whether or not
// the requester still waits (the usual per-request reply idiom).
func receivedOwner(send *ssa.Send) bool {
	load, ok := send.Chan.(*ssa.UnOp)
	if !ok || load.Op != token.MUL {
		return false
	}
	fa, ok := load.X.(*ssa.FieldAddr)
	if !ok {
		return false
	}
	switch owner := fa.X.(type) {
	case *ssa.UnOp:
		return owner.Op == token.ARROW
	case *ssa.Extract:
		switch t := owner.Tuple.(type) {
		case *ssa.Select:
			return true
		case *ssa.UnOp:
			return t.Op == token.ARROW
		}
	}
	return false
}

// returnedCapture returns the return of fn's parent that hands its caller
// the channel key names, when key is a free variable of fn (a function
// literal) bound to a channel the parent makes (a generator: make, start
// the feeding goroutine, return the channel); nil otherwise.
func returnedCapture(fn *ssa.Function, key any) *ssa.Return {
	fv, ok := key.(*ssa.FreeVar)
	parent := fn.Parent()
	if !ok || parent == nil {
		return nil
	}
	idx := -1
	for i, f := range fn.FreeVars {
		if f == fv {
			idx = i
		}
	}
	for _, b := range parent.Blocks {
		for _, instr := range b.Instrs {
			mk, ok := instr.(*ssa.MakeClosure)
			if !ok || mk.Fn != fn || idx < 0 || idx >= len(mk.Bindings) {
				continue
			}
			// A captured variable is a cell holding the channel, assigned once.
			cell, _ := mk.Bindings[idx].(*ssa.Alloc)
			var mc ssa.Value = mk.Bindings[idx]
			if cell != nil {
				mc = storedIn(cell)
			}
			if _, ok := mc.(*ssa.MakeChan); !ok {
				return nil
			}
			for _, b := range parent.Blocks {
				if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
					for _, r := range ret.Results {
						for r != nil {
							if r == mc {
								return ret
							}
							if u, ok := r.(*ssa.UnOp); ok && cell != nil && u.Op == token.MUL && u.X == cell {
								return ret
							}
							ct, ok := r.(*ssa.ChangeType)
							if !ok {
								break
							}
							r = ct.X
						}
					}
				}
			}
			return nil
		}
	}
	return nil
}

// sendSite is a plain send that a loop makes, directly or in a helper it
// calls: the channel's name in the loop's function, and the instruction
// of the loop (the send, or the call of the helper).
type sendSite struct {
	send *ssa.Send
	key  any
	at   ssa.Instruction
	via  *ssa.Call
}

// helperSends returns the plain sends that call, a call of a function of
// the same package (one level deep), makes on a channel field of one of
// its arguments (c.emit() sending on c.out), named as fn sees them.
func helperSends(fn *ssa.Function, call *ssa.Call) []sendSite {
	g := call.Call.StaticCallee()
	if g == nil || g == fn || g.Pkg != fn.Pkg || g.Blocks == nil || len(g.FreeVars) > 0 {
		return nil
	}
	var out []sendSite
	for _, b := range g.Blocks {
		for _, instr := range b.Instrs {
			send, ok := instr.(*ssa.Send)
			if !ok {
				continue
			}
			fk, ok := chanKey(send.Chan).(fieldKey)
			if !ok || receivesIn(g, fk) {
				continue
			}
			for i, p := range g.Params {
				if fk.base == p && i < len(call.Call.Args) {
					out = append(out, sendSite{send, fieldKey{baseKey(call.Call.Args[i]), fk.field}, call, call})
				}
			}
		}
	}
	return out
}

// leavingReceivers returns a select receiving from the field channel
// class c when c is unbuffered, not closed by the sender nor otherwise
// stored, and every receive from it is a select case beside a stop case
// that returns on a signal the sender (fn) does not give itself: each
// receiver can leave while a send is pending, and nothing drains the
// channel after (another function's close panics a blocked sender rather
// than waking it). Else nil.
func leavingReceivers(c *chanuse.Class, sender *ssa.Function) *ssa.Select {
	if c == nil || c.Escapes || c.Stored || len(c.Makes) == 0 {
		return nil
	}
	for _, m := range c.Makes {
		if capacity(m) != 0 {
			return nil
		}
	}
	var first *ssa.Select
	for _, op := range c.Ops {
		switch op.Kind {
		case chanuse.Send, chanuse.SelectSend:
		case chanuse.SelectRecv:
			sel := op.Instr.(*ssa.Select)
			if !canLeave(sel, op.State, sender) {
				return nil
			}
			if first == nil {
				first = sel
			}
		case chanuse.Close, chanuse.DeferClose:
			// A close by another function does not release a blocked
			// sender (it panics instead); the sender's own close follows
			// its sends.
			if op.Node.Fn == sender {
				return nil
			}
		default:
			return nil // a plain receive, a range
		}
	}
	return first
}

// canLeave reports whether sel has a stop case other than case k whose
// body returns, on a channel that sender (nor what it calls) does not
// close or send on: a context's Done, a parameter, another struct's field.
func canLeave(sel *ssa.Select, k int, sender *ssa.Function) bool {
	bodies, _ := caseBodies(sel)
	for i, st := range sel.States {
		if i == k || st.Dir != types.RecvOnly || !isStopChan(st.Chan) {
			continue
		}
		if fk, ok := chanKey(st.Chan).(fieldKey); ok && signalsField(sender, fk.field, 0) {
			continue // the sender closes it itself, after its sends
		}
		if body, ok := bodies[i]; ok && leaves(body, sel.Block()) != nil {
			return true
		}
	}
	return false
}

// signalsField reports whether fn, or a function of its package it calls
// (or defers), closes or sends on a channel kept in field f.
func signalsField(fn *ssa.Function, f *types.Var, depth int) bool {
	if fn == nil || depth > 2 {
		return false
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Send:
				if k, ok := chanKey(in.Chan).(fieldKey); ok && k.field == f {
					return true
				}
			case ssa.CallInstruction:
				c := in.Common()
				if bi, ok := c.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
					if k, ok := chanKey(c.Args[0]).(fieldKey); ok && k.field == f {
						return true
					}
					continue
				}
				if g := c.StaticCallee(); g != nil && g.Pkg == fn.Pkg && g != fn && signalsField(g, f, depth+1) {
					return true
				}
			}
		}
	}
	return false
}

// stopAround returns a stop case on a cycle through instr, or one of a
// select outside loops that instr follows on a path through another
// case; nil when there is none.
func stopAround(stops []stopCase, instr ssa.Instruction) *stopCase {
	for i := range stops {
		st := &stops[i]
		if !st.once {
			if sameCycle(st.sel.Block(), instr.Block()) {
				return st
			}
			continue
		}
		b := instr.Block()
		if b != st.sel.Block() && st.sel.Block().Dominates(b) && b != st.body && !reaches(st.body, b) {
			return st
		}
	}
	return nil
}

// stopRecvs reports the receiving side of the rule: a plain receive, in
// a loop that stops on a signal, from a channel that the same function
// also receives from in a select that watches a stop signal. Once the
// sender has stopped (without closing), the plain receive waits forever.
func stopRecvs(pass *analysis.Pass, fn *ssa.Function, stops []stopCase, recvs []*ssa.UnOp) {
	stopKeys := map[any]bool{}
	for _, st := range stops {
		if k := chanKey(st.sel.States[st.k].Chan); k != nil {
			stopKeys[k] = true
		}
	}
	for _, recv := range recvs {
		key := chanKey(recv.X)
		if key == nil || stopKeys[key] || sendsIn(fn, key) {
			continue
		}
		if fk, ok := key.(fieldKey); ok && fk.field.Pkg() != fn.Pkg.Pkg {
			// Another package's field: its sender is that package's
			// (time.Timer.C, fired by the runtime, drained after Stop).
			continue
		}
		stop := stopAround(stops, recv)
		if stop == nil {
			continue
		}
		guard := guardedRecv(fn, key)
		if guard == nil {
			continue
		}
		line := func(p token.Pos) string { return at(pass, p, recv.Pos()) }
		stopPos := stop.sel.States[stop.k].Pos
		pass.Report(analysis.Diagnostic{
			Pos:      recv.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("the loop in %s stops when the case at %s fires, and it receives from this channel in a select that watches a stop signal (%s), but not here: once the sender has stopped without closing it, the receive blocks forever and the goroutine leaks (receive in a select with the stop case)",
				fn.Name(), line(stopPos), line(guard.Pos())),
			Related: []analysis.RelatedInformation{
				{Pos: stopPos, Message: "the loop stops here"},
				{Pos: guard.Pos(), Message: "the same channel, received from in a select that watches the stop signal"},
			},
		})
	}
}

// sendsIn reports whether fn sends on or closes the channel named key.
func sendsIn(fn *ssa.Function, key any) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Send:
				if chanKey(in.Chan) == key {
					return true
				}
			case *ssa.Select:
				for _, st := range in.States {
					if st.Dir == types.SendOnly && chanKey(st.Chan) == key {
						return true
					}
				}
			case *ssa.Call:
				if b, ok := in.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" && chanKey(in.Call.Args[0]) == key {
					return true
				}
			}
		}
	}
	return false
}

// guardedRecv returns a select of fn that receives from the channel named
// key and also from a stop channel of another name.
func guardedRecv(fn *ssa.Function, key any) *ssa.Select {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			sel, ok := instr.(*ssa.Select)
			if !ok {
				continue
			}
			recv, stop := false, false
			for _, st := range sel.States {
				if st.Dir != types.RecvOnly {
					continue
				}
				if k := chanKey(st.Chan); k == key {
					recv = true
				} else if isStopChan(st.Chan) {
					stop = true
				}
			}
			if recv && stop {
				return sel
			}
		}
	}
	return nil
}

// isStopChan reports whether v is a stop signal: the Done channel of a
// context (any Done method returning a receive-only chan struct{}), or a
// channel of struct{} or bool (quit chan bool is a common spelling).
func isStopChan(v ssa.Value) bool {
	ch, ok := v.Type().Underlying().(*types.Chan)
	if !ok {
		return false
	}
	switch e := ch.Elem().Underlying().(type) {
	case *types.Struct:
		return e.NumFields() == 0
	case *types.Basic:
		return e.Kind() == types.Bool
	}
	return false
}

// leaves returns a return that every path from body reaches without
// coming back to the loop around head, or nil. A loop within the body
// (ranging over what to shut down) is assumed to end.
func leaves(body, head *ssa.BasicBlock) ssa.Instruction {
	var ret ssa.Instruction
	const (
		visiting = iota + 1
		yes
		no
	)
	state := map[*ssa.BasicBlock]int{}
	var walk func(b *ssa.BasicBlock) bool
	walk = func(b *ssa.BasicBlock) bool {
		switch state[b] {
		case visiting:
			// A loop inside the body (a cleanup range over the workers):
			// its exits decide.
			return true
		case no:
			return false
		case yes:
			return true // a join already known to leave
		}
		if b.Dominates(head) {
			return false // back to the loop
		}
		state[b] = visiting
		ok := true
		switch in := b.Instrs[len(b.Instrs)-1].(type) {
		case *ssa.Return:
			if ret == nil {
				ret = in
			}
		case *ssa.Panic:
		default:
			if len(b.Succs) == 0 {
				ok = false
			}
			for _, s := range b.Succs {
				if ok && !walk(s) {
					ok = false
				}
			}
		}
		state[b] = no
		if ok {
			state[b] = yes
		}
		return ok
	}
	if !walk(body) {
		return nil
	}
	return ret
}

// sameCycle reports whether a and b lie on one cycle of the control flow.
func sameCycle(a, b *ssa.BasicBlock) bool {
	return reaches(a, b) && reaches(b, a)
}

func reaches(from, to *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), from.Succs...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b == to {
			return true
		}
		if seen[b] {
			continue
		}
		seen[b] = true
		stack = append(stack, b.Succs...)
	}
	return false
}

// fieldKey names a channel loaded from a field of a base value.
type fieldKey struct {
	base  ssa.Value
	field *types.Var
}

// chanKey names the channel v for comparison within one function: a
// parameter, free variable or global is itself; a load of a struct field,
// or a call of an accessor returning one (c.events.In()), is the field of
// its base. A channel the function makes, or one computed in a way not
// followed, has no key.
func chanKey(v ssa.Value) any {
	switch v := v.(type) {
	case *ssa.Call:
		if f, i := chanuse.Accessor(v.Call.StaticCallee()); f != nil && i < len(v.Call.Args) {
			return fieldKey{baseKey(v.Call.Args[i]), f}
		}
	case *ssa.Parameter, *ssa.FreeVar:
		return v
	case *ssa.ChangeType:
		return chanKey(v.X)
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return nil
		}
		switch a := v.X.(type) {
		case *ssa.FieldAddr:
			if f := chanuse.StructFieldOf(a); f != nil {
				return fieldKey{baseKey(a.X), f}
			}
		case *ssa.Global, *ssa.FreeVar:
			return a
		}
	}
	return nil
}

// baseKey follows loads of a captured or parameter pointer back to it, so
// that two loads of c.next in one method name the same base.
func baseKey(v ssa.Value) ssa.Value {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		if _, ok := u.X.(*ssa.FreeVar); ok {
			return u.X
		}
	}
	return v
}

// receivesIn reports whether fn receives from the channel named key (a
// loop that feeds itself).
func receivesIn(fn *ssa.Function, key any) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.UnOp:
				if in.Op == token.ARROW && chanKey(in.X) == key {
					return true
				}
			case *ssa.Select:
				for _, st := range in.States {
					if st.Dir == types.RecvOnly && chanKey(st.Chan) == key {
						return true
					}
				}
			}
		}
	}
	return false
}

// guardedSend returns a select of fn that sends on the channel named key
// and also receives from a stop channel: the guard the author gave that
// send.
func guardedSend(fn *ssa.Function, key any) *ssa.Select {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			sel, ok := instr.(*ssa.Select)
			if !ok {
				continue
			}
			sends, stop := false, false
			for _, st := range sel.States {
				if st.Dir == types.SendOnly && chanKey(st.Chan) == key {
					sends = true
				}
				if st.Dir == types.RecvOnly && isStopChan(st.Chan) {
					stop = true
				}
			}
			if sends && stop {
				return sel
			}
		}
	}
	return nil
}

// madeFields reports, for each channel field the package stores into,
// whether everything it stores there is a channel it makes itself.
func madeFields(funcs []*ssa.Function) map[*types.Var]bool {
	out := map[*types.Var]bool{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				st, ok := instr.(*ssa.Store)
				if !ok {
					continue
				}
				fa, ok := st.Addr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				f := chanuse.StructFieldOf(fa)
				if f == nil {
					continue
				}
				if _, ok := f.Type().Underlying().(*types.Chan); !ok {
					continue
				}
				if c, ok := st.Val.(*ssa.Const); ok && c.IsNil() {
					continue // cleared: neither made nor foreign
				}
				_, isMake := st.Val.(*ssa.MakeChan)
				if prev, seen := out[f]; !seen || prev {
					out[f] = isMake
				}
			}
		}
	}
	return out
}

// exportedRoom reports whether every channel stored in f, an exported
// field, is made by the package with room for all the sends the package
// makes on it: only makes of the package are stored in it, none of its
// send statements is in a loop, and they are no more than the smallest
// capacity (a timer's one-shot C made with a buffer of one). Such a send
// finds room whether or not the users still receive.
func exportedRoom(pkg *types.Package, funcs []*ssa.Function, f *types.Var) bool {
	room, sends := -1, 0
	isField := func(v ssa.Value) bool {
		u, ok := v.(*ssa.UnOp)
		return ok && u.Op == token.MUL && chanuse.StructFieldOf(u.X) == f
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Store:
					if chanuse.StructFieldOf(in.Addr) != f {
						continue
					}
					if c, ok := in.Val.(*ssa.Const); ok && c.IsNil() {
						continue
					}
					mc, ok := in.Val.(*ssa.MakeChan)
					if !ok {
						return false
					}
					n := capacity(mc)
					if n < 1 {
						return false
					}
					if room < 0 || n < room {
						room = n
					}
				case *ssa.Send:
					if isField(in.Chan) {
						if ssaloop.InLoop(b) {
							return false
						}
						sends++
					}
				case *ssa.Select:
					for _, st := range in.States {
						if st.Dir == types.SendOnly && isField(st.Chan) {
							if ssaloop.InLoop(b) {
								return false
							}
							sends++
						}
					}
				}
			}
		}
	}
	return f.Pkg() == pkg && room >= sends && sends > 0
}

// exportedField names the field of k ("Watcher.Events") when it is an
// exported field, of type chan T, of an exported struct type of the
// package: a channel the package's users receive from. Else "".
func exportedField(k fieldKey) string {
	if !k.field.Exported() || k.base == nil {
		return ""
	}
	if ch, ok := k.field.Type().Underlying().(*types.Chan); !ok || ch.Dir() != types.SendRecv {
		return ""
	}
	t := k.base.Type()
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || !n.Obj().Exported() || n.Obj().Pkg() != k.field.Pkg() {
		return ""
	}
	return n.Obj().Name() + "." + k.field.Name()
}

// returnedFields maps each channel field that some function returns (a
// Next or Events accessor, a constructor handing out its output) to one
// such return: the receiver of that channel is the caller. An accessor
// whose callers are all known (chanuse.Class.Accessors) hands the channel
// to none but them, and their operations are the field's own, unless
// the result of one of those calls escapes (consul#9689: the accessor's
// result is the argument of a go statement).
func returnedFields(funcs []*ssa.Function, classes map[*types.Var]*chanuse.Class) map[*types.Var]*ssa.Return {
	out := map[*types.Var]*ssa.Return{}
	for _, fn := range funcs {
		if f, _ := chanuse.Accessor(fn); f != nil && classes[f] != nil && !classes[f].HandsOut(fn) {
			continue
		}
		for _, b := range fn.Blocks {
			ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !ok {
				continue
			}
			for _, r := range ret.Results {
				for {
					ct, ok := r.(*ssa.ChangeType)
					if !ok {
						break
					}
					r = ct.X
				}
				if _, ok := r.Type().Underlying().(*types.Chan); !ok {
					continue
				}
				if k, ok := chanKey(r).(fieldKey); ok && out[k.field] == nil {
					out[k.field] = ret
				}
			}
		}
	}
	return out
}

// at names position p for a message about position from: "line N" in the
// same file, "file.go:N" in another.
func at(pass *analysis.Pass, p, from token.Pos) string {
	pp, fp := pass.Fset.Position(p), pass.Fset.Position(from)
	if pp.Filename == fp.Filename {
		return fmt.Sprintf("line %d", pp.Line)
	}
	return fmt.Sprintf("%s:%d", filepath.Base(pp.Filename), pp.Line)
}
