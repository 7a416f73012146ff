package lockorder

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// One channel kept in fields of two types (cometbft/cometbft#5931: the
// reactor makes errorsCh, keeps it in its own errorsCh field and hands it
// to NewBlockPool, which keeps it in the pool's): the pool sends on its
// field, the reactor's loop receives from its own. A channel made in a
// function and stored into a field there, or passed to a function of the
// package that stores its parameter into a field, links those fields: a
// wait on one meets the wakes on the others (wakersOf), and the sizes the
// make gives count for each (unbuffered).

// noteChanAlias records where a channel stored into a field comes from:
// a make in this function, or a parameter (for chanAliases to resolve at
// the calls).
func (c *checker) noteChanAlias(st *ssa.Store) {
	if _, ok := st.Val.Type().Underlying().(*types.Chan); !ok {
		return
	}
	fk := fieldKey(st.Addr)
	if fk == "" {
		return
	}
	switch v := unChange(st.Val).(type) {
	case *ssa.MakeChan:
		c.makeFields[v] = appendNew(c.makeFields[v], fk)
	case *ssa.Parameter:
		c.paramFields[v] = appendNew(c.paramFields[v], fk)
	}
}

// chanAliases links the fields each make reaches, directly or through
// the parameters of the functions it is passed to.
func (c *checker) chanAliases() {
	for p, fks := range c.paramFields {
		fn := p.Parent()
		idx := paramIndex(fn, p)
		if idx < 0 {
			continue
		}
		for _, call := range c.sites[fn] {
			if call.Call.IsInvoke() || idx >= len(call.Call.Args) {
				continue
			}
			if mc, ok := unChange(call.Call.Args[idx]).(*ssa.MakeChan); ok {
				for _, fk := range fks {
					if !contains(c.makeFields[mc], fk) {
						c.makeFields[mc] = append(c.makeFields[mc], fk)
						c.chanSizes[fk] = append(c.chanSizes[fk], sizeOf(mc))
					}
				}
			}
		}
	}
	for _, fks := range c.makeFields {
		for _, a := range fks {
			for _, b := range fks {
				if a != b {
					c.chanAlias[a] = appendNew(c.chanAlias[a], b)
				}
			}
		}
	}
}

func sizeOf(mc *ssa.MakeChan) int64 {
	if n, ok := constInt(mc.Size); ok {
		return n
	}
	return -1
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func appendNew(s []string, x string) []string {
	if contains(s, x) {
		return s
	}
	return append(s, x)
}
