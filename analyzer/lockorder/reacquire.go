package lockorder

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// A callee that gives its caller's lock back and takes it again (issue 14,
// item 3; moby/moby#4951).
//
// A helper that waits for something may release the lock its caller holds
// while it sleeps and take it again before it returns:
//
//	func (d *DeviceSet) removeAndWait(name string) {
//		for busy(name) {
//			d.Unlock()
//			time.Sleep(10 * time.Millisecond)
//			d.Lock()
//		}
//	}
//
// Called with d's lock and then a device's lock held, the helper takes d's
// lock again while the device's lock is held: the device lock is ordered
// before d's lock there, after it in the caller. A goroutine that takes d's
// lock and then waits for the device's lock meanwhile (or the same function
// on another goroutine) deadlocks with it.
//
// The summary keeps these locks apart from Acquires (a caller's lock given
// back is not a new lock for the caller: it orders nothing the caller took
// before it). At the call they are ordered after the locks the caller
// holds then, except the lock itself and those the callee released before
// taking it again; they never count as a second lock of a held mutex.

// applyReacquires orders the caller's locks the callee gave back and took
// again after the other locks held at the call.
func (f *fnChecker) applyReacquires(call *ssa.CallCommon, sum *Summary, pos token.Pos, calleeName string, s *state) {
	if f.maybeCall {
		return
	}
	for _, a := range sum.Reacquires {
		if possible, known := f.guardHolds(call, a.Guard); !possible || !known {
			continue
		}
		ik, ck, d, ok := f.subst(call, a)
		if !ok || ik == "" || byClass(ik) {
			continue
		}
		fk := a.Lock
		if fk == "" && a.Path == "" {
			// A mutex handed over by pointer (helper(&s.mu)): its class
			// is the field the caller passes.
			if v := argOf(call, a.Root); v != nil {
				fk = fieldKey(v)
			}
		}
		drops := f.dropsOf(call, a.Drops)
		if drops == nil {
			drops = map[string]bool{}
		}
		drops[ik] = true
		// maybe: a held instance of it is the caller's own lock given
		// back, never a double lock.
		li := &lockInfo{inst: ik, class: ck, fkey: fk, alias: a.Alias, read: a.Read, pos: pos, desc: d,
			via: calleeName + ", which unlocks it and locks it again", maybe: true, drops: drops, inner: a.pos}
		f.acquire(s, li, false)
	}
}
