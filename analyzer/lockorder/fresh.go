package lockorder

import (
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
)

// unpublished reports whether the lock held as h is the field of an object
// this function allocated and has not yet made reachable by any other
// goroutine on a path to block at: no other goroutine can then hold or wait
// for it, so holding it orders nothing (a class edge from it is not
// recorded). The object is published by any use other than reading and
// writing its own fields, comparing it, locking its sync fields and passing
// it to same-package functions that do no more with it; a use publishes it
// on the paths from that use to at (branches on a condition the use's block
// has decided are followed one way only), and in block at itself when it
// comes before the instruction at pos.
func (f *fnChecker) unpublished(h *lockInfo, at *ssa.BasicBlock, pos token.Pos) bool {
	if at == nil || !strings.HasPrefix(h.inst, "{a:") {
		return false
	}
	name := h.inst[len("{a:"):]
	i := strings.IndexByte(name, '}')
	if i < 0 {
		return false
	}
	name = name[:i]
	var alloc *ssa.Alloc
	for _, b := range f.fn.Blocks {
		for _, instr := range b.Instrs {
			if a, ok := instr.(*ssa.Alloc); ok && a.Heap && a.Name() == name {
				alloc = a
			}
		}
	}
	if alloc == nil {
		return false
	}
	var pubs []ssa.Instruction
	if !f.c.noEscape(alloc, map[*ssa.Function]bool{}, 0, &pubs) {
		return false
	}
	lock := instrIndex(at, pos)
	for _, p := range pubs {
		u := p.Block()
		if u == at && (lock < 0 || instrIndex(at, p.Pos()) < 0 || instrIndex(at, p.Pos()) < lock) {
			return false // published earlier in the block (or the order is unknown)
		}
		if reachesDecided(u, at) {
			return false
		}
	}
	return true
}

// instrIndex is the index in b of the first instruction at pos, or -1.
func instrIndex(b *ssa.BasicBlock, pos token.Pos) int {
	if !pos.IsValid() {
		return -1
	}
	for i, instr := range b.Instrs {
		if instr.Pos() == pos {
			return i
		}
	}
	return -1
}

// noEscape reports whether the pointer v (an object or a pointer into it)
// is used only in ways that keep the object private, collecting in pubs the
// blocks of this function whose uses publish it; ok is false when a use
// publishes it in a way not tied to a block (depth > 0: inside a callee).
func (c *checker) noEscape(v ssa.Value, seen map[*ssa.Function]bool, depth int, pubs *[]ssa.Instruction) bool {
	refs := v.Referrers()
	if refs == nil {
		return true
	}
	for _, r := range *refs {
		ok := true
		switch r := r.(type) {
		case *ssa.DebugRef, *ssa.BinOp:
		case *ssa.UnOp:
			// A load of the object or of one of its fields.
		case *ssa.FieldAddr:
			ok = c.noEscape(r, seen, depth, pubs)
		case *ssa.IndexAddr:
			ok = r.X == v && c.noEscape(r, seen, depth, pubs)
		case *ssa.Store:
			ok = r.Val != v
		case *ssa.Call:
			ok = c.argPrivate(r.Common(), v, seen, depth)
		case *ssa.MakeInterface:
			// A sync.Locker for sync.NewCond.
			ok = r.Referrers() != nil
			if ok {
				for _, u := range *r.Referrers() {
					call, isCall := u.(*ssa.Call)
					ok = ok && isCall && isSyncCall(call.Common())
				}
			}
		default:
			ok = false
		}
		if !ok {
			if depth > 0 {
				return false
			}
			*pubs = append(*pubs, r)
		}
	}
	return true
}

// argPrivate reports whether passing v to the call keeps the object private:
// a function of package sync or sync/atomic (Lock, NewCond, atomic.Value's
// methods...), or a same-package function whose parameter does.
func (c *checker) argPrivate(call *ssa.CallCommon, v ssa.Value, seen map[*ssa.Function]bool, depth int) bool {
	callee := call.StaticCallee()
	if callee == nil {
		return false
	}
	if isSyncCall(call) {
		return true
	}
	if callee.Pkg != c.pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA).Pkg || depth >= 4 || seen[callee] || len(callee.Blocks) == 0 {
		return false
	}
	seen[callee] = true
	defer delete(seen, callee)
	for i, a := range call.Args {
		if a != v {
			continue
		}
		if i >= len(callee.Params) || !c.noEscape(callee.Params[i], seen, depth+1, nil) {
			return false
		}
	}
	return true
}

// reachesDecided reports whether block to can be reached from block from,
// following a branch on a condition that from's block has decided (it is
// dominated by one successor of a branch on that same value) one way only.
func reachesDecided(from, to *ssa.BasicBlock) bool {
	decided := map[ssa.Value]int{} // cond -> successor index taken
	for _, b := range from.Parent().Blocks {
		iff, ok := lastIf(b)
		if !ok || ssaloop.InLoop(b) {
			continue // a condition in a loop may change between iterations
		}
		for i, s := range b.Succs[:2] {
			if len(s.Preds) == 1 && s.Dominates(from) {
				decided[iff.Cond] = i
			}
		}
	}
	seen := map[*ssa.BasicBlock]bool{from: true}
	work := []*ssa.BasicBlock{from}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		succs := b.Succs
		if iff, ok := lastIf(b); ok {
			if i, ok := decided[iff.Cond]; ok {
				succs = b.Succs[i : i+1]
			}
		}
		for _, s := range succs {
			if s == to {
				return true
			}
			if !seen[s] {
				seen[s] = true
				work = append(work, s)
			}
		}
	}
	return false
}

func lastIf(b *ssa.BasicBlock) (*ssa.If, bool) {
	if len(b.Instrs) == 0 {
		return nil, false
	}
	iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	return iff, ok && len(b.Succs) == 2
}

func isSyncCall(call *ssa.CallCommon) bool {
	callee := call.StaticCallee()
	if callee == nil || callee.Pkg == nil {
		return false
	}
	path := callee.Pkg.Pkg.Path()
	return path == "sync" || path == "sync/atomic"
}
