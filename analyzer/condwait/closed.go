package condwait

import (
	"fmt"
	"go/constant"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A closed state the waiter ignores (rlmcpherson/s3gof3r#73). A Wait loop
// that only new data ends (a queue to fill, a count to rise, a key to
// appear in a map) is on a Cond of a struct that also has a one-way state:
// a bool field some other function sets to true while holding the Cond's
// lock, and that nothing sets back to false (a closed or stopped flag), or
// an error field only ever set to non-nil errors (closed with an error);
// constructors filling in a fresh struct do not count. The flag is set
// under the Cond's lock precisely because it belongs to the state the
// Cond guards, yet the wait loop never tests it: once it is set (Close)
// the data the waiter wants may never come, and whether or not the setter
// wakes the Cond, the waiter goes back to sleep for good.

// checkClosedFlag reports such waits on cd.
func (c *checker) checkClosedFlag(cd *cond) {
	if cd.escaped || !cd.private {
		return
	}
	lf := c.flowsFor(cd)
	for _, w := range cd.waits {
		inst := condInst(w)
		if inst == nil || !c.dataOnly(w.Parent(), w) {
			continue
		}
		for f, wrs := range c.writes {
			isErr := types.Identical(f.Type(), types.Universe.Lookup("error").Type())
			if !isBool(f.Type()) && !isErr {
				continue
			}
			var set *write
			oneWay := true
			for _, wr := range wrs {
				k, isConst := wr.val.(*ssa.Const)
				if isErr && (wr.val == nil || isConst && k.IsNil()) || !isErr && (!isConst || k.Value == nil || k.Value.Kind() != constant.Bool || !constant.BoolVal(k.Value)) {
					oneWay = false // set back, or to a computed value
					break
				}
				st, ok := wr.instr.(*ssa.Store)
				if !ok || set != nil || wr.fn == w.Parent() || !lf.at(wr.instr).must {
					continue
				}
				if fa, ok := st.Addr.(*ssa.FieldAddr); ok && types.Identical(fa.X.Type(), inst.Type()) {
					set = wr
				}
			}
			if !oneWay || set == nil {
				continue
			}
			p := waitPreds(w.Parent(), w)
			if len(p) == 0 {
				continue
			}
			data := p[0].field.Name()
			c.report(w.Pos(), fmt.Sprintf("Wait on %s in %s ends only when new data comes into %s, but %s sets %s (%s) under the Cond's lock for good and this loop never tests it: a goroutine waiting here when that state is set is never told, and once the data stops it blocks forever (test %s in the loop, and Broadcast %s after setting it)",
				cd.name, fnName(w.Parent()), data, fnName(set.fn), f.Name(), c.at(set.instr.Pos(), w.Pos()), f.Name(), cd.name),
				analysis.RelatedInformation{Pos: set.instr.Pos(), Message: "the one-way state the waiter ignores is set here"},
				analysis.RelatedInformation{Pos: p[0].pos, Message: "the waiter's only test, on data"})
			break
		}
	}
}
