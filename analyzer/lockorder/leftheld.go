package lockorder

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
)

// Locks left held on an early return (issue 14, item 3; grpc-go #7417).
//
// A function that locks a mutex and returns with it held on some paths
// but not on others forgot an Unlock on the first ones, unless it is a
// lock helper whose callers unlock later. lockorder tells the two apart by
// the package: a helper's lock is released somewhere without being
// acquired there (by its callers, an unlock helper, a goroutine, a stored
// Unlock method value). A mutex no function of the package releases that
// way, and that other packages cannot reach (an unexported field or
// variable), stays locked after such a return: the next Lock of it, by
// the next call or by any other method, waits forever. Each analysis run
// fixes the function's guards (guards.go), so a Lock and an Unlock under
// the same condition are not taken for such a path.
//
// A deferred Unlock covers only the returns its defer statement can reach:
// `RLock(); if hit { return v }; RUnlock(); …; Lock(); defer Unlock()`
// leaves the read lock held on the early return (kyverno/kyverno#15403).
// When that return and one that leaves the mutex unlocked give their
// callers the same kind of results (no constant in one where the other
// has another constant or a computed value), no caller can know whether
// to unlock, so it is reported even for a mutex other packages reach.

// leftHeld is a lock held on some returns of a function and not others.
type leftHeld struct {
	fn         *ssa.Function
	li         *lockInfo
	held, free token.Pos // a return that leaves it held, and one that does not
	blind      bool      // the two return the same kind of results: no caller can tell them apart
	// unlock: held on some paths to the return at held only; the Unlock
	// on the others
	unlock token.Pos
}

// noteRelease records that a function releases a lock of class fkey (or
// the package variable key) it did not acquire on every path.
func (c *checker) noteRelease(fkey, key string) {
	if fkey != "" {
		c.released[fkey] = true
	}
	if strings.HasPrefix(key, "{g:") {
		c.released[key] = true
	}
}

// noteLeftHeld records, after a run's final pass, the locks this function
// acquires and leaves held on some normal returns but surely not on
// others.
func (f *fnChecker) noteLeftHeld() {
	if f.deferAll || resultsFunc(f.fn) {
		return
	}
	f.notePartlyHeld()
	if len(f.retAt) < 2 {
		return
	}
	var keys []string
	for _, h := range f.retHeld {
		for k := range h {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] || byClass(k) {
			continue
		}
		seen[k] = true
		if _, rel := f.releases[k]; rel {
			continue // the caller's lock, given back
		}
		hi, fi := -1, -1
		var frees []int
		for r, ret := range f.retAt {
			if noReturn(ret.Block()) {
				continue
			}
			// A return after the defer that releases k leaves it
			// unlocked however it is held there.
			covered := f.deferRel[k] && f.deferCovers(k, ret.Block())
			if _, ok := f.retHeld[r][k]; ok && !covered && hi < 0 {
				hi = r
			} else if _, may := f.retMay[r][k]; !may || covered {
				frees = append(frees, r)
			}
		}
		if len(frees) > 0 {
			fi = frees[0]
		}
		if hi < 0 || fi < 0 {
			continue
		}
		blind := false
		for _, r := range frees {
			if sameResultKinds(f.retAt[hi], f.retAt[r]) {
				fi, blind = r, true
				break
			}
		}
		li := f.retHeld[hi][k]
		if li.fkey == "" || li.maybe || !li.pos.IsValid() {
			continue
		}
		if _, ok := f.acqFor(li); !ok {
			continue // a local mutex: nobody else sees it
		}
		dup := false
		for _, l := range f.c.left {
			if l.fn == f.fn && l.li.pos == li.pos {
				dup = true
			}
		}
		if dup {
			continue
		}
		f.c.left = append(f.c.left, &leftHeld{fn: f.fn, li: li, held: f.retPos(f.retAt[hi]), free: f.retPos(f.retAt[fi]), blind: blind})
	}
}

// notePartlyHeld records a lock the function takes before a return, on
// every path to it, and releases on some of those paths only: one return
// reached both ways (dedis/cothority#1454: `Lock(); if !closed { …;
// Unlock() }` falls off the end with the lock held when closed is set).
// The Unlock must be the function's own: a callee that may release it, a
// deferred function literal, or a lock taken only under a condition are
// left to the rule for several returns.
func (f *fnChecker) notePartlyHeld() {
	unlocks := map[string]token.Pos{}
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Defer:
				if _, ok := in.Call.Value.(*ssa.MakeClosure); ok {
					return
				}
			case *ssa.Call:
				if callee := in.Call.StaticCallee(); callee != nil && unlockFuncs[funcName(callee)] && len(in.Call.Args) > 0 {
					if k := lockKey(in.Call.Args[0]); k != "" {
						unlocks[k] = in.Pos()
					}
				}
			}
		}
	}
	for r, ret := range f.retAt {
		if noReturn(ret.Block()) {
			continue
		}
		keys := make([]string, 0, len(f.retMay[r]))
		for k := range f.retMay[r] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			li := f.retMay[r][k]
			if _, held := f.retHeld[r][k]; held || byClass(k) || !unlocks[k].IsValid() {
				continue
			}
			if _, rel := f.releases[k]; rel || f.deferRel[k] && f.deferCovers(k, ret.Block()) {
				continue
			}
			if li.fkey == "" || li.maybe || li.via != "" || !li.pos.IsValid() || !f.dominates(li.pos, ret.Block()) {
				continue
			}
			if _, ok := f.acqFor(li); !ok {
				continue
			}
			dup := false
			for _, l := range f.c.left {
				if l.fn == f.fn && l.li.pos == li.pos {
					dup = true
				}
			}
			if !dup {
				f.c.left = append(f.c.left, &leftHeld{fn: f.fn, li: li, held: f.retPos(ret), blind: true, unlock: unlocks[k]})
			}
		}
	}
}

// dominates reports whether the call at pos, in the function, runs on
// every path to b.
func (f *fnChecker) dominates(pos token.Pos, b *ssa.BasicBlock) bool {
	for _, blk := range f.fn.Blocks {
		for _, instr := range blk.Instrs {
			if c, ok := instr.(*ssa.Call); ok && c.Pos() == pos {
				return blk.Dominates(b)
			}
		}
	}
	return false
}

// deferCovers reports whether a deferred release of k may have been
// registered on a path to the return block r: a defer written after an
// early return does not release the lock that return leaves held.
func (f *fnChecker) deferCovers(k string, r *ssa.BasicBlock) bool {
	at := f.deferRelAt[k]
	if len(at) == 0 {
		return true // not known where: as before, covered
	}
	for _, d := range at {
		if d == nil || d == r || reaches(d, r) {
			return true
		}
	}
	return false
}

// sameResultKinds reports whether two returns give their caller no way
// to tell them apart: no result is a constant in one (nil, false, a
// sentinel) and another constant, or a computed value, in the other. A
// lock helper tells its caller whether it returns holding the lock
// (`return true` locked, `return false` or an error not); a function
// whose returns that hold the lock and that do not look alike to callers
// leaks it, and no caller, in the package or outside it, can know to
// unlock it (kyverno/kyverno#15403: a cache hit returns its entry with
// the read lock held, the miss returns its entry unlocked).
func sameResultKinds(a, b *ssa.Return) bool {
	if len(a.Results) != len(b.Results) {
		return false
	}
	for i := range a.Results {
		ca, oka := returned(a, i).(*ssa.Const)
		cb, okb := returned(b, i).(*ssa.Const)
		if oka != okb || oka && ca.String() != cb.String() {
			return false
		}
	}
	return true
}

// returned returns the i-th value a return gives back: in a function with
// defers the builder stores results into their variables and the return
// loads them, so the value is the last one stored into the variable in the
// return's block.
func returned(r *ssa.Return, i int) ssa.Value {
	v := r.Results[i]
	u, ok := v.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return v
	}
	slot, ok := u.X.(*ssa.Alloc)
	if !ok {
		return v
	}
	instrs := r.Block().Instrs
	for j := len(instrs) - 1; j >= 0; j-- {
		if st, ok := instrs[j].(*ssa.Store); ok && st.Addr == slot {
			return st.Val
		}
	}
	return v
}

// retPos is the position of a return, or the function's closing brace for
// the implicit one.
func (f *fnChecker) retPos(r *ssa.Return) token.Pos {
	if r.Pos().IsValid() {
		return r.Pos()
	}
	switch syn := f.fn.Syntax().(type) {
	case *ast.FuncDecl:
		if syn.Body != nil {
			return syn.Body.Rbrace
		}
	case *ast.FuncLit:
		return syn.Body.Rbrace
	}
	return token.NoPos
}

// resultsFunc reports whether fn returns a function (an unlock to call
// later) or a sync.Locker.
func resultsFunc(fn *ssa.Function) bool {
	res := fn.Signature.Results()
	for i := range res.Len() {
		t := res.At(i).Type()
		if _, ok := t.Underlying().(*types.Signature); ok || isNamed(t, "sync", "Locker") {
			return true
		}
	}
	return false
}

// noReturn reports whether b ends a path that does not really return: it
// calls os.Exit, log.Fatal, testing's Fatal or FailNow, runtime.Goexit
// (chanuse.NoReturn's list, which chanblock uses too).
func noReturn(b *ssa.BasicBlock) bool {
	for _, instr := range b.Instrs {
		if call, ok := instr.(*ssa.Call); ok && chanuse.NoReturn(call.Common()) {
			return true
		}
	}
	return false
}

// reportLeftHeld reports the locks left held on some returns, unless the
// package releases their class elsewhere (a lock helper's callers) or
// other packages can reach the mutex.
func (c *checker) reportLeftHeld() {
	if c.lockerUnl {
		return
	}
	for _, l := range c.left {
		key := l.li.fkey
		if c.released[key] || c.released[l.li.inst] || exportedLock(key) && !c.sealedField(key) && !l.blind {
			continue
		}
		fn := fnLabel(l.fn)
		at := l.held
		if !at.IsValid() {
			at = l.li.pos
		}
		free := "another return"
		if l.free.IsValid() {
			free = "the return at " + c.at(l.free, at)
		}
		r := []analysis.RelatedInformation{rel(l.li.pos, l.li.desc+" locked here")}
		if l.free.IsValid() {
			r = append(r, rel(l.free, "this return leaves it unlocked"))
		}
		if l.unlock.IsValid() {
			free = "the path through the Unlock at " + c.at(l.unlock, at)
			r = append(r, rel(l.unlock, "the paths through this Unlock leave it unlocked"))
		}
		c.report(at, fmt.Sprintf("%s returns here with %s still locked (locked at line %d%s), while %s leaves it unlocked: nothing in the package unlocks it after the call, so the next Lock of %s (the next call of %s, or any other method) waits forever",
			fn, l.li.desc, c.line(l.li.pos), c.how(l.li), free, l.li.desc, fn),
			append(r, c.related(l.li, "")[1:]...)...)
	}
}

// sealedField reports whether the field named by a field key is exported
// but declared by a type of this package that no exported name exposes
// (chanuse.Sealed): an embedded sync.RWMutex of an unexported hub that
// only the package's own code ever holds is as private as an unexported
// mutex field.
func (c *checker) sealedField(key string) bool {
	i := strings.LastIndexByte(key, '.')
	if i < 0 || strings.HasPrefix(key, "{g:") {
		return false
	}
	t := namedIn(c.pass.Pkg, key[:i])
	if t == nil {
		return false
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for j := 0; j < st.NumFields(); j++ {
		if f := st.Field(j); f.Name() == key[i+1:] {
			if c.sealed == nil {
				c.sealed = chanuse.NewSealed(c.pass.Pkg)
			}
			return c.sealed.Private(f)
		}
	}
	return false
}

// exportedLock reports whether other packages can reach the mutex named by
// a field key or package variable key: an exported field (an embedded
// sync.Mutex too) or variable.
func exportedLock(key string) bool {
	key = strings.TrimSuffix(strings.TrimPrefix(key, "{g:"), "}")
	name := key[strings.LastIndexByte(key, '.')+1:]
	return token.IsExported(name)
}
