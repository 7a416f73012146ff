package lockorder

import (
	"go/token"
	"go/types"
	"sort"

	"golang.org/x/tools/go/ssa"
)

// Callbacks across packages (issue 14, item 2; keybase/kbfs #250, where
// the LRU is another module's).
//
// A constructor of package lru stores its parameter into a callback field
// (Summary.Stores), and lru.(*Cache).Add calls that field while holding
// the cache's lock (Summary.Callbacks, with the held locks named relative
// to Add's parameters, also when the call is inside a callee of Add). A
// package that passes a function to that constructor and calls Add has
// the function run inside Add, with the cache's lock held: its locks are
// ordered after that lock (by class: the function's receiver is bound at
// the constructor's call site). Only functions the package itself passes
// are considered, as for constructors of the package (paramcb.go).

// Store says that a function stores its parameter Param into the
// callback field Field ("pkg.T.onEvict").
type Store struct {
	Param int
	Field string
}

// Callback says that a function calls the function held in the callback
// field Field, with the locks Held held (relative to its parameters).
type Callback struct {
	Field string
	Obj   Acq // the object whose field it is ({p0}, {p0}.next^)
	Held  []Acq
}

// storesOf returns the parameters fn stores into callback fields.
func (c *checker) storesOf(fn *ssa.Function) []Store {
	var out []Store
	for fk, pfs := range c.paramFuncs {
		for _, pf := range pfs {
			if pf.fn == fn {
				out = append(out, Store{Param: pf.idx, Field: fk})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// noteCallbackUse records a call of a function loaded from a callback
// field, with the locks held at it.
func (f *fnChecker) noteCallbackUse(call *ssa.CallCommon, s *state) {
	if !f.final || f.indirect > 0 || call.IsInvoke() || call.StaticCallee() != nil {
		return
	}
	u, ok := call.Value.(*ssa.UnOp)
	if !ok {
		return
	}
	fa, ok := u.X.(*ssa.FieldAddr)
	if !ok {
		return
	}
	fk := fieldKey(fa)
	if fk == "" {
		return
	}
	if _, ok := f.cbUses[fk]; ok {
		return
	}
	obj, ok := f.acqFor(&lockInfo{inst: inst(fa.X)})
	if !ok || inst(fa.X) == "" {
		return
	}
	f.cbUses[fk] = Callback{Field: fk, Obj: obj, Held: f.heldAcqs(s, nil)}
}

// heldAcqs expresses the locks of s (and extra) as summary locks.
func (f *fnChecker) heldAcqs(s *state, extra []Acq) []Acq {
	held := append([]Acq(nil), extra...)
	for _, h := range s.held {
		if a, ok := f.acqFor(h); ok && !byClass(h.inst) {
			held = append(held, a)
		}
	}
	sort.Slice(held, func(i, j int) bool { return held[i].Root+held[i].Path < held[j].Root+held[j].Path })
	return held
}

// callbacksSum returns the callback fields this run calls.
func (f *fnChecker) callbacksSum() []Callback {
	var out []Callback
	for _, cb := range f.cbUses {
		out = append(out, cb)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// applyCallbacks carries a callee's callback calls to this function's
// summary and, for a callee of another package, runs the functions this
// package passed to that package's constructors for those fields, with
// the callee's locks held.
func (f *fnChecker) applyCallbacks(call *ssa.CallCommon, callee *ssa.Function, sum *Summary, pos token.Pos, s *state) {
	if len(sum.Callbacks) == 0 || f.indirect > 2 {
		return
	}
	external := callee.Pkg == nil || callee.Pkg.Pkg != f.c.pass.Pkg
	for _, cb := range sum.Callbacks {
		var held []*lockInfo
		var heldSum []Acq
		for _, a := range cb.Held {
			ik, ck, d, ok := f.subst(call, a)
			if !ok || ik == "" {
				continue
			}
			li := &lockInfo{inst: ik, class: ck, fkey: a.Lock, alias: a.Alias, read: a.Read, pos: pos, desc: d, via: callee.Name()}
			held = append(held, li)
			if r, ok := f.acqFor(li); ok {
				heldSum = append(heldSum, r)
			}
		}
		objKey, _, _, objOK := f.subst(call, cb.Obj)
		if f.final && f.indirect == 0 && objOK && objKey != "" {
			if _, ok := f.cbUses[cb.Field]; !ok {
				if obj, ok := f.acqFor(&lockInfo{inst: objKey}); ok {
					f.cbUses[cb.Field] = Callback{Field: cb.Field, Obj: obj, Held: f.heldAcqs(s, heldSum)}
				}
			}
		}
		if !external && f.final {
			f.applyLocalCallback(call, cb, held, pos, s)
		}
		if !external || !f.final {
			continue
		}
		targets := f.c.extPassed(cb.Field)
		if cb.Obj.Path == "" {
			// Only the constructor calls whose result is stored where
			// the object comes from (b.cleanTransient).
			if from := fieldKey(argOf(call, cb.Obj.Root)); from != "" {
				var keep []storedFunc
				for _, t := range targets {
					if resultField(t.site) == from {
						keep = append(keep, t)
					}
				}
				targets = keep
			}
		}
		if len(targets) == 0 || len(targets) > maxTargets {
			continue
		}
		inner := s.clone()
		for _, li := range held {
			if _, ok := inner.held[li.inst]; !ok {
				inner.held[li.inst] = li
			}
		}
		for _, t := range targets {
			var args []ssa.Value
			if sig, ok := t.val.Type().Underlying().(*types.Signature); ok {
				for i := range sig.Params().Len() {
					args = append(args, unknownVal{t: sig.Params().At(i).Type()})
				}
			}
			c := bindCall(t.val, args, unknownVal{}, nil)
			if c == nil {
				continue
			}
			f.indirect++
			savedSite := f.viaSite
			f.viaSite = t.site
			f.call(c, pos, inner)
			f.viaSite = savedSite
			f.indirect--
		}
	}
}

// extPassed returns the functions this package passes to constructors of
// other packages that store them into the callback field fk.
func (c *checker) extPassed(fk string) []storedFunc {
	if c.ext == nil {
		c.ext = map[string][]storedFunc{}
		for fn, sites := range c.sites {
			if fn.Pkg != nil && fn.Pkg.Pkg == c.pass.Pkg {
				continue
			}
			for _, st := range c.summaryOf(fn).Stores {
				for _, site := range sites {
					if st.Param >= len(site.Call.Args) {
						continue
					}
					switch v := stripConv(site.Call.Args[st.Param]).(type) {
					case *ssa.Function, *ssa.MakeClosure:
						c.ext[st.Field] = append(c.ext[st.Field], storedFunc{val: v, site: site})
					}
				}
			}
		}
	}
	return c.ext[fk]
}

// resultField returns the field key a call's result is stored into, if
// any.
func resultField(call *ssa.Call) string {
	for _, v := range withConversions(call) {
		refs := v.Referrers()
		if refs == nil {
			continue
		}
		for _, r := range *refs {
			if st, ok := r.(*ssa.Store); ok && st.Val == v {
				if fk := fieldKey(st.Addr); fk != "" {
					return fk
				}
			}
		}
	}
	return ""
}
