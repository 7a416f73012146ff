package condwait

import (
	"fmt"

	"golang.org/x/tools/go/analysis"
)

// checkUnlockedTest reports a Wait whose predicate is tested without the
// Cond's lock: the waiter reads the shared state, finds it not ready,
// and only then takes the lock and waits. Another goroutine's change and
// its Signal or Broadcast can both fall between the test and the Wait
// (taking the lock does not help: the change is already made), so the
// wake-up is lost and the waiter sleeps on (sdcio/data-server#242). Only
// the tests that decide the Wait count, and the waiter must hold the lock
// at the Wait; one such test made under the lock (a recheck after Lock)
// is enough to close the window. The state must be changed, in a way
// that ends the wait, by another function of the package.
func (c *checker) checkUnlockedTest(cd *cond) {
	lf := c.flowsFor(cd)
	for _, w := range cd.waits {
		if !lf.at(w).must {
			continue // the lock model does not see the waiter hold the lock
		}
		var bare *pred
		var change *write
		locked := false
		for _, p := range waitPreds(w.Parent(), w) {
			if p.test == nil {
				continue
			}
			if h := lf.at(p.test); h.may {
				locked = true // tested (maybe) under the lock: no window
				break
			}
			if p.field == nil || change != nil {
				continue
			}
			for _, wr := range c.writes[p.field] {
				if wr.fn != w.Parent() && releases(wr, p) {
					bare, change = &p, wr
					break
				}
			}
		}
		if locked || bare == nil {
			continue
		}
		f := bare.field.Name()
		c.report(w.Pos(), fmt.Sprintf("lost wake-up: %s tests %s without %s's lock (%s) and only then locks and waits: %s can change %s and signal (%s) between the test and the Wait, and nobody wakes this Wait again (test %s under the lock, in a loop around the Wait)",
			fnName(w.Parent()), f, cd.name, c.at(bare.pos, w.Pos()), fnName(change.fn), f, c.at(change.instr.Pos(), w.Pos()), f),
			analysis.RelatedInformation{Pos: bare.pos, Message: "the test, without the lock"},
			analysis.RelatedInformation{Pos: change.instr.Pos(), Message: "the change that ends the wait"})
	}
}
