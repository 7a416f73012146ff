package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/analysis/passes/buildssa"
)

// TestRealKernels runs the kernels reduced from upstream fixes, each beside
// its fixed look-alike, and the look-alikes the analyzer must leave alone.
func TestRealKernels(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "real")
}

// TestResolvedCalls runs kernels whose waits and stops are reached through
// an interface or a package function variable (chanuse.Callee), and the
// look-alikes whose calls stay unresolved.
func TestResolvedCalls(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "resolved", "unresolved")
}

// TestStuck runs the bounded interleaving checker's kernels (chanmodel):
// classic leaks, each beside a fixed twin that must stay silent. It runs
// chanblock without deadlockleak, whose reports the checker would
// otherwise leave alone (TestStuckLeaks).
func TestStuck(t *testing.T) {
	runAlone(t, "stuck")
}

// TestStuckLeaks checks that the checker does not report again a send
// deadlockleak reports (the same leak twice), and still reports what
// deadlockleak does not see.
func TestStuckLeaks(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "stuckleaks")
}

// TestStuckOff checks that -chanblock.stuck=false switches the checker off:
// a leak only it reports goes unreported.
func TestStuckOff(t *testing.T) {
	if err := chanblock.Analyzer.Flags.Set("stuck", "false"); err != nil {
		t.Fatal(err)
	}
	defer chanblock.Analyzer.Flags.Set("stuck", "true")
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "stuckoff")
}

// TestStuckReturned runs the checker on channels their maker returns to a
// caller in the package (chanmodel.CheckReturned): leaks beside fixed
// twins, the checker alone as in TestStuck.
func TestStuckReturned(t *testing.T) {
	runAlone(t, "stuckreturned")
}

// TestStuckField runs the checker on channels kept in struct fields under
// its owner-then-one-client harness (chanmodel.CheckClient): leaks beside
// fixed twins and lifecycle look-alikes, the checker alone as in
// TestStuck.
func TestStuckField(t *testing.T) {
	runAlone(t, "stuckfield")
}

// TestStuckHarness runs the field harness on calls that race the
// object's end (a select leaving by another case while the call waits)
// and on two exported methods called at once (stuckpair.go): leaks beside
// fixed twins and look-alikes (a stop case nothing in the harness fires,
// a one-shot object called twice, a Close racing a failed Start).
func TestStuckHarness(t *testing.T) {
	runAlone(t, "stuckharness")
}

// TestStuckJoint runs the checker's kernels where a select has a case on
// another channel the function makes, followed together with the channel
// (chanmodel/joint.go): leaks beside fixed twins and look-alikes.
func TestStuckJoint(t *testing.T) {
	runAlone(t, "stuckjoint")
}

// TestStuckCaller runs the field harness with the package's own code as
// the client (stuckclient.go): leaks beside fixed twins and look-alikes.
func TestStuckCaller(t *testing.T) {
	runAlone(t, "stuckcaller")
}

// TestStuckSync runs the checker's kernels that combine the channel with
// a WaitGroup, a lock or a cancellable context its goroutines share, each
// beside a fixed twin that must stay silent.
func TestStuckSync(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "stucksync")
}

// TestStuckCond runs the checker on goroutines that share a channel and a
// sync.Cond (chanmodel cond.go): a Signal before the Wait, a wake on one
// way out only, a Wait under a lock the waker needs, one Signal for two
// waiters, each beside the shape a correct program takes; and predicate
// loops, whose predicate the model does not know, which stay silent.
func TestStuckCond(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "stuckcond")
}

// TestStuckLoops runs the checker on loops whose way out it does not
// track and on capacities it cannot fill (chanmodel freeloops.go): leaks
// beside fixed twins, and look-alikes whose counts must match.
func TestStuckLoops(t *testing.T) {
	runAlone(t, "stuckloops")
}

// TestStuckEscape runs the checker on field channels that leave the
// field (chanuse.WideFields): passed to the package's goroutines and
// helpers, compared with nil, handed out receive-only; look-alikes whose
// channel other packages may complete stay silent.
func TestStuckEscape(t *testing.T) {
	runAlone(t, "stuckescape")
}

// TestStuckRoots: models rooted at a local WaitGroup or lock
// (chanmodel's roots.go): a lock held across a Wait that the Done callers
// need, fewer goroutines than added, a skipped Done in a goroutine that
// waits, a lock taken again by a helper; fixed twins and look-alikes.
func TestStuckRoots(t *testing.T) {
	runAlone(t, "stuckroots")
}

// TestStuckRange runs the field harness on loops that only a close ends
// (stuckrange.go): a range or a two-value receive loop whose every close
// runs only after it; look-alikes (a Stop closing, a done case, a
// producer closing after its last send, a queue nothing closes, a value
// exit, a deferred close) stay silent.
func TestStuckRange(t *testing.T) {
	runAlone(t, "stuckrange")
}

// TestStuckHandout runs the field harness on objects handed out as an
// interface their constructor builds from the concrete type (directly,
// through a local interface variable, narrowed to another interface):
// outside callers get the concrete value, so pairs of its methods run;
// twins and look-alikes (a close, an unexported constructor, a wrapper)
// stay silent.
func TestStuckHandout(t *testing.T) {
	runAlone(t, "stuckhandout")
}

// TestStuckCounts runs the checker on receivers that stop when a counter
// reaches a bound (chanmodel counts.go): leaks where the senders may
// number fewer, fixed twins and look-alikes whose counts match or that
// it gives up on.
func TestStuckCounts(t *testing.T) {
	runAlone(t, "stuckcounts")
}

// TestStuckValues runs the checker on receivers that stop on a received
// value's error (chanmodel values.go): a producer whose error value comes
// last (silent), one that sends again after it (reported), and values
// the checker cannot know (forwarded from a call: both ways).
func TestStuckValues(t *testing.T) {
	runAlone(t, "stuckvalues")
}

// runAlone runs chanblock without deadlockleak on the testdata package
// dir: the checker leaves alone what deadlockleak reports, so its own
// kernels run without it.
func runAlone(t *testing.T, dir string) {
	t.Helper()
	alone := *chanblock.Analyzer
	alone.Requires = []*analysis.Analyzer{buildssa.Analyzer}
	analysistest.Run(t, analysistest.TestData(), &alone, dir)
}

// TestStuckMap runs the checker on channels kept as elements of a map in
// a private field (chanuse.WideMaps): a registered channel its sender
// never finds or never closes, and look-alikes that find it by its key.
func TestStuckMap(t *testing.T) {
	runAlone(t, "stuckmap")
}

// TestStuckSelect runs the checker on polling loops (chanmodel's
// polls.go): a select with a default whose only way out is a case nothing
// makes ready any more, beside look-alikes with another way out.
func TestStuckSelect(t *testing.T) {
	runAlone(t, "stuckselect")
}

// TestStuckObj runs the field harness on objects whose WaitGroup field a
// method leaves raised on some path (stuckwgleak.go), beside fixed twins
// and look-alikes (Done deferred, Done on the early return, Add and Done
// in two methods, an Add of a count that is not constant).
func TestStuckObj(t *testing.T) {
	runAlone(t, "stuckobj")
}

// TestOneValueReach runs the one-value rule (onevalue.go) on stop
// channels the waiting goroutines reach through a field of an embedded
// struct or of another struct, and on goroutines started as method values
// (wg.Go(s.loop), a starter handed s.loop), beside fixed twins and
// look-alikes (two sub-objects each sent its own value, a reader per
// redialed connection, one method-value goroutine).
func TestOneValueReach(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "onevaluereach")
}

// TestCloseOnlyLoop runs the unclosed-channel check (report) on loops
// only a close ends beyond a plain range: a for-select left only when a
// two-value receive finds the channel closed, a range whose body forwards
// with a blocking select; fixed twins and look-alikes with another way
// out (a loop condition, a done case, a return in the body, a sentinel
// value) stay silent.
func TestCloseOnlyLoop(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "closeonlyloop")
}

// TestGeneric runs the one-value rule on a stop field of a generic type
// (its methods see an instance of the struct, and generic code calls
// instances of its callees), beside a fixed twin and a look-alike with
// one waiter.
func TestGeneric(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "generic")
}

// TestStuckClosure runs the checker on channels a literal captures when
// the literal is kept in a variable another literal calls or starts, or
// returned by a worker factory whose caller runs it (chanuse's funcVar
// and returned): leaks beside fixed twins, and look-alikes whose literal
// may be another or runs twice.
func TestStuckClosure(t *testing.T) {
	runAlone(t, "stuckclosure")
}

// TestStuckGlobals runs the checker on channels whose goroutines share a
// lock kept in a package variable (chanmodel's globals.go), beside fixed
// twins and look-alikes whose other users could change the outcome (an
// exported lock, one released by a function that did not take it, one
// whose address is handed on, a WaitGroup another function releases).
func TestStuckGlobals(t *testing.T) {
	runAlone(t, "stuckglobals")
}

// TestGlobalActors runs chanblock on goroutines that alone receive from a
// package channel and send on their own or on each other's
// (globalactors.go), beside look-alikes.
func TestGlobalActors(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "globalactors")
}
