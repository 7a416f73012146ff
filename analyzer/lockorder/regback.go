package lockorder

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Handlers registered with their owner (issue 14, item 2; fyne-io/fyne#5487,
// scylladb/gocql#53).
//
// An owner often hands itself to an object it registers: a listener made
// with a pointer back to the binding it is then added to
// (`b.AddListener(&updater{data: b})`), a connection made with the pool as
// its error handler and then given to the pool's picker
// (`c := &Conn{errorHandler: pool}; pool.picker.Put(c)`). When the owner,
// holding its lock, reaches such an object through a container, an
// interface or a callback's argument (no instance key survives that) and
// calls something that goes back through the back field to lock the
// owner's class, the object is the owner's own registration: the second
// Lock (or RLock) waits for the Unlock its own goroutine would do.
//
// The summary of a lock known by class only keeps the back field it was
// reached through (Acq.Back, "pkg.Conn.errorHandler"); the report needs a
// function of the package that sets that field to a value of the owner's
// type (or that value converted to an interface) and hands the object to
// that value: stores it into one of its fields, or passes it to a method
// called on the value or on one of its fields. Two read locks are not
// reported this way.

// regBack is one back field the package sets to an owner that the object
// is handed to.
type regBack struct {
	owner *types.Named // the owner's type
	pos   token.Pos    // the store that sets the back field
	hand  token.Pos    // where the object is handed to the owner
}

// noteRegBacks finds, in fn, stores of an owner into a back field of an
// object handed to that owner.
func (c *checker) noteRegBacks(fn *ssa.Function) {
	for st, fa := range fieldStores(fn) {
		y := st.Val
		if mi, ok := y.(*ssa.MakeInterface); ok {
			y = mi.X // an interface field (a handler) holding the owner
		}
		owner := pointee(y.Type())
		holder := pointee(fa.X.Type())
		if owner == nil || holder == nil || types.Identical(owner, holder) {
			continue
		}
		hand := c.handedTo(fn, fa.X, y)
		if !hand.IsValid() {
			continue
		}
		fk := fieldKey(fa)
		if _, ok := c.regBacks[fk]; !ok && fk != "" {
			c.regBacks[fk] = &regBack{owner: owner, pos: st.Pos(), hand: hand}
		}
	}
}

// handedTo returns where fn hands o (or o converted) to y: stores it into
// a field of y, adds it to a slice or map field of y (as a value, or as a
// key of a set), or passes it to a method called on y or on a field of y;
// NoPos if nowhere.
func (c *checker) handedTo(fn *ssa.Function, o, y ssa.Value) token.Pos {
	ws := withConversions(o)
	for _, w := range ws {
		refs := w.Referrers()
		if refs == nil {
			continue
		}
		for _, r := range *refs {
			switch r := r.(type) {
			case *ssa.Store:
				if fa, ok := r.Addr.(*ssa.FieldAddr); ok && r.Val == w && fa.X == y {
					return r.Pos()
				}
			case *ssa.MapUpdate:
				if u, ok := r.Map.(*ssa.UnOp); ok && r.Key == w && u.Op == token.MUL && reachedFrom(u.X, y, 0) {
					return r.Pos()
				}
			case *ssa.Call:
				if reachedFrom(recvOf(r.Common()), y, 0) && argIndex(r.Common(), w) > 0 {
					return r.Pos()
				}
			}
		}
	}
	for _, a := range c.additionsOf(fn) {
		if slices.Contains(ws, a.elem) && reachedFrom(a.obj, y, 0) {
			return a.elem.Pos() // appended: no instruction of its own to name
		}
	}
	return c.handedByCaller(fn, o, y)
}

// handedByCaller returns where a caller of fn hands o to y when fn makes
// o for its parameter y and returns it: a method of the owner that builds
// a registration pointing back to the owner (`cs := &session{owner: s};
// return cs`), whose caller adds the result to a container of the same
// owner (`s.byShard[id] = s.newSession(id)`); NoPos if none does.
func (c *checker) handedByCaller(fn *ssa.Function, o, y ssa.Value) token.Pos {
	p, ok := y.(*ssa.Parameter)
	if !ok || !returns(fn, o) {
		return token.NoPos
	}
	idx := slices.Index(fn.Params, p)
	for _, site := range c.sites[fn] {
		if idx < 0 || idx >= len(site.Call.Args) || site.Parent() == fn {
			continue
		}
		arg := site.Call.Args[idx]
		for _, a := range c.additionsOf(site.Parent()) {
			if slices.Contains(withConversions(site), a.elem) && reachedFrom(a.obj, arg, 0) {
				return site.Pos()
			}
		}
		if storedInto(site, arg) {
			return site.Pos()
		}
	}
	return token.NoPos
}

// recvOf returns the receiver of a method call (the invoked interface
// value, or a static method's first argument); nil for other calls.
func recvOf(call *ssa.CallCommon) ssa.Value {
	if call.IsInvoke() {
		return call.Value
	}
	if fn := call.StaticCallee(); fn != nil && fn.Signature.Recv() != nil && len(call.Args) > 0 {
		return call.Args[0]
	}
	return nil
}

// argIndex returns the index of v among call's arguments (counting an
// invoked receiver as 0), or -1.
func argIndex(call *ssa.CallCommon, v ssa.Value) int {
	off := 0
	if call.IsInvoke() {
		off = 1
	}
	for i, a := range call.Args {
		if a == v {
			return i + off
		}
	}
	return -1
}

// reachedFrom reports whether v is y or is loaded from y through fields
// (y.picker, &y.base), up to a few steps.
func reachedFrom(v, y ssa.Value, depth int) bool {
	if v == nil || depth > 4 {
		return false
	}
	if v == y {
		return true
	}
	switch x := v.(type) {
	case *ssa.FieldAddr:
		return reachedFrom(x.X, y, depth+1)
	case *ssa.Field:
		return reachedFrom(x.X, y, depth+1)
	case *ssa.UnOp:
		return x.Op == token.MUL && reachedFrom(x.X, y, depth+1)
	case *ssa.ChangeType:
		return reachedFrom(x.X, y, depth+1)
	}
	return false
}

// backStep returns the back field ("pkg.Conn.errorHandler") through which
// a callee's lock a, on the object its parameter's field points to
// ({p0}.errorHandler^.mu), is reached, when that is the path's only
// pointer step; "" otherwise.
func backStep(callee *ssa.Function, a Acq) string {
	if a.Root == "" {
		return a.Back
	}
	var idx int
	if _, err := fmt.Sscanf(a.Root, "{p%d}", &idx); err != nil || idx < 0 || idx >= len(callee.Params) {
		return ""
	}
	rest, ok := strings.CutPrefix(a.Path, ".")
	if !ok {
		return ""
	}
	i := strings.IndexAny(rest, ".^<[&")
	if i < 0 || rest[i] != '^' || strings.ContainsAny(rest[i+1:], "^<[&") {
		return ""
	}
	n := pointee(callee.Params[idx].Type())
	if n == nil {
		return ""
	}
	return types.TypeString(n, nil) + "." + rest[:i]
}

// hasLockClass reports whether the struct t holds the mutex of class
// ("pkg.T.mu") itself or in a struct field it embeds or contains by value.
func hasLockClass(t types.Type, class string, depth int) bool {
	return someField(t, depth, func(n *types.Named, f *types.Var) bool {
		return types.TypeString(n, nil)+"."+f.Name() == class
	})
}

// someField reports whether pred holds for a field of the named struct t,
// or of a struct it embeds or contains by value (a few levels down).
func someField(t types.Type, depth int, pred func(*types.Named, *types.Var) bool) bool {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || depth > 3 {
		return false
	}
	s, ok := n.Underlying().(*types.Struct)
	if !ok {
		return false
	}
	for i := 0; i < s.NumFields(); i++ {
		if f := s.Field(i); pred(n, f) || someField(f.Type(), depth+1, pred) {
			return true
		}
	}
	return false
}

// regDouble checks a lock known by class only, reached through a back
// field the package registers with its owner, against the held mutexes of
// its class; it reports whether it found one.
func (f *fnChecker) regDouble(s *state, li *lockInfo) bool {
	rb := f.c.regBacks[li.back]
	if rb == nil || !hasLockClass(rb.owner, li.fkey, 0) {
		return false
	}
	held := make([]*lockInfo, 0, len(s.held))
	for _, h := range s.held {
		held = append(held, h)
	}
	sort.Slice(held, func(i, j int) bool { return held[i].pos < held[j].pos })
	for _, h := range held {
		if h.fkey != li.fkey || byClass(h.inst) || li.drops[h.inst] || lockerDropped(li.drops, h) || h.once != "" || h.read && li.read {
			continue
		}
		f.found(li.pos, func(sfx string) { f.c.regDoubleReport(h, li, rb, sfx) })
		return true
	}
	return false
}

// regDoubleReport reports li, reached through a back field registered with
// its owner, acquired while h is held.
func (c *checker) regDoubleReport(h, li *lockInfo, rb *regBack, when string) {
	field := li.back[strings.LastIndexByte(li.back, '.')+1:]
	verb := "locked"
	if li.read {
		verb = "read-locked"
	}
	c.report(li.pos, fmt.Sprintf("%s is %s%s while this goroutine holds %s (locked at line %d)%s, by lock class %s: the object is reached back through its field %s, which the package sets to a %s (%s) that it is then handed to (%s), so when this is the holder's own registration the second Lock waits forever for an Unlock only this goroutine could do",
		li.desc, verb, c.how(li), h.desc, c.line(h.pos), when, li.fkey, field, rb.owner.Obj().Name(), c.at(rb.pos, li.pos), c.at(rb.hand, li.pos)),
		append([]analysis.RelatedInformation{rel(h.pos, h.desc+" first locked here"), rel(rb.pos, "the back field is set to the owner here"), rel(rb.hand, "and the object handed to the owner here")}, c.related(li, "locked again here")[1:]...)...)
}
