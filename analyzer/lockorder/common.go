package lockorder

import (
	"fmt"
	"go/token"
	"sort"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Interface methods with several implementations (issue 14, item 2).
//
// A call through an interface of the package with several implementations
// among the package's types runs one of them, unknown which: the locks
// only some of them take are not known to be taken (taking them all as
// possible gave false orders on real code). A lock every implementation
// takes, at the same place relative to the call's receiver and arguments
// (the owner of the container the receiver is an element of, through
// each implementation's back-pointer; a package variable), is taken
// whichever runs, and counts at the call site as certain.

// maxCommonImpls bounds the implementations compared.
const maxCommonImpls = 4

// commonImplLocks applies, at an interface method call with several
// implementations, the locks all of them acquire.
func (f *fnChecker) commonImplLocks(call *ssa.CallCommon, pos token.Pos, s *state) {
	impls := f.c.implementations(call.Method)
	if len(impls) < 2 || len(impls) > maxCommonImpls {
		return
	}
	type took struct {
		a       Acq
		ik, ck  string
		d       string
		impl    *ssa.Function
		syncall *ssa.CallCommon
	}
	var common map[string]took
	for _, impl := range impls {
		if f.c.inProgress[impl] {
			return
		}
		sc := &ssa.CallCommon{Value: impl, Args: append([]ssa.Value{call.Value}, call.Args...)}
		got := map[string]took{}
		for _, a := range f.c.summaryOf(impl).Acquires {
			if a.Guard != "" || a.Once != "" || a.Lock == "" {
				continue
			}
			ik, ck, d, ok := f.subst(sc, a)
			if !ok || ik == "" || byClass(ik) || strings.Contains(ik, "<") {
				continue
			}
			if _, dup := got[ik]; !dup {
				got[ik] = took{a: a, ik: ik, ck: ck, d: d, impl: impl, syncall: sc}
			}
		}
		if common == nil {
			common = got
			continue
		}
		for k, t := range common {
			if g, ok := got[k]; !ok || g.a.Lock != t.a.Lock || g.a.Read != t.a.Read {
				delete(common, k)
			}
		}
		if len(common) == 0 {
			return
		}
	}
	keys := make([]string, 0, len(common))
	for k := range common {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var names []string
	for _, impl := range impls {
		names = append(names, funcLabel(impl))
	}
	for _, k := range keys {
		t := common[k]
		recv := "the receiver"
		if !isUnknown(call.Value) {
			recv = desc(call.Value)
		}
		via := fmt.Sprintf("%s.%s (each of its %d implementations, %s, locks it)", recv, call.Method.Name(), len(impls), strings.Join(names, ", "))
		if _, _, bo := f.c.resolveBack(call.Value, t.a.Path, recvType(t.syncall, t.a.Root)); bo != nil && t.a.Root == "{p0}" {
			via += fmt.Sprintf(" through its back-pointer to the owner of %s", bo.container)
		}
		li := &lockInfo{inst: t.ik, class: t.ck, fkey: t.a.Lock, alias: t.a.Alias, read: t.a.Read, pos: pos, desc: t.d, via: via, maybe: f.maybeCall}
		if t.a.pos.IsValid() {
			li.inner = t.a.pos
		} else {
			li.where = t.a.Where
		}
		f.acquire(s, li, false)
	}
}

// funcLabel names a method as (T).m for messages.
func funcLabel(fn *ssa.Function) string {
	if recv := fn.Signature.Recv(); recv != nil {
		t := recv.Type()
		if n := pointee(t); n != nil {
			return "(*" + n.Obj().Name() + ")." + fn.Name()
		}
		return "(" + strings.TrimPrefix(t.String(), fn.Pkg.Pkg.Path()+".") + ")." + fn.Name()
	}
	return fn.Name()
}
