package lockorder

import (
	"fmt"
	"go/token"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/ssa"

	"golang.org/x/tools/go/analysis"
)

func (c *checker) line(pos token.Pos) int { return c.pass.Fset.Position(pos).Line }

// at names pos for a message about ref: "line N" in ref's file, "file.go:N"
// in another.
func (c *checker) at(pos, ref token.Pos) string {
	p, r := c.pass.Fset.Position(pos), c.pass.Fset.Position(ref)
	if p.Filename == r.Filename {
		return fmt.Sprintf("line %d", p.Line)
	}
	return fmt.Sprintf("%s:%d", filepath.Base(p.Filename), p.Line)
}

func (c *checker) report(pos token.Pos, msg string, related ...analysis.RelatedInformation) {
	if c.reported[pos] {
		return
	}
	c.reported[pos] = true
	c.pass.Report(analysis.Diagnostic{Pos: pos, Category: "deadlock", Message: msg, Related: related})
}

func rel(pos token.Pos, msg string) analysis.RelatedInformation {
	return analysis.RelatedInformation{Pos: pos, Message: msg}
}

// where describes how li is acquired at its position: directly, or inside
// a callee.
func (c *checker) how(li *lockInfo) string {
	if li.via == "" {
		return ""
	}
	if li.inner.IsValid() {
		return fmt.Sprintf(" inside %s (%s)", li.via, c.at(li.inner, li.pos))
	}
	if li.where != "" {
		return fmt.Sprintf(" inside %s (%s)", li.via, li.where)
	}
	return " inside " + li.via
}

func (c *checker) related(li *lockInfo, what string) []analysis.RelatedInformation {
	r := []analysis.RelatedInformation{rel(li.pos, what)}
	if li.inner.IsValid() {
		r = append(r, rel(li.inner, fmt.Sprintf("%s is locked here, inside %s", li.desc, li.via)))
	}
	return r
}

// sameField reports whether a class key ("{T:*pkg.T}.mu") and a field key
// ("pkg.T.mu") end in the same field of the same named type, as far as the
// class key tells (a Cond's L acquired through a helper has no field key).
func sameField(class, field string) bool {
	i := strings.LastIndexByte(field, '.')
	if i < 0 || !strings.HasSuffix(strings.TrimRight(class, "^"), field[i:]) {
		return false
	}
	typ := field[:i]
	if j := strings.LastIndexAny(typ, "./"); j >= 0 {
		typ = typ[j+1:]
	}
	return strings.Contains(class, typ)
}

// doubleLock reports li acquired while h, the same mutex, is held.
func (c *checker) doubleLock(fn *ssa.Function, h, li *lockInfo, when string) {
	// A mutex shared with other goroutines through a closure may be
	// unlocked by them: locking it twice is the "wait for the other
	// goroutine" idiom, not a self-deadlock.
	if sharedLocal(fn, li.inst) && (li.fkey == "" || c.foreignUnlock[li.fkey]) {
		return
	}
	if h.read && li.read {
		c.rlocks = append(c.rlocks, &edge{held: h, acq: li, fn: fn})
		return
	}
	var msg string
	switch {
	case !h.read && !li.read:
		msg = fmt.Sprintf("%s is locked again%s while this goroutine already holds it (locked at line %d)%s: the second Lock waits forever for an Unlock only this goroutine could do",
			li.desc, c.how(li), c.line(h.pos), when)
	case h.read && !li.read:
		msg = fmt.Sprintf("%s is write-locked%s while this goroutine holds its read lock (line %d)%s: Lock waits for every reader to leave, including this one, forever",
			li.desc, c.how(li), c.line(h.pos), when)
	default:
		msg = fmt.Sprintf("%s is read-locked%s while this goroutine holds its write lock (line %d)%s: RLock waits forever for an Unlock only this goroutine could do",
			li.desc, c.how(li), c.line(h.pos), when)
	}
	r := append([]analysis.RelatedInformation{rel(h.pos, fmt.Sprintf("%s first locked here", h.desc))}, c.related(li, "locked again here")[1:]...)
	c.report(li.pos, msg, r...)
}

// loopLock reports li acquired in a loop while h, the same mutex, is still
// held at the end of some iteration that leads back here.
func (c *checker) loopLock(fn *ssa.Function, h, li *lockInfo, when string) {
	if sharedLocal(fn, li.inst) {
		return
	}
	c.report(li.pos, fmt.Sprintf("%s is locked%s in a loop while some path through the previous iteration leaves it locked (since line %d)%s: on that path the next iteration's Lock waits forever for an Unlock only this goroutine could do",
		li.desc, c.how(li), c.line(h.pos), when),
		append([]analysis.RelatedInformation{rel(h.pos, fmt.Sprintf("%s locked here and not unlocked on every path back to the loop", h.desc))}, c.related(li, "locked again here")[1:]...)...)
}

// reportRLocks reports recursive read locks of mutexes that the package
// also write-locks.
func (c *checker) reportRLocks() {
	for _, e := range c.rlocks {
		wpos, ok := c.writers[e.acq.class]
		if !ok && e.acq.fkey != "" {
			// A writer on another path to an object of the same type
			// (a constructor's allocation its goroutine locks, a map
			// element): the same lock by class, unless it is an object
			// nothing else has seen yet.
			wpos, ok = c.pwriters[e.acq.fkey]
		}
		if !ok {
			continue // no writer in sight: recursive RLock cannot block
		}
		if root, _ := splitKey(e.acq.inst); strings.HasPrefix(root, "{a:") && !sharedLocal(e.fn, e.acq.inst) {
			continue // a local no other goroutine sees: no concurrent writer
		}
		msg := fmt.Sprintf("%s is read-locked again%s while this goroutine already holds a read lock on it (line %d): if a writer calls Lock in between (as at %s), the writer waits for the first RLock and this RLock waits behind the writer, forever",
			e.acq.desc, c.how(e.acq), c.line(e.held.pos), c.at(wpos, e.acq.pos))
		if e.loop {
			msg = fmt.Sprintf("%s is read-locked in a loop whose RUnlock is deferred to the function's return: the next iteration read-locks it again while this goroutine still holds the previous read lock; if a writer calls Lock in between (as at %s), the writer waits for the first RLock and this RLock waits behind the writer, forever",
				e.acq.desc, c.at(wpos, e.acq.pos))
		}
		r := []analysis.RelatedInformation{rel(e.held.pos, fmt.Sprintf("first read lock of %s", e.held.desc))}
		if e.acq.inner.IsValid() {
			r = append(r, rel(e.acq.inner, "second read lock, inside "+e.acq.via))
		}
		r = append(r, rel(wpos, "a writer locks it here"))
		c.report(e.acq.pos, msg, r...)
	}
}

// reportInversions reports each pair of classes acquired in both orders.
func (c *checker) reportInversions() {
	done := map[[2]string]bool{}
	classDone := map[[2]string]bool{}
	for _, k := range c.edgeOrder {
		rk := [2]string{k[1], k[0]}
		if done[k] || done[rk] {
			continue
		}
		ab, ba := c.edges[k], c.edges[rk]
		if ba == nil {
			continue
		}
		if ab, ba = ungated(c.edgeAll[k], c.edgeAll[rk]); ab == nil {
			done[k] = true
			continue // every pair shares a gate lock
		}
		if c.before(ba.acq.pos, ab.acq.pos) { // report at the first in the file
			ab, ba = ba, ab
		}
		done[k] = true
		// Deadlock needs each side to block on the lock the other holds:
		// two read locks never block each other.
		blocksAB := !ab.acq.read || !ba.held.read
		blocksBA := !ba.acq.read || !ab.held.read
		if !blocksAB || !blocksBA {
			continue
		}
		fnA, fnB := ab.fn.Name(), ba.fn.Name()
		if ab.fn.Parent() != nil {
			fnA = "a function literal in " + ab.fn.Parent().Name()
		}
		if ba.fn.Parent() != nil {
			fnB = "a function literal in " + ba.fn.Parent().Name()
		}
		msg := fmt.Sprintf("lock order inversion: %s locks %s (line %d) then %s%s here, while %s locks %s (%s) then %s (%s): a goroutine in each holds its first lock and waits forever for the other's",
			fnA, ab.held.desc, c.line(ab.held.pos), ab.acq.desc, c.how(ab.acq),
			fnB, ba.held.desc, c.at(ba.held.pos, ab.acq.pos), ba.acq.desc, c.at(ba.acq.pos, ab.acq.pos))
		r := []analysis.RelatedInformation{rel(ab.held.pos, ab.held.desc+" locked first here")}
		if ab.acq.inner.IsValid() {
			r = append(r, rel(ab.acq.inner, ab.acq.desc+" locked here, inside "+ab.acq.via))
		}
		r = append(r,
			rel(ba.held.pos, fmt.Sprintf("the other order: %s locked first here", ba.held.desc)),
			rel(ba.acq.pos, fmt.Sprintf("then %s%s", ba.acq.desc, c.how(ba.acq))))
		c.report(ab.acq.pos, msg, r...)
		if ab.held.fkey != "" && ab.acq.fkey != "" {
			classDone[[2]string{ab.held.fkey, ab.acq.fkey}] = true
			classDone[[2]string{ab.acq.fkey, ab.held.fkey}] = true
		}
	}
	// By lock class (lockdep): the same fields of the same types in both
	// orders, whatever the paths to them, unless reported above for the
	// same objects.
	for _, k := range c.cedgeOrder {
		rk := [2]string{k[1], k[0]}
		if classDone[k] || classDone[rk] {
			continue
		}
		ab, ba := c.cedges[k], c.cedges[rk]
		if ba == nil {
			continue
		}
		if ab, ba = ungated(c.cedgeAll[k], c.cedgeAll[rk]); ab == nil {
			classDone[k], classDone[rk] = true, true
			continue // every pair shares a gate lock
		}
		if c.before(ba.acq.pos, ab.acq.pos) {
			ab, ba = ba, ab
		}
		classDone[k], classDone[rk] = true, true
		if (ab.acq.read && ba.held.read) || (ba.acq.read && ab.held.read) {
			continue
		}
		// A test that pokes at two locks of the package in its own order
		// while the package's code takes them in the other is weak evidence
		// by class alone (the test's objects are rarely the code's).
		if c.isTest(ab.acq.pos) != c.isTest(ba.acq.pos) {
			continue
		}
		msg := fmt.Sprintf("lock order inversion by lock class: %s locks %s (line %d) then %s%s here, while %s locks %s (%s) then %s (%s): when they are the same %s and %s, a goroutine in each holds its first lock and waits forever for the other's",
			fnLabel(ab.fn), ab.held.desc, c.line(ab.held.pos), ab.acq.desc, c.how(ab.acq),
			fnLabel(ba.fn), ba.held.desc, c.at(ba.held.pos, ab.acq.pos), ba.acq.desc, c.at(ba.acq.pos, ab.acq.pos),
			k[0], k[1])
		r := []analysis.RelatedInformation{rel(ab.held.pos, ab.held.desc+" locked first here")}
		if ab.acq.inner.IsValid() {
			r = append(r, rel(ab.acq.inner, ab.acq.desc+" locked here, inside "+ab.acq.via))
		}
		r = append(r,
			rel(ba.held.pos, fmt.Sprintf("the other order: %s locked first here", ba.held.desc)),
			rel(ba.acq.pos, fmt.Sprintf("then %s%s", ba.acq.desc, c.how(ba.acq))))
		c.report(ab.acq.pos, msg, r...)
	}
}

// before reports whether a comes before b by file name, then offset. The
// token.Pos order of two files is the order the loader happened to parse
// them in (concurrently), which differs from run to run.
func (c *checker) before(a, b token.Pos) bool {
	pa, pb := c.pass.Fset.Position(a), c.pass.Fset.Position(b)
	if pa.Filename != pb.Filename {
		return pa.Filename < pb.Filename
	}
	return pa.Offset < pb.Offset
}

// isTest reports whether pos is in a _test.go file.
func (c *checker) isTest(pos token.Pos) bool {
	return strings.HasSuffix(c.pass.Fset.Position(pos).Filename, "_test.go")
}

// fnLabel names fn for a message.
func fnLabel(fn *ssa.Function) string {
	if fn.Parent() != nil {
		return "a function literal in " + fn.Parent().Name()
	}
	return fn.Name()
}

// reportWaits reports waits made while holding a lock that every goroutine
// which could wake the waiter acquires before waking it.
func (c *checker) reportWaits() {
	for _, w := range c.waits {
		if len(w.alts) > 0 {
			c.reportSelectWait(w)
			continue
		}
		wakers := c.wakersOf(w)
		if len(wakers) == 0 {
			continue
		}
		var condL []string
		if w.kind == "cond" {
			var condKnown bool
			if condL, condKnown = c.condLock[w.fkey]; !condKnown {
				continue
			}
		}
		for _, h := range w.held {
			if h.class == "" || isCondLock(h, condL) {
				continue
			}
			// Every waker takes h first, and blocks on it: a read lock
			// held here blocks only wakers that write-lock it.
			needs := true
			for _, wk := range wakers {
				if l := needsFor(wk, w, h); l == nil || h.read && l.read || w.kind == "wg" && c.addsTo(wk.fn, w.fkey, 2) || afterSignal(w, wk, h) {
					needs = false
					break
				}
			}
			wk := wakers[0]
			lk := needsFor(wk, w, h)
			if !needs && w.kind == "wg" {
				// One blocked Done-er is enough (wgany.go).
				wk, lk = c.wgBlocker(w, wakers, h)
				needs = wk != nil
			}
			if !needs {
				continue
			}
			var what, wakeWhat string
			switch w.kind {
			case "recv":
				what, wakeWhat = "receives from "+w.desc, "sends on or closes it"
			case "send":
				what, wakeWhat = "sends on unbuffered "+w.desc, "receives from it"
			case "wg":
				what, wakeWhat = "waits on "+w.desc, "calls Done"
			case "cond":
				what, wakeWhat = "waits on "+w.desc, "signals it"
			}
			fnName := wk.fn.Name()
			if wk.fn.Parent() != nil {
				fnName = "a function literal in " + wk.fn.Parent().Name()
			}
			via := w.via
			if w.until {
				via += " (in a select whose other cases end only when the package closes their channel)"
			}
			msg := fmt.Sprintf("this goroutine %s%s while holding %s (locked at line %d), but %s, which %s (%s), first locks %s (%s): each waits forever for the other",
				what, via, h.desc, c.line(h.pos), fnName, wakeWhat, c.at(wk.pos, w.pos), lk.desc, c.at(lk.pos, w.pos))
			c.report(w.pos, msg,
				rel(h.pos, h.desc+" locked here"),
				rel(lk.pos, "the waking side locks "+lk.desc+" here"),
				rel(wk.pos, "and would wake the waiter here"))
			break
		}
	}
}

// wakersOf returns the wakes that could end the wait w, made by other
// goroutines; none when the waiter's own function or a caller of it may
// be the waker, or when a WaitGroup has a waker that needs nothing.
func (c *checker) wakersOf(w *wait) []*wake {
	wakers := c.wakes[w.class+"|"+w.kind]
	if slices.ContainsFunc(wakers, func(wk *wake) bool { return c.localTemplates[wk.pos] }) {
		// The wake of a goroutine that first runs the function its
		// starter was given, when only the package calls the starter:
		// each call site records it, after the function it passes
		// (gowake.go); the goroutine's own, which knows no function,
		// is none of them.
		wakers = slices.DeleteFunc(slices.Clone(wakers), func(wk *wake) bool { return c.localTemplates[wk.pos] })
	}
	if w.fkey != "" && (w.kind == "send" || w.kind == "recv" || w.kind == "wg") {
		// The same field reached through another owner's path
		// (cc.bal.done waited on, b.done closed; s.stack.wg waited on
		// inside the stack's Close, st.wg.Done in its goroutine).
		for _, wk := range c.fwakes[w.fkey+"|"+w.kind] {
			// A goroutine's wake after a function it was given is
			// counted at each call that passes the function, by the
			// caller's path (gowake.go), not by its field.
			if !slices.Contains(wakers, wk) && !c.goTemplates[wk.pos] {
				wakers = append(slices.Clip(wakers), wk)
			}
		}
	}
	if w.kind == "send" || w.kind == "recv" {
		// The same channel kept in another type's field (chanalias.go).
		for _, ak := range c.chanAlias[w.fkey] {
			for _, wk := range c.fwakes[ak+"|"+w.kind] {
				if !slices.Contains(wakers, wk) && !c.goTemplates[wk.pos] {
					wakers = append(slices.Clip(wakers), wk)
				}
			}
		}
	}
	if len(wakers) == 0 || w.kind == "wg" && len(c.wakes[w.class+"|wg-go"]) > 0 {
		return nil
	}
	for _, wk := range wakers {
		if wk.fn == w.fn {
			return nil
		}
	}
	// A waker that calls the waiting function is the waiter's own
	// caller: the wait is its own, not another goroutine's.
	return slices.DeleteFunc(slices.Clone(wakers), func(wk *wake) bool { return c.reaches(wk.fn, w.fn) })
}

// addsTo reports whether fn, or a static callee within depth calls, calls
// Add on the WaitGroup field fkey: such a waker may take its locks before
// it owes a Done (lock, Add, unlock, then Done), so they do not block the
// waiter (nats-server's startMonitorWg).
func (c *checker) addsTo(fn *ssa.Function, fkey string, depth int) bool {
	return fkey != "" && fn != nil && c.addCall(fn, fkey, depth) != nil
}

// needsLock returns the lock of h's class (or of h's field, reached
// through another path) that the waker wk takes before waking, or nil.
func needsLock(wk *wake, h *lockInfo) *lockInfo {
	if l, ok := wk.acq[h.class]; ok {
		return l
	}
	if h.fkey == "" {
		return nil
	}
	for _, l := range wk.acq {
		if l.fkey == h.fkey {
			return l
		}
	}
	return nil
}

// reaches reports whether from calls to (directly or through static calls
// of this package).
func (c *checker) reaches(from, to *ssa.Function) bool {
	k := [2]*ssa.Function{from, to}
	if r, ok := c.reach[k]; ok {
		return r
	}
	c.reach[k] = false
	seen := map[*ssa.Function]bool{from: true}
	stack := []*ssa.Function{from}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, y := range c.callees[x] {
			if y == to {
				c.reach[k] = true
				return true
			}
			if !seen[y] {
				seen[y] = true
				stack = append(stack, y)
			}
		}
	}
	return false
}

// sharedLocal reports whether the root of key is a free variable or a local
// variable of fn that other goroutines can reach (captured by a closure,
// passed to a goroutine or stored away).
func sharedLocal(fn *ssa.Function, key string) bool {
	root, _ := splitKey(key)
	if strings.HasPrefix(root, "{f") {
		return true
	}
	if !strings.HasPrefix(root, "{a:") {
		return false
	}
	name := strings.TrimSuffix(strings.TrimPrefix(root, "{a:"), "}")
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			a, ok := instr.(*ssa.Alloc)
			if !ok || a.Name() != name {
				continue
			}
			for _, r := range *a.Referrers() {
				switch r := r.(type) {
				case *ssa.MakeClosure, *ssa.Go, *ssa.Store:
					return true
				case *ssa.Call:
					if callee := r.Call.StaticCallee(); callee == nil || !strings.HasPrefix(funcName(callee), "(*sync.") {
						return true
					}
				}
			}
			return false
		}
	}
	return false
}
