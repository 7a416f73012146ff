package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The reply channel handed off in a request (hyperledger/fabric-sdk-go#72,
// the general form of juju/juju#21907): a function makes an unbuffered
// channel, stores it into a field of a struct it allocates (a request, an
// event), hands the struct on (sent on a queue, passed to a submit helper,
// boxed in an interface), and waits for the reply only in a select that can
// give up through a case firing independently of the replier (a timer, a
// context, a default). Whoever answers reads the channel back from that
// field, whatever its type's direction or visibility, and replies with a
// plain send: once the requester has given up, the reply blocks forever,
// and with it the loop that serves every other request.

// handoffs applies the rule to every unbuffered channel the package's
// functions make.
func handoffs(pass *analysis.Pass, funcs []*ssa.Function, callers map[*ssa.Function][]*ssa.Call) {
	var sends []*ssa.Send // every plain send on a channel read from a field or a queue
	offered := false      // a non-blocking offer on such a channel
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if s, ok := instr.(*ssa.Send); ok {
					if _, ok := carrierOf(s.Chan); !ok {
						continue
					}
					sends = append(sends, s)
				}
				if sel, ok := instr.(*ssa.Select); ok && len(offers(sel)) > 0 {
					offered = true
				}
			}
		}
	}
	if len(sends) == 0 && !offered {
		return
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok && capacity(mc) == 0 {
					handoff(pass, fn, mc, sends, funcs, callers)
				}
			}
		}
	}
}

// carrier is how a reply channel reaches its replier: read back from a
// struct field, or received from a queue (a channel of channels) kept in a
// struct field.
type carrier struct {
	field *types.Var
	queue bool
}

// carrierOf returns how the channel v was reached: a load of a field, or a
// value received (plainly, in a select, or by a range) from a queue field.
func carrierOf(v ssa.Value) (carrier, bool) {
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			break
		}
		v = ct.X
	}
	if f := loadedField(v); f != nil {
		return carrier{field: f}, true
	}
	switch x := v.(type) {
	case *ssa.Phi:
		// A variable holding the channel received from a queue, or nil
		// (var waiter chan error; ... case c := <-q: waiter = c).
		return phiCarrier(x, map[*ssa.Phi]bool{})
	case *ssa.UnOp:
		if x.Op == token.ARROW && !x.CommaOk {
			if q := loadedField(x.X); q != nil {
				return carrier{field: q, queue: true}, true
			}
		}
	case *ssa.Extract:
		switch t := x.Tuple.(type) {
		case *ssa.UnOp: // r, ok := <-q, or a range over q
			if t.Op == token.ARROW && x.Index == 0 {
				if q := loadedField(t.X); q != nil {
					return carrier{field: q, queue: true}, true
				}
			}
		case *ssa.Select: // case r := <-q: the tuple holds index, ok, then one value per receiving case
			j := 0
			for _, st := range t.States {
				if st.Dir != types.RecvOnly {
					continue
				}
				if x.Index == 2+j {
					if q := loadedField(st.Chan); q != nil {
						return carrier{field: q, queue: true}, true
					}
				}
				j++
			}
		}
	}
	return carrier{}, false
}

// loadedField returns the struct field v, a channel, is read from (through
// a pointer or from a struct value, after any conversion of its type).
func loadedField(v ssa.Value) *types.Var {
	for {
		switch x := v.(type) {
		case *ssa.ChangeType:
			v = x.X
			continue
		case *ssa.UnOp:
			if fa, ok := x.X.(*ssa.FieldAddr); ok && x.Op == token.MUL {
				return chanuse.StructFieldOf(fa)
			}
		case *ssa.Field:
			if st, ok := x.X.Type().Underlying().(*types.Struct); ok && x.Field < st.NumFields() {
				return st.Field(x.Field)
			}
		}
		return nil
	}
}

func handoff(pass *analysis.Pass, fn *ssa.Function, mc *ssa.MakeChan, allSends []*ssa.Send, funcs []*ssa.Function, callers map[*ssa.Function][]*ssa.Call) {
	w := replyWalker()
	var via *carrier
	var inst *ssa.Alloc
	handedOn := false
	result := -1             // fn returns the channel as this result (a submit helper)
	structResult := -1       // fn returns the struct holding it as this result (a register helper)
	var watchFV *ssa.FreeVar // the channel in the one goroutine literal fn starts with it (a watcher)
	watchCell := false       // watchFV is the variable holding the channel, not the channel
	cellSeen := false
	// queued records the channel sent as a value on a queue field.
	queued := func(ch ssa.Value) bool {
		q := loadedField(ch)
		if q == nil || via != nil {
			return false
		}
		via, handedOn = &carrier{field: q, queue: true}, true
		return true
	}
	var visit func(v ssa.Value) bool
	visit = func(v ssa.Value) bool {
		w.vals[v] = true
		for _, r := range *v.Referrers() {
			switch u := r.(type) {
			case *ssa.DebugRef:
			case *ssa.ChangeType:
				if !visit(u) {
					return false
				}
			case *ssa.UnOp:
				if u.Op != token.ARROW {
					return false
				}
				w.recvs[u] = true
			case *ssa.Return:
				for i, r := range u.Results {
					if r == v && u.Parent() == fn && (result < 0 || result == i) {
						result = i
					} else if r == v {
						return false
					}
				}
			case *ssa.Send:
				// Sent itself on a queue (a channel of channels).
				if u.X != v || !queued(u.Chan) {
					return false
				}
			case *ssa.Select:
				for _, st := range u.States {
					switch {
					case st.Chan == v && st.Dir != types.RecvOnly:
						return false // the requester answers itself
					case st.Chan == v:
						w.recvs[u] = true
					case st.Send == v && !queued(st.Chan):
						return false
					}
				}
			case *ssa.Store:
				if cell, ok := u.Addr.(*ssa.Alloc); ok && u.Val == v && !cellSeen {
					// A local variable a closure captures (by reference):
					// followed when this is its only store.
					cellSeen = true
					for _, r := range *cell.Referrers() {
						switch x := r.(type) {
						case *ssa.DebugRef:
						case *ssa.Store:
							if x != u {
								return false
							}
						case *ssa.UnOp:
							if x.Op != token.MUL || !visit(x) {
								return false
							}
						case *ssa.MakeClosure:
							fv := startedCapture(x, cell)
							if fv == nil || watchFV != nil {
								return false
							}
							watchFV, watchCell = fv, true
						default:
							return false
						}
					}
					continue
				}
				fa, ok := u.Addr.(*ssa.FieldAddr)
				if !ok || u.Val != v || via != nil {
					return false // kept anywhere else: not followed
				}
				a, ok := fa.X.(*ssa.Alloc)
				if !ok {
					return false
				}
				via, inst = &carrier{field: chanuse.StructFieldOf(fa)}, a
			case *ssa.MakeClosure:
				// Captured by one goroutine the maker starts: a watcher.
				fv := startedCapture(u, v)
				if fv == nil || watchFV != nil {
					return false
				}
				watchFV = fv
			default:
				return false
			}
		}
		return true
	}
	if !visit(mc) || via == nil {
		return
	}
	field := via.field
	// The requester may also receive through the struct's field, or
	// through a copy of a struct value (j := job{...} copies the literal).
	var insts []*ssa.Alloc
	seenInst := map[*ssa.Alloc]bool{}
	if inst != nil {
		insts, seenInst[inst] = []*ssa.Alloc{inst}, true
	}
	for len(insts) > 0 {
		a := insts[0]
		insts = insts[1:]
		for _, r := range *a.Referrers() {
			switch u := r.(type) {
			case *ssa.FieldAddr:
				if chanuse.StructFieldOf(u) != field {
					continue
				}
				for _, x := range *u.Referrers() {
					if l, ok := x.(*ssa.UnOp); ok && l.Op == token.MUL && !visit(l) {
						return
					}
				}
			case *ssa.UnOp:
				for _, x := range *u.Referrers() {
					if st, ok := x.(*ssa.Store); ok && st.Val == u {
						cp, ok := st.Addr.(*ssa.Alloc)
						if !ok {
							handedOn = true // stored elsewhere
							continue
						}
						if !seenInst[cp] {
							seenInst[cp] = true
							insts = append(insts, cp)
						}
						continue
					}
					handedOn = true // the struct value is sent or passed on
				}
			case *ssa.Store:
				if u.Addr != a {
					handedOn = true
					if a == inst && structResult < 0 {
						structResult = returnedValue(fn, u, a)
					}
				}
			case *ssa.DebugRef:
			case *ssa.Return, *ssa.Phi:
				handedOn = true
				if a == inst && structResult < 0 {
					structResult = returnedAs(fn, u, a)
				}
			default:
				handedOn = true
			}
		}
	}
	if !handedOn {
		return // the request never leaves the function: nobody else replies
	}
	if watchFV != nil {
		// The watcher goroutine is the requester (numaproj/numaflow-go#213).
		if len(w.recvs) > 0 || result >= 0 || structResult >= 0 {
			return
		}
		cw := replyWalker()
		ok := true
		if watchCell {
			for _, r := range *watchFV.Referrers() {
				if l, isLoad := r.(*ssa.UnOp); !isLoad || l.Op != token.MUL || !recvOnly(l, cw) {
					ok = false
				}
			}
		} else {
			ok = recvOnly(watchFV, cw)
		}
		if ok && len(cw.recvs) > 0 {
			replies(pass, watchFV.Parent(), fn, mc, via, cw, allSends, funcs, true)
		}
		return
	}
	if len(w.recvs) > 0 {
		if result < 0 {
			replies(pass, fn, fn, mc, via, w, allSends, funcs, false)
		}
		return
	}
	if result < 0 {
		if structResult >= 0 {
			structReplies(pass, fn, mc, via, structResult, allSends, funcs, callers)
		}
		return
	}
	// fn submits the request and returns the reply channel: each caller
	// is the requester, from the call's result on.
	for _, call := range callers[fn] {
		res := callResult(call, result)
		if res == nil {
			continue
		}
		cw := replyWalker()
		if recvOnly(res, cw) && len(cw.recvs) > 0 {
			replies(pass, call.Parent(), fn, mc, via, cw, allSends, funcs, false)
		}
	}
}

// recvOnly records in w the receives from v (and its conversions) and
// reports whether that is all that is done with it.
func recvOnly(v ssa.Value, w *walker) bool {
	w.vals[v] = true
	for _, r := range *v.Referrers() {
		switch u := r.(type) {
		case *ssa.DebugRef:
		case *ssa.ChangeType:
			if !recvOnly(u, w) {
				return false
			}
		case *ssa.UnOp:
			if u.Op != token.ARROW {
				return false
			}
			w.recvs[u] = true
		case *ssa.Select:
			for _, st := range u.States {
				if st.Chan == v && st.Dir != types.RecvOnly || st.Send == v {
					return false
				}
			}
			w.recvs[u] = true
		default:
			return false
		}
	}
	return true
}

// replies reports the plain replies through via when rq, the requester
// (maker, or a caller of the maker that returns the channel), receives
// the reply only in a select that can give up.
func replies(pass *analysis.Pass, rq, maker *ssa.Function, mc *ssa.MakeChan, via *carrier, w *walker, allSends []*ssa.Send, funcs []*ssa.Function, watcher bool) {
	field := via.field
	// The repliers: plain sends through via elsewhere; nobody else
	// receives from it (a drainer would take the late reply).
	var sends []chanuse.FieldOp
	for _, s := range allSends {
		if c, ok := carrierOf(s.Chan); !ok || c != *via {
			continue
		}
		if s.Parent() == rq || s.Parent() == maker {
			return
		}
		sends = append(sends, chanuse.FieldOp{Op: chanuse.Op{Kind: chanuse.Send, Instr: s}})
	}
	if len(sends) == 0 {
		droppedReplies(pass, rq, maker, mc, via, w, funcs)
		return
	}
	if receivedElsewhere(rq, *via, funcs) {
		return
	}
	ex := w.search(rq, rq.Blocks[0], 0, 0)
	if ex == nil || ex.sel == nil || !outsideCase(ex, sends, funcs) {
		return
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	how, what := "field "+field.Name(), "field"
	if via.queue {
		how, what = "a channel received from queue "+field.Name(), "queue"
	}
	if watcher {
		for _, s := range sends {
			pass.Report(analysis.Diagnostic{
				Pos:      s.Op.Instr.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("this plain send signals on %s, and %s fills that field with an unbuffered channel (line %d) whose only receive is in the goroutine it starts (%s), in a select (line %d) that can take another case and return (line %d): a send after that, or a second one, blocks forever (give the channel a buffer and send in a select with a default)",
					how, maker.Name(), line(mc.Pos()), rq.Name(), line(ex.sel.Pos()), line(ex.ret)),
				Related: []analysis.RelatedInformation{
					{Pos: mc.Pos(), Message: "the channel is made unbuffered here"},
					{Pos: ex.sel.Pos(), Message: "the watcher's only receive, in a select"},
					{Pos: ex.via, Message: "this case wins instead"},
					{Pos: ex.ret, Message: rq.Name() + " returns here without receiving again"},
				},
			})
		}
		return
	}
	for _, s := range sends {
		pass.Report(analysis.Diagnostic{
			Pos:      s.Op.Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this plain send replies on %s, and %s fills that %s with an unbuffered channel (line %d) whose only receive, in %s, is a select (line %d) that can give up through another case and return (line %d): the reply then blocks forever, and with it everything this goroutine serves (give the reply channel a buffer of one, or send in a select)",
				how, maker.Name(), what, line(mc.Pos()), rq.Name(), line(ex.sel.Pos()), line(ex.ret)),
			Related: []analysis.RelatedInformation{
				{Pos: mc.Pos(), Message: "the reply channel is made unbuffered here"},
				{Pos: ex.sel.Pos(), Message: "the requester's only receive, in a select"},
				{Pos: ex.via, Message: "this case wins instead"},
				{Pos: ex.ret, Message: rq.Name() + " returns here without receiving the reply"},
			},
		})
	}
}

// receivedElsewhere reports whether a function other than fn receives
// from a reply channel reached through via.
func receivedElsewhere(fn *ssa.Function, via carrier, funcs []*ssa.Function) bool {
	is := func(v ssa.Value) bool {
		c, ok := carrierOf(v)
		return ok && c == via
	}
	for _, f := range funcs {
		if f == fn {
			continue
		}
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.UnOp:
					if in.Op == token.ARROW && is(in.X) {
						return true
					}
				case *ssa.Select:
					for _, st := range in.States {
						if st.Dir == types.RecvOnly && is(st.Chan) {
							return true
						}
					}
				case *ssa.Call:
					// A range over it is a receive; a close or a call
					// taking it does not answer, but hides what happens.
					for _, a := range in.Call.Args {
						if is(a) {
							if bi, ok := in.Call.Value.(*ssa.Builtin); !ok || bi.Name() != "close" {
								return true
							}
						}
					}
				}
			}
		}
	}
	return false
}

// returnedAs returns the result index under which fn returns a, the
// struct it allocates, from the use u of a: a return, a phi of a and
// constants (a var assigned on one path: var cc *call; if wait { cc =
// &call{...} }), or a store into the result slot a function with defers
// returns from; or -1.
func returnedAs(fn *ssa.Function, u ssa.Instruction, a *ssa.Alloc) int {
	switch u := u.(type) {
	case *ssa.Return:
		for i, x := range u.Results {
			if x == a {
				return i
			}
		}
	case *ssa.Phi:
		for _, e := range u.Edges {
			if _, ok := e.(*ssa.Const); !ok && e != a {
				return -1
			}
		}
		for _, r := range *u.Referrers() {
			if i := returnedValue(fn, r, u); i >= 0 {
				return i
			}
		}
	}
	return -1
}

// returnedValue returns the result index under which fn returns v, from
// its use u: a return, or a store into a result slot some return loads.
func returnedValue(fn *ssa.Function, u ssa.Instruction, v ssa.Value) int {
	switch u := u.(type) {
	case *ssa.Return:
		for i, x := range u.Results {
			if x == v {
				return i
			}
		}
	case *ssa.Store:
		slot, ok := u.Addr.(*ssa.Alloc)
		if !ok || u.Val != v || slot.Heap || slot.Parent() != fn {
			return -1
		}
		for _, r := range *slot.Referrers() {
			if l, ok := r.(*ssa.UnOp); ok && l.Op == token.MUL {
				for _, x := range *l.Referrers() {
					if ret, ok := x.(*ssa.Return); ok {
						for i, y := range ret.Results {
							if y == l {
								return i
							}
						}
					}
				}
			}
		}
	}
	return -1
}

// structReplies checks the register helper (sourcegraph/jsonrpc2#3):
// maker allocates a struct holding the unbuffered reply channel in
// via.field, hands it on (a pending map the replier reads) and returns it
// as result k; each caller is the requester, receiving through the
// field of the struct it got back.
func structReplies(pass *analysis.Pass, maker *ssa.Function, mc *ssa.MakeChan, via *carrier, k int, allSends []*ssa.Send, funcs []*ssa.Function, callers map[*ssa.Function][]*ssa.Call) {
	if via.queue {
		return
	}
	for _, call := range callers[maker] {
		res := callResult(call, k)
		if res == nil {
			continue
		}
		cw := replyWalker()
		ok := true
		for _, r := range *res.Referrers() {
			fa, isFA := r.(*ssa.FieldAddr)
			if !isFA || chanuse.StructFieldOf(fa) != via.field {
				continue
			}
			for _, x := range *fa.Referrers() {
				l, isLoad := x.(*ssa.UnOp)
				if !isLoad || l.Op != token.MUL || !recvOnly(l, cw) {
					ok = false // the requester stores or hands on the channel
				}
			}
		}
		if ok && len(cw.recvs) > 0 {
			replies(pass, call.Parent(), maker, mc, via, cw, allSends, funcs, false)
		}
	}
}

// startedCapture returns the free variable through which the function
// literal of mk, started as a goroutine right there (go func() {...}()),
// sees v; nil otherwise.
func startedCapture(mk *ssa.MakeClosure, v ssa.Value) *ssa.FreeVar {
	started := false
	for _, r := range *mk.Referrers() {
		g, ok := r.(*ssa.Go)
		if !ok || g.Call.Value != mk {
			return nil
		}
		started = true
	}
	fn, ok := mk.Fn.(*ssa.Function)
	if !started || !ok || ssaloop.InLoop(mk.Block()) {
		return nil
	}
	var fv *ssa.FreeVar
	for i, b := range mk.Bindings {
		if b == v {
			if fv != nil {
				return nil
			}
			fv = fn.FreeVars[i]
		}
	}
	return fv
}

// callResult returns result k of call: the call itself, or its extract.
func callResult(call *ssa.Call, k int) ssa.Value {
	if call.Call.Signature().Results().Len() == 1 {
		return call
	}
	for _, r := range *call.Referrers() {
		if ex, ok := r.(*ssa.Extract); ok && ex.Index == k {
			return ex
		}
	}
	return nil
}

// replyWalker returns a walker for a requester's receives.
func replyWalker() *walker {
	return &walker{recvs: map[ssa.Instruction]bool{}, vals: map[ssa.Value]bool{}, helpers: map[ssa.Instruction]*chanuse.Node{}, needVia: true}
}

// phiCarrier returns the one carrier of the non-nil values phi merges
// (through other phis), if there is one.
func phiCarrier(phi *ssa.Phi, seen map[*ssa.Phi]bool) (carrier, bool) {
	seen[phi] = true
	var out *carrier
	for _, e := range phi.Edges {
		var c carrier
		switch x := e.(type) {
		case *ssa.Const:
			if !x.IsNil() {
				return carrier{}, false
			}
			continue
		case *ssa.Phi:
			if seen[x] {
				continue
			}
			var ok bool
			if c, ok = phiCarrier(x, seen); !ok {
				return carrier{}, false
			}
		default:
			var ok bool
			if c, ok = carrierOf(e); !ok {
				return carrier{}, false
			}
		}
		if out != nil && *out != c {
			return carrier{}, false
		}
		out = &c
	}
	if out == nil {
		return carrier{}, false
	}
	return *out, true
}

// offers returns the send cases of sel, a select with a default (a
// non-blocking offer), on channels read from a field or a queue.
func offers(sel *ssa.Select) []*ssa.SelectState {
	if sel.Blocking {
		return nil
	}
	var out []*ssa.SelectState
	for _, st := range sel.States {
		if st.Dir == types.SendOnly {
			if _, ok := carrierOf(st.Chan); ok {
				out = append(out, st)
			}
		}
	}
	return out
}

// droppedReplies reports the reply that is only offered
// (XinFinOrg/XDPoSChain#2542): the requester hands its unbuffered reply
// channel on through via and then waits with a plain receive, while every
// reply through via is a case of a select with a default. Nothing orders
// the requester's arrival at its receive before the offer, which is
// dropped when it comes first, and the requester blocks forever.
func droppedReplies(pass *analysis.Pass, rq, maker *ssa.Function, mc *ssa.MakeChan, via *carrier, w *walker, funcs []*ssa.Function) {
	var recv *ssa.UnOp
	for instr := range w.recvs {
		u, ok := instr.(*ssa.UnOp)
		if !ok {
			return // the requester selects: the give-up shape, not this one
		}
		recv = u
	}
	if recv == nil || receivedElsewhere(rq, *via, funcs) {
		return
	}
	var offered []*ssa.Select
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				sel, ok := instr.(*ssa.Select)
				if !ok {
					continue
				}
				for _, st := range offers(sel) {
					if c, _ := carrierOf(st.Chan); c == *via {
						if fn == rq || fn == maker {
							return
						}
						offered = append(offered, sel)
					}
				}
			}
		}
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	for _, sel := range offered {
		pass.Report(analysis.Diagnostic{
			Pos:      sel.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this select only offers the reply (it has a default) on the unbuffered channel %s makes (line %d) and waits on with a plain receive (line %d): when the reply comes before %s reaches that receive it is dropped, and %s blocks forever (send the reply with a plain send, or give the channel a buffer of one)",
				maker.Name(), line(mc.Pos()), line(recv.Pos()), rq.Name(), rq.Name()),
			Related: []analysis.RelatedInformation{
				{Pos: mc.Pos(), Message: "the reply channel is made unbuffered here"},
				{Pos: recv.Pos(), Message: "the requester's plain receive"},
			},
		})
	}
}
