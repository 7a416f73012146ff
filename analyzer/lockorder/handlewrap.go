package lockorder

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"golang.org/x/tools/go/ssa"
)

// Handles passed on by wrappers (issue 14 item 5; containerd/containerd#6722).
//
//	func (ms *MetaStore) TransactionContext(ctx context.Context, writable bool) (context.Context, *Tx, error) {
//		tx, err := ms.db.Begin(writable)
//		...
//		return ctx, tx, nil
//	}
//
// hands back the handle Begin returned, so its result keeps ms.db in the
// field .db just as Begin's keeps db: a wrapper's result that is, on every
// return that gives it, the same result of one call of a function with
// Summary.Results is a handle too, its field holding the call's argument,
// named relative to the wrapper's parameters (ResultField.Path: ".db^" for
// ms.db). tx.Rollback() in the wrapper's caller then releases the lock the
// wrapper left held, and the existing rule for dropped handles sees a
// return that keeps the lock without the handle.

// paramPath matches a key that is a parameter followed by field loads
// only ("{p0}.db^"): no element, no owner step, no address.
var paramPath = regexp.MustCompile(`^\{p(\d+)\}((?:\.[A-Za-z_][A-Za-z0-9_]*\^?)*)$`)

// wrapperResults returns the handles fn passes on from its callees: for
// result i, the ResultFields of the one call whose result it is on every
// return that gives a non-nil value, rebased on fn's parameters.
func (c *checker) wrapperResults(fn *ssa.Function) []ResultField {
	var out []ResultField
	seen := map[string]bool{}
	for i := 0; i < fn.Signature.Results().Len(); i++ {
		var call *ssa.Call
		res := -1
		ok := true
		for _, b := range fn.Blocks {
			ret, isRet := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
			if !isRet || i >= len(ret.Results) {
				continue
			}
			r := ret.Results[i]
			if mi, isMI := r.(*ssa.MakeInterface); isMI {
				r = mi.X
			}
			if k, isConst := r.(*ssa.Const); isConst && k.IsNil() {
				continue // an error return hands back no handle
			}
			cl, j := handleCall(r)
			if cl == nil || call != nil && (cl != call || j != res) {
				ok = false
				break
			}
			call, res = cl, j
		}
		if !ok || call == nil || call.Call.IsInvoke() {
			continue
		}
		callee := call.Call.StaticCallee()
		if callee == nil || callee == fn {
			continue
		}
		for _, rf := range c.summaryOf(callee).Results {
			if rf.Result != res || rf.Param >= len(call.Call.Args) {
				continue
			}
			m := paramPath.FindStringSubmatch(inst(call.Call.Args[rf.Param]))
			if m == nil {
				continue
			}
			p, _ := strconv.Atoi(m[1])
			w := ResultField{Result: i, Field: rf.Field, Param: p, Path: m[2] + rf.Path}
			if k := fmt.Sprint(w); !seen[k] {
				seen[k] = true
				out = append(out, w)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}
