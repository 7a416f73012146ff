package lockorder

import (
	"fmt"
	"go/token"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Inversions along a tree of one type (issue 14; apache/yunikorn-core#50).
//
// A node keeps its parent (T.f *T) and its children (T.g, a slice or map
// of *T), and the package links the two fields: it adds a node to the
// container of the value it sets as the node's parent (owner.go's
// backOwners). Both locks are of one class, so lockdep's class order sees
// "the same class locked twice" and orders nothing. The link tells the
// two instances apart: holding x's mutex and locking x.f's is an upward
// nesting (child, then parent); holding x's and locking the mutex of an
// element of x.g, also through a local slice filled from x.g or a closure
// over one (sort.Slice's less), is a downward one (parent, then child).
// A package with both, when each side blocks on the lock the other holds,
// deadlocks a goroutine going up against one going down. A tree or list
// locked hand over hand in one direction only, or fields the package does
// not link, order nothing here.

// treeEdge is one nesting of two locks of one class along a linked
// field: upward through the parent field up, or downward (up == "") into
// an element of the container holding.
type treeEdge struct {
	*edge
	up      string
	holding string
}

// noteTreeEdge records h then li as a nesting along a linked parent or
// children field, when it is one; gates are the other locks held.
func (f *fnChecker) noteTreeEdge(h, li *lockInfo, gates map[string]bool) {
	if h.fkey == "" || h.fkey != li.fkey || byClass(h.inst) || h.alias != "" || li.alias != "" || h.once != "" || li.once != "" {
		return
	}
	i := strings.LastIndexByte(h.fkey, '.')
	if i < 0 {
		return
	}
	owner, mu := h.fkey[:i], h.fkey[i:]
	obj, ok := strings.CutSuffix(h.inst, mu)
	if !ok {
		return
	}
	plain := func(s string) bool { return s != "" && !strings.ContainsAny(s, ".^<[&") }
	e := &edge{held: h, acq: li, fn: f.fn, gates: gates}
	if rest, ok := strings.CutPrefix(li.inst, obj+"."); ok {
		// Upward: x.mu, then x.f^.mu with f linked to x's container g.
		fld, ok := strings.CutSuffix(rest, "^"+mu)
		if !ok || !plain(fld) {
			return
		}
		if bo := f.c.backOwners[owner+"."+fld]; bo != nil && bo.mutual == "" {
			f.c.treeEdges = append(f.c.treeEdges, &treeEdge{edge: e, up: fld, holding: bo.container})
		}
		return
	}
	if !byClass(li.inst) {
		return
	}
	// Downward: x.mu, then the mu of an element of x.g, g the container
	// some linked parent field of the same type leads back from.
	g, ok := strings.CutPrefix(li.src, obj+".")
	if !ok || !plain(g) {
		return
	}
	for k, bo := range f.c.backOwners {
		if bo != nil && bo.mutual == "" && bo.container == g && strings.HasPrefix(k, owner+".") && plain(k[len(owner)+1:]) {
			f.c.treeEdges = append(f.c.treeEdges, &treeEdge{edge: e, holding: g})
			return
		}
	}
}

// reportTreeInversions reports, for each linked container, an upward
// nesting against a downward one when each blocks on the lock the other
// holds and no gate lock keeps them apart.
func (c *checker) reportTreeInversions() {
	ups, downs := map[string][]*treeEdge{}, map[string][]*treeEdge{}
	var keys []string
	for _, e := range c.treeEdges {
		k := e.held.fkey + "|" + e.holding
		if ups[k] == nil && downs[k] == nil {
			keys = append(keys, k)
		}
		if e.up != "" {
			ups[k] = append(ups[k], e)
		} else {
			downs[k] = append(downs[k], e)
		}
	}
	for _, k := range keys {
		up, down := c.treePair(ups[k], downs[k])
		if up == nil {
			continue
		}
		msg := fmt.Sprintf("lock order inversion along the tree: %s locks %s (line %d) then %s%s here, while %s locks %s (%s) then the %s of an element of %s.%s%s (%s): the package adds a node to the %s of the value it sets as its %s, so a goroutine going up from a child and one going down from its parent each hold one lock and wait forever for the other's",
			fnLabel(up.fn), up.held.desc, c.line(up.held.pos), up.acq.desc, c.how(up.acq),
			fnLabel(down.fn), down.held.desc, c.at(down.held.pos, up.acq.pos), down.acq.fkey[strings.LastIndexByte(down.acq.fkey, '.')+1:], descObj(down.held), down.holding, c.how(down.acq), c.at(down.acq.pos, up.acq.pos),
			down.holding, up.up)
		r := []analysis.RelatedInformation{rel(up.held.pos, up.held.desc+" (the child's) locked first here")}
		if up.acq.inner.IsValid() {
			r = append(r, rel(up.acq.inner, up.acq.desc+" (the parent's) locked here, inside "+up.acq.via))
		}
		r = append(r, rel(down.held.pos, fmt.Sprintf("the other order: %s (the parent's) locked first here", down.held.desc)),
			rel(down.acq.pos, "then a child's "+down.acq.desc+c.how(down.acq)))
		if down.acq.inner.IsValid() {
			r = append(r, rel(down.acq.inner, "the child's lock, inside "+down.acq.via))
		}
		c.report(up.acq.pos, msg, r...)
	}
}

// treePair returns the first upward and downward nestings (by position)
// that deadlock against each other, or nils.
func (c *checker) treePair(ups, downs []*treeEdge) (*treeEdge, *treeEdge) {
	byPos := func(es []*treeEdge) {
		sort.SliceStable(es, func(i, j int) bool { return c.before(es[i].acq.pos, es[j].acq.pos) })
	}
	byPos(ups)
	byPos(downs)
	for _, u := range ups {
		for _, d := range downs {
			// Each side blocks on the lock the other holds (two read
			// locks do not), the sides are both tests or both not, and
			// no gate lock keeps them apart.
			if (!u.acq.read || !d.held.read) && (!d.acq.read || !u.held.read) &&
				c.isTest(u.acq.pos) == c.isTest(d.acq.pos) && !gated(u.edge, d.edge) {
				return u, d
			}
		}
	}
	return nil, nil
}

// descObj returns the holder's description without its mutex field.
func descObj(h *lockInfo) string {
	if i := strings.LastIndexByte(h.desc, '.'); i > 0 {
		return h.desc[:i]
	}
	return h.desc
}

// elemSourceDeep is elemSource, also for an element of a local slice
// filled only with elements of one container (out = append(out, c) over
// range x.g), or of such a slice a closure captures ("{f0}*": resolved
// by the caller against the closure's binding).
func elemSourceDeep(v ssa.Value) string {
	if k := elemSource(v); k != "" {
		return k
	}
	u, ok := v.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return ""
	}
	ia, ok := u.X.(*ssa.IndexAddr)
	if !ok {
		return ""
	}
	switch s := ia.X.(type) {
	case *ssa.Phi:
		return appendSource(s, nil, map[ssa.Value]bool{})
	case *ssa.UnOp:
		if s.Op != token.MUL {
			return ""
		}
		switch a := s.X.(type) {
		case *ssa.Alloc:
			return allocSource(a)
		case *ssa.FreeVar:
			for i, fv := range a.Parent().FreeVars {
				if fv == a && !storesTo(a) {
					return fmt.Sprintf("{f%d}*", i)
				}
			}
		}
	}
	return ""
}

// allocSource returns the one container whose elements are all a local
// slice variable a is ever filled with (a nil start, then appends of its
// own value), or "". A closure capturing a must not store into it.
func allocSource(a *ssa.Alloc) string {
	src := ""
	for _, r := range *a.Referrers() {
		switch x := r.(type) {
		case *ssa.UnOp, *ssa.DebugRef:
		case *ssa.Store:
			if x.Addr != a {
				return ""
			}
			k := appendSource(x.Val, a, map[ssa.Value]bool{})
			if k == "" {
				return ""
			}
			if k != "nil" {
				if src != "" && src != k {
					return ""
				}
				src = k
			}
		case *ssa.MakeClosure:
			for i, b := range x.Bindings {
				if b == a && storesTo(x.Fn.(*ssa.Function).FreeVars[i]) {
					return ""
				}
			}
		default:
			return ""
		}
	}
	return src
}

// appendSource returns the container the elements appended in v all come
// from, "nil" when v adds none, or "" when any other value gets in. self
// is the variable v's appends start from (nil for a phi chain).
func appendSource(v ssa.Value, self *ssa.Alloc, seen map[ssa.Value]bool) string {
	if seen[v] {
		return "nil"
	}
	seen[v] = true
	merge := func(a, b string) string {
		switch {
		case a == "" || b == "":
			return ""
		case a == "nil":
			return b
		case b == "nil" || a == b:
			return a
		}
		return ""
	}
	switch x := v.(type) {
	case *ssa.Const:
		if x.IsNil() {
			return "nil"
		}
	case *ssa.MakeSlice:
		if c, ok := x.Len.(*ssa.Const); ok && c.Int64() == 0 {
			return "nil"
		}
	case *ssa.Phi:
		k := "nil"
		for _, e := range x.Edges {
			k = merge(k, appendSource(e, self, seen))
		}
		return k
	case *ssa.UnOp:
		if x.Op == token.MUL && self != nil && x.X == self {
			return "nil"
		}
	case *ssa.Call:
		b, ok := x.Call.Value.(*ssa.Builtin)
		if !ok || b.Name() != "append" || len(x.Call.Args) != 2 {
			return ""
		}
		k := appendSource(x.Call.Args[0], self, seen)
		xs := sliceElems(x.Call.Args[1])
		if len(xs) == 0 {
			return ""
		}
		for _, e := range xs {
			s := elemSource(e)
			if s == "" {
				return ""
			}
			k = merge(k, s)
		}
		return k
	}
	return ""
}

// storesTo reports whether a closure does anything with its free
// variable fv but load it (a store, or its address passed on).
func storesTo(fv *ssa.FreeVar) bool {
	for _, r := range *fv.Referrers() {
		switch x := r.(type) {
		case *ssa.UnOp:
			if x.Op == token.MUL {
				continue
			}
		case *ssa.DebugRef:
			continue
		}
		return true
	}
	return false
}

// substSrc rewrites a summary's element source at a call: "{pN}.g" to
// the argument's container, "{fN}.g" to the container of the closure's
// binding, and "{fN}*" to the one container the local slice the closure
// captures is filled from.
func substSrc(call *ssa.CallCommon, src string) string {
	if strings.HasPrefix(src, "{p") {
		return substFrom(call, src)
	}
	var i int
	if _, err := fmt.Sscanf(src, "{f%d}", &i); err != nil {
		return ""
	}
	mc, ok := call.Value.(*ssa.MakeClosure)
	if !ok || i >= len(mc.Bindings) {
		return ""
	}
	rest := src[strings.IndexByte(src, '}')+1:]
	if rest == "*" {
		if a, ok := mc.Bindings[i].(*ssa.Alloc); ok {
			return allocSource(a)
		}
		return ""
	}
	if k := inst(mc.Bindings[i]); k != "" {
		return norm(k + rest)
	}
	return ""
}
