package lockorder

import (
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Select cases nothing wakes (session 23, locks).
//
// A select often offers, besides its real case, a receive from a stop
// channel (`case <-r.shutdownCh:`). When the package closes that channel
// and never sends on it, the select waits until that shutdown
// (shutdownCase, sentwait.go). When nothing can ever complete the receive
// at all, the case is dead and the select is its one other case: a send
// of an Apply that hands its entry to a loop (`case r.applyCh <- f:`)
// then waits, like a plain send, for that loop's receive, and a held lock
// the loop needs first is a deadlock.
//
// A receive case is dead when its channel is an unexported field of one
// of the package's struct types (no other package can reach it, short of
// reflection) and, in the package, every store into that field is a nil
// or a channel made right there and kept nowhere else, and every value
// loaded from it is only received from (a receive, a select's receive
// case) or compared: no send, no close, no copy into another variable,
// field, call or interface, whatever the function doing it. A field
// whose address is taken for anything else is not known.

// neverWoken reports whether the select state st is a receive from a
// channel field no goroutine can ever wake.
func (c *checker) neverWoken(st *ssa.SelectState) bool {
	if st.Dir != types.RecvOnly {
		return false
	}
	fa, ok := fieldOf(st.Chan)
	if !ok {
		return false
	}
	key := fieldKey(st.Chan)
	if key == "" {
		return false
	}
	if v, ok := c.deadChans[key]; ok {
		return v
	}
	v := c.deadChanField(fa, key)
	c.deadChans[key] = v
	return v
}

// fieldOf returns the struct field a value loaded from a field is read
// from (*x.f, or x.f of a struct value).
func fieldOf(v ssa.Value) (*types.Var, bool) {
	var st types.Type
	var idx int
	switch x := v.(type) {
	case *ssa.UnOp:
		fa, ok := x.X.(*ssa.FieldAddr)
		if !ok || x.Op != token.MUL {
			return nil, false
		}
		p, ok := fa.X.Type().Underlying().(*types.Pointer)
		if !ok {
			return nil, false
		}
		st, idx = p.Elem(), fa.Field
	default:
		return nil, false
	}
	if n, ok := st.(*types.Named); ok && (n.TypeParams().Len() > 0 || n.TypeArgs().Len() > 0) {
		return nil, false // its instances name the field apart
	}
	s, ok := st.Underlying().(*types.Struct)
	if !ok {
		return nil, false
	}
	return s.Field(idx), true
}

// deadChanField reports whether the unexported channel field fv (key
// key) is only ever made, stored nil, received from or compared in the
// package.
func (c *checker) deadChanField(fv *types.Var, key string) bool {
	if fv.Exported() || fv.Pkg() != c.pass.Pkg || fv.Anonymous() {
		return false
	}
	if _, ok := fv.Type().Underlying().(*types.Chan); !ok {
		return false
	}
	for _, fn := range c.srcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				var refs *[]ssa.Instruction
				var addr bool
				switch x := instr.(type) {
				case *ssa.FieldAddr:
					if fieldKey(x) != key {
						continue
					}
					refs, addr = x.Referrers(), true
				case *ssa.Field:
					if t, ok := x.X.Type().Underlying().(*types.Struct); !ok || t.Field(x.Field) != fv {
						continue
					}
					refs = x.Referrers()
				default:
					continue
				}
				if refs == nil {
					return false
				}
				for _, r := range *refs {
					if !deadChanUse(r, instr.(ssa.Value), addr) {
						return false
					}
				}
			}
		}
	}
	return true
}

// deadChanUse reports whether r, a referrer of the field's address (addr)
// or of its value, neither wakes the channel nor lets it out of sight.
func deadChanUse(r ssa.Instruction, v ssa.Value, addr bool) bool {
	if _, ok := r.(*ssa.DebugRef); ok {
		return true
	}
	if addr {
		switch u := r.(type) {
		case *ssa.UnOp:
			if u.Op != token.MUL || u.X != v || u.Referrers() == nil {
				return false
			}
			for _, rr := range *u.Referrers() {
				if !deadChanUse(rr, u, false) {
					return false
				}
			}
			return true
		case *ssa.Store:
			if u.Addr != v {
				return false
			}
			switch val := u.Val.(type) {
			case *ssa.Const:
				return val.IsNil()
			case *ssa.MakeChan:
				// Made here and stored only into this field.
				for _, rr := range *val.Referrers() {
					if _, dbg := rr.(*ssa.DebugRef); !dbg && rr != u {
						return false
					}
				}
				return true
			}
		}
		return false
	}
	switch u := r.(type) {
	case *ssa.UnOp:
		return u.Op == token.ARROW
	case *ssa.Select:
		for _, st := range u.States {
			if st.Chan == v && st.Dir != types.RecvOnly {
				return false
			}
		}
		return true
	case *ssa.BinOp:
		return u.Op == token.EQL || u.Op == token.NEQ
	}
	return false
}

// liveCase returns the one case of a blocking select whose other cases
// are all receives nothing can wake (neverWoken), or nil.
func (c *checker) liveCase(sel *ssa.Select) *ssa.SelectState {
	if !sel.Blocking || len(sel.States) < 2 {
		return nil
	}
	var one *ssa.SelectState
	for _, st := range sel.States {
		if c.neverWoken(st) {
			continue
		}
		if one != nil {
			return nil
		}
		one = st
	}
	return one
}

// liveSelect records a blocking select whose other cases nothing wakes
// as the plain wait of its one live case, and reports whether it did.
func (f *fnChecker) liveSelect(sel *ssa.Select, s *state) bool {
	st := f.c.liveCase(sel)
	if st == nil || !f.c.unbuffered(st.Chan) {
		return false
	}
	if st.Dir == types.SendOnly {
		n := len(f.pendingWaits)
		f.waitOn(st.Chan, "send", sel.Pos(), s)
		f.sentAt(f.sumKey(st.Chan, "send"), inst(st.Send), n)
	} else {
		f.waitOn(st.Chan, "recv", sel.Pos(), s)
	}
	return true
}

// calleeChanField returns the channel field ("pkg.T.ch") of the callee's
// parameter that a send or receive wait of its summary is on ({p0}.ch^):
// it meets the wakes on that field wherever they are, as a wait on the
// field made right here does.
func calleeChanField(callee *ssa.Function, a Acq) string {
	if a.Kind != "send" && a.Kind != "recv" {
		return ""
	}
	ch := a
	ch.Path = strings.TrimSuffix(a.Path, "^")
	return paramFieldKey(callee, ch)
}
