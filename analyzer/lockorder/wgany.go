package lockorder

import (
	"go/token"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// A WaitGroup's Wait returns only when every Done it is owed has been
// made: one Done-er blocked on the lock the waiter holds is enough to
// deadlock, whatever the others do (sia's ThreadGroup, NebulousLabs/Sia
// #1363: Stop holds tg.mu across tg.wg.Wait while a thread let in by Add
// calls OnStop, which locks tg.mu, before its deferred Done; the
// group's exported Done wrapper takes no lock, but that does not help).
// WaitGroups meet their Done-ers by field, not by object, so one Done-er
// is enough only when it stands to its WaitGroup as the waiter's lock
// stands to the waited one: the lock of the group's own object (c.mu and
// c.wg, g.tg.mu and g.tg.wg), not the lock of whatever object another
// instance of the group belongs to (badger's publisher, whose own closer
// and each subscriber's closer are one field).
// So a wait on a WaitGroup field is reported when some Done-er takes the
// held lock before its Done; a Done-er that Adds to the group itself
// counts only the locks it takes after its Add (lock, Add, unlock, then
// Done owes nothing while it holds the lock: nats-server's
// startMonitorWg).

// wgBlocker returns the first waker of the wait w on a WaitGroup field
// that blocks on h before its Done, and the lock it takes; nil if none.
func (c *checker) wgBlocker(w *wait, wakers []*wake, h *lockInfo) (*wake, *lockInfo) {
	if w.fkey == "" {
		return nil, nil
	}
	rel := objRel(h.inst, w.ik)
	if rel == "" {
		return nil, nil
	}
	for _, wk := range wakers {
		l := needsFor(wk, w, h)
		if l == nil || h.read && l.read || afterSignal(w, wk, h) || objRel(l.inst, wk.ik) != rel {
			continue
		}
		if c.addsTo(wk.fn, w.fkey, 2) {
			add := c.addCall(wk.fn, w.fkey, 2)
			if add == nil || h.fkey == "" {
				continue
			}
			p := c.lockAfter(wk.fn, add, h.fkey)
			if !p.IsValid() {
				continue
			}
			l = &lockInfo{inst: l.inst, class: l.class, fkey: l.fkey, read: l.read, pos: p, desc: l.desc, via: l.via}
		}
		return wk, l
	}
	return nil, nil
}

// addCall returns the call of fn that Adds to the WaitGroup field fkey,
// directly or in a static callee within depth calls of the package (for
// addsTo, the call where the locks that count for a Done-er start).
func (c *checker) addCall(fn *ssa.Function, fkey string, depth int) *ssa.Call {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			callee := call.Call.StaticCallee()
			if callee == nil {
				continue
			}
			if funcName(callee) == "(*sync.WaitGroup).Add" && len(call.Call.Args) > 0 && fieldKey(call.Call.Args[0]) == fkey {
				return call
			}
			if depth > 0 && callee.Pkg == fn.Pkg && c.addCall(callee, fkey, depth-1) != nil {
				return call
			}
		}
	}
	return nil
}

// lockAfter returns the position of a call of fn, after the call add (later
// in its block, or in a block reachable from it), that locks a mutex of
// field fkey, directly or through a callee's unguarded summary.
func (c *checker) lockAfter(fn *ssa.Function, add *ssa.Call, fkey string) token.Pos {
	ab := add.Block()
	after := false
	for _, b := range fn.Blocks {
		later := b != ab && reaches(ab, b)
		for _, instr := range b.Instrs {
			if instr == add {
				after = true
				continue
			}
			if b == ab && !after && !reaches(ab, ab) || !later && b != ab {
				continue
			}
			call, ok := instr.(*ssa.Call)
			if !ok || call.Call.IsInvoke() {
				continue
			}
			callee := call.Call.StaticCallee()
			if callee == nil {
				continue
			}
			name := funcName(callee)
			if _, ok := lockFuncs[name]; ok {
				if fieldKey(call.Call.Args[0]) == fkey {
					return call.Pos()
				}
				continue
			}
			if strings.HasPrefix(name, "(*sync.") || c.inProgress[callee] {
				continue
			}
			for _, a := range c.summaryOf(callee).Acquires {
				if a.Guard == "" && a.Once == "" && a.Lock == fkey {
					return call.Pos()
				}
			}
		}
		if b == ab {
			after = false
		}
	}
	return token.NoPos
}

// objRel names how the lock lk stands to the WaitGroup wg by their
// instance keys: what is left of each past their longest common prefix
// of whole steps ("mu|wg" for {p0}.tg.mu and {p0}.tg^.wg); "" when either
// key is unknown or they share no root.
func objRel(lk, wg string) string {
	lk, wg = strings.ReplaceAll(lk, "^", ""), strings.ReplaceAll(wg, "^", "")
	if lk == "" || wg == "" {
		return ""
	}
	a, b := strings.Split(lk, "."), strings.Split(wg, ".")
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	if i == 0 {
		return ""
	}
	return strings.Join(a[i:], ".") + "|" + strings.Join(b[i:], ".")
}
