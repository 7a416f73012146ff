package lockorder

import "golang.org/x/tools/go/ssa"

// A WaitGroup wait reached through a wrapper (session 24, mixwg;
// microsoft/hcsshim#49).
//
// A Wait on a WaitGroup field meets the Done calls on that field
// wherever they are, by the field's key ("pkg.T.wg"): s.stack.Close()
// waiting on the stack's wg is woken by st.wg.Done() in the stack's
// goroutine. The key was found only when the callee waits on a field of
// its own parameter; a wrapper that calls such a method on a package
// variable or on an object it looks up (`func unregister(h) error {
// return hcs.unregister(h) }`, where hcs.unregister waits on
// hcs.running) passed the wait on without the key, so a lock held around
// the wrapper call met no waker, however surely the goroutine that calls
// Done needed that lock first. The summary of a wait of kind wg now
// carries its field (Acq.Field), from the Wait itself or from the callee
// that waited, and a caller uses it when the wait is not on a field of
// the callee's parameter.

// wgWaitField returns the WaitGroup field key of a wait a of kind wg in
// callee's summary: the field of callee's parameter it waits on, or the
// field the wait carries from deeper down.
func wgWaitField(callee *ssa.Function, a Acq) string {
	if fk := paramFieldKey(callee, a); fk != "" {
		return fk
	}
	return a.Field
}
