package chanblock

import (
	"fmt"
	"go/token"
	"go/types"
	"iter"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// unstartedClosers reports a plain receive from a private channel field
// whose channel a function makes and stores in the field of an object it
// was handed (its receiver, a parameter: others reach it), while the only
// sends on and closes of the field's channel are in goroutines that same
// function starts after the make, and a path from the store returns
// without starting them (an early return on an error) and without
// putting anything else in the field: the field keeps a channel nothing
// will ever close, and a later Wait or Stop that receives from it blocks
// forever (tsgonest/tsgonest#144: Start makes r.done, then cmd.Start
// fails and it returns; only the goroutine it would have started closes
// r.done, and Wait hangs). Make the channel, with its closer, after
// everything that can fail.
func unstartedClosers(st *state, funcs []*ssa.Function) {
	for _, fc := range followFieldChans(st, funcs) {
		if fc.escapes || len(fc.makes) == 0 {
			continue
		}
		fn := fc.makes[0].Parent()
		ok := true
		for _, m := range fc.makes {
			ok = ok && m.Parent() == fn
		}
		if !ok {
			continue
		}
		// A send of the value the same function just received from the
		// field puts it back for the next waiter: not a producer.
		taken := map[ssa.Value]bool{}
		for _, op := range fc.ops {
			if u, isU := op.Instr.(*ssa.UnOp); isU && op.Kind == chanuse.Recv {
				taken[u] = true
			}
		}
		closers := map[*ssa.Function]bool{}
		var recvs, sends []ssa.Instruction
		for _, op := range fc.ops {
			switch op.Kind {
			case chanuse.Close, chanuse.DeferClose, chanuse.Send, chanuse.SelectSend:
				if s, isS := op.Instr.(*ssa.Send); isS && taken[s.X] {
					if u := s.X.(*ssa.UnOp); u.Parent() == s.Parent() && dominates(u, s) {
						continue
					}
				}
				closers[op.Instr.Parent()] = true
				if op.Kind == chanuse.Send {
					sends = append(sends, op.Instr)
				}
			case chanuse.Recv, chanuse.SelectRecv:
				if w := channelOnlyWait(op); w != nil {
					recvs = append(recvs, w)
				}
			}
		}
		if len(closers) == 0 || len(recvs) == 0 {
			continue
		}
		// The go statements of fn that start the closers.
		starts := map[ssa.Instruction]bool{}
		for g := range closers {
			gos := startsIn(st, fn, g)
			if gos == nil {
				ok = false
				break
			}
			for _, s := range gos {
				starts[s] = true
			}
		}
		if !ok {
			failedStart(st, fc, closers, recvs, sends)
			continue
		}
		for _, mc := range fc.makes {
			unstartedCloser(st, fc.field, mc, starts, recvs, sends)
		}
	}
}

// failedStart is unstartedClosers for a channel made by one function (a
// constructor) and fed by goroutines another function starts: every
// producer is started by starter (or is starter itself, whose own sends
// and closes count where they are), and a path from starter's entry
// returns the error of a failed call before any of them (kata-containers
// #2087: startContainer launches the goroutine that sends the exit code
// only after the sandbox has started the container; each error return
// before it leaves Wait blocked on exitCh).
func failedStart(st *state, fc *fieldFlow, closers map[*ssa.Function]bool, recvs, sends []ssa.Instruction) {
	var starter *ssa.Function
	for g := range closers {
		if starter = starterOf(st, g); starter != nil {
			break
		}
	}
	if starter == nil || len(starter.Blocks) == 0 {
		return
	}
	for _, m := range fc.makes {
		if m.Parent() == starter {
			return
		}
	}
	cut := map[ssa.Instruction]bool{}
	for g := range closers {
		if g == starter {
			continue
		}
		gos := startsIn(st, starter, g)
		if gos == nil {
			return
		}
		for _, s := range gos {
			cut[s] = true
		}
	}
	var start ssa.Instruction
	for s := range cut {
		if start == nil || s.Pos() < start.Pos() {
			start = s
		}
	}
	for _, op := range fc.ops {
		if op.Instr.Parent() == starter {
			cut[op.Instr] = true
		}
	}
	for _, b := range starter.Blocks {
		for _, instr := range b.Instrs {
			if s, ok := instr.(*ssa.Store); ok && chanuse.StructFieldOf(s.Addr) == fc.field {
				cut[s] = true
			}
		}
	}
	entry := starter.Blocks[0].Instrs[0]
	if cut[entry] {
		return
	}
	ret := openReturn(entry, failedCallReturn, cut)
	if ret == nil {
		return
	}
	mc := fc.makes[0]
	name := fmt.Sprintf("field %s of %s", fc.field.Name(), ownerName(st.sealed, fc.field))
	for _, recv := range recvs {
		if recv.Parent() == starter || runsIn(st, recv.Parent(), map[*ssa.Function]bool{starter: true}, 0) || startedOnlyBy(st, recv.Parent(), starter) || releases(mc, sends, recv) {
			continue
		}
		st.Report(analysis.Diagnostic{
			Pos:      recv.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s waits on %s, made at line %d; only the goroutine %s starts at line %d closes or sends on it, but %s returns the error at line %d first, without starting it: after a failed start this %s blocks forever (feed or close the channel on the error path, or make it with its goroutine)",
				waitWord(st, recv), name, st.pass.Fset.Position(mc.Pos()).Line, starter.Name(), st.pass.Fset.Position(start.Pos()).Line, starter.Name(), st.pass.Fset.Position(ret.Pos()).Line, waitNoun(st, recv)),
			Related: []analysis.RelatedInformation{
				{Pos: ret.Pos(), Message: "returns the error here, no goroutine started"},
				{Pos: mc.Pos(), Message: "the channel is made here"},
				{Pos: start.Pos(), Message: "the goroutine that feeds it is started here, on other paths"},
			},
		})
	}
}

// starterOf returns the function whose go statements start g: the
// function a literal is written in, or the one the package starts a
// named function from.
func starterOf(st *state, g *ssa.Function) *ssa.Function {
	if g.Parent() != nil {
		return g.Parent()
	}
	if gos := st.callSites().gos[g]; len(gos) > 0 {
		return gos[0].Parent()
	}
	return nil
}

// failedCallReturn reports whether ret returns the error of a failed call
// (not one it builds itself with errors.New or fmt.Errorf, which are
// often guards such as "already started").
func failedCallReturn(ret *ssa.Return) bool {
	for _, v := range ret.Results {
		if !types.Identical(v.Type(), types.Universe.Lookup("error").Type()) {
			continue
		}
		if e, ok := v.(*ssa.Extract); ok {
			v = e.Tuple
		}
		c, ok := v.(*ssa.Call)
		if !ok {
			continue
		}
		if f := c.Call.StaticCallee(); f != nil && f.Pkg != nil {
			switch f.Pkg.Pkg.Path() + "." + f.Name() {
			case "errors.New", "fmt.Errorf":
				continue
			}
		}
		return true
	}
	return false
}

// fieldFlow is what the package does with the channels of one private
// channel field, followed through local copies, the variables function
// literals capture, and nil tests (which chanuse.Fields counts as an
// escape; analyzer/internal/chanuse is not this pass's to change).
type fieldFlow struct {
	field   *types.Var
	makes   []*ssa.MakeChan
	ops     []chanuse.Op
	escapes bool // another value stored, or a use not followed
	sites   *callSites
}

// followFieldChans returns the flows of the package's private channel
// fields.
func followFieldChans(st *state, funcs []*ssa.Function) map[*types.Var]*fieldFlow {
	out := map[*types.Var]*fieldFlow{}
	for fa, f := range fieldAddrs(funcs) {
		if !st.sealed.Private(f) {
			continue
		}
		if _, ok := f.Type().Underlying().(*types.Chan); !ok {
			continue
		}
		fc := out[f]
		if fc == nil {
			fc = &fieldFlow{field: f, sites: st.callSites()}
			out[f] = fc
		}
		fc.addr(fa)
	}
	return out
}

// fieldAddrs yields the address of a struct field taken in funcs, with
// the field, for each such address.
func fieldAddrs(funcs []*ssa.Function) iter.Seq2[*ssa.FieldAddr, *types.Var] {
	return func(yield func(*ssa.FieldAddr, *types.Var) bool) {
		for _, fn := range funcs {
			for _, b := range fn.Blocks {
				for _, instr := range b.Instrs {
					fa, ok := instr.(*ssa.FieldAddr)
					if !ok {
						continue
					}
					if f := chanuse.StructFieldOf(fa); f != nil && !yield(fa, f) {
						return
					}
				}
			}
		}
	}
}

func (fc *fieldFlow) addr(fa *ssa.FieldAddr) {
	for _, r := range *fa.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if r.Addr != fa {
				fc.escapes = true
				continue
			}
			switch v := r.Val.(type) {
			case *ssa.MakeChan:
				fc.makes = append(fc.makes, v)
				fc.value(v, map[ssa.Value]bool{})
			case *ssa.Const:
				if !v.IsNil() {
					fc.escapes = true
				}
			default:
				fc.escapes = true
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				fc.escapes = true
				continue
			}
			fc.value(r, map[ssa.Value]bool{})
		default:
			fc.escapes = true
		}
	}
}

// value follows v, a channel of the field, through its function: its
// operations, nil tests, phis, and the variables it is kept in (which
// function literals may capture).
func (fc *fieldFlow) value(v ssa.Value, seen map[ssa.Value]bool) {
	if seen[v] {
		return
	}
	seen[v] = true
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Send:
			if r.Chan != v {
				fc.escapes = true
				continue
			}
			fc.ops = append(fc.ops, chanuse.Op{Kind: chanuse.Send, Instr: r})
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				fc.escapes = true
				continue
			}
			fc.ops = append(fc.ops, chanuse.Op{Kind: chanuse.Recv, Instr: r})
		case *ssa.Select:
			for i, s := range r.States {
				if s.Send == v {
					fc.escapes = true
				}
				if s.Chan == v {
					k := chanuse.SelectRecv
					if s.Dir == types.SendOnly {
						k = chanuse.SelectSend
					}
					fc.ops = append(fc.ops, chanuse.Op{Kind: k, Instr: r, State: i})
				}
			}
		case *ssa.BinOp:
			// A nil test: reads the channel, does nothing to it.
			if r.Op != token.EQL && r.Op != token.NEQ {
				fc.escapes = true
			}
		case *ssa.Call, *ssa.Defer, *ssa.Go:
			c := r.(ssa.CallInstruction).Common()
			b, ok := c.Value.(*ssa.Builtin)
			switch {
			case fc.param(r.(ssa.CallInstruction), v, seen):
			case ok && b.Name() == "close":
				k := chanuse.Close
				if _, d := r.(*ssa.Defer); d {
					k = chanuse.DeferClose
				}
				fc.ops = append(fc.ops, chanuse.Op{Kind: k, Instr: r})
			default:
				fc.escapes = true
			}
		case *ssa.ChangeType:
			fc.value(r, seen)
		case *ssa.Phi:
			fc.value(r, seen)
		case *ssa.Return:
			if !fc.accessor(r.Parent(), seen) {
				fc.escapes = true
			}
		case *ssa.Store:
			a, ok := r.Addr.(*ssa.Alloc)
			if !ok || r.Val != v {
				if chanuse.StructFieldOf(r.Addr) != fc.field {
					fc.escapes = true
				}
				continue
			}
			fc.variable(a, seen)
		default:
			fc.escapes = true
		}
	}
}

// param follows v into the function r calls (or starts) when v is one of
// its arguments and r is that function's one call site in the package:
// the parameter then holds this field's channel and nothing else, and
// its operations are the field's.
func (fc *fieldFlow) param(r ssa.CallInstruction, v ssa.Value, seen map[ssa.Value]bool) bool {
	c := r.Common()
	f := c.StaticCallee()
	if f == nil || f.Blocks == nil || c.Value == v || len(f.Params) != len(c.Args) {
		return false
	}
	if n := len(fc.sites.callers[f]); n+len(fc.sites.gos[f]) != 1 || fc.sites.calls[f] != n {
		return false
	}
	found := false
	for i, a := range c.Args {
		if a == v {
			fc.value(f.Params[i], seen)
			found = true
		}
	}
	return found
}

// accessor follows the field's channel out of f, which returned it, when
// f is an accessor of the field (chanuse.Accessor) whose result is
// receive-only: the calls of f in the package are loads of the field,
// followed as such, and callers elsewhere can only receive from what
// they get, never send on it or close it.
func (fc *fieldFlow) accessor(f *ssa.Function, seen map[ssa.Value]bool) bool {
	if fld, _ := chanuse.Accessor(f); fld != fc.field {
		return false
	}
	if ch, ok := f.Signature.Results().At(0).Type().Underlying().(*types.Chan); !ok || ch.Dir() != types.RecvOnly {
		return false
	}
	if seen[f] {
		return true
	}
	seen[f] = true
	for _, c := range fc.sites.callers[f] {
		if call, ok := c.(*ssa.Call); ok {
			fc.value(call, seen)
		}
	}
	return true
}

// variable follows a local variable a channel of the field is kept in:
// its loads, and the loads of the function literals that capture it.
func (fc *fieldFlow) variable(a ssa.Value, seen map[ssa.Value]bool) {
	if seen[a] {
		return
	}
	seen[a] = true
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef, *ssa.Store:
			if s, ok := r.(*ssa.Store); ok && s.Addr != a {
				fc.escapes = true // the variable's address stored
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				fc.escapes = true
				continue
			}
			fc.value(r, seen)
		case *ssa.MakeClosure:
			lit := r.Fn.(*ssa.Function)
			for i, b := range r.Bindings {
				if b == a {
					fc.variable(lit.FreeVars[i], seen)
				}
			}
		default:
			fc.escapes = true
		}
	}
}

// startsIn returns the go statements of fn that start g (a function
// literal of fn, or a function of the package that only fn starts, and
// only as a goroutine); nil when g runs any other way.
func startsIn(st *state, fn, g *ssa.Function) []ssa.Instruction {
	var out []ssa.Instruction
	if h := g.Parent(); h != nil && h != fn {
		return startsThrough(st, fn, h, startsIn(st, h, g))
	}
	if g.Parent() == fn {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				mc, ok := instr.(*ssa.MakeClosure)
				if !ok || mc.Fn != g {
					continue
				}
				for _, r := range *mc.Referrers() {
					gi, ok := r.(*ssa.Go)
					if !ok || gi.Call.Value != mc {
						return nil // also called, deferred or handed on
					}
					out = append(out, gi)
				}
			}
		}
		return out
	}
	sites := st.callSites()
	if len(sites.callers[g]) > 0 || sites.calls[g] > 0 {
		return nil
	}
	for _, gi := range sites.gos[g] {
		if gi.Parent() != fn {
			return nil
		}
		out = append(out, gi)
	}
	return out
}

// startsThrough returns the calls fn makes to h, a helper that starts a
// goroutine at gos (its go statements) and that only fn calls, directly
// and never as a value: a path of fn that makes none of these calls
// starts none of the goroutines. Nil when h runs any other way.
func startsThrough(st *state, fn, h *ssa.Function, gos []ssa.Instruction) []ssa.Instruction {
	if len(gos) == 0 || h.Parent() != nil {
		return nil
	}
	sites := st.callSites()
	calls := sites.callers[h]
	if len(calls) == 0 || sites.calls[h] != len(calls) || len(sites.gos[h]) > 0 {
		return nil
	}
	var out []ssa.Instruction
	for _, c := range calls {
		if _, ok := c.(*ssa.Call); !ok || c.Parent() != fn {
			return nil
		}
		out = append(out, c)
	}
	return out
}

// unstartedCloser checks the make mc of c's field, stored by its function
// in an object it was handed.
func unstartedCloser(st *state, field *types.Var, mc *ssa.MakeChan, starts map[ssa.Instruction]bool, recvs, sends []ssa.Instruction) {
	fn := mc.Parent()
	var store *ssa.Store
	for _, r := range *mc.Referrers() {
		s, ok := r.(*ssa.Store)
		if !ok || s.Val != ssa.Value(mc) {
			continue
		}
		fa, ok := s.Addr.(*ssa.FieldAddr)
		if !ok || chanuse.StructFieldOf(fa) != field {
			continue
		}
		if objectParam(fa.X) != nil { // the receiver or a parameter, captured or not
			store = s
		}
	}
	if store == nil {
		return
	}
	// Another store to the field (nil, a new make) ends the channel's
	// tenure there; a go statement starts its closer.
	cut := map[ssa.Instruction]bool{}
	for s := range starts {
		cut[s] = true
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if s, ok := instr.(*ssa.Store); ok && s != store && chanuse.StructFieldOf(s.Addr) == field {
				cut[s] = true
			}
		}
	}
	ret := openReturn(store, func(*ssa.Return) bool { return true }, cut)
	if ret == nil {
		return
	}
	rp := ret.Pos()
	if !rp.IsValid() {
		rp = chanuse.ClosingBrace(fn)
	}
	var start ssa.Instruction
	for s := range starts {
		if start == nil || s.Pos() < start.Pos() {
			start = s
		}
	}
	started := map[*ssa.Function]bool{}
	for s := range starts {
		if gi, ok := s.(*ssa.Go); ok {
			if g := gi.Call.StaticCallee(); g != nil {
				started[g] = true
			}
		} else if h := s.(ssa.CallInstruction).Common().StaticCallee(); h != nil {
			started[h] = true // a helper that starts them: its literals run in them
		}
	}
	name := fmt.Sprintf("field %s of %s", field.Name(), ownerName(st.sealed, field))
	for _, recv := range recvs {
		// A receive the started goroutines run themselves is not
		// stranded when none starts; nor is the release of a slot the
		// same goroutine took in a buffered channel (a semaphore).
		if recv.Parent() == fn || runsIn(st, recv.Parent(), started, 0) || startedOnlyBy(st, recv.Parent(), fn) || releases(mc, sends, recv) {
			continue
		}
		st.Report(analysis.Diagnostic{
			Pos:      recv.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s waits on %s, which %s makes at line %d and only the goroutine it starts at line %d closes or sends on, but the path that returns at line %d leaves the new channel in the field without starting it: after that return this %s blocks forever (make the channel, with its closer, after everything that can fail)",
				waitWord(st, recv), name, fn.Name(), st.pass.Fset.Position(mc.Pos()).Line, st.pass.Fset.Position(start.Pos()).Line, st.pass.Fset.Position(rp).Line, waitNoun(st, recv)),
			Related: []analysis.RelatedInformation{
				{Pos: rp, Message: "returns here with the channel in the field and no goroutine to close it"},
				{Pos: mc.Pos(), Message: "the channel is made and stored here"},
				{Pos: start.Pos(), Message: "the closing goroutine is started here, on other paths"},
			},
		})
	}
}

// runsIn reports whether f runs only inside the goroutines of started (or
// goroutines they start): f is one of them, a function literal written in
// one, or a function of the package whose every call is in one.
func runsIn(st *state, f *ssa.Function, started map[*ssa.Function]bool, depth int) bool {
	if started[f] {
		return true
	}
	if depth > 3 {
		return false
	}
	if f.Parent() != nil {
		return runsIn(st, f.Parent(), started, depth+1)
	}
	sites := st.callSites()
	callers := sites.callers[f]
	if len(callers) == 0 || sites.calls[f] != len(callers) {
		return false // never called here, or used as a value
	}
	for _, c := range callers {
		if !runsIn(st, c.Parent(), started, depth+1) {
			return false
		}
	}
	for _, g := range sites.gos[f] {
		if !runsIn(st, g.Parent(), started, depth+1) {
			return false
		}
	}
	return true
}

// startedOnlyBy reports whether f (or the function a literal f is
// written in) is a function of the package that only fn starts, by go
// statements, and that nothing calls or takes as a value: it runs only in
// goroutines fn starts, as fn's own literals do (runsIn), so it waits on
// nothing fn left behind when fn started none of them.
func startedOnlyBy(st *state, f, fn *ssa.Function) bool {
	for f.Parent() != nil {
		f = f.Parent()
	}
	sites := st.callSites()
	gos := sites.gos[f]
	if len(gos) == 0 || sites.calls[f] > 0 {
		return false
	}
	for _, g := range gos {
		if g.Parent() != fn {
			return false
		}
	}
	return true
}

// releases reports whether recv, on mc's buffered channel, gives back a
// slot its own goroutine took: a send on the field runs before it in the
// same function, or before the function literal that receives is made or
// called in the function that writes it.
func releases(mc *ssa.MakeChan, sends []ssa.Instruction, recv ssa.Instruction) bool {
	if k, ok := mc.Size.(*ssa.Const); ok && k.Int64() == 0 {
		return false
	}
	at := recv
	for at != nil {
		for _, s := range sends {
			if dominates(s, at) {
				return true
			}
		}
		at = literalSite(at.Parent())
	}
	return false
}

// literalSite returns the one instruction of the function enclosing the
// function literal lit that makes it or calls it directly; nil when lit
// is not a literal or is made more than once.
func literalSite(lit *ssa.Function) ssa.Instruction {
	up := lit.Parent()
	if up == nil {
		return nil
	}
	var site ssa.Instruction
	for _, b := range up.Blocks {
		for _, instr := range b.Instrs {
			var uses bool
			if mc, ok := instr.(*ssa.MakeClosure); ok {
				uses = mc.Fn == lit
			} else if c, ok := instr.(ssa.CallInstruction); ok {
				uses = c.Common().Value == lit
			}
			if !uses {
				continue
			}
			if site != nil {
				return nil
			}
			site = instr
		}
	}
	return site
}

// channelOnlyWait returns the wait of op, a receive from a field's
// channel, when only a send on or a close of that channel ends it: a
// receive (plain, comma-ok, or a range's), or a case of a blocking select
// from which no path leads to a return without entering that case's body:
// the other cases only loop back to the select (a ticker that logs
// progress, a poll), so while the channel stays silent the function
// never returns. Nil for any other wait.
func channelOnlyWait(op chanuse.Op) ssa.Instruction {
	switch w := op.Instr.(type) {
	case *ssa.UnOp:
		return w
	case *ssa.Select:
		if !w.Blocking {
			return nil
		}
		if len(w.States) == 1 {
			return w
		}
		test := caseTest(w, op.State)
		if test == nil || len(test.Succs[0].Instrs) == 0 {
			return nil
		}
		body := test.Succs[0].Instrs[0]
		if openReturn(w, func(*ssa.Return) bool { return true }, map[ssa.Instruction]bool{body: true}) != nil {
			return nil
		}
		return w
	}
	return nil
}

// waitWord names a wait channelOnlyWait returns, as a sentence's subject.
func waitWord(st *state, w ssa.Instruction) string {
	return "this " + waitNoun(st, w)
}

// waitNoun is the noun of waitWord: receive, range or select.
func waitNoun(st *state, w ssa.Instruction) string {
	switch w := w.(type) {
	case *ssa.Select:
		return "select"
	case *ssa.UnOp:
		if st.ranges[w.Pos()] {
			return "range"
		}
	}
	return "receive"
}

// objectParam returns the parameter (the receiver, an argument, captured
// or not) whose object v is, or is inside: the parameter itself, or a
// struct reached from it through fields (an embedded struct, s.proc
// through a pointer field). A channel stored there is in an object the
// function's callers hold too.
func objectParam(v ssa.Value) *ssa.Parameter {
	for range 4 {
		if p := spilledParam(v); p != nil {
			return p
		}
		switch x := v.(type) {
		case *ssa.FieldAddr:
			v = x.X
		case *ssa.UnOp:
			fa, ok := x.X.(*ssa.FieldAddr)
			if x.Op != token.MUL || !ok {
				return nil
			}
			v = fa.X
		default:
			return nil
		}
	}
	return nil
}
