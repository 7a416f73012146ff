package chanmodel

import (
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// A stop channel: another channel the model's goroutines make and see,
// that nothing sends on and only the model's functions close (close(stop),
// defer close(stop)). A select case receiving from it fires only once the
// close has run, like a case on a modelled context's Done once cancelled;
// its other receives return, as before. Anything else done with it (a
// send, a field, a call outside the model) leaves the case free to fire at
// any time.

// stopChan returns the make of v when it is a candidate stop channel: a
// channel made in the model that is not the model's own channel.
func (b *syncBuild) stopChan(n *chanuse.Node, v ssa.Value) (objKey, string) {
	if !isChanType(v.Type()) {
		return objKey{}, ""
	}
	k, name := b.resolve(v, n, 0)
	mc, ok := k.base.(*ssa.MakeChan)
	if !ok || k.path != "" || mc == b.m.ch.Make {
		return objKey{}, ""
	}
	if name == "" {
		name = "stop"
	}
	return k, name
}

// stopCase returns the modelled stop channel a select case receives from.
func (b *syncBuild) stopCase(n *chanuse.Node, v ssa.Value) (int, bool) {
	k, name := b.stopChan(n, v)
	if k.base == nil {
		return 0, false
	}
	return b.object(k, kStop, name), true
}

// scanClose records close(stop), plain or deferred, as the stop channel's
// cancel.
func (b *syncBuild) scanClose(n *chanuse.Node, in ssa.Instruction, c *ssa.CallCommon) bool {
	bi, ok := c.Value.(*ssa.Builtin)
	if !ok || bi.Name() != "close" || len(c.Args) != 1 {
		return false
	}
	k, name := b.stopChan(n, c.Args[0])
	if k.base == nil {
		return false
	}
	obj := b.object(k, kStop, name)
	b.add(n, in, &syncOp{kind: sCancel, obj: obj, instr: in, name: "close(" + name + ")"})
	return true
}

// stopUse reports whether r, a use of v (a stop channel, path ""), is one
// that cannot fire its cases early: a close (an operation of the model),
// a receive, or a select that only receives from it; handled reports
// whether r was judged here.
func (b *syncBuild) stopUse(v ssa.Value, r ssa.Instruction, path string, obj int) (ok, handled bool) {
	if path != "" || !isChanType(v.Type()) {
		return false, false
	}
	switch r := r.(type) {
	case ssa.CallInstruction:
		c := r.Common()
		if bi, isB := c.Value.(*ssa.Builtin); isB && bi.Name() == "close" && len(c.Args) == 1 && c.Args[0] == v {
			b.reached[obj][r] = true
			return true, true
		}
	case *ssa.UnOp:
		if r.Op == token.ARROW {
			return true, true
		}
	case *ssa.Select:
		for _, st := range r.States {
			if st.Chan == v && st.Dir != types.RecvOnly {
				return false, true
			}
		}
		return true, true
	}
	return false, false
}

func isChanType(t types.Type) bool {
	_, ok := t.Underlying().(*types.Chan)
	return ok
}
