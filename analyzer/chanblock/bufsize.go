package chanblock

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// callerSized reports whether every make of a channel takes its buffer
// size from its function's caller: a parameter, or a field of one
// (make(chan T, opts.QueueSize)). Such a buffer is a configured bound
// that senders can fill, unlike one computed to hold every value the
// function will send (make(chan T, len(jobs))).
func callerSized(makes []*ssa.MakeChan) bool {
	if len(makes) == 0 {
		return false
	}
	for _, mc := range makes {
		v := mc.Size
		if cv, ok := v.(*ssa.Convert); ok {
			v = cv.X
		}
		switch x := v.(type) {
		case *ssa.Parameter:
		case *ssa.Field:
			if _, ok := x.X.(*ssa.Parameter); !ok {
				return false
			}
		case *ssa.UnOp:
			fa, ok := x.X.(*ssa.FieldAddr)
			if x.Op != token.MUL || !ok {
				return false
			}
			if !fromParam(fa.X) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// fromParam reports whether v is a parameter, or the local go/ssa spills a
// struct parameter into to address its fields (t0 = local T (opts);
// *t0 = opts).
func fromParam(v ssa.Value) bool {
	if _, ok := v.(*ssa.Parameter); ok {
		return true
	}
	a, ok := v.(*ssa.Alloc)
	if !ok || a.Heap {
		return false
	}
	stored := false
	for _, r := range *a.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Addr == ssa.Value(a) {
			if _, ok := st.Val.(*ssa.Parameter); !ok || stored {
				return false
			}
			stored = true
		}
	}
	return stored
}
