package chanmodel

import (
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// CheckCaller is CheckClient with a client that is real code of the
// package rather than one call of a method: the owner, joint.Nodes[0],
// runs from the make with its goroutines; when it returns at one of rets
// its goroutine goes on in client, after call (the client's own call of
// the owner, a constructor) or from client's entry when call is nil (the
// object is the client's parameter). dead, when not nil, tells the select
// cases on other channels that cannot fire in this harness (a field of
// the object that only functions outside it complete).
func CheckCaller(joint *chanuse.Channel, client *chanuse.Node, call *ssa.Call, rets []*ssa.Return, dead func(*ssa.Select, int) bool, budget int) []Stuck {
	m := build(joint)
	if m == nil {
		dbg("%s: no caller harness model", joint.Make.Parent().Name())
		return nil
	}
	m.then, m.thenCall = client, call
	m.rets = map[*ssa.Return]bool{}
	for _, r := range rets {
		m.rets[r] = true
	}
	if dead != nil {
		for _, n := range joint.Nodes {
			for _, b := range n.Fn.Blocks {
				for _, in := range b.Instrs {
					sel, ok := in.(*ssa.Select)
					if !ok {
						continue
					}
					for k := range sel.States {
						if dead(sel, k) {
							if m.dead[sel] == nil {
								m.dead[sel] = map[int]bool{}
							}
							m.dead[sel][k] = true
						}
					}
				}
			}
		}
	}
	m.findFlags()
	return m.explore(budget)
}
