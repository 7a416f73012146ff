package lockorder

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Path conditions.
//
// Real code locks conditionally: `if needLock { s.mu.Lock(); defer
// s.mu.Unlock() }`, `if recovering { s.mu.Lock() } … if recovering {
// s.mu.Unlock() }`. A must/may analysis that merges the two branches loses
// the correlation and reports locks that cannot happen. So each function is
// analysed once per valuation of its guards — the bool values (parameters,
// free variables, locals tested more than once) whose branches lock or
// unlock, or that a callee's summary depends on — with the branches the
// valuation rules out pruned. The runs' summaries are then combined: an
// effect that happens only when a bool parameter is true (or false) is
// recorded with that parameter as its Guard, and a call site passing a
// constant (or a value the caller's run has fixed) keeps only the effects
// that can happen.

// maxGuards bounds the runs per function (2^maxGuards).
const maxGuards = 4

// stripNot returns v without its negations, and whether there was an odd
// number of them.
func stripNot(v ssa.Value) (ssa.Value, bool) {
	neg := false
	for {
		u, ok := v.(*ssa.UnOp)
		if !ok || u.Op != token.NOT {
			return v, neg
		}
		neg = !neg
		v = u.X
	}
}

// canon returns the variable a bool value reads, without negations: a
// parameter (also when a closure captures it, so that it lives on the
// heap), a free variable (read through its pointer), or v itself.
func canon(v ssa.Value) (ssa.Value, bool) {
	v, neg := stripNot(v)
	if nt, ne, ok := nilCompare(v); ok {
		return nt, neg != ne // a parameter compared with nil (nilguard.go)
	}
	if u, ok := v.(*ssa.UnOp); ok && u.Op == token.MUL {
		switch x := u.X.(type) {
		case *ssa.FreeVar:
			return x, neg
		case *ssa.Alloc:
			if p := spilledParam(x); p != nil {
				return p, neg
			}
			// A local captured by a closure, assigned once (`inPlace :=
			// … && needLock`, read in several branches).
			if v := storedOnce(x); v != nil {
				w, n := canon(v)
				return w, neg != n
			}
		}
	}
	if a, ok := v.(*ssa.Alloc); ok {
		if p := spilledParam(a); p != nil {
			return p, neg
		}
	}
	return v, neg
}

// storedOnce returns the value stored in a when it is stored exactly
// once, in its own function.
func storedOnce(a *ssa.Alloc) ssa.Value {
	var v ssa.Value
	for _, r := range *a.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Addr == a {
			if v != nil {
				return nil
			}
			v = st.Val
		}
	}
	if _, ok := v.(*ssa.Alloc); ok {
		return nil
	}
	return v
}

// eval returns the value of the bool v under this run's valuation.
func (f *fnChecker) eval(v ssa.Value) (value, known bool) {
	return f.evalDepth(v, 0)
}

func (f *fnChecker) evalDepth(v ssa.Value, depth int) (value, known bool) {
	v, neg := canon(v)
	if c, ok := v.(*ssa.Const); ok && c.Value != nil && c.Value.Kind() == constant.Bool {
		return constant.BoolVal(c.Value) != neg, true
	}
	if b, ok := f.val[v]; ok {
		return b != neg, true
	}
	// A phi whose live incoming values all agree (`x && needLock` with
	// needLock false).
	if phi, ok := v.(*ssa.Phi); ok && depth < 4 && len(f.val) > 0 {
		first, seen := false, false
		for i, e := range phi.Edges {
			if f.deadEdgeDepth(phi.Block().Preds[i], phi.Block(), depth+1) {
				continue
			}
			b, ok := f.evalDepth(e, depth+1)
			if !ok || seen && b != first {
				return false, false
			}
			first, seen = b, true
		}
		if seen {
			return first != neg, true
		}
	}
	return false, false
}

// deadEdge reports whether the edge p -> b cannot be taken under this
// run's valuation.
func (f *fnChecker) deadEdge(p, b *ssa.BasicBlock) bool {
	return f.deadEdgeDepth(p, b, 0)
}

func (f *fnChecker) deadEdgeDepth(p, b *ssa.BasicBlock, depth int) bool {
	if len(f.val) == 0 || len(p.Instrs) == 0 || depth > 4 {
		return false
	}
	iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
	if !ok {
		return false
	}
	v, known := f.evalDepth(iff.Cond, depth)
	if !known {
		return false
	}
	live := p.Succs[1]
	if v {
		live = p.Succs[0]
	}
	return b != live
}

// argOf returns the value a call passes for a summary's guard root ("{p1}"
// or "{f0}"), or nil.
func argOf(call *ssa.CallCommon, root string) ssa.Value {
	var i int
	switch {
	case strings.HasPrefix(root, "{p"):
		if _, err := fmt.Sscanf(root, "{p%d}", &i); err == nil && i < len(call.Args) {
			return call.Args[i]
		}
	case strings.HasPrefix(root, "{f"):
		if _, err := fmt.Sscanf(root, "{f%d}", &i); err == nil {
			if mc, ok := call.Value.(*ssa.MakeClosure); ok && i < len(mc.Bindings) {
				return mc.Bindings[i]
			}
		}
	}
	return nil
}

// guardHolds evaluates a summary effect's guard at a call site: whether
// the effect can happen, and whether that is known.
func (f *fnChecker) guardHolds(call *ssa.CallCommon, g string) (possible, known bool) {
	switch g {
	case "":
		return true, true
	case "?":
		return true, false
	}
	want := true
	if g[0] == '!' {
		want, g = false, g[1:]
	}
	if strings.HasSuffix(g, nilSuffix) {
		return f.nilGuardHolds(call, g, want)
	}
	v := argOf(call, g)
	if v == nil {
		return true, false
	}
	b, ok := f.eval(v)
	if !ok {
		return true, false
	}
	return b == want, true
}

// guardRoots lists the guard roots a summary's effects depend on.
func (s *Summary) guardRoots() []string {
	var roots []string
	for _, l := range [][]Acq{s.Acquires, s.Holds, s.Releases, s.Waits, s.Wakes} {
		for _, a := range l {
			if g := strings.TrimPrefix(a.Guard, "!"); g != "" && g != "?" {
				roots = append(roots, g)
			}
		}
	}
	return roots
}

// guardCandidates chooses the bool values this function is split on.
func (f *fnChecker) guardCandidates() []ssa.Value {
	type cand struct {
		v              ssa.Value
		uses, relevant int
		passed         bool
		order          int
	}
	cands := map[ssa.Value]*cand{}
	var list []*cand
	get := func(v ssa.Value) *cand {
		c := cands[v]
		if c == nil {
			c = &cand{v: v, order: len(list)}
			cands[v] = c
			list = append(list, c)
		}
		return c
	}
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.If:
				v, _ := canon(in.Cond)
				if _, ok := v.(*ssa.Const); ok {
					continue
				}
				c := get(v)
				c.uses++
				if f.guardsLocks(b, isParam(v)) {
					c.relevant++
				}
			case ssa.CallInstruction:
				call := in.Common()
				callee := call.StaticCallee()
				if callee == nil || call.IsInvoke() {
					continue
				}
				for _, root := range f.c.summaryOf(callee).guardRoots() {
					if r, ok := strings.CutSuffix(root, nilSuffix); ok {
						if v := argOf(call, r); v != nil {
							if nv, ok := nilCandidate(v); ok {
								get(nv).passed = true
							}
						}
						continue
					}
					if v := argOf(call, root); v != nil {
						v, _ = canon(v)
						if _, ok := v.(*ssa.Const); !ok {
							get(v).passed = true
						}
					}
				}
			}
		}
	}
	var chosen []*cand
	for _, c := range list {
		if c.passed || c.relevant > 0 && (isParam(c.v) || c.uses >= 2) {
			chosen = append(chosen, c)
		}
	}
	sort.SliceStable(chosen, func(i, j int) bool {
		a, b := chosen[i], chosen[j]
		if na, nb := isNilTest(a.v), isNilTest(b.v); na != nb {
			return nb // bool guards first: a nil test never crowds one out
		}
		if pa, pb := a.passed || isParam(a.v), b.passed || isParam(b.v); pa != pb {
			return pa
		}
		if a.relevant != b.relevant {
			return a.relevant > b.relevant
		}
		return a.order < b.order
	})
	if len(chosen) > maxGuards {
		chosen = chosen[:maxGuards]
	}
	var vs []ssa.Value
	for _, c := range chosen {
		vs = append(vs, c.v)
	}
	return vs
}

// isParam reports whether v is a parameter or a free variable, which a
// summary can name as a guard.
func isParam(v ssa.Value) bool {
	switch v := v.(type) {
	case *ssa.Parameter, *ssa.FreeVar:
		return true
	case nilTest:
		return isParam(v.x)
	}
	return false
}

// guardsLocks reports whether a branch of the If ending b (a successor
// only b leads to, and what it dominates) locks or unlocks; with acquires,
// also a callee that only locks and unlocks again.
func (f *fnChecker) guardsLocks(b *ssa.BasicBlock, acquires bool) bool {
	for _, s := range b.Succs {
		if len(s.Preds) != 1 {
			continue
		}
		stack := []*ssa.BasicBlock{s}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, instr := range x.Instrs {
				if f.locks(instr, acquires) {
					return true
				}
			}
			stack = append(stack, x.Dominees()...)
		}
	}
	return false
}

// locks reports whether instr changes which locks are held (or, with
// acquires, takes one at all).
func (f *fnChecker) locks(instr ssa.Instruction, acquires bool) bool {
	ci, ok := instr.(ssa.CallInstruction)
	if !ok {
		return false
	}
	call := ci.Common()
	if call.IsInvoke() {
		switch call.Method.Name() {
		case "Lock", "Unlock", "RLock", "RUnlock":
			return true
		}
		return false
	}
	callee := call.StaticCallee()
	if callee == nil {
		return false
	}
	name := funcName(callee)
	if _, ok := lockFuncs[name]; ok || unlockFuncs[name] {
		return true
	}
	if strings.HasPrefix(name, "(*sync.") || strings.HasPrefix(name, "sync.") {
		return false
	}
	sum := f.c.summaryOf(callee)
	return len(sum.Holds)+len(sum.Releases) > 0 || acquires && len(sum.Acquires) > 0
}

// prescan notes the locks some defer of fn unlocks.
func (f *fnChecker) prescan() {
	f.deferUnlocked = map[string]bool{}
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			d, ok := instr.(*ssa.Defer)
			if !ok {
				continue
			}
			if d.Call.IsInvoke() {
				if m := d.Call.Method.Name(); (m == "Unlock" || m == "RUnlock") && lockerKey(d.Call.Value) != "" {
					f.deferUnlocked[lockerKey(d.Call.Value)] = true
				}
			} else if callee := d.Call.StaticCallee(); callee != nil && unlockFuncs[funcName(callee)] {
				if k := inst(d.Call.Args[0]); k != "" {
					f.deferUnlocked[k] = true
				}
			}
		}
	}
}

// flagGuarded reports whether b runs only when a bool flag says so: its
// immediate dominator branches on a variable that is set from constants
// (`if !locked { …; locked = true }`).
func flagGuarded(b *ssa.BasicBlock) bool {
	if b == nil || b.Idom() == nil {
		return false
	}
	id := b.Idom()
	iff, ok := id.Instrs[len(id.Instrs)-1].(*ssa.If)
	if !ok {
		return false
	}
	switch v, _ := stripNot(iff.Cond); v := v.(type) {
	case *ssa.Phi:
		for _, e := range v.Edges {
			if c, ok := e.(*ssa.Const); ok && c.Value != nil && c.Value.Kind() == constant.Bool {
				return true
			}
		}
	case *ssa.UnOp:
		if a, ok := v.X.(*ssa.Alloc); ok && v.Op == token.MUL {
			if bt, ok := a.Type().(*types.Pointer).Elem().Underlying().(*types.Basic); ok && bt.Kind() == types.Bool {
				return true
			}
		}
	}
	return false
}

// dropsOf maps a callee summary's Drops to this function's instance keys.
func (f *fnChecker) dropsOf(call *ssa.CallCommon, drops []string) map[string]bool {
	if len(drops) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, d := range drops {
		if strings.HasPrefix(d, "locker:") {
			m[d] = true // a lock class, the same in every function
			continue
		}
		root, path := splitKey(d)
		if ik, _, _, ok := f.subst(call, Acq{Root: root, Path: path}); ok && ik != "" {
			m[ik] = true
		}
	}
	return m
}

// dropKeys lists the locks unlocked on every path to here (and extra),
// as a summary names them.
func (f *fnChecker) dropKeys(s *state, extra map[string]bool) []string {
	var keys []string
	for _, m := range []map[string]bool{s.drop, extra} {
		for k := range m {
			root, _ := splitKey(k)
			if strings.HasPrefix(k, "locker:") || strings.HasPrefix(root, "{p") || strings.HasPrefix(root, "{f") || strings.HasPrefix(root, "{g:") {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return slices.Compact(keys)
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// found records a double lock found in this run; flushFindings reports it
// once, saying under which parameter value it happens when not always.
func (f *fnChecker) found(pos token.Pos, emit func(suffix string)) {
	fd := f.findings[pos]
	if fd == nil {
		fd = &finding{emit: emit}
		f.findings[pos] = fd
	}
	if len(fd.runs) == 0 || fd.runs[len(fd.runs)-1] != f.run {
		fd.runs = append(fd.runs, f.run)
	}
}

func (f *fnChecker) flushFindings(n int) {
	var ps []token.Pos
	for p := range f.findings {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	for _, p := range ps {
		fd := f.findings[p]
		sfx := ""
		if len(fd.runs) < n {
			if i, b, ok := f.guardOf(fd.runs, false, true); ok {
				sfx = " when " + f.guards[i].Name() + " is " + map[bool]string{true: "true", false: "false"}[b]
			}
		}
		fd.emit(sfx)
	}
}

// guardOf finds a parameter guard whose value is the same in every run of
// runs (with exact, in exactly those runs).
func (f *fnChecker) guardOf(runs []int, exact, paramsOnly bool) (int, bool, bool) {
	n := 1 << len(f.guards)
	// Bool guards first (they come first in f.guards): an effect under
	// `if needLock` in a method that also tests its receiver for nil is
	// guarded by needLock, which callers pass as a constant.
	for i, g := range f.guards {
		if !isParam(g) {
			continue
		}
		if _, ok := g.(*ssa.Parameter); paramsOnly && !ok {
			continue
		}
		for _, b := range []bool{true, false} {
			all := true
			for _, r := range runs {
				if (r>>i&1 == 1) != b {
					all = false
					break
				}
			}
			if all && (!exact || len(runs) == n/2) {
				return i, b, true
			}
		}
	}
	return 0, false, false
}

// combine merges the summaries of the runs: an effect of every run is
// unconditional; one of only the runs where a bool parameter is true (or
// false) is guarded by it; otherwise a may-effect (acquires, releases,
// waits, wakes) is kept unconditional and a must-effect (holds) dropped.
func (f *fnChecker) combine(sums []*Summary) *Summary {
	if len(sums) == 1 {
		return sums[0]
	}
	get := []func(*Summary) *[]Acq{
		func(s *Summary) *[]Acq { return &s.Acquires },
		func(s *Summary) *[]Acq { return &s.Holds },
		func(s *Summary) *[]Acq { return &s.Releases },
		func(s *Summary) *[]Acq { return &s.Waits },
		func(s *Summary) *[]Acq { return &s.Wakes },
	}
	out := new(Summary)
	seen := map[string]bool{}
	for _, s := range sums {
		for _, cb := range s.Callbacks {
			if !seen[cb.Field] {
				seen[cb.Field] = true
				out.Callbacks = append(out.Callbacks, cb)
			}
		}
	}
	sort.Slice(out.Callbacks, func(i, j int) bool { return out.Callbacks[i].Field < out.Callbacks[j].Field })
	pcs := map[int]map[string]Acq{}
	pargs := map[int][]string{}
	for _, s := range sums {
		for _, pc := range s.ParamCalls {
			old, seen := pargs[pc.Param]
			pargs[pc.Param] = meetArgs(old, pc.Args, !seen)
			if pcs[pc.Param] == nil {
				pcs[pc.Param] = map[string]Acq{}
			}
			for _, a := range pc.Held {
				pcs[pc.Param][a.Root+a.Path] = a
			}
		}
	}
	for i, m := range pcs {
		pc := ParamCall{Param: i, Args: pargs[i]}
		for _, a := range m {
			pc.Held = append(pc.Held, a)
		}
		sort.Slice(pc.Held, func(a, b int) bool { return pc.Held[a].Root+pc.Held[a].Path < pc.Held[b].Root+pc.Held[b].Path })
		out.ParamCalls = append(out.ParamCalls, pc)
	}
	sort.Slice(out.ParamCalls, func(i, j int) bool { return out.ParamCalls[i].Param < out.ParamCalls[j].Param })
	for li, g := range get {
		must := li == 1
		type ent struct {
			a    Acq
			runs []int
		}
		m := map[string]*ent{}
		var keys []string
		for r, s := range sums {
			for _, a := range *g(s) {
				k := a.Root + a.Path + "|" + a.Kind
				if a.Root == "" {
					k += "|" + a.Lock // by class only: one entry per class
				}
				e := m[k]
				if e == nil {
					e = &ent{a: a}
					m[k] = e
					keys = append(keys, k)
				} else {
					e.a.Drops = intersect(e.a.Drops, a.Drops)
					if a.Guard == "" {
						e.a.Guard = ""
					}
					if e.a.Read && !a.Read {
						e.a.Read = false
					}
				}
				e.runs = append(e.runs, r)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			e := m[k]
			a := e.a
			if len(e.runs) < len(sums) {
				if i, b, ok := f.guardOf(e.runs, must, false); ok {
					a.Guard = inst(f.guards[i])
					if r := nilRoot(f.guards[i]); r != "" {
						a.Guard = r
					}
					if !b {
						a.Guard = "!" + a.Guard
					}
				} else if must {
					continue
				}
			}
			*g(out) = append(*g(out), a)
		}
	}
	return out
}
