package lockorder

import (
	"go/token"

	"golang.org/x/tools/go/ssa"
)

// A Cond handshake (issue 14, precision). The waiter holds L, waits on a
// Cond of L, and then, still holding L, waits for a channel (or another
// wake); the waker locks L, signals the Cond, unlocks L and then wakes:
//
//	mu.Lock()                    mu.Lock()
//	c.Wait()                     c.Signal()
//	<-out                        mu.Unlock()
//	                             out <- v
//
// The waker takes L before it wakes, but it did so before the Signal that
// ended the Wait, which is where the waiter took L back: by the time the
// waiter holds L again the waker is past its Lock and on its way to the
// wake, with nothing left to take. The state tracks both halves: the Conds
// signalled on every path since the last lock taken (state.sig, cleared
// by any Lock, which may come after the waiter took L back), and the held
// locks last taken back by a Cond's Wait (state.cw, cleared by an Unlock
// or a new Lock of them).

// condRetake notes that the Wait on the Cond v took back the held locks
// that are its L.
func (f *fnChecker) condRetake(v ssa.Value, s *state) {
	id := f.condID(v)
	ls := f.condLocks(v)
	if id == "" || len(ls) == 0 {
		return
	}
	for k, h := range s.held {
		if isCondLock(h, ls) {
			if s.cw == nil {
				s.cw = map[string]string{}
			}
			s.cw[k] = id
		}
	}
}

// signalled notes a Signal or Broadcast of the Cond v on this path.
func (f *fnChecker) signalled(v ssa.Value, s *state) {
	if id := f.condID(v); id != "" {
		if s.sig == nil {
			s.sig = map[string]bool{}
		}
		s.sig[id] = true
	}
}

// afterSignal reports whether the waker wk wakes the waiter w only after
// signalling the Cond whose Wait took back w's held lock h, with no lock
// taken since: its lock of h came before the waiter held h again.
func afterSignal(w *wait, wk *wake, h *lockInfo) bool {
	id := w.cw[h.inst]
	return id != "" && wk.sig[id]
}

// condID names the Cond v: by its class, or, for a Cond a function makes
// with sync.NewCond and its closures share, by that call.
func (f *fnChecker) condID(v ssa.Value) string {
	if cls := f.c.k.class(v); cls != "" {
		return cls
	}
	if call := f.newCond(v); call != nil {
		return "{nc:" + call.Parent().String() + ":" + call.Name() + "}"
	}
	return ""
}

// condLocks returns the lock classes of the Cond v's L: by its field, or,
// for a Cond made here by sync.NewCond, by the Locker given to it.
func (f *fnChecker) condLocks(v ssa.Value) []string {
	if fk := fieldKey(v); fk != "" {
		if ls, ok := f.c.condLock[fk]; ok {
			return ls
		}
	}
	if call := f.newCond(v); call != nil {
		l := call.Call.Args[0]
		if mi, ok := l.(*ssa.MakeInterface); ok {
			l = mi.X
		}
		if cls := f.c.k.class(l); cls != "" {
			return []string{cls}
		}
	}
	return nil
}

// newCond returns the sync.NewCond call v is: directly, or loaded from
// the variable (shared with closures, only loaded and stored: varOf) that
// only that call is stored in.
func (f *fnChecker) newCond(v ssa.Value) *ssa.Call {
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		a := f.c.varOf(u.X)
		if a == nil {
			return nil
		}
		v = nil
		for _, r := range *a.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == a {
				if v != nil {
					return nil // stored twice: which Cond is unknown
				}
				v = st.Val
			}
		}
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return nil
	}
	if callee := call.Call.StaticCallee(); callee == nil || funcName(callee) != "sync.NewCond" || len(call.Call.Args) != 1 {
		return nil
	}
	return call
}
