package lockorder

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Self links through an embedded base (issue 14, item 1; tendermint/
// abci#115).
//
// A reusable base type calls back into the object that embeds it
// through an interface field the object sets to itself:
//
//	type BaseService struct{ impl Service }
//	func (bs *BaseService) Stop() { bs.impl.OnStop() }
//	cli.BaseService = BaseService{impl: cli} // or cli.impl = cli
//
// cli.Stop() runs cli.OnStop(): a method of cli holding cli.mtx that
// calls Stop, whose OnStop locks cli.mtx, locks the same mutex again, but
// the lock is named cli.BaseService.impl.mtx. When every store into the
// field B.F in the package stores the object whose field E holds that B,
// the path .E.F^ leads from an object back to itself and is dropped from
// instance keys, so the two names meet. A field set anywhere to anything
// else (another object, a parameter) is not a self link.

// selfLink is one such field: B.F, set only to the object embedding B as
// its field E.
type selfLink struct {
	step string // ".E.F^", the path that leads back to the same object
}

// noteSelfLinks finds, in fn, the stores into interface or pointer fields
// and records whether each makes a self link (c.selfLinks, keyed by the
// field "pkg.B.F"; nil once a store is not one).
func (c *checker) noteSelfLinks(fn *ssa.Function) {
	for st, fa := range fieldStores(fn) {
		ft := st.Val.Type().Underlying()
		if _, ok := ft.(*types.Interface); !ok {
			if _, ok := ft.(*types.Pointer); !ok {
				continue
			}
		}
		key := fieldKey(fa)
		if key == "" {
			continue
		}
		e := selfStore(fa, st.Val)
		old, seen := c.selfLinks[key]
		switch {
		case e == "":
			c.selfLinks[key] = nil
		case !seen:
			c.selfLinks[key] = &selfLink{step: "." + e + "." + fieldName(fa.X.Type(), fa.Field) + "^"}
		case old != nil && old.step != "."+e+"."+fieldName(fa.X.Type(), fa.Field)+"^":
			c.selfLinks[key] = nil
		}
	}
}

// selfStore returns the field E when the store of v into fa sets o.E.F
// to o itself (directly, or in a composite literal then assigned to o.E),
// or "".
func selfStore(fa *ssa.FieldAddr, v ssa.Value) string {
	o := stripConv(v)
	switch x := fa.X.(type) {
	case *ssa.FieldAddr:
		// o.E.F = o (also written o.F with F promoted from E).
		if stripConv(x.X) == o && x.X.Type() == o.Type() {
			return fieldName(x.X.Type(), x.Field)
		}
	case *ssa.Alloc:
		// o.E = B{F: o}: the literal is loaded and stored into o.E.
		e := ""
		for _, r := range *x.Referrers() {
			u, ok := r.(*ssa.UnOp)
			if !ok || u.Op != token.MUL {
				continue
			}
			for _, rr := range *u.Referrers() {
				st, ok := rr.(*ssa.Store)
				if !ok || st.Val != u {
					continue
				}
				dst, ok := st.Addr.(*ssa.FieldAddr)
				if !ok || stripConv(dst.X) != o {
					return ""
				}
				name := fieldName(dst.X.Type(), dst.Field)
				if e != "" && e != name {
					return ""
				}
				e = name
			}
		}
		return e
	}
	return ""
}

// stripConv returns v without interface and type conversions.
func stripConv(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.MakeInterface:
			v = x.X
		case *ssa.ChangeType:
			v = x.X
		case *ssa.ChangeInterface:
			v = x.X
		default:
			return v
		}
	}
}

// dropSelfLinks removes from an instance key the steps that lead from an
// object back to itself through a self link.
func (c *checker) dropSelfLinks(key string) string {
	for _, l := range c.selfLinks {
		if l != nil && strings.Contains(key, l.step) {
			key = strings.ReplaceAll(key, l.step, "")
		}
	}
	return key
}
