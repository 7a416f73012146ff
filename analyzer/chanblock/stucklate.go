package chanblock

import (
	"fmt"
	"go/token"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanmodel"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// The reasons completable gives for a witness that a call of another
// method of the object (one the harness run did not make) could release:
// those witnesses are run again with that call made late (stuckLate).
const (
	whyAlone        = "no other goroutine of the harness takes part"
	whyOutsidePfx   = "an operation outside the harness could complete it"
	whyClientOwnPfx = "a client method could complete the owner's operation"
)

// lateMay reports whether a witness dropped for why may be a lifecycle
// witness: what was left blocked waits for a call the run did not make.
func lateMay(why string) bool {
	return why == whyAlone || strings.HasPrefix(why, whyOutsidePfx) || strings.HasPrefix(why, whyClientOwnPfx)
}

// maxLate bounds the methods run late in one lifecycle run.
const maxLate = 3

// lifecycleNames are the method names that by convention end an object's
// life, or one phase of it, and are called once: a second call is misuse.
var lifecycleNames = []string{"Stop", "Close", "Shutdown", "Cancel", "Quit", "Terminate", "Kill", "Halt", "Dispose", "Destroy", "Finish", "Exit"}

// startNames are the method names that by convention begin an object's
// life and run once: two concurrent calls are misuse, and a waiter one of
// them leaves for the other is not the object's bug.
var startNames = []string{"Start", "Run", "Serve", "ListenAndServe", "Open", "Init"}

// hasPrefix reports whether m's name begins with one of names.
func hasPrefix(m *ssa.Function, names []string) bool {
	for _, n := range names {
		if strings.HasPrefix(m.Name(), n) {
			return true
		}
	}
	return false
}

// lifecycleName reports whether m's name is a lifecycle method's (Stop,
// CloseSend, Shutdown...).
func lifecycleName(m *ssa.Function) bool { return hasPrefix(m, lifecycleNames) }

// lateMethods returns the client methods that release what waits at an
// operation of kind k on the field: their trees complete such an
// operation (a send or close for a receive, a receive for a send) and
// never wait as it does (a semaphore's method taking its own slot back, a
// Restart that stops a loop and starts the next, are balanced clients,
// not releasers). Nil when there are none or too many.
func lateMethods(c *class, k chanuse.Kind, clients []*ssa.Function, reach map[*ssa.Function]map[opKey]bool) []*ssa.Function {
	var ms []*ssa.Function
	for _, m := range clients {
		if m == nil || reach[m] == nil {
			continue
		}
		releases, waits := false, false
		for _, op := range c.Ops {
			if !reach[m][opKey{op.Instr, op.State}] {
				continue
			}
			switch {
			case completes(k, op.Kind):
				releases = true
			case isRecv(op.Kind) == isRecv(k) && op.Kind != chanuse.Close && op.Kind != chanuse.DeferClose:
				waits = true
			}
		}
		if releases && !waits {
			ms = append(ms, m)
		}
	}
	if len(ms) > maxLate {
		return nil
	}
	return ms
}

// completes reports whether an operation of kind k completes one of kind
// blocked: a send or close a receive, a receive a send.
func completes(blocked, k chanuse.Kind) bool {
	if isRecv(blocked) {
		return k == chanuse.Send || k == chanuse.SelectSend || k == chanuse.Close || k == chanuse.DeferClose
	}
	return isRecv(k)
}

// isRecv reports whether k receives.
func isRecv(k chanuse.Kind) bool { return k == chanuse.Recv || k == chanuse.SelectRecv }

// stuckLate runs the harness run r again with late clients
// (chanmodel.CheckLifecycle): the methods that could complete what a
// dropped witness of r left blocked (late), each called once when it is
// a lifecycle method (Stop, Close: called once by convention) and twice
// otherwise, starting when every goroutine of r is blocked. A goroutine
// blocked then, still blocked at the same operation after every late
// call returned, one of them having completed an operation on the
// channel, was not released by the call that releases the object's
// waiters: a bug by the convention that a lifecycle call releases every
// goroutine blocked in the object's methods and goroutines when it
// began. (A call made after that call is misuse; the harness does not
// make one.) The witness is still dropped when an operation outside the
// run could complete it, or code outside the package.
func (h *harness) stuckLate(st *state, mc *ssa.MakeChan, hr *harnessRun, late []*ssa.Function, reach map[*ssa.Function]map[opKey]bool, check func(*chanuse.Node, *chanuse.Node, []*chanuse.Node) []chanmodel.Stuck) {
	if hr.fns[1] != nil && hr.fns[0] == hr.fns[1] && hasPrefix(hr.fns[0], startNames) {
		st.census(mc, "field: no lifecycle run (%s twice at once is misuse)", hr.fns[0].Name())
		return
	}
	n0 := len(h.nodes)
	inside := map[opKey]bool{}
	for k := range h.inside {
		inside[k] = true
	}
	defer func() {
		h.nodes = h.nodes[:n0]
		h.inside = inside
	}()
	var roots []*chanuse.Node
	var names []string
	in := map[*ssa.Function]bool{hr.fns[0]: true, hr.fns[1]: true}
	for _, m := range late {
		root := h.grow(nil, m, map[ssa.Value]bool{m.Params[0]: true}, nil, nil, 0)
		if root == nil {
			return
		}
		in[m] = true
		roots = append(roots, root)
		if !lifecycleName(m) {
			roots = append(roots, root)
		}
		names = append(names, m.Name())
	}
	var first, second *chanuse.Node
	if len(hr.clients) > 0 {
		first = hr.clients[0]
	}
	if len(hr.clients) > 1 {
		second = hr.clients[1]
	}
	st.census(mc, "field: lifecycle run with %s late", strings.Join(names, ", "))
	found := check(first, second, roots)
	for _, s := range found {
		if s.Sync != nil {
			continue
		}
		if why := h.lateOutside(st, s, in, reach); why != "" {
			st.census(mc, "field: lifecycle witness dropped: %s", why)
			continue
		}
		st.census(mc, "field: witness kept (a lifecycle call left it blocked)")
		st.reportLate(s, late)
	}
}

// lateOutside returns why s, a witness of a lifecycle run of the
// methods in, is not one to report: an operation no method of the run
// reaches, or code outside the package, could complete it, or it waits
// in a loop (waitsInLoop).
func (h *harness) lateOutside(st *state, s chanmodel.Stuck, in map[*ssa.Function]bool, reach map[*ssa.Function]map[opKey]bool) string {
	if outsideCompletes(h.c, s) {
		return "code outside the package holding the channel could complete it"
	}
	if waitsInLoop(s.Op) {
		return "the waiter waits in a loop (a consumer taking the next value; only a close ends it)"
	}
	for _, op := range h.c.Ops {
		if !completes(s.Op.Kind, op.Kind) {
			continue
		}
		k := opKey{op.Instr, op.State}
		out := !h.inside[k]
		for m, ops := range reach {
			if !in[m] && ops[k] {
				out = true
			}
		}
		if out {
			return fmt.Sprintf("an operation outside the run could complete it (line %d)", st.pass.Fset.Position(op.Instr.Pos()).Line)
		}
	}
	return ""
}

// waitsInLoop reports whether op is in a loop of its function, or of a
// caller in its goroutine: a consumer that goes round for the next value
// waits for work, not for a release, and a release call owes it nothing
// but a close.
func waitsInLoop(op chanuse.Op) bool {
	b, n := op.Instr.Block(), op.Node
	for {
		if ssaloop.InLoop(b) {
			return true
		}
		if n.Parent == nil || n.Go != nil || n.Call == nil {
			return false
		}
		b, n = n.Call.Block(), n.Parent
	}
}

// reportLate reports s, a lifecycle witness: the late calls returned and
// it stays blocked.
func (st *state) reportLate(s chanmodel.Stuck, late []*ssa.Function) {
	var rel []analysis.RelatedInformation
	var names []string
	for _, m := range late {
		names = append(names, m.Name())
	}
	seen := map[token.Pos]bool{}
	for _, x := range s.Others {
		for _, m := range late {
			if x.Fn == m && !x.Blocked && !seen[x.Pos] {
				seen[x.Pos] = true
				rel = append(rel, analysis.RelatedInformation{Pos: x.Pos, Message: m.Name() + " returns here while the wait goes on"})
				break
			}
		}
	}
	fix := "close the channel so that every waiter is released"
	if s.Op.Kind == chanuse.Send || s.Op.Kind == chanuse.SelectSend {
		fix = "take or drain every pending send"
	}
	why := fmt.Sprintf("it can already be waiting when %s is called, which completes one operation on the channel for another goroutine and returns; after that nothing completes this one: a call that releases the object's waiters must release all of them (%s)", strings.Join(names, " or "), fix)
	st.reportStuckAs(s, why, rel)
}
