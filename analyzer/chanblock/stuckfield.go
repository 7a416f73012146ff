package chanblock

import (
	"github.com/asyncgo/asyncgo/analyzer/internal/chanmodel"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// maxStuckCallers bounds the callers of one maker the checker runs with.
const maxStuckCallers = 8

// stuckReturned runs the checker on a channel its maker returns, once per
// static call of the maker in the package: the maker with its goroutines,
// then the caller from the call on (chanmodel.CheckReturned). A caller
// that lets the channel escape or returns it on is left out.
func stuckReturned(st *state, ch *chanuse.Channel) {
	calls := st.staticCalls()[ch.Make.Parent()]
	if len(calls) > maxStuckCallers {
		return
	}
	for _, call := range calls {
		cc := chanuse.FollowResult(call, ch.Make)
		if cc.Escapes || len(cc.Returns) > 0 || st.reportedOn(cc) {
			continue
		}
		for _, s := range chanmodel.CheckReturned(ch, cc, call, stuckBudget) {
			st.reportStuck(s)
		}
	}
}

// staticCalls indexes the package's static calls by callee, built once.
func (st *state) staticCalls() map[*ssa.Function][]*ssa.Call {
	if st.calls != nil {
		return st.calls
	}
	st.calls = map[*ssa.Function][]*ssa.Call{}
	for _, fn := range st.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(*ssa.Call); ok {
					if callee := c.Call.StaticCallee(); callee != nil {
						st.calls[callee] = append(st.calls[callee], c)
					}
				}
			}
		}
	}
	return st.calls
}
