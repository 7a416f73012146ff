// Package deadlockleak defines an Analyzer that finds goroutines that block
// forever sending on a channel nobody will receive from any more.
//
// # Analyzer deadlockleak
//
// deadlockleak: report sends that no receiver will ever take.
//
// The classic leak: a function makes an unbuffered channel, starts a
// goroutine that sends its result on it, and receives in a select that can
// also take another case (ctx.Done(), a timer, a default) and return. When
// that other case wins, nobody will ever receive: the goroutine's send
// blocks forever and the goroutine, with everything it references, leaks.
//
//	ch := make(chan result)
//	go func() { ch <- work() }() // blocks forever if ctx is done first
//	select {
//	case r := <-ch:
//		return r
//	case <-ctx.Done():
//		return ctx.Err()
//	}
//
// The channel is followed with analyzer/internal/chanuse: through
// variables captured by closures, arguments of this package's functions and
// methods, and a field of a struct the function allocates itself (the
// struct handed to methods and goroutines). A function literal handed to a
// group's Go (sync.WaitGroup.Go, errgroup's Group.Go) is a goroutine
// started there, as by a go statement; for a channel field, so is a
// method value handed to it (wg.Go(w.loop)). Every goroutine that sees it
// must either only send (plain sends, select sends, close) or receive, and
// exactly one goroutine receives: the function itself, a goroutine it
// starts, and the helpers either calls. The send is reported when the
// receiver can return without receiving: after the sender's go statement
// (or from the receiving goroutine's entry) there is a path to a return
// that passes no receive, leaving a select through another case (an empty
// case falls out of the select), its default, an early return between
// several receive sites, or a helper that itself returns without
// receiving. When a receive is in a loop, only a select's other case counts
// as a way out (a counted loop's early exit is not a real path); a case
// that sets the loop's flag to leave (done = true on ctx.Done(), then
// for !done) leaves through the loop's test (hashicorp/go-eventlogger#7).
//
// With a buffer of N the leak needs more than N goroutines that each send
// once, or one goroutine, started once, that sends with a plain send in a
// loop no count bounds (or calls a helper that sends from such a loop) and
// watches no channel there: a stream producer fills any constant buffer
// once its receiver has gone (istio/istio#10822, room for 1). When every receive is a plain one outside loops, more such senders
// than the buffer plus the receive sites leak whichever sends last
// (two goroutines answering into one channel read once). A goroutine
// sends once when it has a single send outside loops, or when every send
// of its own is its last act on the channel: a polling loop that reports
// its failure on the way out (errCh <- err; return) and never comes back
// to a send (traefik/traefik#3036: watchers that all fail when the server
// is down, read once).
//
// The senders are counted per goroutine started: one helper started twice
// (go half(a, b, done); go half(b, a, done), ansible/receptor#636) is two
// senders. A sender that sends again on every path after one of its
// sends (if err != nil { ch <- err } with no return, then ch <- v;
// enobufs/go-nats#2) counts every send of that run. A goroutine started
// in a loop counts at least twice (the loop going round once more is
// enough): "first answer wins" over a loop of goroutines, read once,
// leaks all but one. A literal kept in a variable and started in several
// places (half := func(...) {...}; go half(a, b); go half(b, a)) is one
// sender per start.
//
// A function literal that captures the channel and is handed to a
// function that is not followed (an interface's method such as a
// subscription's Subscribe, another package's function, or one of this
// package's that takes a func value, as a job pool's ForEachJob) is a
// callback: its body is still the only code that reaches the channel that
// way, but it may run on any goroutine, any number of times, or never. A
// callback that sends more values in one call than the maker receives is
// reported as above; callbacks that only offer values in selects do not
// stop a goroutine's plain send from being reported when the receiver
// can leave first (grafana/loki#21062: the jobs send in a select on ctx,
// the final error plainly).
//
// The done channel sent on before its close: an exported function that
// nothing in the package calls makes an unbuffered chan struct{}, returns
// it, and starts one goroutine that sends a value on it and then closes
// it (or defers the close). The close alone wakes every receiver; the
// send waits for one, and a caller that selects on the channel and leaves
// through another case, or never receives, leaves the goroutine blocked
// for good (openHPI/poseidon#430, a merged context's Done). A channel with
// a value type (a future) or a buffer is not reported.
//
// The first-error-wins leak: goroutines started in a loop (or several of
// them) each send once on an unbuffered channel, and their starter
// receives in a loop, but can leave it after a receive (a return on the
// first error, a break): the goroutines that have not sent yet block
// forever (dgraph-io/dgraph#3074). Ending the goroutine instead (t.Fatal,
// a panic) is not reported.
//
// The abandoned stream: one goroutine sends a stream of values on an
// unbuffered channel, from a single send in a loop that goes straight
// round to its next send, and the function that starts it (or calls the
// helper that starts it and returns the channel) ranges over the channel
// or receives in a loop, but can leave the loop after a value (a return
// on an error or a match, a break) and return without receiving again:
// the goroutine's next send blocks forever (jwilder/dockerize#324,
// tendermint/tendermint#1811). The receiver may also be one goroutine the
// function starts; when the function itself feeds such a receiver from a
// loop, its own next send blocks it. A range's end at the close is its normal
// exit; a sender whose send is followed by a return or a test (its last
// value, an error) is not reported.
//
// A function that returns the channel its goroutines send on (a "run f and
// hand me the result channel" helper) is checked with each caller in the
// package as the receiving side, from the call on, and through a wrapper
// that only returns what the helper returns, with the wrapper's callers.
// The channel may be one result of a tuple (func loop(args ...int)
// (<-chan int, error), jwilder/dockerize#324's own signature; or
// (<-chan T, func(), error)): the caller's extract of that result is
// the channel.
//
// An unbuffered channel kept in a private struct field, whoever makes the
// struct (chanuse.Fields), is checked as a class: plain sends anywhere,
// every receive in one function that the package calls from one place
// outside loops, and a select there that can leave through another case
// without receiving.
//
// The abandoned feeder: the function that makes the channel starts one
// goroutine that receives from it in a select that can also take a case
// firing from outside (the Done of a context passed in, kept in a field,
// or given a deadline; a timer) and return, and then sends on the channel
// itself with plain sends: once the receiver has returned, the function's
// next send blocks it forever (evstack/ev-node#1476). The receiver may be
// started by a helper of the package that the function calls with the
// channel (containerd/containerd#1907), or by the helper that makes the
// channel and returns it, the function sending after that call
// (cilium/cilium#13408). A channel handed to os/signal.Notify (followed
// back through parameters to every caller's argument) fires from outside
// too. A stop channel kept
// in a struct field that another function of the package closes (Stop)
// fires from outside too. A stop channel or a context the function makes
// from scratch, or a field it closes itself, closed or canceled after its
// sends, is not such a case.
//
// The same holds per instance for a subscription: a function that
// allocates a struct, stores a new unbuffered channel in its private field
// and starts one function literal (not in a loop) that receives from that
// struct's field, in a select that can return through another case (the
// subscriber's context); plain sends on the field elsewhere (a dispatcher
// walking its subscribers) block forever once that instance's goroutine
// has returned (kubernetes/kubernetes#1321). Likewise for a request
// with its own reply channel: a function that allocates the request,
// makes the channel into its field and is its only receiver, in a select
// that can return on its context, while a server loop replies with plain
// sends: once the caller has given up, the loop blocks on that reply
// (juju/juju#21907). For these two per-instance shapes the case the
// receiver leaves through must fire independently of the senders: a
// default, a context, a timer, or a field's channel that no sending
// function (nor a function it calls) closes or sends on; a loop that
// closes its own "closed" channel after its last reply leaves nothing
// pending.
//
// The unguarded send of a loop that stops on a signal: a loop whose
// select returns when a stop channel fires (a context's Done, a chan
// struct{} or chan bool such as quit) also sends on a channel it did not make with a
// plain send, in the same cycle of the loop. The stop signal is how the
// loop learns that its partner is leaving, so the receiver it feeds may
// be gone: the send blocks forever and the goroutine never sees the stop.
// It is reported when the author plainly knows the receiver can leave:
// the function also sends on the same channel in a select that watches a
// stop channel (square/p2#640), or the channel is a struct field that a
// function of the package hands to its caller as a result (an accessor
// such as Next, a constructor returning its output channel;
// ethersphere/bee#1456, lestrrat-go/backoff#30), or an exported chan
// field of an exported type that only the package fills with channels it
// makes (the users receive from it). A loop that also
// receives from the channel it sends on feeds itself and is not reported.
// The send may be in a helper of the package that the loop calls (c.emit()
// sending on a field of its receiver), one level deep. A third kind of
// evidence: the channel is an unbuffered private field, never closed by
// the sender, whose every receive is a select case beside a stop case that
// returns on a signal the sending function does not give itself (a
// consumer leaving on its context): the consumer can leave while a send is
// pending. Another function's close (a Close under a sync.Once) does not
// wake a blocked sender, it panics it (cloudevents/sdk-go#936). A fourth:
// the loop is a function literal feeding a channel that its maker made
// and returns to its caller (a generator polling its context with a
// default, then sending plainly).
// The select need not be in a loop: a function that waits for its work or
// a stop signal, returning on the stop, and in the work's case sends
// plainly, with the same evidence that the receiver can leave
// (kubernetes/kubernetes#25331: the error event sent on the channel that
// ResultChan hands to the consumer, after a select on the watch's error
// and the context). A fifth kind of evidence, for either: another
// function of the package sends on the same field in a select that
// watches a stop signal (the guard given to one send and not the other).
// The guard given to one send and not the other needs no stopping loop:
// a function that sends on a channel in a select that gives up when a
// stop signal fires, and elsewhere sends on it plainly, on a path the stop
// case does not lead to, leaves that send waiting once the receiver has
// stopped (graph-gophers/graphql-go#626: the data response watches the
// context, the timeout's error response does not). A channel made with a
// buffer, or one the function also receives from, is not reported.
// The receiving side likewise: a plain receive in such a loop from a
// channel that the function also receives from in a select watching a
// stop signal (a header taken in the select, then a body taken plainly)
// waits forever once the sender has stopped without closing; a receive
// that tests for the close (v, ok := <-ch) is not reported.
//
// Goroutines waiting for a context that outlives their work. The
// cancellation forwarder: a function makes a context (context.WithCancel,
// WithTimeout, ...) and starts a goroutine whose only wait is another
// context's Done, after which it calls the new context's cancel; when the
// cancel is also used elsewhere (returned, deferred, stored), the new
// context usually ends that way first and the goroutine waits for the
// other one forever (vanadium/core#214); likewise when the goroutine waits
// only for a stop channel from outside (a parameter, a struct's field)
// that the function neither closes nor sends on. The per-call watcher: a function
// starts a goroutine (at any depth of closures) whose only wait is the
// Done of a context parameter, and a function of the package calls it
// from an unbounded loop (a for with no condition, a range over a
// channel), passing the same context on every round:
// one more goroutine is left waiting each round (argoproj/argo-cd#448).
// A forwarder whose cancel nobody else holds is reported when it waits
// on stop channels alone and the new context is made from a context
// parameter and returned (or kept in a struct's field): it ends with its parent, and nothing obliges
// the channel's owner to close it then (grafana/xk6-browser#238).
// A goroutine that waits for the new context's own Done, a cancel nobody
// else holds, a counted or ranged loop, or a context made afresh each
// round is not reported.
// The forwarder's wait may be a select on several such cases at once (the
// core context and the server's quit channel; hashicorp/vault#5506): as
// long as none of them is the new context's Done (or one made from it),
// nor a channel the function closes, the same holds. The watcher on a
// context nobody cancels: a goroutine whose only way out is the Done of a
// context its function was passed (its other cases receive from private
// fields nothing in the package closes or sends on, or handle a value and
// go back to the wait; the context may be kept in a field of the struct
// the starter makes, or one the starter sets, and nothing else does, on
// the value it starts the goroutine on: a Start keeping its ctx in
// cw.ctx, kubescape/node-agent#837; or one that a single store in the
// package sets from its function's parameter, a constructor given the
// context), where a chain of
// callers, through parameters, passes context.Background() or TODO() (or
// a WithValue or WithoutCancel of one) from anywhere but main, init or a
// test: each such call leaves a goroutine waiting forever
// (keybase/kbfs#1437).
//
// The reply channel handed off in a request (hyperledger/fabric-sdk-go#72,
// the general form of the per-instance reply above): a function makes an
// unbuffered channel into a field of a struct it allocates (exported or
// not, of any direction), hands the struct on (sent on a queue, boxed in
// an interface, passed to a helper, copied as a value) and receives the
// reply only in a select that can give up through a case that fires
// independently of the replier; every plain send on that field elsewhere
// in the package (the dispatcher's reply, after a type switch) is
// reported. The reply channel may also be queued itself on a channel of
// channels kept in a field (asks chan chan int), the replier sending on
// what it takes from that queue. A submit helper may make the request and
// return the reply channel: each caller that receives from the result is
// then the requester. A replier that sends in a select, another receiver of the
// field, or a requester that never gives up is not.
//
// The receiver that starts its own senders: an unbuffered channel kept in
// a private field (made by a constructor) whose every receive is in one
// function, which may be called from anywhere (an exported Start), when
// that function itself starts the goroutines that make every plain send
// on the field (directly, through helpers they call, or from callbacks
// they hand on), and its select can return through a case that fires
// independently of them (its context, a timer, a Close): each call that
// leaves that way leaves its own sender blocked
// (kubernetes-sigs/controller-runtime#2527: Start reports leader
// election's failure on errChan and returns on its context). A case on a
// channel the started goroutine closes itself, once it has sent, is not a
// way around it.
//
// The deferred send with no receiver: a function makes an unbuffered
// channel and defers a send on it (defer func() { done <- true }(), or a
// deferred helper that sends), unconditionally, while every receive is on
// goroutines started after the defer, by the function or a helper it calls
// with the channel, that can return without starting them (an error
// return before the go statement): on that return the deferred send has
// no receiver and the function never returns (ansible/receptor#263: an
// unknown work unit). A receiver started before the defer, a send guarded
// by a test, a close, or a panic on the way out is not reported.
//
// The collector whose senders may give up: every goroutine that sends on
// a channel offers its value only in a select that can also take a case
// firing from outside (the Done of a context passed in or given a
// deadline, a timer, or a stop channel field that a third function of
// the package closes: close(c.quit) in Close) and go on without sending,
// nothing closes the
// channel, and the one goroutine that receives uses plain receives only.
// Once that case fires, the plain receive waits forever for a value no
// one will send, whatever the buffer (tendermint/tendermint#8871: one
// goroutine per witness answers in a select on ctx.Done(), the caller
// loops cap(ch) times on <-ch). Senders that give up on a stop channel the
// collector closes itself, or a channel closed once all have sent (a
// range), are not reported.
//
// The buffer that unbounded senders fill: goroutines started in a loop no
// count bounds (a range over a channel, a loop that ends when a read
// fails, a for with no condition) each send once on a channel made with a
// constant buffer, and the receiver can return through a select case that
// fires from outside (its context, a timer) without receiving: once more
// of them have sent than the buffer holds, the rest block forever
// (nci/gsky#227: a worker per granule read from a channel, an error
// channel with room for 100, a handler that returns on its timeout). A
// constant buffer matches only a constant count: a loop is bounded only
// by an exit test against a constant no larger than the room (a counted
// loop, a range over an array, a slice literal or items[:3]); a range
// over a slice the caller passes, a map or up to a parameter is not
// (fitsBuffer). A loop that receives from the channel itself (a sender
// started per value taken), or a receiver that leaves only on a signal
// that follows the senders' end is not reported. The same holds for a
// buffered field (fieldOverflow), whose senders may also send through a
// helper their goroutine calls once, be started by a goroutine the
// receiver starts, or be a fixed number started once each, more than the
// buffer holds (caddyserver/caddy#7418 with the error channel in a field).
//
// The producer that outlives its consumer: a function sends on a private
// channel field with plain sends in a loop no count bounds (reading
// requests off a stream), on the same instance every round, while every
// receive of the field is a select case beside a stop case that returns
// on a signal (a closed channel, a context's Done) that the producer
// neither gives itself nor is followed by (its callers do not close it
// once it returns). Once the consumer has stopped, the next send (or the
// first after the buffer fills) blocks forever (etcd-io/etcd#18739:
// recvLoop queues control responses on ctrlStream, room for 16, which
// sendLoop stops reading when closec is closed). The send may also be a
// single one in a method or helper that such a loop calls, up to three
// levels, with the same instance (openshift-kni/oran-o2ims#455: Notify,
// called for every event a database listener reads). A plain receive or a
// range of the field, a producer that closes it, or a send into an
// instance the sending function makes itself (a constructor called in a
// loop) is not reported. A cleanup loop in the stop case (shutting
// workers down) still leaves.
//
// The stream abandoned by a consumer that stops on its own: one function,
// run as a goroutine (go x.readLoop(), or from a literal), sends on a
// private field with a plain send in a loop no count bounds that watches
// no channel, and every receive of the field is a plain one in a loop
// that can be left from a block no receive dominates: the consumer stops
// on its own test (its state machine's next step, a want() condition),
// not on the stream's close (restatedev/sdk-go#141: pollProgress takes
// input only while the state machine asks for it). A consumer that drains
// to the close, or takes a count of values, is not reported.
//
// The release function thrown away: a function makes a value with a
// channel field (its own context, a subscription, a watcher), starts a
// goroutine that only waits, on channels of its parameters (the parent's
// Done) and on that value's own channel, which only a function value it
// returns closes (a closure or a method value: the cancel), and does not
// close it itself. A call in the package that discards every such result
// (assigned to _, or the call's results unused) leaves the goroutine
// waiting for the parent alone, one more per call
// (facebookarchive/contest#223: WithCancelAndPause, whose cancel a step
// drops to keep only pause). It is go vet's lostcancel for cancel
// functions the package writes itself. The value may also be a context
// the function derives with the standard library (context.WithCancel,
// WithTimeout) and whose cancel it returns without calling or handing it
// elsewhere, the goroutine waiting on its Done and on what the
// parameters give (a writer's CloseNotify, a stop channel, a field of a
// parameter) (stellar-deprecated/horizon#161: ctx, _ = CancelWhenClosed).
//
// The send before the close the receiver waits for: a goroutine has a
// result stream and an unbuffered error channel, kept in two private
// fields (made by its starter, or by a constructor that starts it as a
// method) or in its starter's variables, and, on its way out, sends its
// error plainly before it closes
// the stream (or its deferred close does), while a function of the
// package ranges over the stream, which only the close ends (or, when
// nothing sends on it, a done channel, receives from it once), and
// receives the error only after: each waits for the other forever
// (ClickHouse/clickhouse-go#548: rows.Close draining the blocks before
// the errors). A receiver that takes both in one select, a goroutine of
// the package that receives the errors, or a close before the send is
// not reported.
//
// The signal only offered: a plain receive, outside loops, on an
// unbuffered private channel field that nothing closes and that is only
// sent on in selects with a default, which deliver only to a receiver
// already waiting. The receiving function sets the offer going just
// before it waits: it starts the sender, whose one offer is outside any
// loop (a server's ready signal), or it sends a request on another field
// that the sender's loop takes, answering each with one offer (a
// writer's flush marker). The offer can come first and is dropped, and
// the receive waits forever. A buffer of one, a close, a plain send, an
// offer repeated in a loop, or a receive in a select with a timeout is
// not reported.
//
// Nothing is reported when the channel escapes (stored elsewhere, returned
// on by a caller, sent on a channel, passed to another package), when the function itself
// sends, when a deferred call receives (it drains on the way out), or when
// another goroutine closes the channel. When one goroutine sends once, it
// suggests giving the channel a buffer of one.
package deadlockleak

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"reflect"
	"slices"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/ssa"
)

// Analyzer reports goroutines that block forever on a send after the only
// receiver has returned.
var Analyzer = &analysis.Analyzer{
	Name:     "deadlockleak",
	Doc:      "report sends on an unbuffered channel whose only receiver (a select, a receive loop or range left early, a subscriber or caller that gave up on its context) can return first: the send blocks forever",
	URL:      "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/deadlockleak",
	Requires: []*analysis.Analyzer{buildssa.Analyzer, inspect.Analyzer},
	Run:      run,
	// Other passes read what was reported so as not to report the same
	// operation again (chanblock's interleaving checker).
	ResultType: reflect.TypeFor[*Result](),
}

// Result is what deadlockleak reported on a package.
type Result struct {
	reported map[token.Pos]bool
}

// Reported reports whether a diagnostic was reported at pos (false for a
// nil Result: deadlockleak did not run).
func (r *Result) Reported(pos token.Pos) bool { return r != nil && r.reported[pos] }

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	funcs := chanuse.SrcFuncs(ssainput) // with package-level literals
	// A field's channel made by a function that allocates the struct is
	// seen both from its make and as a field class: report it once.
	report, seen := pass.Report, map[token.Pos]bool{}
	pass.Report = func(d analysis.Diagnostic) {
		if !seen[d.Pos] {
			seen[d.Pos] = true
			report(d)
		}
	}
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	makes := map[token.Pos]*ast.CallExpr{} // Lparen -> make call
	insp.Preorder([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node) {
		call := n.(*ast.CallExpr)
		if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && id.Name == "make" && len(call.Args) == 1 {
			makes[call.Lparen] = call
		}
	})
	callers := map[*ssa.Function][]*ssa.Call{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(*ssa.Call); ok {
					if callee := c.Call.StaticCallee(); callee != nil && !c.Call.IsInvoke() {
						// A call of a generic function's instance runs the
						// generic body, which is the function analyzed.
						if o := callee.Origin(); o != nil {
							callee = o
						}
						callers[callee] = append(callers[callee], c)
					}
				}
			}
		}
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					n := len(seen)
					check(pass, fn, mc, makes, callers, funcs)
					if len(seen) == n && capacity(mc) > 0 {
						// A constant buffer the other patterns left
						// alone: sized by no count its receiver waits for.
						missized(pass, mc)
					}
				}
			}
		}
	}
	classes := chanuse.Fields(pass.Pkg, chanuse.NewSealed(pass.Pkg), funcs)
	fieldLeaks(pass, funcs, classes)
	stopLoops(pass, funcs, classes)
	producers(pass, funcs, classes, callers)
	droppedReleases(pass, funcs, callers)
	ctxWaits(pass, funcs, callers, classes)
	handoffs(pass, funcs, callers)
	sendOrders(pass, funcs, classes)
	unreadFields(pass, funcs, classes)
	droppedSignals(pass, funcs, classes)
	return &Result{reported: seen}, nil
}

// capacity returns the constant buffer size of mc, or -1.
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

// role sums up what one goroutine does with the channel.
type role struct {
	g                              *chanuse.Node
	sends, selSends, recvs, closes []chanuse.Op
	deferredRecv                   bool // a deferred call receives: it drains on the way out
}

func roles(nodes []*chanuse.Node) []*role {
	byG := map[*chanuse.Node]*role{}
	var out []*role
	for _, n := range nodes {
		r := byG[n.G]
		if r == nil {
			r = &role{g: n.G}
			byG[n.G] = r
			out = append(out, r)
		}
		_, deferred := n.Call.(*ssa.Defer)
		for _, op := range n.Ops {
			switch op.Kind {
			case chanuse.Send:
				r.sends = append(r.sends, op)
			case chanuse.SelectSend:
				r.selSends = append(r.selSends, op)
			case chanuse.Recv, chanuse.SelectRecv:
				r.recvs = append(r.recvs, op)
				if deferred {
					r.deferredRecv = true
				}
			case chanuse.Close, chanuse.DeferClose:
				r.closes = append(r.closes, op)
			}
		}
	}
	return out
}

func check(pass *analysis.Pass, fn *ssa.Function, mc *ssa.MakeChan, makes map[token.Pos]*ast.CallExpr, callers map[*ssa.Function][]*ssa.Call, funcs []*ssa.Function) {
	size := capacity(mc)
	// The collector whose senders may give up, whatever the buffer (a
	// literal started twice is two senders).
	if cb := chanuse.FollowCallbacks(mc); !cb.Escapes && len(cb.Returns) == 0 && giveUpCollect(pass, mc, roles(cb.Nodes), funcs) {
		return
	}
	ch := chanuse.Follow(mc)
	if abandonedPool(pass, mc, size, ch) {
		return
	}
	if size < 0 {
		missized(pass, mc)
		return
	}
	if offerFill(pass, mc, size, ch) {
		return
	}
	if size == 0 && !ch.Escapes && len(ch.Returns) == 0 && deferredSend(pass, mc, ch) {
		return
	}
	if ch.Escapes {
		callbackLeaks(pass, mc, size, makes, funcs)
		return
	}
	if len(ch.Returns) == 0 {
		if budget(pass, mc, size, roles(ch.Nodes), ch.Nodes[0]) {
			return
		}
		decide(pass, mc, size, ch.Field, ch.Nodes, roles(ch.Nodes), ch.Nodes[0], nil, makes, funcs)
		return
	}
	if sendThenClose(pass, fn, mc, size, ch, callers) {
		return
	}
	// fn returns the channel its goroutines send on (a "run f and hand
	// me a channel" helper): the receivers are in its callers.
	var mine []*role
	for _, r := range roles(ch.Nodes) {
		if r.g == ch.Nodes[0] {
			if len(r.sends)+len(r.selSends)+len(r.recvs)+len(r.closes) > 0 {
				return
			}
			continue
		}
		mine = append(mine, r)
	}
	for _, call := range resultCalls(fn, callers, 0) {
		cc := chanuse.FollowResult(call, mc)
		if cc.Escapes || len(cc.Returns) > 0 {
			continue
		}
		nodes := append(append([]*chanuse.Node(nil), ch.Nodes...), cc.Nodes...)
		rs := append(append([]*role(nil), mine...), roles(cc.Nodes)...)
		if decide(pass, mc, size, nil, nodes, rs, cc.Nodes[0], call, makes, funcs) {
			return
		}
	}
}

// resultCalls returns the calls of fn, a function that returns a channel,
// whose callers use the channel: the calls of fn, and, for a wrapper that
// only returns what fn returns (return c.async()), the wrapper's calls.
func resultCalls(fn *ssa.Function, callers map[*ssa.Function][]*ssa.Call, depth int) []*ssa.Call {
	var out []*ssa.Call
	for _, call := range callers[fn] {
		if refs := *call.Referrers(); depth < 2 && len(refs) == 1 {
			if ret, ok := refs[0].(*ssa.Return); ok && len(ret.Results) == 1 && call.Parent().Parent() == nil {
				out = append(out, resultCalls(call.Parent(), callers, depth+1)...)
				continue
			}
		}
		out = append(out, call)
	}
	return out
}

// decide reports the leak, if any, given every goroutine's role: root is
// the function whose goroutine may receive, and after, when set, the call
// in root that starts the senders (else each sender's go statement, in
// root). It reports whether it reported.
func decide(pass *analysis.Pass, mc *ssa.MakeChan, size int, field *types.Var, nodes []*chanuse.Node, rs []*role, root *chanuse.Node, after ssa.Instruction, makes map[token.Pos]*ast.CallExpr, funcs []*ssa.Function) bool {
	var recv, self *role
	var senders []*role
	for _, r := range rs {
		switch {
		case len(r.recvs) > 0:
			if recv != nil || len(r.sends) > 0 || len(r.selSends) > 0 || len(r.closes) > 0 || r.deferredRecv {
				return false // two receiving goroutines, or one that also sends or closes
			}
			recv = r
		case len(r.sends) > 0:
			if r.g == root {
				if self != nil {
					return false
				}
				self = r // the maker sends itself: makerBlocks
				continue
			}
			senders = append(senders, r)
		case len(r.closes) > 0:
			return false // someone else closes: too subtle
		}
		// A goroutine that only offers values in selects takes no
		// one's send: it neither rescues nor blocks the others.
	}
	if recv == nil || (len(senders) == 0) == (self == nil) {
		return false
	}
	w := &walker{helpers: map[ssa.Instruction]*chanuse.Node{}, recvs: map[ssa.Instruction]bool{}, vals: map[ssa.Value]bool{}}
	for _, n := range nodes {
		if n.G == recv.g && n.Call != nil && n != recv.g {
			w.helpers[n.Call] = n
		}
		for v := range n.Vals {
			w.vals[v] = true
		}
	}
	for _, op := range recv.recvs {
		w.recvs[op.Instr] = true
		if ssaloop.InLoop(op.Instr.Block()) {
			// A receive in a loop: leaving the loop before it has
			// received enough is not a path the program takes; only a
			// select's other case is a way out.
			w.needVia = true
		}
	}
	if recv.g.Start != nil && ssaloop.InLoop(recv.g.Start.Block()) {
		return false // several receiving goroutines
	}
	if self != nil {
		return makerBlocks(pass, mc, size, self, recv, root, after, w, funcs)
	}
	if len(senders) == 1 {
		w.late = lateSignal(recv, senders[0], w)
	}
	if streamTake(pass, mc, size, recv, root, senders, after) {
		return true
	}
	// Buffered: only goroutines that send exactly once, and more of them
	// than the buffer holds, or a goroutine that sends without bound: a
	// constant buffer only delays its block.
	stream := map[*role]ssa.Instruction{}
	if size > 0 {
		if overflow(pass, mc, size, recv, root, senders, w) {
			return true
		}
		simple := 0
		for _, s := range senders {
			if simpleSender(s) {
				simple++
			}
			// A field's producer is left to the field rules (producer.go).
			if at := unboundedSend(s); at != nil && field == nil {
				stream[s] = at
			}
		}
		if simple <= size && len(stream) == 0 {
			return false
		}
	}
	var reported []*role
	var first *exit
	for _, s := range senders {
		if size > 0 && len(stream) > 0 && stream[s] == nil {
			continue // the stream senders alone overflow the buffer
		}
		var ex *exit
		if recv.g == root && after != nil {
			// The caller receives: from the call that starts the sender.
			ex = w.search(root.Fn, after.Block(), indexOf(after)+1, 0)
		} else if recv.g == root {
			// The maker receives: from where it starts the sender.
			if s.g.Parent != root || s.g.Start.Parent() != root.Fn {
				continue
			}
			idx := indexOf(s.g.Start)
			ex = w.search(root.Fn, s.g.Start.Block(), idx+1, 0)
		} else {
			ex = w.search(recv.g.Fn, recv.g.Fn.Blocks[0], 0, 0)
		}
		if ex == nil {
			continue
		}
		if first == nil {
			first = ex
		}
		reported = append(reported, s)
	}
	if first == nil {
		if earlyExit(pass, mc, size, recv, root, senders, w) {
			return true
		}
		if streamExit(pass, mc, size, recv, root, senders, after, w) {
			return true
		}
		return countCheck(pass, mc, size, recv, senders)
	}
	ex := first
	var recvSites []token.Pos
	for _, op := range recv.recvs {
		recvSites = append(recvSites, op.Instr.Pos())
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	related := func() []analysis.RelatedInformation {
		var rel []analysis.RelatedInformation
		if ex.sel != nil {
			rel = append(rel, analysis.RelatedInformation{Pos: ex.sel.Pos(), Message: "the receive, in a select"})
			rel = append(rel, analysis.RelatedInformation{Pos: ex.via, Message: "this case wins instead"})
		} else {
			for _, p := range recvSites {
				rel = append(rel, analysis.RelatedInformation{Pos: p, Message: "the receive, skipped on that path"})
			}
		}
		rel = append(rel, analysis.RelatedInformation{Pos: ex.ret, Message: ex.fn.Name() + " returns here without receiving"})
		made := "the channel is made unbuffered here"
		if size > 0 {
			made = fmt.Sprintf("the channel is made here with room for %d", size)
		}
		return append(rel, analysis.RelatedInformation{Pos: mc.Pos(), Message: made})
	}
	what := "an unbuffered channel"
	if field != nil {
		what = fmt.Sprintf("an unbuffered channel (field %s)", field.Name())
	}
	if size > 0 && len(stream) > 0 {
		s := reported[0]
		pass.Report(analysis.Diagnostic{
			Pos:      stream[s].Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this goroutine sends in a loop no count bounds on a channel with room for %d, and %s can return (line %d) without receiving: once %d values are queued the send blocks forever and the goroutine leaks (send in a select on a done channel or context the receiver closes or cancels on its way out)",
				size, ex.fn.Name(), line(ex.ret), size),
			Related: related(),
		})
		return true
	}
	if size > 0 {
		last := reported[len(reported)-1]
		send := last.sends[0].Instr
		pass.Report(analysis.Diagnostic{
			Pos:      send.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%d goroutines each send once on a channel with room for %d, and %s can return (line %d) without receiving: the last send then blocks forever and its goroutine leaks",
				len(reported), size, ex.fn.Name(), line(ex.ret)),
			Related: related(),
		})
		return true
	}
	nsends := 0
	for _, s := range reported {
		nsends += len(s.sends)
	}
	for _, s := range reported {
		for _, op := range s.sends {
			var msg string
			if ex.sel != nil {
				only := "only receiver"
				if len(recvSites) > 1 {
					only = "receiver"
				}
				msg = fmt.Sprintf("this goroutine sends on %s whose %s, the select in %s (line %d), can take another case and return first (line %d): the send then blocks forever and the goroutine leaks",
					what, only, ex.sel.Parent().Name(), line(ex.sel.Pos()), line(ex.ret))
			} else {
				msg = fmt.Sprintf("this goroutine sends on %s that %s receives from only on some paths: when it returns at line %d without receiving (the receive is at line %d), the send blocks forever and the goroutine leaks",
					what, ex.fn.Name(), line(ex.ret), line(recvSites[0]))
			}
			d := analysis.Diagnostic{Pos: op.Instr.Pos(), Category: "deadlock", Message: msg, Related: related()}
			if call := makes[mc.Pos()]; call != nil && nsends == 1 && !ssaloop.InLoop(op.Instr.Block()) && !ssaloop.InLoop(s.g.Start.Block()) {
				d.SuggestedFixes = []analysis.SuggestedFix{{
					Message:   "Give the channel a buffer of one so the send never blocks",
					TextEdits: []analysis.TextEdit{{Pos: call.Rparen, End: call.Rparen, NewText: []byte(", 1")}},
				}}
			}
			pass.Report(d)
		}
	}
	return true
}

// simpleSender reports whether s, a goroutine started once, sends at
// most once: a single send outside loops, or plain sends in its own
// function none of which can reach a send again (each is its last act on
// the channel, as an error reported on the way out of a polling loop:
// errCh <- err; return).
func simpleSender(s *role) bool {
	return !ssaloop.InLoop(s.g.Start.Block()) && sendsOnce(s)
}

// sendsOnce is simpleSender for one run of s, wherever it is started.
func sendsOnce(s *role) bool {
	if len(s.sends) == 0 || len(s.selSends) > 0 {
		return false
	}
	if len(s.sends) == 1 && !ssaloop.InLoop(s.sends[0].Instr.Block()) {
		return true
	}
	sends := map[ssa.Instruction]bool{}
	for _, op := range s.sends {
		if op.Node != s.g {
			return false // a helper sends: its calls are not followed here
		}
		sends[op.Instr] = true
	}
	for _, op := range s.sends {
		again := false
		ssawalk.Forward(op.Instr, func(in ssa.Instruction) ssawalk.Action {
			if sends[in] {
				again = true
				return ssawalk.Stop
			}
			return ssawalk.Continue
		})
		if again {
			return false
		}
	}
	return true
}

// countCheck reports more sends than the buffer and the receiver's
// receives can take: the receiver receives only with plain receives,
// outside loops, in its own function, so it receives at most as many
// times as it has receive instructions, while each sender sends
// sendCount values (several goroutines sending once, or one that sends
// again after an error's send for want of a return).
func countCheck(pass *analysis.Pass, mc *ssa.MakeChan, size int, recv *role, senders []*role) bool {
	for _, op := range recv.recvs {
		if op.Kind != chanuse.Recv || op.Node != recv.g || ssaloop.InLoop(op.Instr.Block()) {
			return false
		}
	}
	total := 0
	var most, looped *role
	var mostN int
	var mostFirst ssa.Instruction
	for _, s := range senders {
		n, first, ok := sendCount(s)
		if !ok {
			return false
		}
		total += n
		if ssaloop.InLoop(s.g.Start.Block()) && !lastOneGuarded(s.sends[0].Instr) {
			// Started in a loop: at least two of them once the loop
			// goes round, unless only the last one out sends.
			total += n
			looped = s
		}
		if n > mostN {
			most, mostN, mostFirst = s, n, first
		}
	}
	if total <= size+len(recv.recvs) {
		return false
	}
	times := "times"
	if len(recv.recvs) == 1 {
		times = "time"
	}
	made := analysis.RelatedInformation{Pos: mc.Pos(), Message: fmt.Sprintf("the channel is made here with room for %d", size)}
	if mostN > 1 {
		// One sender sends again on every path after its first send:
		// report the last send of that run.
		var last ssa.Instruction
		for _, op := range most.sends {
			if op.Instr != mostFirst && mustReach(mostFirst, op.Instr) && (last == nil || mustReach(last, op.Instr)) {
				last = op.Instr
			}
		}
		who := "this goroutine"
		if most.g.Callback {
			who = "one call of this callback"
		}
		rel := []analysis.RelatedInformation{{Pos: mostFirst.Pos(), Message: "the first send, with no return after it"}}
		for _, op := range recv.recvs {
			rel = append(rel, analysis.RelatedInformation{Pos: op.Instr.Pos(), Message: "the only receive(s)"})
		}
		rel = append(rel, made)
		line := pass.Fset.Position(mostFirst.Pos()).Line
		pass.Report(analysis.Diagnostic{
			Pos:      last.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s sends again here after its send at line %d on every path (a return is missing), %d values in all, but %s receives at most %d %s from a channel with room for %d: this send blocks forever and its goroutine leaks",
				who, line, total, recv.g.Fn.Name(), len(recv.recvs), times, size),
			Related: rel,
		})
		return true
	}
	if looped != nil {
		rel := []analysis.RelatedInformation{{Pos: looped.g.Start.Pos(), Message: "the goroutines are started here, in a loop"}}
		for _, op := range recv.recvs {
			rel = append(rel, analysis.RelatedInformation{Pos: op.Instr.Pos(), Message: "the only receive(s)"})
		}
		rel = append(rel, made)
		pass.Report(analysis.Diagnostic{
			Pos:      looped.sends[0].Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("a goroutine started in a loop (line %d) sends once on a channel with room for %d, and %s receives at most %d %s: once the loop has started more of them than that, the rest block forever and leak",
				pass.Fset.Position(looped.g.Start.Pos()).Line, size, recv.g.Fn.Name(), len(recv.recvs), times),
			Related: rel,
		})
		return true
	}
	last := senders[len(senders)-1]
	for _, s := range senders {
		if s.sends[0].Instr.Pos() > last.sends[0].Instr.Pos() {
			last = s
		}
	}
	rel := []analysis.RelatedInformation{}
	for _, s := range senders {
		switch {
		case s == last:
		case s.sends[0].Instr == last.sends[0].Instr:
			// The same function started twice (one per direction).
			rel = append(rel, analysis.RelatedInformation{Pos: s.g.Start.Pos(), Message: "another goroutine running the same send is started here"})
		default:
			rel = append(rel, analysis.RelatedInformation{Pos: s.sends[0].Instr.Pos(), Message: "another goroutine sends here"})
		}
	}
	for _, op := range recv.recvs {
		rel = append(rel, analysis.RelatedInformation{Pos: op.Instr.Pos(), Message: "the only receive(s)"})
	}
	rel = append(rel, made)
	pass.Report(analysis.Diagnostic{
		Pos:      last.sends[0].Instr.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("%d goroutines each send once on a channel with room for %d, and %s receives at most %d %s: whichever sends last blocks forever and its goroutine leaks",
			len(senders), size, recv.g.Fn.Name(), len(recv.recvs), times),
		Related: rel,
	})
	return true
}

func indexOf(instr ssa.Instruction) int {
	for i, in := range instr.Block().Instrs {
		if in == instr {
			return i
		}
	}
	return -1
}

// walker searches a receiving goroutine's code for a way to return
// without receiving.
type walker struct {
	recvs   map[ssa.Instruction]bool          // the receives (plain and select)
	vals    map[ssa.Value]bool                // the channel's values, in every function
	helpers map[ssa.Instruction]*chanuse.Node // calls of functions that receive
	needVia bool                              // only ways out through a select's other case count
	late    func(*ssa.Select, int) bool       // a case that cannot win before the send is taken (latesignal.go)
}

// exit is a way out that does not receive.
type exit struct {
	fn  *ssa.Function
	ret token.Pos
	sel *ssa.Select // the select left through another case, if any
	via token.Pos   // that case
}

type pos struct {
	b    *ssa.BasicBlock
	i    int
	sel  *ssa.Select
	via  token.Pos
	from *ssa.BasicBlock // the block the path entered b from
}

// search looks for a path from instruction i of b in fn to a return that
// does not receive: a plain receive blocks the path, a select receiving
// from the channel continues through its other cases (and default), and a
// call of a receiving helper continues only if the helper itself can
// return without receiving.
func (w *walker) search(fn *ssa.Function, b *ssa.BasicBlock, i int, depth int) *exit {
	if depth > 4 {
		return nil
	}
	type key struct {
		b   *ssa.BasicBlock
		via bool
	}
	seen := map[key]bool{}
	queue := []pos{{b: b, i: i}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p.i == 0 && p.sel != nil && p.b.Parent() == p.sel.Parent() && p.b.Dominates(p.sel.Block()) && w.flagged(p.b, p.sel) {
			// Back at the head of a loop around the select, whose exit
			// test may depend on what the receiving case set (a done
			// flag): leaving from here is not a way around the receive,
			// unless the path, through another case, set the flag to
			// leave (done = true on ctx.Done()).
			if out := flagExit(p.b, p.from, p.sel); out != nil {
				queue = append(queue, pos{b: out, sel: p.sel, via: p.via, from: p.b})
			}
			continue
		}
		if p.i == 0 {
			k := key{p.b, p.sel != nil}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		blocked := false
		for _, instr := range p.b.Instrs[p.i:] {
			if w.recvs[instr] {
				sel, ok := instr.(*ssa.Select)
				if !ok {
					blocked = true
					break
				}
				// Leave through the other cases (an empty case's body is
				// the block after the select, which the receiving case
				// shares) and the default.
				bodies, dflt := caseBodies(sel)
				for k, st := range sel.States {
					if body, ok := bodies[k]; ok && !w.isRecvState(sel, k) && (w.late == nil || !w.late(sel, k)) {
						queue = append(queue, pos{b: body, sel: sel, via: st.Pos})
					}
				}
				if !sel.Blocking && dflt != nil {
					queue = append(queue, pos{b: dflt, sel: sel, via: sel.Pos()})
				}
				blocked = true // the successors are queued above
				break
			}
			if h := w.helpers[instr]; h != nil && h.Fn.Blocks != nil {
				sub := w.search(h.Fn, h.Fn.Blocks[0], 0, depth+1)
				if sub == nil {
					blocked = true
					break
				}
				if p.sel == nil && sub.sel != nil {
					p.sel, p.via = sub.sel, sub.via
				}
				continue
			}
			if ret, ok := instr.(*ssa.Return); ok {
				if w.needVia && p.sel == nil {
					blocked = true
					break
				}
				rp := returnPos(ret, fn)
				return &exit{fn: fn, ret: rp, sel: p.sel, via: p.via}
			}
		}
		if blocked {
			continue
		}
		for _, s := range p.b.Succs {
			queue = append(queue, pos{b: s, sel: p.sel, via: p.via, from: p.b})
		}
	}
	return nil
}

// flagExit returns the successor of the loop head that its exit test
// takes when entered from the block from, if the test is then a constant
// (a flag the path set to a constant: done = true) and that successor
// leaves the loop around sel; nil otherwise.
func flagExit(head, from *ssa.BasicBlock, sel *ssa.Select) *ssa.BasicBlock {
	iff, ok := head.Instrs[len(head.Instrs)-1].(*ssa.If)
	if !ok || from == nil {
		return nil
	}
	k := slices.Index(head.Preds, from)
	if k < 0 {
		return nil
	}
	var eval func(v ssa.Value, depth int) (bool, bool)
	eval = func(v ssa.Value, depth int) (bool, bool) {
		if depth > 4 {
			return false, false
		}
		switch v := v.(type) {
		case *ssa.Const:
			if v.Value != nil && v.Value.Kind() == constant.Bool {
				return constant.BoolVal(v.Value), true
			}
		case *ssa.UnOp:
			if v.Op == token.NOT {
				b, ok := eval(v.X, depth+1)
				return !b, ok
			}
		case *ssa.Phi:
			if v.Block() == head {
				return eval(v.Edges[k], depth+1)
			}
		}
		return false, false
	}
	b, ok := eval(iff.Cond, 0)
	if !ok {
		return nil
	}
	out := head.Succs[1]
	if b {
		out = head.Succs[0]
	}
	if out.Dominates(sel.Block()) {
		return nil // into the loop again
	}
	return out
}

// flagged reports whether the exit test of the loop head may depend on a
// value the receiving case of sel sets: a phi fed from a block the
// receiving case's body dominates, a load, a call or anything else not
// plainly computed from constants, parameters and phis (a counted loop's
// index passes; a "done" flag does not).
func (w *walker) flagged(head *ssa.BasicBlock, sel *ssa.Select) bool {
	iff, ok := head.Instrs[len(head.Instrs)-1].(*ssa.If)
	if !ok {
		return false // no exit here: round to the select again
	}
	bodies, _ := caseBodies(sel)
	var recvBodies []*ssa.BasicBlock
	for k := range sel.States {
		if w.isRecvState(sel, k) {
			b, ok := bodies[k]
			if !ok {
				return true
			}
			recvBodies = append(recvBodies, b)
		}
	}
	seen := map[ssa.Value]bool{}
	var dep func(v ssa.Value) bool
	dep = func(v ssa.Value) bool {
		if seen[v] {
			return false
		}
		seen[v] = true
		switch v := v.(type) {
		case *ssa.Const, *ssa.Parameter:
			return false
		case *ssa.BinOp:
			return dep(v.X) || dep(v.Y)
		case *ssa.UnOp:
			if v.Op == token.MUL || v.Op == token.ARROW {
				return true
			}
			return dep(v.X)
		case *ssa.Convert:
			return dep(v.X)
		case *ssa.Phi:
			for i, e := range v.Edges {
				pred := v.Block().Preds[i]
				for _, rb := range recvBodies {
					if rb.Dominates(pred) {
						return true
					}
				}
				if dep(e) {
					return true
				}
			}
			return false
		}
		return true
	}
	return dep(iff.Cond)
}

// isRecvState reports whether state k of sel receives from the channel.
func (w *walker) isRecvState(sel *ssa.Select, k int) bool {
	st := sel.States[k]
	return st.Dir == types.RecvOnly && w.vals[st.Chan]
}

// caseBodies maps each case of sel to the block of its body: they hang off
// "index == k" tests of the select's first result.
func caseBodies(sel *ssa.Select) (bodies map[int]*ssa.BasicBlock, dflt *ssa.BasicBlock) {
	bodies = map[int]*ssa.BasicBlock{}
	last := -1
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
			if !ok || c.Value == nil {
				continue
			}
			k, ok := constant.Int64Val(c.Value)
			if !ok {
				continue
			}
			for _, bu := range *bin.Referrers() {
				if iff, ok := bu.(*ssa.If); ok {
					bodies[int(k)] = iff.Block().Succs[0]
					if int(k) > last {
						last, dflt = int(k), iff.Block().Succs[1]
					}
				}
			}
		}
	}
	return bodies, dflt
}

// earlyExit reports the first-error-wins leak (dgraph-io/dgraph#3074):
// goroutines started in a loop (or several goroutines) each send once on
// an unbuffered channel, and the function that starts them receives in a
// loop, but can leave the loop from inside, after a receive (a return on
// the first error, a break), without receiving the other values: every
// goroutine that has not sent yet blocks forever.
func earlyExit(pass *analysis.Pass, mc *ssa.MakeChan, size int, recv *role, root *chanuse.Node, senders []*role, w *walker) bool {
	if size != 0 || recv.g != root {
		return false
	}
	many := len(senders) > 1
	for _, s := range senders {
		if !oncePerRun(s.sends) || len(s.selSends) > 0 ||
			s.g.Start == nil || s.g.Parent != root || s.g.Start.Parent() != root.Fn {
			return false
		}
		if ssaloop.InLoop(s.g.Start.Block()) {
			many = true
		}
	}
	if !many {
		return false
	}
	var ret *ssa.Return
	var from ssa.Instruction
	for _, op := range recv.recvs {
		if op.Kind != chanuse.Recv || op.Node != root || !ssaloop.InLoop(op.Instr.Block()) {
			return false
		}
		if u := op.Instr.(*ssa.UnOp); u.CommaOk {
			return false // a range, or a test for the close: not a counted receive
		}
		if r := w.leaveLoop(op.Instr); r != nil && ret == nil {
			ret, from = r, op.Instr
		}
	}
	if ret == nil {
		return false
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	rp := returnPos(ret, root.Fn)
	s := senders[0]
	rel := []analysis.RelatedInformation{
		{Pos: from.Pos(), Message: "the receive, in a loop"},
		{Pos: rp, Message: root.Fn.Name() + " returns here from inside the loop, without receiving the other values"},
		{Pos: s.g.Start.Pos(), Message: "the senders are started here"},
		{Pos: mc.Pos(), Message: "the channel is made unbuffered here"},
	}
	pass.Report(analysis.Diagnostic{
		Pos:      s.sends[0].Instr.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("several goroutines each send once on an unbuffered channel that %s receives from in a loop (line %d), but it can leave the loop after a receive and return (line %d): every goroutine that has not sent yet then blocks forever and leaks (give the channel a buffer for every sender)",
			root.Fn.Name(), line(from.Pos()), line(rp)),
		Related: rel,
	})
	return true
}

// oncePerRun reports whether a goroutine's sends deliver one value per
// run: none is in a loop, and none can follow another (a result or an
// error, each on its own path to the goroutine's end, as in
// genkit-ai/genkit#5483's tool goroutines).
func oncePerRun(sends []chanuse.Op) bool {
	if len(sends) == 0 {
		return false
	}
	at := map[*ssa.BasicBlock][]int{}
	for _, op := range sends {
		b := op.Instr.Block()
		if b == nil || ssaloop.InLoop(b) {
			return false
		}
		at[b] = append(at[b], indexOf(op.Instr))
	}
	for _, op := range sends {
		b := op.Instr.Block()
		i := indexOf(op.Instr)
		for _, j := range at[b] {
			if j > i {
				return false // a second send later in the same block
			}
		}
		seen := map[*ssa.BasicBlock]bool{}
		queue := append([]*ssa.BasicBlock(nil), b.Succs...)
		for len(queue) > 0 {
			x := queue[0]
			queue = queue[1:]
			if seen[x] {
				continue
			}
			seen[x] = true
			if len(at[x]) > 0 {
				return false
			}
			queue = append(queue, x.Succs...)
		}
	}
	return true
}

// leaveLoop finds a return reached from just after recv without coming
// back to the loop around it (no block that dominates recv's is entered,
// and no latch branching back to it is passed, whose other edge is the
// loop's normal exit), without another receive, a panic, or a call that
// does not return.
func (w *walker) leaveLoop(recv ssa.Instruction) *ssa.Return {
	rb := recv.Block()
	u, _ := recv.(*ssa.UnOp)
	commaOk := u != nil && u.CommaOk
	seen := map[*ssa.BasicBlock]bool{}
	type at struct {
		b *ssa.BasicBlock
		i int
	}
	queue := []at{{rb, indexOf(recv) + 1}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p.i == 0 {
			if seen[p.b] || p.b.Dominates(rb) {
				continue // back to the loop (or above it)
			}
			seen[p.b] = true
		}
		blocked := false
		for _, instr := range p.b.Instrs[p.i:] {
			if w.recvs[instr] || w.helpers[instr] != nil {
				blocked = true
				break
			}
			switch in := instr.(type) {
			case *ssa.Panic:
				blocked = true
			case *ssa.Call:
				blocked = chanuse.NoReturn(in.Common())
			case *ssa.Return:
				return in
			}
			if blocked {
				break
			}
		}
		if blocked {
			continue
		}
		// A block that branches back to the loop (a latch: the test at the
		// bottom of a rotated range-over-int loop, or an if whose empty
		// branch go/ssa threads straight to the loop head) leaves the loop
		// by its other edge early only when its test depends on the value
		// received (an error, a running sum); otherwise that edge is the
		// loop's normal exit, after every value has been received.
		latch := false
		for _, s := range p.b.Succs {
			if s.Dominates(rb) {
				latch = true
			}
		}
		if latch {
			// A range over the channel ends only when the channel is
			// closed (below): any other way out of it is early.
			iff, ok := p.b.Instrs[len(p.b.Instrs)-1].(*ssa.If)
			if !ok || !commaOk && !dependsOn(iff.Cond, recv.(ssa.Value), map[ssa.Value]bool{}, 0) {
				continue
			}
		}
		if u, open, ok := chanuse.RangeEnd(p.b); ok && u == recv {
			// The test of a range (or of v, ok := <-ch) leaves only
			// once the channel is closed: that is the loop's end, not
			// an early exit.
			queue = append(queue, at{p.b.Succs[open], 0})
			continue
		}
		for _, s := range p.b.Succs {
			queue = append(queue, at{s, 0})
		}
	}
	return nil
}

// dependsOn reports whether v is computed from x (through operands, phis
// and loads of a variable x was stored in).
func dependsOn(v, x ssa.Value, seen map[ssa.Value]bool, depth int) bool {
	if v == x {
		return true
	}
	if v == nil || seen[v] || depth > 12 {
		return false
	}
	seen[v] = true
	if a, ok := v.(*ssa.Alloc); ok {
		for _, r := range *a.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == a && dependsOn(st.Val, x, seen, depth+1) {
				return true
			}
		}
		return false
	}
	instr, ok := v.(ssa.Instruction)
	if !ok {
		return false
	}
	switch v.(type) {
	case *ssa.Call:
		return false // a call's result: not followed
	}
	for _, op := range instr.Operands(nil) {
		if *op != nil && dependsOn(*op, x, seen, depth+1) {
			return true
		}
	}
	return false
}
