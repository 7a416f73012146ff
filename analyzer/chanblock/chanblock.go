package chanblock

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/deadlockleak"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"
)

// Doc is the analyzer's documentation.
const Doc = `report channel operations and WaitGroup waits that nothing will ever complete

A channel is followed from its make (or, for a private field, over the whole
package) and an operation is reported when no other side can ever reach it:

  - a receive or range from a channel nothing sends on or closes, or a
    range whose only close follows the loop in the ranging function;
  - a send nothing receives, or one that finds a constant buffer full;
  - an operation on a nil channel field or variable (never made, or
    made on some paths only), or on a nil
    channel returned with an error the caller drops;
  - a wait for one's own deferred close;
  - a select none of whose cases can proceed;
  - a send whose only receiver is the sending goroutine (or a pool of
    workers like it, on a full buffer), or a loop that fills a channel
    its own goroutine drains;
  - a send made holding a mutex that its only receiving loop takes
    between receives, or that the goroutine's stopper takes before it
    signals;
  - one stop value sent, or one signal delivered, to several waiters;
  - a counting loop of receives, one per goroutine started in a loop,
    whose goroutine can return without sending;
  - a receive whose only sender goroutine (a returned channel's, or a
    private field's) can return without sending or closing, or is not
    started on a path that leaves the field's new channel behind;
  - a range over a returned channel its maker, which fills it before
    returning, leaves unclosed on some path, or over a channel field
    whose producer returns on some path after sending without closing;
  - a wait on a published channel (in a map of channels, or a field of a
    published struct) whose publisher returns on some path without
    closing it;
  - a semaphore token that some path never gives back;
  - a goroutine left waiting on a context whose cancel is skipped, stored
    and never called, or belongs to another context;
  - a WaitGroup or group Wait for a goroutine that never returns, that
    skips Done, or that blocks on a channel only the waiter serves or
    closes after the Wait;
  - a call counted in flight on a WaitGroup that returns early without
    its own Done;
  - a called function whose loop never ends because a break meant for
    the loop leaves only a select;
  - a goroutine looping on a ticker's channel that its starter stops,
    or that is kept in a field whose tickers the package stops, or a
    goroutine that waits once on a timer that is stopped, also when a
    caller stops the ticker the starter returns;
  - a blocking timer drain after a receive that took the timer's value,
    with no Reset between;
  - a wait for the reply to a request queued on a buffered channel
    whose serving loops can return without draining it;
  - a range or comma-ok receive that expects a value from a channel
    that is only ever closed (ctx.Done());
  - a job loop (or a dispatcher selecting on the results) and its
    workers blocked on each other through two bounded channels.

Goroutines count however they are started: a go statement, a group's Go,
time.AfterFunc, or a function of the package that starts its function
argument (goSafe(f), pool.Submit(f)).

Beside these rules, a bounded interleaving checker (-stuck, on by
default) takes every channel made in a function whose whole life the
package sees, runs the maker and each goroutine that uses it over their
paths and interleavings (a few thousand states at most; it gives up
silently past them or on what it does not model), and reports an
operation that some path leaves blocked forever, naming how the other
goroutines got away. It leaves alone the channels these rules and
deadlockleak already reported.`

// Analyzer reports channel operations and WaitGroup waits that nothing will
// ever complete.
var Analyzer = &analysis.Analyzer{
	Name: "chanblock",
	Doc:  Doc,
	URL:  "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/chanblock",
	// deadlockleak's result: the interleaving checker leaves alone what
	// it reported (the same leak seen twice).
	Requires: []*analysis.Analyzer{buildssa.Analyzer, deadlockleak.Analyzer},
	Run:      run,
}

// state reports each position once: a channel field of a struct the maker
// allocates is seen both from its make and as a class.
type state struct {
	pass    *analysis.Pass
	seen    map[token.Pos]bool
	leaks   *deadlockleak.Result // what deadlockleak reported: the checker leaves it alone
	ranges  map[token.Pos]bool   // the for keywords of range statements: go/ssa puts a range's receive there
	sealed  *chanuse.Sealed
	dead    map[*ssa.Select]map[int]string // select cases that can never proceed, and why
	follows map[*ssa.MakeChan]*chanuse.Channel

	funcs       []*ssa.Function                    // the package's source functions
	initSet     map[*types.Var]bool                // fields the package's variable initializers assign (initAssigned)
	sites       *callSites                         // built on first use (callSites)
	calls       map[*ssa.Function][]*ssa.Call      // static calls by callee, built on first use (staticCalls)
	tickerStops map[*types.Var]ssa.CallInstruction // built on first use (stopsOfField)
	handleStops map[*types.Var]ssa.CallInstruction // built on first use (handleStopsOfField)
	queues      []*class                           // the field classes fields checks (neither escaped nor stored)
	wide        []*class                           // the field classes the interleaving checker runs on (wideFields)
}

// follow returns the model of mc's channel, built once for all checks.
func (st *state) follow(mc *ssa.MakeChan) *chanuse.Channel {
	ch := st.follows[mc]
	if ch == nil {
		ch = chanuse.Follow(mc)
		st.follows[mc] = ch
	}
	return ch
}

// deadCase records that case k of sel can never proceed.
func (st *state) deadCase(sel ssa.Instruction, k int, why string) {
	s, ok := sel.(*ssa.Select)
	if !ok {
		return
	}
	if st.dead[s] == nil {
		st.dead[s] = map[int]string{}
	}
	st.dead[s][k] = why
}

func (st *state) Report(d analysis.Diagnostic) {
	if !st.seen[d.Pos] {
		st.seen[d.Pos] = true
		st.pass.Report(d)
	}
}

func run(pass *analysis.Pass) (any, error) {
	leaks, _ := pass.ResultOf[deadlockleak.Analyzer].(*deadlockleak.Result) // nil when a driver leaves deadlockleak out
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	st := &state{pass: pass, seen: map[token.Pos]bool{}, ranges: map[token.Pos]bool{}, leaks: leaks,
		sealed: chanuse.NewSealed(pass.Pkg), dead: map[*ssa.Select]map[int]string{},
		follows: map[*ssa.MakeChan]*chanuse.Channel{}, funcs: ssainput.SrcFuncs,
		initSet: initAssigned(ssainput.Pkg)}
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			if r, ok := n.(*ast.RangeStmt); ok {
				st.ranges[r.For] = true
			}
			return true
		})
	}
	for _, fn := range ssainput.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					local(st, mc)
				}
			}
		}
	}
	fields(st, ssainput.SrcFuncs)
	wideFields(st, ssainput.SrcFuncs)
	handedNilFields(st, ssainput.SrcFuncs)
	cancels(st, ssainput.SrcFuncs)
	partialCancels(st, ssainput.SrcFuncs)
	wrongContexts(st, ssainput.SrcFuncs)
	droppedOwners(st, ssainput.SrcFuncs)
	unpublished(st, ssainput.SrcFuncs)
	lockedSends(st, ssainput.SrcFuncs)
	stopUnderLock(st, ssainput.SrcFuncs)
	waitGroups(st, ssainput.SrcFuncs)
	selfWaits(st, ssainput.SrcFuncs)
	lateAdds(st, ssainput.SrcFuncs)
	nilPaths(st, ssainput.SrcFuncs)
	nilVars(st)
	nilResults(st, ssainput.SrcFuncs)
	waitBeforeReceive(st, ssainput.SrcFuncs)
	fills(st, ssainput.SrcFuncs)
	resultOnce(st, ssainput.SrcFuncs)
	countedReceives(st, ssainput.SrcFuncs)
	unclosedResults(st, ssainput.SrcFuncs)
	handedUnclosed(st, ssainput.SrcFuncs)
	producerCloses(st, ssainput.SrcFuncs)
	registries(st, ssainput.SrcFuncs)
	registryFields(st, ssainput.SrcFuncs)
	unstartedClosers(st, ssainput.SrcFuncs)
	oneValue(st, chanuse.SrcFuncs(ssainput))
	semaphores(st, ssainput.SrcFuncs)
	noExit(st, ssainput.SrcFuncs)
	fieldOnce(st, ssainput.SrcFuncs)
	queueCycles(st, ssainput.SrcFuncs)
	closeAfterWait(st, ssainput.SrcFuncs)
	closeAfterWaitFields(st, ssainput.SrcFuncs)
	waitBeforeClose(st, ssainput.SrcFuncs)
	waitBeforeCloseLocal(st, ssainput.SrcFuncs)
	nilParamFields(st, ssainput.SrcFuncs)
	groupWaitBeforeReceive(st, ssainput.SrcFuncs)
	selectBreaks(st, ssainput.SrcFuncs)
	globalActors(st, ssainput.SrcFuncs)
	stoppedTickers(st, chanuse.SrcFuncs(ssainput))
	unclosedServers(st, ssainput.SrcFuncs)
	unclosedRangeWaits(st, ssainput.SrcFuncs)
	closeSignals(st, ssainput.SrcFuncs)
	closeOnlyDone(st, ssainput.SrcFuncs)
	timerDrains(st, ssainput.SrcFuncs)
	drainGuards(st, ssainput.SrcFuncs)
	handedRanges(st, ssainput.SrcFuncs)
	stopClosures(st, ssainput.SrcFuncs)
	closedThenNil(st, ssainput.SrcFuncs)
	orphanedRequests(st)
	selects(st)
	stuckOps(st, chanuse.SrcFuncs(ssainput))
	fieldOnceWide(st, ssainput.SrcFuncs)
	return nil, nil
}

// calleeArgs returns the function of the package that c runs, resolved
// by chanuse.Callee, and c's arguments lined up with its parameters: an
// interface call passes its receiver as the first parameter.
func calleeArgs(pkg *ssa.Package, c *ssa.CallCommon) (*ssa.Function, []ssa.Value) {
	fn := chanuse.Callee(pkg, c)
	if fn == nil {
		return nil, nil
	}
	if c.IsInvoke() {
		return fn, append([]ssa.Value{c.Value}, c.Args...)
	}
	return fn, c.Args
}

// ops is what a package does with one channel (or channel class).
type ops struct {
	sends, selSends, recvs, selRecvs, closes, deferCloses []op
	// lifetime: a field of a type with no method that stops it. A
	// goroutine ranging over it serves for the object's life (a queue's
	// worker started by the constructor), so a range nothing closes is
	// the design, not a leak.
	lifetime bool
}

// op is an operation with, for a field class, the struct pointer whose
// field it reads (to tell instances apart where it matters).
type op = chanuse.FieldOp

func (o *ops) add(op op) {
	switch op.Kind {
	case chanuse.Send:
		o.sends = append(o.sends, op)
	case chanuse.SelectSend:
		o.selSends = append(o.selSends, op)
	case chanuse.Recv:
		o.recvs = append(o.recvs, op)
	case chanuse.SelectRecv:
		o.selRecvs = append(o.selRecvs, op)
	case chanuse.Close:
		o.closes = append(o.closes, op)
	case chanuse.DeferClose:
		o.deferCloses = append(o.deferCloses, op)
	}
}

func capacity(mc *ssa.MakeChan) int {
	c, ok := mc.Size.(*ssa.Const)
	if !ok || c.Value == nil {
		return -1
	}
	n, ok := constant.Int64Val(constant.ToInt(c.Value))
	if !ok || n < 0 || n > 1<<20 {
		return -1
	}
	return int(n)
}

// local checks a channel made in a function and followed from there.
func local(pass *state, mc *ssa.MakeChan) {
	ch := pass.follow(mc)
	if ch.Escapes || len(ch.Returns) > 0 {
		return // the callers may send, receive or close
	}
	var o ops
	for _, n := range ch.Nodes {
		for _, x := range n.Ops {
			o.add(op{Op: x})
		}
	}
	name := "this channel"
	if ch.Field != nil {
		name = "the channel in field " + ch.Field.Name()
	}
	made := analysis.RelatedInformation{Pos: mc.Pos(), Message: "the channel is made here and does not leave " + mc.Parent().Name()}
	report(pass, &o, name, made, capacity(mc), true, mc.Parent())
}

// report applies the shapes to the operations on one channel or class.
func report(pass *state, o *ops, name string, made analysis.RelatedInformation, size int, madeKnown bool, maker *ssa.Function) {
	closes := len(o.closes) + len(o.deferCloses)
	wakers := len(o.sends) + len(o.selSends) + closes
	receivers := len(o.recvs) + len(o.selRecvs)
	closeOnlyOps(pass, o, name)
	if wakers == 0 {
		for _, op := range o.selRecvs {
			pass.deadCase(op.Instr, op.State, fmt.Sprintf("nothing sends on or closes %s", name))
		}
		for _, op := range o.recvs {
			pass.Report(analysis.Diagnostic{
				Pos:      op.Instr.Pos(),
				Category: "deadlock",
				Message:  fmt.Sprintf("nothing sends on or closes %s: this receive blocks forever", name),
				Related:  []analysis.RelatedInformation{made},
			})
		}
		return
	}
	if receivers == 0 && closes == 0 && size >= 0 {
		if size == 0 {
			for _, op := range o.selSends {
				pass.deadCase(op.Instr, op.State, fmt.Sprintf("nothing receives from %s", name))
			}
		}
		for _, op := range o.sends {
			if size > 0 {
				// Only sends the maker's own goroutine makes in order:
				// count the sends that precede this one on every path.
				if op.Node.G.Parent != nil || op.Node.Fn != maker {
					continue
				}
				if before := dominatingSends(op, o.sends); before < size {
					continue
				}
			}
			msg := fmt.Sprintf("nothing receives from %s: this send blocks forever", name)
			if size > 0 {
				msg = fmt.Sprintf("nothing receives from %s and its buffer of %d is full on every path here: this send blocks forever", name, size)
			}
			pass.Report(analysis.Diagnostic{Pos: op.Instr.Pos(), Category: "deadlock", Message: msg, Related: []analysis.RelatedInformation{made}})
		}
		return
	}
	if closes == 0 && len(o.sends) > 0 && !o.lifetime {
		for _, op := range append(append([]op(nil), o.recvs...), o.selRecvs...) {
			if !closeOnlyLoop(pass, op.Op) {
				continue
			}
			rel := []analysis.RelatedInformation{made}
			for _, s := range o.sends {
				rel = append(rel, analysis.RelatedInformation{Pos: s.Instr.Pos(), Message: "values are sent here, but the channel is never closed"})
			}
			msg := fmt.Sprintf("nothing closes %s: this range over it never ends, and its goroutine blocks forever after the last value", name)
			if !pass.ranges[op.Instr.Pos()] {
				msg = fmt.Sprintf("nothing closes %s: the loop around this receive is left only when the receive finds the channel closed, so it never ends, and its goroutine never returns after the last value", name)
			}
			pass.Report(analysis.Diagnostic{Pos: op.Instr.Pos(), Category: "deadlock", Message: msg, Related: rel})
		}
	}
	if closes > 0 {
		selfCloseAfterRange(pass, o, name, made)
	}
	// The only waker is a deferred close in the function that waits.
	if len(o.sends) == 0 && len(o.selSends) == 0 && len(o.closes) == 0 && len(o.deferCloses) == 1 {
		dc := o.deferCloses[0]
		for _, op := range o.recvs {
			if op.Instr.Parent() != dc.Instr.Parent() || op.Node.G != dc.Node.G || op.Base != dc.Base {
				continue
			}
			fn := op.Instr.Parent().Name()
			pass.Report(analysis.Diagnostic{
				Pos:      op.Instr.Pos(),
				Category: "deadlock",
				Message: fmt.Sprintf("%s waits here for %s to be closed, but the only close is its own deferred close (line %d), which runs after %s returns: the receive blocks forever",
					fn, name, pass.pass.Fset.Position(dc.Instr.Pos()).Line, fn),
				Related: []analysis.RelatedInformation{{Pos: dc.Instr.Pos(), Message: "the only close, deferred to " + fn + "'s return"}, made},
			})
		}
	}
}

// rangeLeaves reports whether the body of the range loop whose receive is
// u can leave the loop other than by the channel's close: a return, a
// break, a panic, or a call that does not return (t.Fatal, os.Exit,
// runtime.Goexit, log.Fatal). Such a loop need not block after the last
// value (nats-server's "for err := range errs { t.Fatalf(...) }").
func rangeLeaves(u *ssa.UnOp) bool {
	head := u.Block()
	iff, ok := head.Instrs[len(head.Instrs)-1].(*ssa.If)
	if !ok {
		return true
	}
	done := iff.Block().Succs[1]
	seen := map[*ssa.BasicBlock]bool{head: true}
	stack := []*ssa.BasicBlock{iff.Block().Succs[0]}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if b == done {
			return true // break
		}
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Return:
				return true
			case *ssa.Panic:
				if !selectMismatch(in) { // go/ssa's panic after a blocking select's last case runs never
					return true
				}
			case *ssa.Call:
				if chanuse.NoReturn(in.Common()) {
					return true
				}
			}
		}
		stack = append(stack, b.Succs...)
	}
	return false
}

// dominatingSends counts the sends executed before op on every path: those
// in dominating blocks and those earlier in op's own block.
func dominatingSends(op op, sends []op) int {
	n := 0
	b := op.Instr.Block()
	for _, s := range sends {
		if s.Instr == op.Instr || s.Instr.Parent() != op.Instr.Parent() {
			continue
		}
		sb := s.Instr.Block()
		if sb == b {
			if index(s.Instr) < index(op.Instr) {
				n++
			}
		} else if sb.Dominates(b) && !ssaloop.InLoop(sb) {
			n++
		}
	}
	return n
}

func index(instr ssa.Instruction) int {
	for i, in := range instr.Block().Instrs {
		if in == instr {
			return i
		}
	}
	return -1
}

// class is a private channel field followed over the whole package
// (chanuse.Fields), with its operations grouped.
type class struct {
	*chanuse.Class
	name string
	o    ops
}

// fields checks every private channel field of this package's struct
// types as a class: the field's loads in every function, what they do
// with the channel, and what is stored in it.
func fields(st *state, funcs []*ssa.Function) {
	sites := newCallSites(funcs)
	for _, cc := range chanuse.Fields(st.pass.Pkg, st.sealed, funcs) {
		c := &class{Class: cc}
		for _, op := range cc.Ops {
			c.o.add(op)
		}
		if c.Escapes || c.Stored {
			for _, mc := range c.Makes {
				st.census(mc, "field: not followed (escapes %v: %s; stored %v)", c.Escapes, c.Why, c.Stored)
			}
			continue
		}
		// A field whose channel is made in one function and followed from
		// there is the local check's; the class adds the uses elsewhere.
		name := fmt.Sprintf("field %s of %s", c.Field.Name(), ownerName(st.sealed, c.Field))
		c.name = name
		st.queues = append(st.queues, c)
		var made analysis.RelatedInformation
		size := 0
		if len(c.Makes) == 0 {
			if st.initSet[c.Field] {
				continue // made by a package variable's initializer
			}
			// Never assigned: a nil channel.
			for _, op := range append(append([]op(nil), c.o.selSends...), c.o.selRecvs...) {
				st.deadCase(op.Instr, op.State, fmt.Sprintf("%s is never assigned, so it is nil", name))
			}
			ops := append(append([]op(nil), c.o.sends...), c.o.recvs...)
			for _, op := range ops {
				st.Report(analysis.Diagnostic{
					Pos:      op.Instr.Pos(),
					Category: "deadlock",
					Message:  fmt.Sprintf("%s is never assigned a channel in this package, so it is nil here, and an operation on a nil channel blocks forever", name),
					Related:  []analysis.RelatedInformation{{Pos: c.Field.Pos(), Message: "the field, never assigned"}},
				})
			}
			continue
		}
		size = capacity(c.Makes[0])
		for _, m := range c.Makes[1:] {
			if capacity(m) != size {
				size = -1
			}
		}
		made = analysis.RelatedInformation{Pos: c.Makes[0].Pos(), Message: "the field's channel is made here"}
		c.o.lifetime = !stoppable(st.sealed.Owner(c.Field))
		selfSend(st, c, size, sites)
		if size > 0 {
			size = -1 // the send count is per instance: not followed for classes
		}
		report(st, &c.o, name, made, size, true, nil)
	}
}

// ownerName names the struct type that declares v (the field does not
// know it).
func ownerName(s *chanuse.Sealed, v *types.Var) string {
	if tn := s.Owner(v); tn != nil {
		return tn.Name()
	}
	return "a struct"
}

// stoppable reports whether the type named tn (nil: not known) has a
// method, on its pointer, that by its name ends the object's life: Close,
// Stop, Shutdown and the like, io.Closer's convention. Without one, the
// object lives as long as the program.
func stoppable(tn *types.TypeName) bool {
	return tn == nil || stopMethod(tn) != nil
}

// stopMethod returns the first method of *tn whose name ends the object's
// life (see stoppable), or nil.
func stopMethod(tn *types.TypeName) types.Object {
	ms := types.NewMethodSet(types.NewPointer(tn.Type()))
	for i := 0; i < ms.Len(); i++ {
		name := strings.ToLower(ms.At(i).Obj().Name())
		for _, p := range []string{"close", "stop", "shutdown", "terminate", "quit", "cancel", "halt", "exit", "destroy", "dispose", "teardown"} {
			if strings.HasPrefix(name, p) {
				return ms.At(i).Obj()
			}
		}
	}
	return nil
}

// selfCloseAfterRange reports a range over a channel whose every close is
// made by the ranging function itself, after the loop or in its own defer
// (apache/pulsar-client-go#462: "for r := range ch { ... }; close(ch)"):
// the loop can end only once the channel is closed, and nothing closes it
// before the loop ends. Senders elsewhere do not help: once they stop, the
// range blocks forever.
func selfCloseAfterRange(pass *state, o *ops, name string, made analysis.RelatedInformation) {
	for _, r := range o.recvs {
		u, ok := r.Instr.(*ssa.UnOp)
		if !ok || !u.CommaOk || !pass.ranges[u.Pos()] || rangeLeaves(u) {
			continue
		}
		head := u.Block()
		iff, ok := head.Instrs[len(head.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		done := iff.Block().Succs[1]
		fn := u.Parent()
		after := func(c op) bool {
			if c.Instr.Parent() != fn || c.Node.G != r.Node.G || c.Base != r.Base {
				return false
			}
			if _, ok := c.Instr.(*ssa.Defer); ok {
				return true // runs when fn returns, which the range holds back
			}
			return done.Dominates(c.Instr.Block())
		}
		all := true
		for _, c := range append(append([]op(nil), o.closes...), o.deferCloses...) {
			if !after(c) {
				all = false
				break
			}
		}
		if !all {
			continue
		}
		rel := []analysis.RelatedInformation{made}
		for _, c := range append(append([]op(nil), o.closes...), o.deferCloses...) {
			rel = append(rel, analysis.RelatedInformation{Pos: c.Instr.Pos(), Message: "the only close, which runs only after the range has ended"})
		}
		pass.Report(analysis.Diagnostic{
			Pos:      r.Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s ranges over %s, but the only close of it is %s's own, after the loop: the range never ends, and its goroutine blocks forever after the last value",
				fn.Name(), name, fn.Name()),
			Related: rel,
		})
	}
}
