package lockorder

import (
	"go/token"
	"strings"

	"golang.org/x/tools/go/ssa"
)

// Pointer fields of a function's own new object (issue 14, item 1;
// fyne-io/fyne#5114).
//
// A method often builds a helper object pointing back at its receiver
// (`r := &renderer{button: b}`) and calls the helper's methods while it
// holds the receiver's lock; the helper reaches the receiver again
// through that field (r.button.Visible() read-locks b). The callee's
// lock is summarised relative to its parameter ({p0}.button^.mu); at the
// call that parameter is the caller's allocation, whose field holds what
// the caller stored there. When the function stores into that field of
// that allocation exactly once, the path starts at the stored value
// instead, so the lock is the caller's own instance ({p0}.mu), not an
// unknown object of its class.

// throughLiteral rewrites root and path when path leaves root, an object
// the function allocates, through a pointer field it sets exactly once:
// the path then starts at the value stored there.
func throughLiteral(root ssa.Value, path string) (ssa.Value, string) {
	for range 3 {
		a, ok := stripConv(root).(*ssa.Alloc)
		if !ok || spilledParam(a) != nil {
			return root, path
		}
		rest, ok := strings.CutPrefix(path, ".")
		if !ok {
			return root, path
		}
		i := strings.IndexAny(rest, ".^<[&")
		if i < 0 || rest[i] != '^' {
			return root, path
		}
		v := onlyFieldStore(a, rest[:i])
		if v == nil || inst(v) == "" {
			return root, path
		}
		root, path = v, rest[i+1:]
	}
	return root, path
}

// onlyFieldStore returns the value stored into the field named field of
// the allocation a when its function stores there exactly once, and a's
// address is used only to reach its fields; nil otherwise. A variable
// given a composite literal as a whole (`job := T{f: v}`, a copy of the
// literal's own local) has the literal's field.
func onlyFieldStore(a *ssa.Alloc, field string) ssa.Value {
	var val, whole ssa.Value
	for _, r := range *a.Referrers() {
		fa, ok := r.(*ssa.FieldAddr)
		if !ok {
			if st, isStore := r.(*ssa.Store); isStore && st.Addr == a {
				if whole != nil {
					return nil // overwritten as a whole twice
				}
				whole = st.Val
			}
			continue
		}
		if fieldName(a.Type(), fa.Field) != field {
			continue
		}
		for _, fr := range *fa.Referrers() {
			switch fr := fr.(type) {
			case *ssa.Store:
				if fr.Addr != fa || val != nil {
					return nil // its address stored, or a second store
				}
				val = fr.Val
			case *ssa.UnOp:
				// a load
			default:
				return nil // the field's address handed on: it may change
			}
		}
	}
	if whole == nil {
		return val
	}
	if u, ok := whole.(*ssa.UnOp); ok && u.Op == token.MUL && val == nil {
		if lit, ok := u.X.(*ssa.Alloc); ok && lit != a && lit.Comment == "complit" {
			return onlyFieldStore(lit, field)
		}
	}
	return nil
}
