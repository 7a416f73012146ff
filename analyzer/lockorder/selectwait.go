package lockorder

import (
	"fmt"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A select as a wait (issue 14, item 5).
//
// A blocking select (no default) waits until one of its cases can go on.
// A goroutine that holds lock L there waits forever when every goroutine
// that could complete any case must lock L first. Each case is a wait of
// its own (an unbuffered receive or send; a receive is also completed by
// a close); the select is reported only when every case surely waits
// (unbuffered, a channel lockorder can name) and every waker of every
// case needs L. A case on a channel made elsewhere (ctx.Done(),
// time.After) or buffered may complete without such a waker: no report.
// A select with a default case never blocks.

// selectWait records the blocking select sel, made with the locks of s
// held.
func (f *fnChecker) selectWait(sel *ssa.Select, s *state) {
	if len(s.held) == 0 {
		return
	}
	var alts []*wait
	for _, st := range sel.States {
		cls := f.c.k.class(st.Chan)
		if cls == "" || !f.c.unbuffered(st.Chan) {
			return
		}
		kind := "recv"
		if st.Dir == types.SendOnly {
			kind = "send"
		}
		alts = append(alts, &wait{ik: inst(st.Chan), class: cls, kind: kind, desc: desc(st.Chan), fkey: fieldKey(st.Chan), pos: sel.Pos(), fn: f.fn})
	}
	if len(alts) == 0 {
		return
	}
	w := &wait{kind: "select", class: "select", desc: "select", alts: alts, pos: sel.Pos(), fn: f.fn}
	for _, h := range s.held {
		w.held = append(w.held, h)
	}
	sort.Slice(w.held, func(i, j int) bool { return w.held[i].pos < w.held[j].pos })
	f.pendingWaits = append(f.pendingWaits, w)
}

// reportSelectWait reports a select made while holding a lock that every
// waker of every case takes first.
func (c *checker) reportSelectWait(w *wait) {
	wakers := make([][]*wake, len(w.alts))
	for i, a := range w.alts {
		wakers[i] = c.wakersOf(a)
		if len(wakers[i]) == 0 {
			return
		}
	}
	for _, h := range w.held {
		if h.class == "" {
			continue
		}
		needs := true
		for _, ws := range wakers {
			for _, wk := range ws {
				if l := needsLock(wk, h); l == nil || h.read && l.read {
					needs = false
				}
			}
		}
		if !needs {
			continue
		}
		var cases []string
		r := []analysis.RelatedInformation{rel(h.pos, h.desc+" locked here")}
		for i, a := range w.alts {
			wk := wakers[i][0]
			lk := needsLock(wk, h)
			what := "receive from " + a.desc
			if a.kind == "send" {
				what = "send on " + a.desc
			}
			cases = append(cases, fmt.Sprintf("%s (woken by %s at %s, which first locks %s at %s)", what, fnLabel(wk.fn), c.at(wk.pos, w.pos), lk.desc, c.at(lk.pos, w.pos)))
			r = append(r, rel(wk.pos, "a waker of "+a.desc+" here"), rel(lk.pos, "it locks "+lk.desc+" first here"))
		}
		c.report(w.pos, fmt.Sprintf("this goroutine blocks in a select while holding %s (locked at line %d), but every goroutine that could complete a case locks it first: %s; each waits forever for the other",
			h.desc, c.line(h.pos), strings.Join(cases, "; ")), r...)
		return
	}
}
