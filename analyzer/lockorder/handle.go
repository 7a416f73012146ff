package lockorder

import (
	"fmt"
	"go/token"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// Open handles dropped with their lock held (issue 14, item 5;
// btcsuite/btcwallet#406, blevesearch/bleve#440).
//
// `func (db *DB) Begin() *Tx { db.mu.Lock(); return &Tx{db: db} }` returns
// a handle whose Commit or Rollback releases db.mu through tx.db. A
// function's summary says which parameters its results keep in which
// fields (Summary.Results), so at `tx := db.Begin()` the lock tx.Rollback
// releases (tx.db.mu) is known to be db.mu, the very lock Begin left
// held. A return that leaves db.mu held without returning tx, when tx
// goes nowhere else (it is only the receiver of method calls, compared or
// returned), drops the only thing that could release the lock: the next
// Begin waits forever. A handle returned, stored, passed on or closed in a
// defer is not reported. The handle may be handed back as an interface
// value (`func (db *DB) Begin(ctx) (context.Context, Txn, error)`,
// containerd/containerd#1730): its interface methods are methods of the
// handle, and keep it local as the concrete ones do.

// ResultField says that a function's result Result is a new object whose
// field Field (".db") holds its parameter Param.
type ResultField struct {
	Result int
	Field  string
	Param  int
	Path   string // the field path from the parameter ("" for the parameter itself; ".db^" when a wrapper passed on p.db: handlewrap.go)
}

// resultFields returns the parameters fn's results keep in their fields.
func resultFields(fn *ssa.Function) []ResultField {
	var out []ResultField
	seen := map[string]bool{}
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		for _, ir := range resultCandidates(ret) {
			i, r := ir.i, ir.v
			if mi, ok := r.(*ssa.MakeInterface); ok {
				r = mi.X // the handle handed back as an interface (Txn)
			}
			a, ok := r.(*ssa.Alloc)
			if !ok || !a.Heap {
				continue
			}
			for _, ref := range *a.Referrers() {
				fa, ok := ref.(*ssa.FieldAddr)
				if !ok || fa.X != a {
					continue
				}
				for _, fr := range *fa.Referrers() {
					st, ok := fr.(*ssa.Store)
					if !ok || st.Addr != fa {
						continue
					}
					if p := paramIndex(fn, st.Val); p >= 0 {
						rf := ResultField{Result: i, Field: "." + fieldName(a.Type(), fa.Field), Param: p}
						if k := fmt.Sprint(rf); !seen[k] {
							seen[k] = true
							out = append(out, rf)
						}
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

// handleCall returns the call whose result v is (directly, or as one
// value of its results), and which result.
func handleCall(v ssa.Value) (*ssa.Call, int) {
	switch v := v.(type) {
	case *ssa.Call:
		return v, 0
	case *ssa.Extract:
		if c, ok := v.Tuple.(*ssa.Call); ok {
			return c, v.Index
		}
	}
	return nil, 0
}

// throughHandle rewrites root and path when root is the result of a call
// that keeps one of its arguments in the field path starts with: tx.db.mu
// of tx := db.Begin() is db.mu.
func (c *checker) throughHandle(root ssa.Value, path string) (ssa.Value, string) {
	if h := sameHandle(root); h != root {
		if hc, _ := handleCall(h); hc != nil {
			root = h // c.(*rc), io.Closer(c): the same handle (handleiface.go)
		}
	}
	call, res := handleCall(root)
	if call != nil && call.Call.IsInvoke() {
		return c.throughInvokedHandle(root, path, call, res)
	}
	if call == nil {
		return root, path
	}
	callee := call.Call.StaticCallee()
	if callee == nil {
		return root, path
	}
	for _, rf := range c.summaryOf(callee).Results {
		if rf.Result == res && strings.HasPrefix(path, rf.Field+"^") && rf.Param < len(call.Call.Args) {
			return call.Call.Args[rf.Param], rf.Path + path[len(rf.Field)+1:]
		}
	}
	return root, path
}

// droppedHandle is a return that leaves a handle's lock held without
// returning the handle.
type droppedHandle struct {
	fn  *ssa.Function
	li  *lockInfo
	ret token.Pos
}

// handleValues returns the values that are the handle call's result.
func handleValues(call *ssa.Call) []ssa.Value {
	vals := []ssa.Value{call}
	for _, r := range *call.Referrers() {
		if e, ok := r.(*ssa.Extract); ok && e.Tuple == call {
			vals = append(vals, e)
		}
	}
	return vals
}

// handleLocal reports whether the handle call's result goes nowhere but
// method calls on it, comparisons and returns.
func handleLocal(call *ssa.Call) bool {
	for _, v := range handleValues(call) {
		if _, ok := v.(*ssa.Call); ok && len(handleValues(call)) > 1 {
			continue // a tuple: its values are the Extracts
		}
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.Return, *ssa.DebugRef, *ssa.BinOp, *ssa.FieldAddr, *ssa.Field:
			case *ssa.Call:
				if !localUse(r, v, 2) {
					return false
				}
			default:
				return false
			}
		}
	}
	return true
}

// localUse reports whether the call r uses the handle v without letting
// it escape: v is its receiver or first argument (a method of the
// handle), or an argument of a same-package helper whose parameter stays
// local in turn (a helper's own releases apply at the call).
func localUse(r *ssa.Call, v ssa.Value, depth int) bool {
	if r.Call.IsInvoke() && r.Call.Value == v && !slices.Contains(r.Call.Args, v) {
		return true // a method of the handle's interface (t.Rollback())
	}
	callee := r.Call.StaticCallee()
	if r.Call.IsInvoke() || callee == nil || len(r.Call.Args) == 0 {
		return false
	}
	for i, a := range r.Call.Args {
		if a != v || i == 0 {
			continue
		}
		if depth == 0 || callee.Pkg == nil || r.Parent() == nil || callee.Pkg != r.Parent().Pkg || i >= len(callee.Params) || !paramStaysLocal(callee.Params[i], depth-1) {
			return false
		}
	}
	return true
}

// paramStaysLocal reports whether a helper's parameter is only used
// locally: method calls on it, field accesses, comparisons, and helpers
// of the package that keep it local.
func paramStaysLocal(p *ssa.Parameter, depth int) bool {
	if p.Parent() == nil || len(p.Parent().Blocks) == 0 {
		return false
	}
	for _, r := range *p.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef, *ssa.BinOp, *ssa.FieldAddr, *ssa.Field:
		case *ssa.Call:
			if !localUse(r, p, depth) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// noteDroppedHandles records the returns of this run that leave a
// handle's lock held without returning the handle.
func (f *fnChecker) noteDroppedHandles() {
	if f.deferAll {
		return
	}
	for r, ret := range f.retAt {
		if noReturn(ret.Block()) {
			continue
		}
		var keys []string
		for k := range f.retHeld[r] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			li := f.retHeld[r][k]
			if li.handle == nil || f.deferRel[k] || li.maybe || li.fkey == "" || !handleLocal(li.handle) {
				continue
			}
			returned := false
			for _, v := range ret.Results {
				for _, hv := range handleValues(li.handle) {
					if v == hv {
						returned = true
					}
				}
			}
			if returned {
				continue
			}
			dup := false
			for _, d := range f.c.dropped {
				if d.fn == f.fn && d.li.pos == li.pos && d.ret == f.retPos(ret) {
					dup = true
				}
			}
			if !dup {
				f.c.dropped = append(f.c.dropped, &droppedHandle{fn: f.fn, li: li, ret: f.retPos(ret)})
			}
		}
	}
}

// reportDroppedHandles reports the returns noteDroppedHandles found.
func (c *checker) reportDroppedHandles() {
	for _, d := range c.dropped {
		at := d.ret
		if !at.IsValid() {
			at = d.li.pos
		}
		locked := "locked"
		if d.li.read {
			locked = "read-locked"
		}
		callee := "the call"
		if sc := d.li.handle.Call.StaticCallee(); sc != nil {
			callee = sc.Name()
		}
		c.report(at, fmt.Sprintf("%s returns here with %s still %s by the handle %s returned (line %d), and drops the handle: nothing can release the lock any more, so the next Lock of %s waits forever",
			fnLabel(d.fn), d.li.desc, locked, callee, c.line(d.li.pos), d.li.desc),
			analysis.RelatedInformation{Pos: d.li.pos, Message: fmt.Sprintf("%s %s here, by %s, and released only through its result", d.li.desc, locked, callee)})
	}
}
