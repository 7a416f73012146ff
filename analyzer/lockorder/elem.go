package lockorder

import (
	"fmt"
	"go/token"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// elemArg reports whether the argument that a callee's summary root
// ("{pN}") names is an element of a map, slice or array (an index, a map
// lookup, a range over either): such an object has no instance key, so a
// lock the callee takes through it is known by its lock class only, and
// orders the caller's held locks by class (lockdep) instead of being
// dropped.
func (f *fnChecker) elemArg(call *ssa.CallCommon, root string) bool {
	if !strings.HasPrefix(root, "{p") {
		return false
	}
	var i int
	if _, err := fmt.Sscanf(root, "{p%d}", &i); err != nil || i >= len(call.Args) {
		return false
	}
	return isElem(call.Args[i], 0)
}

// isElem reports whether v is an element read out of a container.
func isElem(v ssa.Value, depth int) bool {
	switch v := v.(type) {
	case *ssa.Lookup, *ssa.Index:
		return true
	case *ssa.UnOp:
		if v.Op == token.MUL {
			_, ok := v.X.(*ssa.IndexAddr)
			return ok
		}
	case *ssa.Extract:
		switch v.Tuple.(type) {
		case *ssa.Lookup, *ssa.Next:
			return true
		}
	case *ssa.Phi:
		if depth > 3 {
			return false
		}
		found := false
		for _, e := range v.Edges {
			if c, ok := e.(*ssa.Const); ok && c.IsNil() {
				continue
			}
			if !isElem(e, depth+1) {
				return false
			}
			found = true
		}
		return found
	}
	return false
}
