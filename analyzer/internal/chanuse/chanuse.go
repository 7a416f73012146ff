// Package chanuse follows one channel made in a function through the
// package's SSA: the closures and goroutines that capture it (started
// with a go statement, or handed to a group's Go method:
// sync.WaitGroup.Go, errgroup's Group.Go), the callees
// that get it as an argument, and the struct field it is stored in (a local
// struct handed to methods and goroutines). The result lists every function
// that sees the channel, which goroutine runs it, and what it does with the
// channel, so that the channel passes (deadlockleak, chanblock) can tell
// senders from receivers without each re-deriving the flow.
//
// The function that makes the channel may return it, alone or as one
// result of a tuple (func watch(ctx) (<-chan T, error)): Returns and
// Result record that, and FollowResult follows it on in a caller, through
// the call's extract of that result.
//
// A function that starts itself again with the channel in the same
// parameter (a tree walk: go g.visit(child, ch)) is one node: its
// recursive goroutines do what that node's goroutine does. When that code
// receives from the channel the channel escapes, as the folded goroutines
// are receivers no node stands for.
//
// The model is deliberately closed: any use it does not understand (the
// channel stored in a global, sent on another channel, returned by another
// function, put in an interface, merged by a phi, passed to another
// package) marks the channel as escaped, and callers report nothing about
// an escaped channel.
package chanuse

import (
	"fmt"
	"go/token"
	"go/types"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"
	"golang.org/x/tools/go/ssa"
)

// Kind is what an operation does with the channel.
type Kind int

// The operations on a channel.
const (
	Send       Kind = iota // ch <- v
	Recv                   // <-ch, v, ok := <-ch, range ch
	SelectRecv             // a select case receiving from ch
	SelectSend             // a select case sending on ch
	Close                  // close(ch)
	DeferClose             // defer close(ch)
)

// Op is one operation on the channel.
type Op struct {
	Kind  Kind
	Instr ssa.Instruction // *ssa.Send, *ssa.UnOp, *ssa.Select, *ssa.Call or *ssa.Defer
	Node  *Node
	State int // for a select, the index of the case in Instr's States
}

// Node is one function that sees the channel, reached one way.
type Node struct {
	Fn     *ssa.Function
	Vals   map[ssa.Value]bool // the channel's values in Fn
	Ops    []Op
	Parent *Node               // nil for the function that makes the channel
	Go     *ssa.Go             // Fn runs as a new goroutine started here (in Parent)
	Call   ssa.CallInstruction // Fn is called synchronously here (in Parent)
	G      *Node               // the node whose goroutine runs Fn: itself, an ancestor, or the root
	// Start is where Fn is started as a new goroutine: Go, or the call
	// that Fn, a function literal, is handed to as its second argument:
	// a group's Go method (sync.WaitGroup.Go, errgroup's Group.Go; the
	// group counts Fn until it returns) or time.AfterFunc whose timer is
	// never stopped, or a helper of the package that starts its function
	// parameter as a goroutine (see Wrap). Then Go and Call are nil.
	Start ssa.CallInstruction
	// Callback tells that Fn is a function literal handed, at Start, to
	// a function that is not followed (an interface's method, another
	// package's function, or one of this package's that takes a func
	// value): it may run on any goroutine, any number of times, or
	// never. Only FollowCallbacks makes such nodes.
	Callback bool
	// Alt tells that Fn is one of several functions the call at Call may
	// run (an interface method several types of the package implement,
	// see Callees): its operations may not happen at all.
	Alt bool
	// Map marks the instructions of Fn on the map a map class keeps its
	// channels in (chanuse.WideMaps), for the field harness.
	Map map[ssa.Instruction]MapKind
	// wrapped tells that Fn, a literal, is called by the helper that
	// Call calls (see Wrap): Call's result is not Fn's.
	wrapped bool
}

// Group returns the group whose Go method started n, or nil.
func (n *Node) Group() ssa.Value {
	if c, ok := n.Start.(*ssa.Call); ok {
		return GroupGo(&c.Call)
	}
	return nil
}

// GroupGo returns the group (its pointer) when c calls a group's Go
// method, sync.WaitGroup.Go(func()) or errgroup's Group.Go(func() error),
// which runs its function argument as a new goroutine that the group's
// Wait waits for; nil otherwise.
func GroupGo(c *ssa.CallCommon) ssa.Value {
	if len(c.Args) != 2 {
		return nil
	}
	return GroupCall(c, "Go")
}

// Bound returns the value mk binds to fv, a free variable of mk's
// function; nil when fv is not one of them.
func Bound(mk *ssa.MakeClosure, fv *ssa.FreeVar) ssa.Value {
	for i, f := range mk.Fn.(*ssa.Function).FreeVars {
		if f == fv && i < len(mk.Bindings) {
			return mk.Bindings[i]
		}
	}
	return nil
}

// isAfterFunc reports whether c calls time.AfterFunc, which runs its
// function argument in a goroutine of its own when the timer fires.
func isAfterFunc(c *ssa.CallCommon) bool {
	fn := c.StaticCallee()
	return fn != nil && fn.Pkg != nil && fn.Pkg.Pkg.Path() == "time" && fn.Name() == "AfterFunc" && len(c.Args) == 2
}

// isOnce reports whether c calls sync.Once's Do, or sync.OnceFunc,
// OnceValue or OnceValues, which run their function once for all their
// callers.
func isOnce(c *ssa.CallCommon) bool {
	fn := c.StaticCallee()
	if fn != nil && fn.Origin() != nil {
		fn = fn.Origin()
	}
	if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "sync" {
		return false
	}
	switch fn.Name() {
	case "Do":
		return fn.Signature.Recv() != nil
	case "OnceFunc", "OnceValue", "OnceValues":
		return true
	}
	return false
}

// timerStopped reports whether the *time.Timer that call returns may be
// stopped: a method is called on it or it is handed to a call, followed
// through phis and a local variable it is stored in; stored anywhere else
// or captured, it may be. A stopped timer may never run
// its function, and the function that stops it decides when; such a
// callback is not followed as a goroutine (the channel escapes instead).
func timerStopped(call *ssa.Call) bool {
	seen := map[ssa.Value]bool{}
	var stopped func(v ssa.Value) bool
	stopped = func(v ssa.Value) bool {
		if seen[v] || v.Referrers() == nil {
			return false
		}
		seen[v] = true
		for _, ref := range *v.Referrers() {
			switch r := ref.(type) {
			case *ssa.Call:
				if r.Call.Value == v {
					continue
				}
				for _, a := range r.Call.Args {
					if a == v {
						return true // Stop, Reset, or handed to a callee that may stop it
					}
				}
			case *ssa.Phi:
				if stopped(r) {
					return true
				}
			case *ssa.Store:
				if r.Val != v {
					continue
				}
				// Every load of the address the timer is stored at.
				if addr, ok := r.Addr.(*ssa.Alloc); ok && !seen[addr] {
					seen[addr] = true
					for _, l := range *addr.Referrers() {
						switch l := l.(type) {
						case *ssa.UnOp:
							if l.Op == token.MUL && stopped(l) {
								return true
							}
						case *ssa.Store:
						default:
							return true // captured or its address taken
						}
					}
					continue
				}
				return true // stored elsewhere: it may be stopped there
			case *ssa.MakeInterface, *ssa.ChangeType:
				return true // handed on: it may be stopped
			}
		}
		return false
	}
	return stopped(call)
}

// GroupCall returns the group (its pointer) when c calls the method name
// of a *sync.WaitGroup or of an *errgroup.Group
// (golang.org/x/sync/errgroup); nil otherwise.
func GroupCall(c *ssa.CallCommon, name string) ssa.Value {
	fn := c.StaticCallee()
	if fn == nil || fn.Name() != name || len(c.Args) == 0 {
		return nil
	}
	recv := fn.Signature.Recv()
	if recv == nil {
		return nil
	}
	p, ok := recv.Type().(*types.Pointer)
	if !ok {
		return nil
	}
	nt, ok := p.Elem().(*types.Named)
	if !ok || nt.Obj().Pkg() == nil {
		return nil
	}
	switch path := nt.Obj().Pkg().Path(); {
	case path == "sync" && nt.Obj().Name() == "WaitGroup",
		(path == "golang.org/x/sync/errgroup" || strings.HasSuffix(path, "/golang.org/x/sync/errgroup")) && nt.Obj().Name() == "Group":
		return c.Args[0]
	}
	return nil
}

// Channel is a channel and everything the package does with it.
type Channel struct {
	Make    *ssa.MakeChan
	Nodes   []*Node // Nodes[0] is the function that makes the channel
	Escapes bool
	// Why is the first use that made the channel escape (for the
	// census: analyzer/internal/census).
	Why     string
	Field   *types.Var    // the struct field holding the channel, if any
	Returns []*ssa.Return // the maker returns the channel here
	Result  int           // the index of the channel among the maker's results (0 when it is the only one)
	// Notified lists the os/signal.Notify calls the channel is handed to:
	// the runtime sends one value per signal on it and never closes it. A
	// notified channel counts as escaped (Escapes), so that checks that
	// need every sender see none; OnlyNotified tells whether that is the
	// channel's only way out.
	Notified []*ssa.Call
	// Each maps the operations on an element of a slice holding the
	// channel once, in the range loop over it, to that loop's header:
	// they run once on the channel per pass over the slice (slices.go).
	Each   map[ssa.Instruction]*ssa.BasicBlock
	opaque bool // escaped other than to signal.Notify (or signal.Stop)
	// Handed lists the calls of functions not followed that the channel
	// is handed to as a send-only argument, each followed on every path
	// by a send on it in the caller (FollowHanded only).
	Handed []ssa.CallInstruction
}

// OnlyNotified reports whether the channel escapes only to os/signal's
// Notify (and Stop): the runtime is then its only other sender.
func (c *Channel) OnlyNotified() bool { return c.Escapes && !c.opaque && len(c.Notified) > 0 }

// signalCall returns "Notify" or "Stop" for a call of os/signal.Notify or
// os/signal.Stop whose first argument is v, or "".
func signalCall(c *ssa.CallCommon, v ssa.Value) string {
	fn := c.StaticCallee()
	if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "os/signal" || len(c.Args) == 0 || c.Args[0] != v {
		return ""
	}
	for _, a := range c.Args[1:] {
		if a == v {
			return ""
		}
	}
	switch fn.Name() {
	case "Notify", "Stop":
		return fn.Name()
	}
	return ""
}

const maxDepth = 4

// visit is a value reached in one goroutine.
type visit struct {
	g *Node
	v ssa.Value
}

// first records that goroutine n.G has reached v, and reports whether it
// had not before.
func (t *tracker) first(n *Node, v ssa.Value) bool {
	t.seen[v] = true
	k := visit{n.G, v}
	if t.visited[k] {
		return false
	}
	if t.visited == nil {
		t.visited = map[visit]bool{}
	}
	t.visited[k] = true
	return true
}

type tracker struct {
	ch *Channel
	// merge: a function started or called at one place is one node,
	// whichever of its values reached it (FollowObject: a closure that
	// captures both a lock and the sync.Cond made on it).
	merge bool
	seen  map[ssa.Value]bool // every value of the channel (or its holder) met so far
	// visited guards the walk per goroutine: a function started twice
	// (go half(a, b, done); go half(b, a, done)) is two senders, each
	// with its own operations, while a goroutine reaching a value again
	// (recursion, a helper called twice) adds nothing.
	visited map[visit]bool
	pkg     *ssa.Package
	// nilTests: a comparison of the channel with nil is not an escape
	// (FollowThrough's callers test "ch == nil" on an error path).
	nilTests bool
	// rootNilTests: a comparison of the channel with nil in the maker's
	// own goroutine (its function or a helper it calls) is not an escape
	// either (go-etcd#98: Watch(prefix, idx, receiver, stop) tests its
	// optional receiver). The channel followed is made, so it is never
	// nil and the branch on which it is nil is dead; rules that walk the
	// paths of a goroutine's body to a return with no send or close
	// would take that branch for a way out, so a nil test in a started
	// goroutine still escapes.
	rootNilTests bool
	// callbacks: a function literal handed to a function not followed
	// is a Callback node rather than an escape (FollowCallbacks).
	callbacks bool
	// handed: a send-only channel handed to a function not followed,
	// after which the caller sends on it on every path, is recorded in
	// Handed rather than an escape (FollowHanded).
	handed bool
	// respawners are nodes whose function starts itself again with the
	// channel in the same parameter (a tree walk: go g.walk(child, ch));
	// their goroutines are folded into the node (see args).
	respawners []*Node
	// dyn is the type of the struct holding the channel once it is put
	// in an interface: the dynamic type of that interface value.
	dyn types.Type
	// funcVars are the variables holding a literal followed (funcVar),
	// from a node, for a binding.
	funcVars map[funcVisit]bool
	// slots are the arrays of slices the channel was put in (slices.go).
	slots map[*ssa.Alloc]bool
}

// Follow builds the model of the channel made by mc.
func Follow(mc *ssa.MakeChan) *Channel {
	return follow(mc, mc)
}

// FollowCallbacks is Follow, except that a function literal capturing
// the channel that is handed to a function not followed (nc.Subscribe(inbox,
// func(m *Msg) { ch <- ... }), runJobs(ctx, n, func(i int) error { ... }))
// does not make the channel escape: it becomes a Callback node, run on a
// goroutine of its own. The literal's body is still the only code that
// reaches the channel that way, so its operations are all of them; what
// the callee does is how often and where they run. A literal kept in a
// variable and only called or started (half := func(...) { ... }; go
// half(a, b); go half(b, a)) is followed at each call or start.
func FollowCallbacks(mc *ssa.MakeChan) *Channel {
	return followMade(mc, func(t *tracker) { t.callbacks = true })
}

// followMade follows the channel mc makes from its maker, with the
// tracker's options set by opts.
func followMade(mc *ssa.MakeChan, opts func(*tracker)) *Channel {
	root := &Node{Fn: mc.Parent(), Vals: map[ssa.Value]bool{}}
	root.G = root
	ch := &Channel{Make: mc, Nodes: []*Node{root}}
	t := &tracker{ch: ch, seen: map[ssa.Value]bool{}, pkg: mc.Parent().Pkg}
	opts(t)
	t.value(root, mc, 0)
	t.checkRespawners()
	return ch
}

// FollowHanded is Follow, except that handing the channel as a send-only
// argument (chan<- T) to a function not followed (an interface method no
// type of the package implements, another package's function) does not
// make it escape when the caller sends on the channel after the call, on
// every path from it: the callee may send on the channel, but it cannot
// have closed it, or that send would panic (prometheus-community/
// windows_exporter#376: execute hands the collector's metrics channel to
// Collector.Collect and then sends its own duration metric on it). The
// calls are recorded in Handed. A rule using this model may rely on what
// the package does to close the channel, not on its count of senders.
func FollowHanded(mc *ssa.MakeChan) *Channel {
	return followMade(mc, func(t *tracker) { t.handed = true })
}

// sentAfter reports whether every path from call, in its function, sends
// on v (a plain send) before it returns.
func sentAfter(call ssa.CallInstruction, v ssa.Value) bool {
	ok := true
	ssawalk.Forward(call, func(instr ssa.Instruction) ssawalk.Action {
		switch in := instr.(type) {
		case *ssa.Send:
			if in.Chan == v {
				return ssawalk.Cut
			}
		case *ssa.Return, *ssa.Panic:
			ok = false
			return ssawalk.Stop
		}
		return ssawalk.Continue
	})
	return ok
}

// FollowResult builds the model of the channel that call (a call of a
// function that returns a channel it makes) returns, in the caller; Make
// is the callee's make. When the callee returns a tuple, the channel is
// the call's extract of the result Follow(mc).Result; the other results
// are not followed.
func FollowResult(call *ssa.Call, mc *ssa.MakeChan) *Channel {
	return follow(call, mc)
}

// FollowThrough builds the model of the channel in a caller of a wrapper
// that returns it on (return w.helper(...), nil): call calls the wrapper,
// and inner is the model of the channel in the wrapper, from
// FollowResult, with Returns and Result telling which result of the
// wrapper's the channel is. The caller's own returns of it are recorded
// in Returns in turn.
func FollowThrough(call *ssa.Call, inner *Channel) *Channel {
	root := &Node{Fn: call.Parent(), Vals: map[ssa.Value]bool{}}
	root.G = root
	ch := &Channel{Make: inner.Make, Nodes: []*Node{root}}
	t := &tracker{ch: ch, seen: map[ssa.Value]bool{}, pkg: call.Parent().Pkg, nilTests: true}
	if _, ok := call.Type().(*types.Tuple); ok {
		t.extracts(root, call, inner)
	} else {
		t.value(root, call, 0)
	}
	t.checkRespawners()
	return ch
}

func follow(v ssa.Value, mc *ssa.MakeChan) *Channel {
	root := &Node{Fn: v.Parent(), Vals: map[ssa.Value]bool{}}
	root.G = root
	ch := &Channel{Make: mc, Nodes: []*Node{root}}
	t := &tracker{ch: ch, seen: map[ssa.Value]bool{}, pkg: v.Parent().Pkg, rootNilTests: true}
	defer t.checkRespawners()
	if v == ssa.Value(mc) {
		t.value(root, v, 0)
		return ch
	}
	ch.Make = nil // no Returns from the caller: its returns escape
	if _, ok := v.Type().(*types.Tuple); ok {
		t.extracts(root, v, Follow(mc))
	} else {
		t.value(root, v, 0)
	}
	ch.Make = mc
	return ch
}

// extracts follows the channel out of call, a call of the maker that
// returns it in a tuple: the call's extracts of the maker's channel result
// are the channel; any other use of the whole tuple escapes.
func (t *tracker) extracts(root *Node, call ssa.Value, maker *Channel) {
	if maker.Escapes || len(maker.Returns) == 0 {
		t.escape("a tuple result not followed")
		return
	}
	t.ch.Result = maker.Result
	for _, r := range *call.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Extract:
			if r.Index == maker.Result {
				t.value(root, r, 0)
			}
		default:
			t.escape("the maker's tuple result used whole")
		}
	}
}

// signal marks the channel escaped to os/signal (not opaque: see
// OnlyNotified), recording why the first time.
func (t *tracker) signal(why string) {
	if !t.ch.Escapes {
		t.ch.Why = why
	}
	t.ch.Escapes = true
}

// escape marks the channel escaped, recording why the first time.
func (t *tracker) escape(why string) {
	if !t.ch.Escapes {
		t.ch.Why = why
	}
	t.ch.Escapes, t.ch.opaque = true, true
}

// respawn reports whether starting fn with the channel as parameter i,
// from node n, starts again a function already on n's chain of callers
// and starters, which got the channel in the same parameter: a recursive
// spawner (a tree walk that starts a goroutine per child). Its new
// goroutines do what that node's goroutine does, so they are folded into
// it rather than followed level by level until maxDepth escapes.
func (t *tracker) respawn(n *Node, fn *ssa.Function, i int) bool {
	if i >= len(fn.Params) {
		return false
	}
	for a := n; a != nil; a = a.Parent {
		if a.Fn == fn && a.Vals[fn.Params[i]] && a.G.Start != nil {
			t.respawners = append(t.respawners, a)
			return true
		}
	}
	return false
}

// checkRespawners makes the channel escape when a respawner (or a
// helper it calls) receives from it: its folded goroutines are further receivers, which the rules
// counting receivers would not see.
func (t *tracker) checkRespawners() {
	for _, a := range t.respawners {
		for _, n := range t.ch.Nodes {
			if n.G != a.G || !descends(n, a) {
				continue // not what the folded goroutines run
			}
			for _, op := range n.Ops {
				if op.Kind == Recv || op.Kind == SelectRecv {
					t.escape("received from by a respawned goroutine")
					return
				}
			}
		}
	}
}

// descends reports whether a is n or one of its ancestors.
func descends(n, a *Node) bool {
	for ; n != nil; n = n.Parent {
		if n == a {
			return true
		}
	}
	return false
}

func (t *tracker) child(parent *Node, fn *ssa.Function, g *ssa.Go, call ssa.CallInstruction) *Node {
	if t.merge && (g != nil || call != nil) {
		for _, x := range t.ch.Nodes {
			if x.Parent == parent && x.Fn == fn && x.Go == g && x.Call == call {
				return x
			}
		}
	}
	n := &Node{Fn: fn, Vals: map[ssa.Value]bool{}, Parent: parent, Go: g, Call: call}
	if g != nil {
		n.G, n.Start = n, g
	} else {
		n.G = parent.G
	}
	t.ch.Nodes = append(t.ch.Nodes, n)
	return n
}

// args follows v passed as an argument of call into its callee.
// A call that may run several functions (Callees: an interface method
// several types implement, a function field set to several functions)
// is followed into each as a node of its own: each one's operations are
// possible ones, and Alt marks them. Only one of them runs, so a go
// statement of such a call escapes: rules count started goroutines.
func (t *tracker) args(n *Node, v ssa.Value, c *ssa.CallCommon, g *ssa.Go, call ssa.CallInstruction, depth int, follow func(*Node, ssa.Value, int)) {
	fns := Callees(t.pkg, c)
	if t.handed && len(fns) == 0 && g == nil && call != nil {
		if d, ok := v.Type().Underlying().(*types.Chan); ok && d.Dir() == types.SendOnly && sentAfter(call, v) {
			t.ch.Handed = append(t.ch.Handed, call)
			return
		}
	}
	if len(fns) == 0 || depth >= maxDepth || len(fns) > 1 && g != nil {
		t.escape("passed to a call not followed (callee unknown, too deep, or a go of several callees)")
		return
	}
	// An interface method's receiver is its first parameter, not in Args.
	off := 0
	if c.IsInvoke() {
		off = 1
	}
	for _, fn := range fns {
		for i, a := range c.Args {
			if a != v {
				continue
			}
			i += off
			if i >= len(fn.Params) {
				t.escape("passed beyond the callee's parameters")
				return
			}
			if g != nil && t.respawn(n, fn, i) {
				continue
			}
			ch := t.child(n, fn, g, call)
			ch.Alt = len(fns) > 1
			follow(ch, fn.Params[i], depth+1)
		}
	}
}

// recvArgs follows p, the pointer to the struct holding the channel, into
// the callee of c: as an argument, or as the receiver of a method called
// through an interface p was put in, which runs the method of p's type
// (t.dyn).
func (t *tracker) recvArgs(n *Node, p ssa.Value, c *ssa.CallCommon, g *ssa.Go, call ssa.CallInstruction, depth int, follow func(*Node, ssa.Value, int)) {
	if !c.IsInvoke() || c.Value != p {
		t.args(n, p, c, g, call, depth, follow)
		return
	}
	var fn *ssa.Function
	if sel := t.pkg.Prog.MethodSets.MethodSet(t.dyn).Lookup(c.Method.Pkg(), c.Method.Name()); sel != nil {
		fn = t.pkg.Prog.MethodValue(sel)
	}
	if fn == nil || fn.Blocks == nil || fn.Pkg != t.pkg || depth >= maxDepth || len(fn.Params) == 0 {
		t.escape("its holder's method called through an interface not followed")
		return
	}
	if isArg(c, p) {
		t.escape("its holder passed to its own method") // x.m(x): not followed
		return
	}
	if g != nil && t.respawn(n, fn, 0) {
		return
	}
	follow(t.child(n, fn, g, call), fn.Params[0], depth+1)
}

// closure follows a binding of mk (at index i) into the closure's body,
// according to how the closure is used: started as a goroutine, called or
// deferred. Any other use escapes.
func (t *tracker) closure(n *Node, mk *ssa.MakeClosure, i int, depth int, follow func(*Node, ssa.Value, int)) {
	refs := *mk.Referrers()
	if depth >= maxDepth || len(refs) == 0 {
		t.escape("a closure too deep or unused")
		return
	}
	if len(refs) > 1 {
		// FollowCallbacks: a literal kept in a variable and started or
		// called in several places (half := func(...) { ... }; go
		// half(a, b); go half(b, a)) is followed at each of them.
		for _, r := range refs {
			c, ok := r.(ssa.CallInstruction)
			if !t.callbacks || !ok || c.Common().Value != mk {
				t.escape("a closure used other than called or started")
				return
			}
		}
	}
	for _, r := range refs {
		t.closureUse(n, mk.Fn.(*ssa.Function), mk, r, i, depth, follow)
	}
}

// closureUse follows the binding i of fn, a literal, into its body for
// one use r of v, a value holding the closure: the MakeClosure itself, a
// load of a variable it is kept in (see funcVar), or the result of a call
// of a function that returns it (see returned).
func (t *tracker) closureUse(n *Node, fn *ssa.Function, v ssa.Value, r ssa.Instruction, i int, depth int, follow func(*Node, ssa.Value, int)) {
	switch r := r.(type) {
	case *ssa.DebugRef:
	case *ssa.Go:
		if r.Call.Value != v {
			t.escape("a closure started with it as an argument")
			return
		}
		follow(t.child(n, fn, r, nil), fn.FreeVars[i], depth+1)
	case *ssa.Call:
		if r.Call.Value != v {
			if (GroupGo(&r.Call) != nil || isAfterFunc(&r.Call) && !timerStopped(r)) && r.Call.Args[1] == v {
				// g.Go(func() { ... }) or time.AfterFunc(d, func() {
				// ... }): a new goroutine, as a go statement would
				// start (the timer's, later, unless it is stopped first).
				c := t.child(n, fn, nil, nil)
				c.G, c.Start = c, r
				follow(c, fn.FreeVars[i], depth+1)
				return
			}
			if w := wrapArg(t.pkg, &r.Call, v); w == WrapCall || w == WrapGo {
				// A helper of the package that starts the literal as a
				// goroutine (w.Submit(func() { ... }), safeGo(...)),
				// or calls it once where it is called (withLock(...)).
				if w == WrapCall && !t.callOnce(n, fn, i) {
					return
				}
				c := t.child(n, fn, nil, nil)
				if w == WrapGo {
					c.G, c.Start = c, r
				} else {
					c.Call, c.wrapped = r, true
				}
				follow(c, fn.FreeVars[i], depth+1)
				return
			}
			if isOnce(&r.Call) {
				// once.Do(func() { ch <- err }): the literal runs in the
				// first caller only, however many reach the call; a
				// callback would count a run per caller.
				t.escape("a closure handed to sync.Once")
				return
			}
			if t.callbacks && isArg(&r.Call, v) {
				c := t.child(n, fn, nil, nil)
				c.G, c.Start, c.Callback = c, r, true
				follow(c, fn.FreeVars[i], depth+1)
				return
			}
			t.escape("a closure handed to a call not followed")
			return
		}
		if t.callOnce(n, fn, i) {
			follow(t.child(n, fn, nil, r), fn.FreeVars[i], depth+1)
		}
	case *ssa.Defer:
		if r.Call.Value != v {
			t.escape("a closure deferred with it as an argument")
			return
		}
		if t.callOnce(n, fn, i) {
			follow(t.child(n, fn, nil, r), fn.FreeVars[i], depth+1)
		}
	case *ssa.Store:
		// f := func() { ... } captured by other literals (go/ssa keeps
		// it in a variable then): the variable's loads are the closure.
		if a, ok := r.Addr.(*ssa.Alloc); ok && r.Val == v && storedOnce(a, r) {
			t.funcVar(n, fn, a, i, depth, follow)
			return
		}
		t.escape("a closure used as a value")
	case *ssa.Return:
		t.returned(n, fn, v, r, i, depth, follow)
	case *ssa.ChangeType:
		// step(func() { ... }), a literal given a named func type: the
		// same closure.
		for _, u := range *r.Referrers() {
			t.closureUse(n, fn, r, u, i, depth, follow)
		}
	default:
		t.escape("a closure used as a value")
	}
}

// callOnce reports whether a synchronous call of fn, a literal holding
// the value followed in its free variable i, may be followed from node
// n: the goroutine running n has not called it already. A goroutine that
// calls the literal twice would reach its free variable a second time
// with nothing new to add (see first), losing the second run's
// operations, so that escapes instead.
func (t *tracker) callOnce(n *Node, fn *ssa.Function, i int) bool {
	if t.callbacks {
		return true // FollowCallbacks follows every call (see closure)
	}
	if t.visited[visit{n.G, fn.FreeVars[i]}] {
		t.escape("a closure called twice by one goroutine")
		return false
	}
	return true
}

// Literals kept in variables, and returned (session 26, callbacks).
//
// go/ssa keeps a local that a function literal captures in a variable
// (an Alloc) of its own, so exec := func(m *Msg) { ... done <- m }
// followed by go func() { for m := range work { exec(m) } }() stores the
// literal in a variable that the worker loads and calls. A variable
// stored once, with that literal, whose every use is a load, or a
// literal capturing it in turn, holds that closure and no other: each
// load is the closure, and its calls, starts and hand-offs are followed
// as the literal's own would be (funcVar). A worker factory that returns
// the literal (func (c *C) worker(q *queue) func() { return func() { for
// { ... } } }, and rq.worker(q)() in the caller) is followed into the
// caller's uses of the call (returned).

// storedOnce reports whether store is the only store to a.
func storedOnce(a *ssa.Alloc, store *ssa.Store) bool {
	for _, r := range *a.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st != store {
			return false
		}
	}
	return true
}

// funcVar follows fn's binding i through a, a variable holding fn's
// closure (its Alloc, stored once, or the free variable of a literal
// capturing it): its loads are the closure, and a literal capturing it
// is followed in turn, as the other bindings of a literal are.
func (t *tracker) funcVar(n *Node, fn *ssa.Function, a ssa.Value, i int, depth int, follow func(*Node, ssa.Value, int)) {
	if depth >= maxDepth {
		t.escape("a closure too deep or unused")
		return
	}
	// Literals capturing each other's variables reach this one again:
	// they may run each other any number of times.
	k := funcVisit{n, a, fn, i}
	if t.funcVars[k] {
		t.escape("a closure that runs itself again")
		return
	}
	if t.funcVars == nil {
		t.funcVars = map[funcVisit]bool{}
	}
	t.funcVars[k] = true
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if _, ok := a.(*ssa.Alloc); !ok || r.Addr != a {
				t.escape("a closure's variable stored or set again")
			}
		case *ssa.UnOp:
			if r.Op != token.MUL || r.X != a {
				t.escape("a closure's variable used other than loaded")
				continue
			}
			for _, u := range *r.Referrers() {
				t.closureUse(n, fn, r, u, i, depth, follow)
			}
		case *ssa.MakeClosure:
			if within(r.Fn.(*ssa.Function), fn) {
				// var retry func(); retry = func() { ...
				// time.AfterFunc(d, retry) }: each run may start or
				// call the next, which no node stands for.
				t.escape("a closure that runs itself again")
				continue
			}
			for j, b := range r.Bindings {
				if b == a {
					t.closure(n, r, j, depth, func(n *Node, fv ssa.Value, d int) { t.funcVar(n, fn, fv, i, d, follow) })
				}
			}
		default:
			t.escape("a closure's variable used other than loaded")
		}
	}
}

// within reports whether f is fn or a literal written inside it.
func within(f, fn *ssa.Function) bool {
	for ; f != nil; f = f.Parent() {
		if f == fn {
			return true
		}
	}
	return false
}

// funcVisit is a variable holding a literal's closure, followed from a
// node for one binding of the literal.
type funcVisit struct {
	n  *Node
	a  ssa.Value
	fn *ssa.Function
	i  int
}

// returned follows fn's binding i through ret, a return of v, fn's
// closure, by n.Fn: when n is a synchronous call of that function and
// every return of it returns v alone, the call's uses in the caller are
// the closure's.
func (t *tracker) returned(n *Node, fn *ssa.Function, v ssa.Value, ret *ssa.Return, i int, depth int, follow func(*Node, ssa.Value, int)) {
	call, ok := n.Call.(*ssa.Call)
	if !ok || n.Parent == nil || n.wrapped || depth >= maxDepth || !returnsOnly(n.Fn, v) {
		t.escape("a closure used as a value")
		return
	}
	for _, u := range *call.Referrers() {
		t.closureUse(n.Parent, fn, call, u, i, depth, follow)
	}
}

// returnsOnly reports whether every return of f returns v, alone.
func returnsOnly(f *ssa.Function, v ssa.Value) bool {
	for _, b := range f.Blocks {
		if r, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && (len(r.Results) != 1 || r.Results[0] != v) {
			return false
		}
	}
	return true
}

// wrapArg tells what the function c calls does with v, when v is one
// of c's arguments, once (see Wrap).
func wrapArg(pkg *ssa.Package, c *ssa.CallCommon, v ssa.Value) Wrap {
	idx := onlyArg(c, v)
	if idx < 0 {
		return NoWrap
	}
	return WrapOf(pkg, c, idx)
}

// onlyArg returns the index of v among c's arguments, or -1 when v is
// not one or is more than one.
func onlyArg(c *ssa.CallCommon, v ssa.Value) int { return indexOnce(c.Args, v) }

// isArg reports whether v is an argument of c (not its function).
func isArg(c *ssa.CallCommon, v ssa.Value) bool {
	for _, a := range c.Args {
		if a == v {
			return true
		}
	}
	return false
}

// value follows v, one of the channel's values in n.Fn.
func (t *tracker) value(n *Node, v ssa.Value, depth int) {
	if !t.first(n, v) {
		return
	}
	n.Vals[v] = true
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.BinOp:
			if !(t.nilTests || t.rootNilTests && n.G == t.ch.Nodes[0]) || (r.Op != token.EQL && r.Op != token.NEQ) || !isNil(r.X) && !isNil(r.Y) {
				t.escape("compared")
			}
		case *ssa.Send:
			if r.Chan != v || r.X == v {
				t.escape("sent as a value")
				continue
			}
			n.Ops = append(n.Ops, Op{Kind: Send, Instr: r, Node: n})
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				t.escape("an operand")
				continue
			}
			n.Ops = append(n.Ops, Op{Kind: Recv, Instr: r, Node: n})
		case *ssa.Select:
			for i, st := range r.States {
				if st.Send == v {
					t.escape("sent as a value")
				}
				if st.Chan == v {
					k := SelectRecv
					if st.Dir == types.SendOnly {
						k = SelectSend
					}
					n.Ops = append(n.Ops, Op{Kind: k, Instr: r, Node: n, State: i})
				}
			}
		case *ssa.ChangeType:
			t.value(n, r, depth)
		case *ssa.Call:
			if b, ok := r.Call.Value.(*ssa.Builtin); ok {
				switch b.Name() {
				case "close":
					n.Ops = append(n.Ops, Op{Kind: Close, Instr: r, Node: n})
				case "len", "cap":
				default:
					t.escape("passed to a builtin")
				}
				continue
			}
			switch signalCall(&r.Call, v) {
			case "Notify":
				t.signal("handed to signal.Notify")
				t.ch.Notified = append(t.ch.Notified, r)
				continue
			case "Stop":
				t.signal("handed to signal.Stop") // no operation on the channel
				continue
			}
			t.args(n, v, &r.Call, nil, r, depth, t.value)
		case *ssa.Go:
			t.args(n, v, &r.Call, r, nil, depth, t.value)
		case *ssa.Defer:
			if b, ok := r.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" {
				n.Ops = append(n.Ops, Op{Kind: DeferClose, Instr: r, Node: n})
				continue
			}
			if signalCall(&r.Call, v) == "Stop" {
				t.signal("handed to signal.Stop") // defer signal.Stop(c): no operation on the channel
				continue
			}
			t.args(n, v, &r.Call, nil, r, depth, t.value)
		case *ssa.MakeClosure:
			for i, b := range r.Bindings {
				if b == v {
					t.closure(n, r, i, depth, t.value)
				}
			}
		case *ssa.Store:
			if r.Val != v {
				t.escape("stored as a value")
				continue
			}
			switch a := r.Addr.(type) {
			case *ssa.Alloc:
				t.addr(n, a, depth)
			case *ssa.FieldAddr:
				t.field(n, a, depth)
			case *ssa.IndexAddr:
				if !t.element(n, r, a, depth) {
					t.escape("stored in a slice element not followed")
				}
			default:
				t.escape("stored in a global or another's field")
			}
		case *ssa.Return:
			// Returned by the function that makes it, alone or as one
			// result of a tuple, always the same one: the callers' uses
			// are the other half.
			i := resultIndex(r, v)
			if n.Parent != nil || i < 0 || t.ch.Make == nil || len(t.ch.Returns) > 0 && t.ch.Result != i {
				t.escape("returned (not by its maker, or as different results)")
				continue
			}
			t.ch.Result = i
			t.ch.Returns = append(t.ch.Returns, r)
		default:
			t.escape(fmt.Sprintf("used by %T", r))
		}
	}
}

// resultIndex returns the index of v among r's results, or -1 when v is
// not there exactly once.
func resultIndex(r *ssa.Return, v ssa.Value) int { return indexOnce(r.Results, v) }

// indexOnce returns the index of v in vals, or -1 when v is not there
// exactly once.
func indexOnce(vals []ssa.Value, v ssa.Value) int {
	idx := -1
	for i, x := range vals {
		if x == v {
			if idx >= 0 {
				return -1
			}
			idx = i
		}
	}
	return idx
}

// addr follows a variable (a local, or one captured by reference) that
// holds the channel: its loads are the channel, its stores must store it.
func (t *tracker) addr(n *Node, a ssa.Value, depth int) {
	if !t.first(n, a) {
		return
	}
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if r.Addr != a || !t.isChan(r.Val) {
				t.escape("its variable assigned something else")
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				t.escape("its variable's address used")
				continue
			}
			t.value(n, r, depth)
		case *ssa.MakeClosure:
			for i, b := range r.Bindings {
				if b == a {
					t.closure(n, r, i, depth, t.addr)
				}
			}
		default:
			t.escape(fmt.Sprintf("its variable used by %T", r))
		}
	}
}

// isChan reports whether v is one of the channel's values seen so far.
func (t *tracker) isChan(v ssa.Value) bool {
	if ct, ok := v.(*ssa.ChangeType); ok {
		v = ct.X
	}
	return t.seen[v] || (t.ch.Make != nil && v == ssa.Value(t.ch.Make))
}

// field follows the channel stored in a field of a struct that the maker
// allocates itself: the struct pointer may go to closures, goroutines and
// callees of this package, which load the field.
func (t *tracker) field(n *Node, fa *ssa.FieldAddr, depth int) {
	st, ok := fa.X.(*ssa.Alloc)
	if !ok || st.Parent() != n.Fn || t.ch.Field != nil {
		t.escape("stored in a struct the maker did not allocate, or a second field")
		return
	}
	t.ch.Field = fieldVar(fa)
	t.strct(n, st, fa.Field, depth)
}

func fieldVar(fa *ssa.FieldAddr) *types.Var {
	ptr, ok := fa.X.Type().Underlying().(*types.Pointer)
	if !ok {
		return nil
	}
	s, ok := ptr.Elem().Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	return s.Field(fa.Field)
}

// strct follows p, a pointer to the struct whose field f holds the channel.
func (t *tracker) strct(n *Node, p ssa.Value, f int, depth int) {
	if !t.first(n, p) {
		return
	}
	follow := func(n *Node, v ssa.Value, d int) { t.strct(n, v, f, d) }
	for _, r := range *p.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.FieldAddr:
			if r.Field == f {
				t.addr(n, r, depth)
			}
		case *ssa.Call:
			t.recvArgs(n, p, &r.Call, nil, r, depth, follow)
		case *ssa.Go:
			t.recvArgs(n, p, &r.Call, r, nil, depth, follow)
		case *ssa.Defer:
			t.recvArgs(n, p, &r.Call, nil, r, depth, follow)
		case *ssa.MakeInterface:
			// The struct put in an interface of the package (var j job =
			// w): its methods called through it are the struct's type's,
			// whatever else implements the interface.
			named, ok := types.Unalias(r.Type()).(*types.Named)
			if !ok || named.Obj().Pkg() != t.pkg.Pkg || t.dyn != nil && !types.Identical(t.dyn, p.Type()) {
				t.escape("its holder put in an interface of another package or type")
				continue
			}
			t.dyn = p.Type()
			t.strct(n, r, f, depth)
		case *ssa.MakeClosure:
			for i, b := range r.Bindings {
				if b == p {
					t.closure(n, r, i, depth, follow)
				}
			}
		case *ssa.Store:
			// The struct pointer kept in a local variable (captured by
			// reference): follow its loads.
			a, ok := r.Addr.(*ssa.Alloc)
			if !ok || r.Val != p {
				t.escape("its holder stored elsewhere")
				continue
			}
			t.ptrVar(n, a, f, depth)
		default:
			t.escape(fmt.Sprintf("its holder used by %T", r))
		}
	}
}

// ptrVar follows a local variable holding the struct pointer.
func (t *tracker) ptrVar(n *Node, a ssa.Value, f int, depth int) {
	if !t.first(n, a) {
		return
	}
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if r.Addr != a || !t.seen[r.Val] {
				t.escape("its holder's variable assigned something else")
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				t.escape("its holder's variable's address used")
				continue
			}
			t.strct(n, r, f, depth)
		case *ssa.MakeClosure:
			for i, b := range r.Bindings {
				if b == a {
					t.closure(n, r, i, depth, func(n *Node, v ssa.Value, d int) { t.ptrVar(n, v, f, d) })
				}
			}
		default:
			t.escape(fmt.Sprintf("its holder's variable used by %T", r))
		}
	}
}

// Goroutines groups the channel's operations by the goroutine that runs
// them; the maker's goroutine is Nodes[0].
func (c *Channel) Goroutines() map[*Node][]Op {
	m := map[*Node][]Op{}
	for _, n := range c.Nodes {
		m[n.G] = append(m[n.G], n.Ops...)
		if _, ok := m[n.G]; !ok {
			m[n.G] = nil
		}
	}
	return m
}
