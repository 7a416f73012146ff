package lockorder

import (
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Lockers (issue 14, items 1 and 6; juicedata/juicefs#3782).
//
// A condition variable's Wait unlocks its Locker, waits and locks it
// again: the waiter does not hold that lock while it waits. The Locker is
// named by the lock class (the field key of the mutex) it locks, however
// the package spells it:
//
//   - the address of a mutex field (&s.mu), or a pointer to a struct that
//     embeds sync.Mutex or sync.RWMutex (sync.NewCond(s): the promoted
//     Lock and Unlock are the embedded mutex's);
//   - an RWMutex's RLocker() (its read lock);
//   - a parameter of a constructor that stores it (in a Cond it makes, or
//     in a Locker field), named by what the package's call sites pass;
//   - a load of a Locker field (a Cond of the package's own, whose Wait
//     calls c.L.Unlock()), named by what the package stores in the field,
//     or of a sync.Cond's L, named by the Cond's lock.
//
// A sync.Cond's lock (condLock) is matched to the held lock by that class.
// An Unlock through a Locker the package can name releases the held locks
// of its classes until the Locker is locked again; a callee that does it
// tells its callers so in its summary's Drops ("locker:pkg.T.mu"), and a
// wait or an acquisition made after it is not made holding the caller's
// lock of that class. A Locker the package cannot fully name (an exported
// field or constructor other packages may set, a parameter nothing here
// passes) may be any lock: after its Unlock, no caller's lock is taken to
// be held ("locker:?"). A Wait on a Cond whose Locker is another lock than
// the one held still waits holding it.

// lockerAny is the drop of a Locker the package cannot name.
const lockerAny = "locker:?"

// lockerStore is a value stored into a Locker field.
type lockerStore struct {
	val ssa.Value
}

// condL is a value a sync.Cond field is given as its Locker.
type condL struct {
	cond string    // the Cond's field key
	val  ssa.Value // the Locker
}

// lockerRes is what a Locker may lock: lock classes, and whether the list
// is complete.
type lockerRes struct {
	locks    []string
	complete bool
}

// noteLockers records, in the first scan, the Lockers stored into fields
// and given to sync.Conds.
func (c *checker) noteLockers(instr ssa.Instruction) {
	switch in := instr.(type) {
	case *ssa.Call:
		if callee := in.Call.StaticCallee(); callee != nil && funcName(callee) == "sync.NewCond" && len(in.Call.Args) == 1 {
			for _, cls := range storedFields(in) {
				c.condLs = append(c.condLs, condL{cond: cls, val: in.Call.Args[0]})
			}
		}
	case *ssa.Store:
		fa, ok := in.Addr.(*ssa.FieldAddr)
		if !ok {
			return
		}
		if isNamed(fa.X.Type(), "sync", "Cond") && fieldName(fa.X.Type(), fa.Field) == "L" {
			for _, cls := range condFields(fa.X) {
				c.condLs = append(c.condLs, condL{cond: cls, val: in.Val})
			}
			return
		}
		if isLocker(in.Val.Type()) {
			if fk := fieldKey(fa); fk != "" {
				c.lockerStores[fk] = append(c.lockerStores[fk], lockerStore{val: in.Val})
			}
		}
	}
}

// resolveConds names the lock of each sync.Cond field the package gives a
// Locker; a Cond given one it cannot name, or several, has no known lock.
func (c *checker) resolveConds() {
	bad := map[string]bool{}
	for _, cl := range c.condLs {
		r := c.lockerLocks(cl.val, 0)
		if !r.complete || len(r.locks) == 0 {
			bad[cl.cond] = true
			continue
		}
		for _, l := range r.locks {
			if !slices.Contains(c.condLock[cl.cond], l) {
				c.condLock[cl.cond] = append(c.condLock[cl.cond], l)
			}
		}
	}
	for cls := range bad {
		delete(c.condLock, cls)
	}
	for cls, ls := range c.condLock {
		if len(ls) > 1 {
			delete(c.condLock, cls) // several locks: which one is unknown
		}
	}
}

// storedFields returns the field keys v is stored into.
func storedFields(v ssa.Value) []string {
	var out []string
	if refs := v.Referrers(); refs != nil {
		for _, r := range *refs {
			if st, ok := r.(*ssa.Store); ok && st.Val == v {
				if cls := fieldKey(st.Addr); cls != "" {
					out = append(out, cls)
				}
			}
		}
	}
	return out
}

// condFields returns the field keys naming the sync.Cond x points to: its
// own field, or the fields a Cond made here (&sync.Cond{L: …}) is stored
// into.
func condFields(x ssa.Value) []string {
	if cls := fieldKey(x); cls != "" {
		return []string{cls}
	}
	a, ok := x.(*ssa.Alloc)
	if !ok {
		return nil
	}
	out := storedFields(a)
	if refs := a.Referrers(); refs != nil {
		for _, r := range *refs {
			if u, ok := r.(*ssa.UnOp); ok && u.Op == token.MUL {
				out = append(out, storedFields(u)...) // a Cond value copied into a field
			}
		}
	}
	return out
}

// isLocker reports whether t is sync.Locker.
func isLocker(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "sync" && n.Obj().Name() == "Locker"
}

// lockerLocks returns the lock classes v, a sync.Locker or a pointer to a
// mutex (or to a struct embedding one), may lock.
func (c *checker) lockerLocks(v ssa.Value, depth int) lockerRes {
	if depth > 6 || v == nil {
		return lockerRes{}
	}
	if isMutexPtr(types.Unalias(v.Type())) {
		if fk, _ := c.lockField(v); fk != "" {
			return lockerRes{locks: []string{fk}, complete: true}
		}
	} else if fk := promotedMutex(v.Type()); fk != "" {
		return lockerRes{locks: []string{fk}, complete: true}
	}
	switch x := v.(type) {
	case *ssa.MakeInterface:
		return c.lockerLocks(x.X, depth+1)
	case *ssa.ChangeType:
		return c.lockerLocks(x.X, depth+1)
	case *ssa.ChangeInterface:
		return c.lockerLocks(x.X, depth+1)
	case *ssa.Const:
		return lockerRes{complete: true} // nil: locks nothing
	case *ssa.Phi:
		var out lockerRes
		out.complete = true
		for _, e := range x.Edges {
			r := c.lockerLocks(e, depth+1)
			out.locks = union(out.locks, r.locks)
			out.complete = out.complete && r.complete
		}
		return out
	case *ssa.Call:
		if callee := x.Call.StaticCallee(); callee != nil && funcName(callee) == "(*sync.RWMutex).RLocker" && len(x.Call.Args) == 1 {
			return c.lockerLocks(x.Call.Args[0], depth+1)
		}
	case *ssa.Parameter:
		return c.paramLockers(x, depth)
	case *ssa.UnOp:
		if fa, ok := x.X.(*ssa.FieldAddr); ok && x.Op == token.MUL {
			return c.fieldLockers(fa, depth)
		}
	}
	return lockerRes{}
}

// fieldLockers returns what the Locker field fa may hold: a sync.Cond's L
// is its Cond's lock; another field holds what the package stores into it,
// completely known when other packages cannot set it.
func (c *checker) fieldLockers(fa *ssa.FieldAddr, depth int) lockerRes {
	if isNamed(fa.X.Type(), "sync", "Cond") {
		var out lockerRes
		for _, cls := range condFields(fa.X) {
			if ls, ok := c.condLock[cls]; ok {
				out.locks = union(out.locks, ls)
				out.complete = true
			}
		}
		return out
	}
	fk := fieldKey(fa)
	if fk == "" {
		return lockerRes{}
	}
	if r, ok := c.lockerMemo[fk]; ok {
		return r
	}
	c.lockerMemo[fk] = lockerRes{} // a cycle knows nothing
	stores := c.lockerStores[fk]
	out := lockerRes{complete: len(stores) > 0 && c.private(fk)}
	for _, st := range stores {
		r := c.lockerLocks(st.val, depth+1)
		out.locks = union(out.locks, r.locks)
		out.complete = out.complete && r.complete
	}
	c.lockerMemo[fk] = out
	return out
}

// paramLockers returns what the package's call sites pass for p, complete
// when no other package can call its function and it is not used as a
// value.
func (c *checker) paramLockers(p *ssa.Parameter, depth int) lockerRes {
	if r, ok := c.paramMemo[p]; ok {
		return r
	}
	c.paramMemo[p] = lockerRes{} // a cycle knows nothing
	fn := p.Parent()
	idx := slices.Index(fn.Params, p)
	sites := c.sites[fn]
	if idx < 0 || fn.Parent() != nil || len(sites) == 0 {
		return lockerRes{}
	}
	out := lockerRes{complete: !c.escapes[fn] && !callableOutside(fn)}
	for _, site := range sites {
		if idx >= len(site.Call.Args) {
			return lockerRes{}
		}
		r := c.lockerLocks(site.Call.Args[idx], depth+1)
		out.locks = union(out.locks, r.locks)
		out.complete = out.complete && r.complete
	}
	c.paramMemo[p] = out
	return out
}

// callableOutside reports whether other packages can call fn: an exported
// function, or an exported method of an exported type.
func callableOutside(fn *ssa.Function) bool {
	obj := fn.Object()
	if obj == nil || !obj.Exported() {
		return false
	}
	if recv := fn.Signature.Recv(); recv != nil {
		t := recv.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if n, ok := types.Unalias(t).(*types.Named); ok {
			return n.Obj().Exported()
		}
	}
	return true
}

// promotedMutex returns the field key of the sync.Mutex or sync.RWMutex
// whose Lock and Unlock t (a pointer to a struct) promotes, or "".
func promotedMutex(t types.Type) string {
	p, ok := types.Unalias(t).(*types.Pointer)
	if !ok {
		return ""
	}
	var key string
	for _, m := range []string{"Lock", "Unlock"} {
		obj, index, _ := types.LookupFieldOrMethod(t, true, nil, m)
		fn, ok := obj.(*types.Func)
		if !ok || len(index) < 2 {
			return ""
		}
		recv := fn.Type().(*types.Signature).Recv()
		if recv == nil || !isNamed(recv.Type(), "sync", "Mutex") && !isNamed(recv.Type(), "sync", "RWMutex") {
			return ""
		}
		cur := p.Elem()
		var k string
		for i, fi := range index[:len(index)-1] {
			st, ok := cur.Underlying().(*types.Struct)
			if !ok || fi >= st.NumFields() {
				return ""
			}
			if i == len(index)-2 {
				k = types.TypeString(cur, nil) + "." + st.Field(fi).Name()
				break
			}
			cur = st.Field(fi).Type()
			if q, ok := types.Unalias(cur).(*types.Pointer); ok {
				cur = q.Elem()
			}
		}
		if key != "" && key != k {
			return ""
		}
		key = k
	}
	return key
}

// lockerUnlock releases, on an Unlock through the Locker v, the held locks
// it names (lending them until the Locker is locked again) and notes the
// drop for the summary; a Locker it cannot name releases every held lock.
func (f *fnChecker) lockerUnlock(v ssa.Value, s *state) {
	r := f.c.lockerLocks(v, 0)
	if !r.complete || len(r.locks) == 0 {
		// Some lock behind an interface is released: we no longer
		// know what is held.
		for k := range s.held {
			s.release(k)
		}
		for k := range s.may {
			s.release(k)
		}
		s.drop[lockerAny] = true
		return
	}
	for k, h := range s.held {
		if lockIn(h, r.locks) {
			s.lent[k] = h
			s.release(k)
		}
	}
	for k, h := range s.may {
		if lockIn(h, r.locks) {
			s.release(k)
		}
	}
	for _, l := range r.locks {
		s.drop["locker:"+l] = true
	}
}

// lockerLock takes back, on a Lock through the Locker v, the locks its
// Unlock lent.
func (f *fnChecker) lockerLock(v ssa.Value, s *state) {
	r := f.c.lockerLocks(v, 0)
	if !r.complete || len(r.locks) == 0 {
		delete(s.drop, lockerAny)
		return
	}
	for k, h := range s.lent {
		if lockIn(h, r.locks) {
			if _, ok := s.held[k]; !ok {
				s.held[k] = h
			}
			s.may[k] = h
			delete(s.lent, k)
		}
	}
	for _, l := range r.locks {
		delete(s.drop, "locker:"+l)
	}
}

// lockIn reports whether h is a lock of one of the classes locks.
func lockIn(h *lockInfo, locks []string) bool {
	for _, l := range locks {
		if h.fkey == l || h.fkey == "" && sameField(h.class, l) {
			return true
		}
	}
	return false
}

// isCondLock reports whether h is the lock of a Cond whose Locker locks
// one of the classes locks (a lock taken through a helper has a class key
// only).
func isCondLock(h *lockInfo, locks []string) bool {
	for _, l := range locks {
		if h.fkey == l || h.class == l || sameField(h.class, l) {
			return true
		}
	}
	return false
}

// lockerDropped reports whether drops, a callee's, say it unlocked h
// through a Locker before the wait or acquisition they belong to.
func lockerDropped(drops map[string]bool, h *lockInfo) bool {
	if len(drops) == 0 {
		return false
	}
	if drops[lockerAny] {
		return true
	}
	for d := range drops {
		if l, ok := strings.CutPrefix(d, "locker:"); ok && lockIn(h, []string{l}) {
			return true
		}
	}
	return false
}

// union adds the strings of b missing from a, sorted.
func union(a, b []string) []string {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	sort.Strings(a)
	return a
}
