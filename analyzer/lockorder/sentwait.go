package lockorder

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Sending the locked object to the goroutine that locks it (issue 14;
// moby/swarmkit#3006).
//
// A goroutine holding x's mutex sends x on an unbuffered channel whose
// receiver, in a loop, locks the mutex of what it received:
//
//	s.mu.Lock(); q.ch <- s            // or select { case q.ch <- s: case <-q.closed: }
//	for { sub := <-q.ch; sub.Contains(n) } // Contains: sub.mu.RLock()
//
// The receiver, blocked on x's mutex after the previous send, never
// comes back for this one. The receiver's lock has no instance (the value
// came out of a channel), but it is the sent value's: the wait names the
// value it sends (Acq.Sent through calls), and a receiver's loop lock on
// the value it received from the channel's field is class "{recv:F}.mu",
// which meets only the lock of the value sent on F (it has no field key:
// another object of the type is not the one sent).
// A select whose other cases only receive from channels the package
// closes and never sends on (a queue's closed channel) waits, until that
// shutdown, as its one send does, for the sent value's lock only: a
// waker that needs another of the held locks is no more blocked than by
// any select a close can end (a stop that closes quit without the lock).

// noteChanUses records, in fn, the channel fields it sends on and those
// it closes (for shutdownCase).
func (c *checker) noteChanUses(fn *ssa.Function) {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Send:
				if fk := fieldKey(in.Chan); fk != "" {
					c.chanSent[fk] = true
				}
			case *ssa.Select:
				for _, st := range in.States {
					if fk := fieldKey(st.Chan); fk != "" && st.Dir == types.SendOnly {
						c.chanSent[fk] = true
					}
				}
			case *ssa.Call:
				if bi, ok := in.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" && len(in.Call.Args) == 1 {
					if fk := fieldKey(in.Call.Args[0]); fk != "" {
						c.chanClosed[fk] = true
					}
				}
			}
		}
	}
}

// shutdownCase reports whether st receives from an unexported channel
// field the package closes and never sends on: it completes only at that
// close.
func (c *checker) shutdownCase(st *ssa.SelectState) bool {
	if st.Dir != types.RecvOnly {
		return false
	}
	fk := fieldKey(st.Chan)
	if fk == "" || !c.chanClosed[fk] || c.chanSent[fk] {
		return false
	}
	return !ast.IsExported(fk[strings.LastIndexByte(fk, '.')+1:])
}

// soleCase returns the one case of a blocking select that is not a
// shutdown receive, or nil.
func (c *checker) soleCase(sel *ssa.Select) *ssa.SelectState {
	var one *ssa.SelectState
	for i := range sel.States {
		st := sel.States[i]
		if c.shutdownCase(st) {
			continue
		}
		if one != nil {
			return nil
		}
		one = st
	}
	if one == nil || len(sel.States) < 2 {
		return nil
	}
	return one
}

// sentAt names the value sent by the wait just recorded (ik its summary
// key; n the number of pending waits before it): in the summary, relative
// to the function's roots, and on the pending wait.
func (f *fnChecker) sentAt(ik, sent string, n int) {
	if !f.final || sent == "" {
		return
	}
	if a, ok := f.waitsSum[ik+"|send"]; ok && ik != "" && rooted(sent) {
		a.Sent, a.Until = sent, false
		f.waitsSum[ik+"|send"] = a
	}
	for _, w := range f.pendingWaits[n:] {
		w.sent, w.until = sent, false
	}
}

// rooted reports whether an instance key starts at a parameter or a
// free variable, as a summary can name it.
func rooted(key string) bool {
	r, _ := splitKey(key)
	return strings.HasPrefix(r, "{p") || strings.HasPrefix(r, "{f")
}

// soleSend records the send of a blocking select whose other cases wait
// for a shutdown as a wait that counts for the sent value's lock only.
func (f *fnChecker) soleSend(sel *ssa.Select, s *state) {
	if f.liveSelect(sel, s) {
		return
	}
	st := f.c.soleCase(sel)
	if st == nil || st.Dir != types.SendOnly || !f.c.unbuffered(st.Chan) {
		return
	}
	sent := inst(st.Send)
	if sent == "" {
		return
	}
	f.untilWait(f.sumKey(st.Chan, "send"), sent, func() { f.waitOn(st.Chan, "send", sel.Pos(), s) })
}

// untilWait records, with record, a send wait of sent that counts for
// the sent value's lock only: on the pending wait, and in the summary
// (under ik) when the summary can name sent and holds no plain wait on
// that channel already.
func (f *fnChecker) untilWait(ik, sent string, record func()) {
	k := ik + "|send"
	old, had := f.waitsSum[k]
	n := len(f.pendingWaits)
	record()
	for _, w := range f.pendingWaits[n:] {
		w.sent, w.until = sent, true
	}
	if ik == "" {
		return
	}
	a, ok := f.waitsSum[k]
	switch {
	case had && !old.Until:
		f.waitsSum[k] = old
	case ok && rooted(sent):
		a.Sent, a.Until = sent, true
		f.waitsSum[k] = a
	case had:
		f.waitsSum[k] = old
	default:
		delete(f.waitsSum, k)
	}
}

// recvField returns the field key of the channel v was received from (a
// receive, or a select's received value), or "".
func recvField(v ssa.Value) string {
	switch x := v.(type) {
	case *ssa.UnOp:
		if x.Op == token.ARROW {
			return fieldKey(x.X)
		}
	case *ssa.Extract:
		if u, ok := x.Tuple.(*ssa.UnOp); ok && u.Op == token.ARROW && x.Index == 0 {
			return fieldKey(u.X) // v, ok := <-ch, or a range over ch
		}
		sel, ok := x.Tuple.(*ssa.Select)
		if !ok || x.Index < 2 {
			return ""
		}
		k := x.Index - 2
		for _, st := range sel.States {
			if st.Dir != types.RecvOnly {
				continue
			}
			if k == 0 {
				return fieldKey(st.Chan)
			}
			k--
		}
	}
	return ""
}

// recvLock returns the class "{recv:F}.mu" of a lock at path of a value
// received from channel field F, or "".
func recvLock(v ssa.Value, path string) string {
	if path == "" || strings.ContainsAny(path, "^<[&") {
		return ""
	}
	if fk := recvField(v); fk != "" {
		return "{recv:" + fk + "}" + path
	}
	return ""
}

// recvDesc describes a lock of class "{recv:pkg.T.ch}.mu" for messages:
// "the mu of each value received from T.ch".
func recvDesc(class string) string {
	fk, path, _ := strings.Cut(strings.TrimPrefix(class, "{recv:"), "}")
	if i := strings.LastIndexByte(fk, '/'); i >= 0 {
		fk = fk[i+1:]
	}
	if i := strings.IndexByte(fk, '.'); i >= 0 {
		fk = fk[i+1:]
	}
	return "the " + strings.TrimPrefix(path, ".") + " of each value received from " + fk
}

// needsFor is needsLock, also matching the lock of the value the wait
// sends with a waker's lock on the value it received from that channel.
func needsFor(wk *wake, w *wait, h *lockInfo) *lockInfo {
	if l := needsLock(wk, h); l != nil && !w.until {
		return l
	}
	if w.kind != "send" || w.sent == "" || w.fkey == "" {
		return nil
	}
	p, ok := strings.CutPrefix(h.inst, w.sent)
	if !ok || !strings.HasPrefix(p, ".") {
		return nil
	}
	return wk.acq["{recv:"+w.fkey+"}"+p]
}
