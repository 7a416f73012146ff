package chanblock

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// lockedSends reports a plain send on a private channel field made while
// holding a mutex field, when every goroutine that receives from the
// channel (reading the field, or started with its value as an argument)
// does so in a loop, plainly or in a select, that between two receives can
// lock that same mutex field: the sender waits with the mutex held for a
// receiver that waits for the mutex (treeverse/lakeFS#1390,
// portworx/sched-ops#359). A channel made with a constant buffer is
// reported only for a send in a loop, or in a function that can run many
// times (exported, or called in a loop or from an exported function)
// when every receive goes on receiving after its value: a one-shot stop
// fits its room for one (the usual fix), repeated sends fill any buffer
// (keybase/kbfs#77: two exported updates signal a one-slot channel
// under the lock the signalled loop takes).
//
// The send may be in a helper that the lock holder calls (a queue's push
// called by a flusher holding its own mutex) or defers while the lock is
// still held when the deferred call runs (defer mu.Unlock() registered
// before defer s.stop(), which runs first), the receivers may take the
// mutex in a helper their loop calls, and they may reach the channel
// through a method that returns the field (rabbitstack/fibratus#655). A
// receiving function must be started as a goroutine, never return (an
// endless consume loop is some goroutine's whole life) or be exported
// (a Consume its callers' goroutines run); a receive in a helper counts
// through the helper's call sites in such loops, with the lock in the
// loop (up to three calls below it), in the helper or in the callback
// the site hands it
// (open-telemetry/opentelemetry-collector#11063). Two read locks
// conflict as well when the package also takes the write lock: a writer
// queued behind the sender's read lock blocks the receiver's read lock
// (nspcc-dev/neo-go#741).
func lockedSends(st *state, funcs []*ssa.Function) {
	started := map[*ssa.Function]bool{}
	callers := map[*ssa.Function][]*ssa.Call{}
	deferers := map[*ssa.Function][]*ssa.Defer{}
	writers := map[*types.Var]*ssa.Call{} // mutex fields the package write-locks, and a Lock of each
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.Defer:
					if callee := in.Call.StaticCallee(); callee != nil && !in.Call.IsInvoke() && callee.Pkg == fn.Pkg {
						callee = origin(callee)
						deferers[callee] = append(deferers[callee], in)
					}
				case *ssa.Go:
					if callee := in.Call.StaticCallee(); callee != nil {
						started[origin(callee)] = true
						if callee.Parent() != nil {
							// go func() { c.loop(ctx, done) }(): the
							// functions the literal calls run on the
							// goroutine it starts.
							for _, lb := range callee.Blocks {
								for _, li := range lb.Instrs {
									if lc, ok := li.(*ssa.Call); ok && !lc.Call.IsInvoke() {
										if f := lc.Call.StaticCallee(); f != nil && f.Pkg == fn.Pkg {
											started[origin(f)] = true
										}
									}
								}
							}
						}
					}
				case *ssa.Call:
					if name, f := chanuse.MutexCall(&in.Call); f != nil && name == "Lock" && writers[f] == nil {
						writers[f] = in
					}
					if callee := in.Call.StaticCallee(); callee != nil && !in.Call.IsInvoke() {
						callee = origin(callee)
						callers[callee] = append(callers[callee], in)
					}
				}
			}
		}
	}
	var notifies map[*ssa.Send]bool
	for f, fc := range fieldChans(st, funcs) {
		// The list grows while a caller returns the result on.
		for i := 0; i < len(fc.accessors) && i < 4; i++ {
			for _, c := range callers[fc.accessors[i]] {
				if !fc.uses(c, true) {
					fc.ok = false
				}
			}
		}
		if len(fc.accessors) > 4 {
			fc.ok = false
		}
		if !fc.ok || len(fc.sends) == 0 || len(fc.recvs) == 0 {
			continue
		}
		// A constant buffer (a stop signal's room for one) fills only
		// when the sends repeat: it is reported only for a send (or a
		// call that reaches it) in a loop.
		buffered, roomy := false, false
		for _, mc := range fc.makes {
			if capacity(mc) >= 1 {
				buffered = true
			}
			// make(chan T, len(items)): room for every item, the
			// idiom for sends that never wait.
			if c, ok := mc.Size.(*ssa.Call); ok {
				if b, ok := c.Call.Value.(*ssa.Builtin); ok && b.Name() == "len" {
					roomy = true
				}
			}
		}
		if len(fc.makes) == 0 || roomy {
			continue
		}
		// A consumer that keeps receiving after each value takes a stream
		// of signals, not one stop: an exported method that sends one
		// per call fills its buffer as callers call it again.
		stream := buffered && keepsReceiving(fc, f)
	sends:
		for _, send := range fc.sends {
			if chanuse.RoomChecked(send) > 0 {
				// A send that tested the buffer for room cannot block.
				if notifies == nil {
					notifies = chanuse.RoomSends(funcs, chanuse.Fields(st.pass.Pkg, st.sealed, funcs))
				}
				if notifies[send] {
					continue
				}
			}
			for _, site := range sendSites(send, callers, deferers) {
				if buffered && !ssaloop.InLoop(site.Block()) && !(stream && runsAgain(site.Parent(), callers)) {
					continue
				}
				for _, lk := range lockCalls(site.Parent(), "Lock", "RLock") {
					mu := lk.field
					if !chanuse.HeldAt(lk.call, site, mu) || (site != ssa.Instruction(send) && (unlocks(send.Parent(), mu) || unlocks(origin(site.(ssa.CallInstruction).Common().StaticCallee()), mu))) {
						continue
					}
					if d, ok := site.(*ssa.Defer); ok && !heldAfter(d, mu) {
						continue
					}
					relock := receiversLock(fc.recvs, site.Parent(), mu, lk.name == "Lock" || writers[mu] != nil, started, callers)
					if relock == nil {
						continue
					}
					line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
					what := "this send"
					if _, ok := site.(*ssa.Defer); ok {
						what = fmt.Sprintf("this deferred call, which runs with the mutex still held, sends (line %d)", line(send.Pos()))
					} else if site != ssa.Instruction(send) {
						what = fmt.Sprintf("this call sends (line %d)", line(send.Pos()))
					}
					related := []analysis.RelatedInformation{
						{Pos: lk.call.Pos(), Message: "the mutex is locked here and still held at the send"},
						{Pos: relock.Pos(), Message: "a receiver locks it here, between two receives"},
					}
					why := ""
					if w := writers[mu]; lk.name == "RLock" && w != nil {
						why = fmt.Sprintf(" (a read lock waits once the write lock of line %d is queued)", line(w.Pos()))
						related = append(related, analysis.RelatedInformation{Pos: w.Pos(), Message: "a writer queued here blocks new read locks while the sender holds its read lock"})
					}
					st.Report(analysis.Diagnostic{
						Pos:      site.Pos(),
						Category: "deadlock",
						Message: fmt.Sprintf("%s on field %s holds mutex field %s (locked at line %d), and its receivers can lock %s between two receives (line %d%s): when a receiver is there, or once the buffer is full, the send waits for a receiver that waits for %s, forever",
							what, f.Name(), mu.Name(), line(lk.call.Pos()), mu.Name(), line(relock.Pos()), why, mu.Name()),
						Related: related,
					})
					continue sends
				}
			}
		}
	}
}

// keepsReceiving reports whether every receive in recvs (of the channel
// kept in field f) is followed by a path back to itself: the receiving
// loop goes on after each value (kbfs's decreasedBytes signals), where a
// stop signal's receiver returns (its one send fits a buffer of one).
func keepsReceiving(fc *fieldChan, f *types.Var) bool {
	recvs := fc.recvs
	for _, r := range recvs {
		switch r := r.(type) {
		case *ssa.UnOp:
			if !ssaloop.InLoop(r.Block()) {
				return false
			}
		case *ssa.Select:
			found := false
			for k, st := range r.States {
				ld, ok := st.Chan.(*ssa.UnOp)
				if !ok || st.Dir != types.RecvOnly || !fc.own[st.Chan] && (chanuse.StructFieldOf(ld.X) == nil || chanuse.StructFieldOf(ld.X).Origin() != f) {
					continue
				}
				test := caseTest(r, k)
				if test == nil || !reaches(test.Succs[0].Instrs[0], r) {
					return false
				}
				found = true
			}
			if !found {
				return false
			}
		default:
			return false
		}
	}
	return len(recvs) > 0
}

// runsAgain reports whether fn, holding the lock at a send site, can run
// many times on its own: it is exported (callers call it again), or the
// package calls it in a loop or from an exported function.
func runsAgain(fn *ssa.Function, callers map[*ssa.Function][]*ssa.Call) bool {
	if exported(fn) {
		return true
	}
	for _, c := range callers[origin(fn)] {
		if ssaloop.InLoop(c.Block()) || exported(c.Parent()) {
			return true
		}
	}
	return false
}

// sendSites returns send and the plain calls, up to two levels up, through
// which the package reaches the function that makes it: a lock held at
// any of them is held at the send. A defer statement of such a function
// is a site too; the lock must then also be held when the deferred call
// runs (heldAfter).
func sendSites(send *ssa.Send, callers map[*ssa.Function][]*ssa.Call, deferers map[*ssa.Function][]*ssa.Defer) []ssa.Instruction {
	out := []ssa.Instruction{send}
	level := []*ssa.Function{send.Parent()}
	seen := map[*ssa.Function]bool{send.Parent(): true}
	for depth := 0; depth < 2; depth++ {
		var next []*ssa.Function
		for _, fn := range level {
			var sites []ssa.CallInstruction
			for _, c := range callers[fn] {
				sites = append(sites, c)
			}
			for _, d := range deferers[fn] {
				sites = append(sites, d)
			}
			for _, c := range sites {
				out = append(out, c)
				if !seen[c.Parent()] {
					seen[c.Parent()] = true
					next = append(next, c.Parent())
				}
			}
		}
		level = next
	}
	return out
}

// heldAfter reports whether a mutex held at the defer statement d is
// still held when d's call runs, as the function returns: no path on
// from d unlocks mu, nor defers an unlock of it (deferred calls run last
// in first out, so an unlock deferred after d runs before d's call; one
// deferred before d runs after it).
func heldAfter(d *ssa.Defer, mu *types.Var) bool {
	releases := func(in ssa.Instruction) bool {
		c, ok := in.(ssa.CallInstruction)
		if !ok {
			return false
		}
		name, f := chanuse.MutexCall(c.Common())
		return f == mu && (name == "Unlock" || name == "RUnlock")
	}
	held := true
	ssawalk.Forward(d, func(in ssa.Instruction) ssawalk.Action {
		if releases(in) {
			held = false
			return ssawalk.Stop
		}
		return ssawalk.Continue
	})
	return held
}

// unlocks reports whether fn unlocks the mutex field mu itself: a helper
// (the sender, or the one between it and the lock holder) that releases
// its caller's lock around the send does not hold it.
func unlocks(fn *ssa.Function, mu *types.Var) bool {
	for _, l := range lockCalls(fn, "Unlock", "RUnlock") {
		if l.field == mu {
			return true
		}
	}
	return false
}

// receiversLock returns, when every receive in recvs is in a loop of a
// consumer other than holder, that between two receives locks mu
// (itself or in a function it calls, two levels deep) in a way that
// waits for the holder (any lock when exclusive, else only a write lock),
// the first such lock or call. A consumer is a function started as a
// goroutine, one that never returns, an exported one (its callers'
// goroutines run the loop: a queue's Consume), or one the package never
// calls directly (a connection handler it registers or serves through
// an interface: decred/cspp#26). The receive may also be
// in a helper that every call site calls in a consumer's loop (a
// wrapper's take); the lock is then in that loop, or in the helper after
// the receive, also in a function literal the call site hands the helper
// and the helper calls (the callback that settles the element).
func receiversLock(recvs []ssa.Instruction, holder *ssa.Function, mu *types.Var, exclusive bool, started map[*ssa.Function]bool, callers map[*ssa.Function][]*ssa.Call) ssa.Instruction {
	// A named function the package never calls directly is run by
	// others too: a handler served through a method value or an
	// interface, registered rather than called.
	consumer := func(fn *ssa.Function) bool {
		uncalled := fn.Parent() == nil && len(callers[origin(fn)]) == 0
		return fn != holder && (started[origin(fn)] || neverReturns(fn) || exported(fn) || uncalled)
	}
	var relock ssa.Instruction
	for _, r := range recvs {
		fn := r.Parent()
		var found ssa.Instruction
		switch {
		case ssaloop.InLoop(r.Block()):
			if consumer(fn) {
				found = lockAround(r, mu, exclusive)
			}
		case fn != holder && fn.Parent() == nil:
			sites := callers[origin(fn)]
			for _, cs := range sites {
				if !consumer(cs.Parent()) || !ssaloop.InLoop(cs.Block()) {
					found = nil
					break
				}
				f := lockAround(cs, mu, exclusive)
				if f == nil {
					f = lockAfter(r, cs, mu, exclusive)
				}
				if f == nil {
					found = nil
					break
				}
				if found == nil {
					found = f
				}
			}
		}
		if found == nil {
			return nil
		}
		if relock == nil {
			relock = found
		}
	}
	return relock
}

// lockAround returns a call of r's function that locks mu on a path from
// r back to r (between two rounds of its loop), or nil.
func lockAround(r ssa.Instruction, mu *types.Var, exclusive bool) ssa.Instruction {
	for _, b := range r.Parent().Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if ok && locksMu(&c.Call, mu, exclusive, 0) && reaches(r, c) && reaches(c, r) {
				return c
			}
		}
	}
	return nil
}

// lockAfter returns a lock of mu that the helper of receive r takes after
// r, when called by site: a call of the helper that locks mu, or a call of
// a parameter that site binds to a function literal that locks it.
func lockAfter(r ssa.Instruction, site *ssa.Call, mu *types.Var, exclusive bool) ssa.Instruction {
	fn := r.Parent()
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok || !reaches(r, c) {
				continue
			}
			if locksMu(&c.Call, mu, exclusive, 0) {
				return c
			}
			p, ok := c.Call.Value.(*ssa.Parameter)
			if !ok {
				continue
			}
			for i, q := range fn.Params {
				if q != p || i >= len(site.Call.Args) {
					continue
				}
				mk, ok := site.Call.Args[i].(*ssa.MakeClosure)
				if !ok {
					continue
				}
				for _, lb := range mk.Fn.(*ssa.Function).Blocks {
					for _, li := range lb.Instrs {
						if lc, ok := li.(*ssa.Call); ok && locksMu(&lc.Call, mu, exclusive, 1) {
							return lc
						}
					}
				}
			}
		}
	}
	return nil
}

// exported reports whether fn is an exported function or method of its
// package (not a function literal): code outside may run it.
func exported(fn *ssa.Function) bool {
	return fn.Parent() == nil && fn.Object() != nil && fn.Object().Exported()
}

// origin returns the generic function fn instantiates, or fn.
func origin(fn *ssa.Function) *ssa.Function {
	if fn != nil {
		if o := fn.Origin(); o != nil {
			return o
		}
	}
	return fn
}

// locksMu reports whether c locks mu (Lock, or RLock when a read lock
// waits too), directly or through the static callees of the package it
// calls, up to three levels below: a worker's handler may reach the lock
// through the component it sends with and back into the sender's own
// lookup (slackhq/nebula#1151).
func locksMu(c *ssa.CallCommon, mu *types.Var, exclusive bool, depth int) bool {
	if name, f := chanuse.MutexCall(c); f != nil {
		return f == mu && (name == "Lock" || (exclusive && name == "RLock"))
	}
	callee := origin(c.StaticCallee())
	if callee == nil || depth >= 3 || callee.Blocks == nil || c.IsInvoke() {
		return false
	}
	for _, b := range callee.Blocks {
		for _, instr := range b.Instrs {
			if in, ok := instr.(*ssa.Call); ok && locksMu(&in.Call, mu, exclusive, depth+1) {
				return true
			}
		}
	}
	return false
}

// fieldChan is what the package does with the channel kept in one
// private struct field: the plain sends on it, the receives (plain or in a
// select, also in a function started with the channel as an argument),
// and the makes stored in it; ok is false when the channel goes anywhere
// else.
type fieldChan struct {
	sends []*ssa.Send
	recvs []ssa.Instruction
	makes []*ssa.MakeChan
	// accessors are the package's functions that return the field's
	// channel; their callers' uses of the result count as the field's.
	accessors []*ssa.Function
	ok        bool
	own       map[ssa.Value]bool // the channel values its selects receive from (returnedMake's literals load a cell, not the field)
}

func fieldChans(st *state, funcs []*ssa.Function) map[*types.Var]*fieldChan {
	out := map[*types.Var]*fieldChan{}
	for fa, f := range fieldAddrs(funcs) {
		// A field of a generic type, in the generic body or an
		// instance: one field.
		f = f.Origin()
		if f.Pkg() != st.pass.Pkg || !st.sealed.Private(f) {
			continue
		}
		if _, ok := f.Type().Underlying().(*types.Chan); !ok {
			continue
		}
		fc := out[f]
		if fc == nil {
			fc = &fieldChan{ok: true}
			out[f] = fc
		}
		for _, r := range *fa.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.Store:
				if r.Addr != fa {
					fc.ok = false
				} else if mc, ok := r.Val.(*ssa.MakeChan); ok {
					fc.makes = append(fc.makes, mc)
					if len(*mc.Referrers()) > 2 && !fc.handedOn(mc, r) {
						fc.ok = false // also kept elsewhere
					}
				} else if mc, ok := fc.cell(r); ok {
					fc.makes = append(fc.makes, mc)
				} else if mc, ok := fc.returnedMake(r.Val); ok {
					fc.makes = append(fc.makes, mc)
				} else if c, ok := r.Val.(*ssa.Const); !ok || !c.IsNil() {
					fc.ok = false
				}
			case *ssa.UnOp:
				if r.Op != token.MUL || !fc.uses(r, true) {
					fc.ok = false
				}
			default:
				fc.ok = false
			}
		}
	}
	return out
}

// uses records the uses of v, the field's channel; a go statement of a
// package function may get it as an argument (when follow), whose
// parameter is then followed. It reports whether every use is understood.
func (fc *fieldChan) uses(v ssa.Value, follow bool) bool {
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Send:
			if r.Chan != v {
				return false
			}
			fc.sends = append(fc.sends, r)
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				return false
			}
			fc.recvs = append(fc.recvs, r)
		case *ssa.Select:
			for _, s := range r.States {
				if s.Send == v {
					return false
				}
				// A send in a select is guarded by its other cases
				// (a done channel): understood, never reported.
				if s.Chan == v && s.Dir == types.RecvOnly {
					fc.recvs = append(fc.recvs, r)
					if fc.own == nil {
						fc.own = map[ssa.Value]bool{}
					}
					fc.own[v] = true
				}
			}
		case *ssa.Go:
			fn := r.Call.StaticCallee()
			if !follow || fn == nil || fn.Blocks == nil || r.Call.IsInvoke() || r.Call.Value == v {
				return false
			}
			for i, a := range r.Call.Args {
				if a != v {
					continue
				}
				if i >= len(fn.Params) || !fc.uses(fn.Params[i], false) {
					return false
				}
			}
		case *ssa.BinOp:
			if r.Op != token.EQL && r.Op != token.NEQ {
				return false // a nil test
			}
		case *ssa.Call:
			b, ok := r.Call.Value.(*ssa.Builtin)
			if !ok || (b.Name() != "close" && b.Name() != "len" && b.Name() != "cap") {
				return false
			}
		case *ssa.ChangeType:
			if !fc.uses(r, follow) {
				return false
			}
		case *ssa.Return:
			// An accessor (return q.ch): the caller's uses are followed.
			if !follow || len(r.Results) != 1 || r.Parent().Parent() != nil {
				return false
			}
			fc.accessors = append(fc.accessors, r.Parent())
		default:
			return false
		}
	}
	return true
}

// handedOn reports whether every use of mc, a channel stored in the
// field by store, other than that store is understood as a use of the
// field's channel: it is handed, as an argument, to a package function
// started with a go statement (go c.loop(done)), or captured by a function
// literal started once where it is made whose calls of the package hand
// it on as an argument (done := make(...); c.done = done; go func() {
// c.loop(ctx, done) }()): the goroutine receives from the very channel
// the field holds.
func (fc *fieldChan) handedOn(mc *ssa.MakeChan, store *ssa.Store) bool {
	for _, r := range *mc.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if r != store {
				return false
			}
		case *ssa.Go:
			if !fc.argUses(r, mc) {
				return false
			}
		case *ssa.MakeClosure:
			if !startedOnce(r) {
				return false
			}
			lit := r.Fn.(*ssa.Function)
			for i, b := range r.Bindings {
				if b != ssa.Value(mc) {
					continue
				}
				if !fc.passedOn(lit.FreeVars[i]) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// returnedMake handles a store of the result of a call of a package
// function that makes the channel, hands it only to the goroutines it
// starts and returns it (r.failCh = r.startResetTimer():
// folbricht/routedns#335): the make is the field's, and the started
// goroutines' receives count as the field's. It returns the make.
func (fc *fieldChan) returnedMake(v ssa.Value) (*ssa.MakeChan, bool) {
	call, ok := v.(*ssa.Call)
	if !ok || call.Call.IsInvoke() || len(*call.Referrers()) != 1 {
		return nil, false
	}
	callee := call.Call.StaticCallee()
	if callee == nil || callee.Blocks == nil || callee.Pkg != call.Parent().Pkg || callee.Signature.Results().Len() != 1 {
		return nil, false
	}
	var mc *ssa.MakeChan
	var rets []*ssa.Return
	for _, b := range callee.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			rets = append(rets, ret)
		}
	}
	if len(rets) != 1 {
		return nil, false
	}
	x := rets[0].Results[0]
	if ct, ok := x.(*ssa.ChangeType); ok {
		x = ct.X
	}
	if m, ok := fc.cellLoad(x, true); ok {
		// A variable the started literals capture (go/ssa keeps it in
		// a cell): cellLoad followed its uses.
		return m, true
	}
	mc, ok = x.(*ssa.MakeChan)
	if !ok {
		return nil, false
	}
	for _, r := range *mc.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef, *ssa.Return:
		case *ssa.ChangeType:
			for _, rr := range *r.Referrers() {
				if _, ok := rr.(*ssa.Return); !ok {
					return nil, false
				}
			}
		case *ssa.Go:
			if !fc.argUses(r, mc) {
				return nil, false
			}
		case *ssa.MakeClosure:
			if !startedOnce(r) {
				return nil, false
			}
			lit := r.Fn.(*ssa.Function)
			for i, b := range r.Bindings {
				if b == ssa.Value(mc) && !fc.passedOn(lit.FreeVars[i]) {
					return nil, false
				}
			}
		default:
			return nil, false
		}
	}
	return mc, true
}

// cell handles store, a store in the field of the value of a local
// variable that a function literal captures (go/ssa keeps it in a cell):
// the variable is assigned once, with a make, and every read of it is the
// value store stores or one handedOn understands, also in the literals
// that capture it, started once where they are made. It returns the make.
func (fc *fieldChan) cell(store *ssa.Store) (*ssa.MakeChan, bool) {
	return fc.cellLoad(store.Val, false)
}

// cellLoad is cell for v, the one read of the captured variable that is
// stored in the field, or returned (returnedMake: direct, the literals
// may also use the channel themselves, and those uses are the field's).
func (fc *fieldChan) cellLoad(v ssa.Value, direct bool) (*ssa.MakeChan, bool) {
	ld, ok := v.(*ssa.UnOp)
	if !ok || ld.Op != token.MUL {
		return nil, false
	}
	a, ok := ld.X.(*ssa.Alloc)
	if !ok || !a.Heap {
		return nil, false
	}
	var mc *ssa.MakeChan
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			m, ok := r.Val.(*ssa.MakeChan)
			if !ok || r.Addr != ssa.Value(a) || mc != nil || len(*m.Referrers()) != 1 {
				return nil, false
			}
			mc = m
		case *ssa.UnOp:
			if r.Op != token.MUL || r != ld && !fc.passedOn(r) {
				return nil, false
			}
			if r == ld && len(*ld.Referrers()) != 1 {
				return nil, false
			}
		case *ssa.MakeClosure:
			if !startedOnce(r) {
				return nil, false
			}
			for i, b := range r.Bindings {
				if b != ssa.Value(a) {
					continue
				}
				for _, u := range *r.Fn.(*ssa.Function).FreeVars[i].Referrers() {
					l, ok := u.(*ssa.UnOp)
					if _, isDebug := u.(*ssa.DebugRef); isDebug {
						continue
					}
					if !ok || l.Op != token.MUL || !fc.passedOn(l) && !(direct && fc.uses(l, false)) {
						return nil, false
					}
				}
			}
		default:
			return nil, false
		}
	}
	return mc, mc != nil
}

// startedOnce reports whether the literal mk makes is started with a go
// statement where it is made, and not otherwise used.
func startedOnce(mk *ssa.MakeClosure) bool {
	refs := *mk.Referrers()
	if len(refs) != 1 {
		return false
	}
	g, ok := refs[0].(*ssa.Go)
	return ok && g.Call.Value == ssa.Value(mk) && !slices.Contains(g.Call.Args, ssa.Value(mk))
}

// passedOn reports whether every use of v (a literal's captured channel,
// or a conversion of it to a directional type) is an argument of a call
// argUses follows.
func (fc *fieldChan) passedOn(v ssa.Value) bool {
	for _, u := range *v.Referrers() {
		switch u := u.(type) {
		case *ssa.DebugRef:
		case *ssa.ChangeType:
			if !fc.passedOn(u) {
				return false
			}
		case ssa.CallInstruction:
			if !fc.argUses(u, v) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// argUses follows v, the field's channel, into the parameters of the
// package function c calls or starts with it as an argument (never as the
// function called); it reports whether every such use is understood.
func (fc *fieldChan) argUses(c ssa.CallInstruction, v ssa.Value) bool {
	fn := c.Common().StaticCallee()
	if fn == nil || fn.Blocks == nil || c.Common().IsInvoke() || c.Common().Value == v {
		return false
	}
	for i, a := range c.Common().Args {
		if a == v && (i >= len(fn.Params) || !fc.uses(fn.Params[i], false)) {
			return false
		}
	}
	return true
}

// lockCall is a Lock (or RLock) of a mutex kept in a struct field.
type lockCall struct {
	call  *ssa.Call
	field *types.Var
	name  string
}

// lockCalls returns fn's calls of the given sync.Mutex/RWMutex methods
// on a mutex field.
func lockCalls(fn *ssa.Function, names ...string) []lockCall {
	var out []lockCall
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			name, f := chanuse.MutexCall(&call.Call)
			if f == nil {
				continue
			}
			for _, n := range names {
				if n == name {
					out = append(out, lockCall{call, f, name})
				}
			}
		}
	}
	return out
}

// reaches reports whether a path of their function leads from a to b.
func reaches(a, b ssa.Instruction) bool {
	if a.Block() == b.Block() && index(a) < index(b) {
		return true
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), a.Block().Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == b.Block() {
			return true
		}
		if !seen[x] {
			seen[x] = true
			stack = append(stack, x.Succs...)
		}
	}
	return false
}
