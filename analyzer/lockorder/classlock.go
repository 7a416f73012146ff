package lockorder

import (
	"fmt"
	"sort"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Double locks by class: the mutex acquired is not provably the one held
// (another access path), but the package links the two paths: a
// back-pointer to the owner (backptr.go) or a pointer field aliasing the
// held field (alias.go). The message says it is by class.

// classDouble checks li, about to be acquired on a path holding s.held,
// against the held mutexes of its class.
func (f *fnChecker) classDouble(s *state, li *lockInfo) {
	var held []*lockInfo
	for _, h := range s.held {
		if h.fkey == li.fkey && h.inst != li.inst && !li.drops[h.inst] && !lockerDropped(li.drops, h) {
			held = append(held, h)
		}
	}
	sort.Slice(held, func(i, j int) bool { return held[i].pos < held[j].pos })
	for _, h := range held {
		if link, fd, g := f.c.mutualOut(h, li); link != "" {
			if h.read && li.read {
				continue // two read locks: only with a queued writer, not reported by class
			}
			f.found(li.pos, func(sfx string) { f.c.mutualDouble(h, li, link, fd, g, sfx) })
			return
		}
		bp := f.c.backPointer(h, li)
		if bp == nil {
			bp = f.c.embeddedBack(h, li)
		}
		if bp != nil {
			if h.read && li.read {
				// Two read locks hang only behind a queued writer:
				// reported at the end if the package write-locks the class.
				f.c.backRL = append(f.c.backRL, &backRead{e: &edge{held: h, acq: li, fn: f.fn}, bp: bp})
				return
			}
			fn := f.fn
			f.found(li.pos, func(sfx string) { f.c.backDouble(fn, h, li, bp, sfx) })
			return
		}
		if aliasPair(h, li) {
			a := f.c.aliases[h.alias+li.alias]
			if a == nil {
				continue
			}
			fn := f.fn
			if h.read && li.read {
				f.c.aliasRL = append(f.c.aliasRL, &edge{held: h, acq: li, fn: fn})
				return
			}
			f.found(li.pos, func(sfx string) { f.c.aliasDouble(fn, h, li, a, sfx) })
			return
		}
	}
}

// backDouble reports li, reached back through a back-pointer, acquired
// while h is held.
func (c *checker) backDouble(fn *ssa.Function, h, li *lockInfo, bp *backInfo, when string) {
	c.report(li.pos, fmt.Sprintf("%s is locked%s while this goroutine holds %s (locked at line %d)%s, by lock class %s: the path goes back to the owner through the back-pointer %s, which the package sets from the owner (%s), so when it leads to this object the second Lock waits forever for an Unlock only this goroutine could do",
		li.desc, c.how(li), h.desc, c.line(h.pos), when, li.fkey, bp.field, c.at(bp.pos, li.pos)),
		append([]analysis.RelatedInformation{rel(h.pos, h.desc+" first locked here"), rel(bp.pos, "the back-pointer is set from the owner here")}, c.related(li, "locked again here")[1:]...)...)
}

// aliasDouble reports li acquired while h is held, one of them through a
// pointer field that aliases the other's mutex.
func (c *checker) aliasDouble(fn *ssa.Function, h, li *lockInfo, a *aliasInfo, when string) {
	c.report(li.pos, fmt.Sprintf("%s is locked%s while this goroutine holds %s (locked at line %d)%s, by lock class %s: the pointer field %s is set to the address of that mutex (%s), so when it points to the one held the second Lock waits forever for an Unlock only this goroutine could do",
		li.desc, c.how(li), h.desc, c.line(h.pos), when, li.fkey, h.alias+li.alias, c.at(a.pos, li.pos)),
		append([]analysis.RelatedInformation{rel(h.pos, h.desc+" first locked here"), rel(a.pos, "the alias is set here")}, c.related(li, "locked again here")[1:]...)...)
}

// backRead is a read lock taken back through a back-pointer while a read
// lock of the owner's same mutex is held.
type backRead struct {
	e  *edge
	bp *backInfo
}

// reportBackRLocks reports read locks of one RWMutex class taken twice,
// the second back through a back-pointer to the owner, when the package
// also write-locks the class.
func (c *checker) reportBackRLocks() {
	for _, b := range c.backRL {
		e := b.e
		wpos, ok := c.fwriters[e.acq.fkey]
		if !ok {
			continue
		}
		c.report(e.acq.pos, fmt.Sprintf("%s is read-locked%s while this goroutine holds a read lock of %s (line %d), by lock class %s: the path goes back to the owner through the back-pointer %s, which the package sets from the owner (%s); when a writer calls Lock in between (as at %s), the writer waits for the first RLock and this RLock waits behind the writer, forever",
			e.acq.desc, c.how(e.acq), e.held.desc, c.line(e.held.pos), e.acq.fkey, b.bp.field, c.at(b.bp.pos, e.acq.pos), c.at(wpos, e.acq.pos)),
			append([]analysis.RelatedInformation{rel(e.held.pos, "first read lock of "+e.held.desc), rel(b.bp.pos, "the back-pointer is set from the owner here"), rel(wpos, "a writer locks it here")}, c.related(e.acq, "second read lock")[1:]...)...)
	}
}

// reportAliasRLocks reports read locks of one RWMutex class taken twice,
// one through an alias field, when the package also write-locks the class.
func (c *checker) reportAliasRLocks() {
	for _, e := range c.aliasRL {
		wpos, ok := c.fwriters[e.acq.fkey]
		if !ok {
			continue
		}
		a := c.aliases[e.held.alias+e.acq.alias]
		c.report(e.acq.pos, fmt.Sprintf("%s is read-locked%s while this goroutine holds a read lock of %s (line %d), by lock class %s through the alias %s (set at %s): when they are the same RWMutex and a writer calls Lock in between (as at %s), the writer waits for the first RLock and this RLock waits behind the writer, forever",
			e.acq.desc, c.how(e.acq), e.held.desc, c.line(e.held.pos), e.acq.fkey, e.held.alias+e.acq.alias, c.at(a.pos, e.acq.pos), c.at(wpos, e.acq.pos)),
			append([]analysis.RelatedInformation{rel(e.held.pos, "first read lock of "+e.held.desc), rel(a.pos, "the alias is set here"), rel(wpos, "a writer locks it here")}, c.related(e.acq, "second read lock")[1:]...)...)
	}
}
