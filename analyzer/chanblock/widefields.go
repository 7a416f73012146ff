package chanblock

import (
	"github.com/asyncgo/asyncgo/analyzer/internal/chanmodel"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// wideFields builds the field classes the interleaving checker runs on
// (st.wide): chanuse.WideFields, which follows a field's channel into
// the package's functions it is passed to, counts nil comparisons as no
// use, and records what other packages may do with a channel an exported
// function hands out (Outside) instead of giving up on it. Pattern rules
// keep reading chanuse.Fields (st.queues): a class opened here changes
// only what the checker sees. The checker itself leaves a blocked
// operation that outside code could complete unreported
// (OutsideCompletes).
func wideFields(st *state, funcs []*ssa.Function) {
	for _, cc := range chanuse.WideFields(st.pass.Pkg, st.sealed, funcs) {
		if cc.Escapes || cc.Stored {
			for _, mc := range cc.Makes {
				st.census(mc, "field (wide): not followed (escapes %v: %s; stored %v)", cc.Escapes, cc.Why, cc.Stored)
			}
			continue
		}
		c := &class{Class: cc, name: "field " + cc.Field.Name() + " of " + ownerName(st.sealed, cc.Field)}
		for _, op := range cc.Ops {
			c.o.add(op)
		}
		st.wide = append(st.wide, c)
	}
	// Channels kept as elements of a private map field (s.waiters[id]
	// = ch), followed as classes too (chanuse.WideMaps).
	for _, cc := range chanuse.WideMaps(st.pass.Pkg, st.sealed, funcs) {
		if cc.Escapes || cc.Stored {
			for _, mc := range cc.Makes {
				st.census(mc, "field (map): not followed (escapes %v: %s; stored %v)", cc.Escapes, cc.Why, cc.Stored)
			}
			continue
		}
		c := &class{Class: cc, name: "an element of map field " + cc.Field.Name() + " of " + ownerName(st.sealed, cc.Field)}
		for _, op := range cc.Ops {
			c.o.add(op)
		}
		st.wide = append(st.wide, c)
	}
}

// outsideCompletes reports whether code outside the package, holding
// the channel an exported function of c's hands out, could complete s:
// its blocked operation, or another goroutine's blocked on the channel
// (a sender an outside receiver frees may go on to complete s).
func outsideCompletes(c *class, s chanmodel.Stuck) bool {
	if c.Outside == 0 {
		return false
	}
	if s.Sync != nil || c.OutsideCompletes(s.Op.Kind) {
		return true
	}
	for _, x := range s.Others {
		if x.Blocked {
			return true
		}
	}
	return false
}
