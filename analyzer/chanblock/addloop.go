package chanblock

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// addPerItem reports wg.Add(len(xs)) (or wg.Add(n)) made before a loop
// bounded by that same length (for ... range xs, for i := 0; i < len(xs);
// i++, for range n), when an iteration can reach the next one, or leave
// the loop, without starting a goroutine, handing work off or calling
// Done: a continue (or break) that skips an item leaves its count in the
// WaitGroup and wg.Wait blocks forever (php/frankenphp#1890).
func addPerItem(st *state, add *ssa.Call, wg ssa.Value) {
	if len(add.Call.Args) != 2 {
		return
	}
	delta := add.Call.Args[1]
	fn := add.Parent()
	for _, h := range fn.Blocks {
		if h == add.Block() || !add.Block().Dominates(h) || h.Dominates(add.Block()) || len(h.Succs) != 2 {
			continue
		}
		iff, ok := h.Instrs[len(h.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		cmp, ok := iff.Cond.(*ssa.BinOp)
		if !ok || cmp.Op != token.LSS || !sameExpr(cmp.Y, delta, 0) {
			continue
		}
		if !reachesNoWait(add, h, wg) {
			continue // a loop after the Wait is not the counted one
		}
		skip := skippedItem(h, wg)
		if !skip.IsValid() {
			continue
		}
		related := []analysis.RelatedInformation{{Pos: skip, Message: "an iteration reaches the next one (or leaves the loop) from here without starting the counted goroutine or calling Done"}}
		if w := waitAfter(fn, h, wg); w != nil {
			related = append(related, analysis.RelatedInformation{Pos: w.Pos(), Message: "wg.Wait waits here for the skipped count, forever"})
		}
		line := st.pass.Fset.Position(skip).Line
		st.Report(analysis.Diagnostic{
			Pos:      add.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("wg.Add counts one per item of the loop that follows, but an iteration can skip its item (a branch at line %d goes on without starting a goroutine or calling Done): the count never drops to zero and wg.Wait blocks forever",
				line),
			Related: related,
		})
		return
	}
}

// skippedItem walks the body of the loop whose header is h, from its
// entry, and returns the branch of the last block before a path comes back
// to h or leaves the loop without passing a go statement, a literal that
// captures wg (the work, run or handed on), a send or select send case
// (work handed to a worker), wg.Done, a negative wg.Add, a call handed wg
// or its owner, a panic or a return.
func skippedItem(h *ssa.BasicBlock, wg ssa.Value) token.Pos {
	var base ssa.Value
	if fa, ok := wg.(*ssa.FieldAddr); ok {
		base = fa.X
	}
	is := func(v ssa.Value) bool {
		return sameObj(v, wg) || sameWG(v, wg) || base != nil && sameObj(v, base)
	}
	handed := func(c *ssa.CallCommon) bool {
		if is(c.Value) {
			return true
		}
		if mk, ok := c.Value.(*ssa.MakeClosure); ok {
			for _, b := range mk.Bindings {
				if is(b) {
					return true
				}
			}
		}
		for _, a := range c.Args {
			if is(a) {
				return true
			}
		}
		return false
	}
	exit := h.Succs[1]
	var skip token.Pos
	work := false // the loop does the counted work on some path
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{h.Succs[0]}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		blocked := false
		var cut *ssa.BasicBlock // the send case's edge out of a select test
	instrs:
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Go, *ssa.Send, *ssa.Panic, *ssa.Return:
				blocked = true
			case *ssa.MakeClosure:
				for _, v := range in.Bindings {
					if is(v) {
						blocked = true
					}
				}
			case *ssa.Select:
				for k, s := range in.States {
					if s.Dir == types.SendOnly {
						if t := caseTest(in, k); t != nil {
							cut = t
						}
					}
				}
			case ssa.CallInstruction:
				c := in.Common()
				if wgCall(c, "Done") != nil || handed(c) || chanuse.NoReturn(c) {
					blocked = true
				} else if wgCall(c, "Add") != nil && len(c.Args) == 2 && !positive(c.Args[1]) {
					blocked = true
				}
			}
			if blocked {
				break instrs
			}
		}
		if blocked {
			work = true
			continue
		}
		for i, s := range b.Succs {
			if b == cut && i == 0 {
				continue
			}
			if s == h || s == exit {
				if skip.IsValid() {
					continue
				}
				// The branch that chose this path: the block's own jump
				// has no position, the If before it has.
				skip = b.Instrs[len(b.Instrs)-1].Pos()
				for _, p := range append([]*ssa.BasicBlock{b}, b.Preds...) {
					if iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If); ok && iff.Cond.Pos().IsValid() {
						skip = branchOf(p.Parent(), iff.Cond.Pos())
						break
					}
				}
				continue
			}
			stack = append(stack, s)
		}
	}
	if !work {
		return token.NoPos // not the loop that starts the counted work
	}
	return skip
}

// reachesNoWait reports whether a path leads from add to h without a
// Wait on wg on the way.
func reachesNoWait(add *ssa.Call, h *ssa.BasicBlock, wg ssa.Value) bool {
	waits := func(b *ssa.BasicBlock, from int) bool {
		for _, instr := range b.Instrs[from:] {
			if c, ok := instr.(*ssa.Call); ok {
				if w := wgCall(&c.Call, "Wait"); w != nil && sameWG(w, wg) {
					return true
				}
			}
		}
		return false
	}
	if waits(add.Block(), index(add)+1) {
		return false
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), add.Block().Succs...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b == h {
			return true
		}
		if seen[b] || waits(b, 0) {
			continue
		}
		seen[b] = true
		stack = append(stack, b.Succs...)
	}
	return false
}

// branchOf returns the continue or break of the if statement whose
// condition holds cond (the statement that skips the item), else cond.
func branchOf(fn *ssa.Function, cond token.Pos) token.Pos {
	at := cond
	if fn.Syntax() == nil {
		return at
	}
	ast.Inspect(fn.Syntax(), func(n ast.Node) bool {
		ifs, ok := n.(*ast.IfStmt)
		if !ok || at != cond {
			return at == cond
		}
		if ifs.Cond.Pos() > cond || cond >= ifs.Cond.End() {
			return true
		}
		for _, s := range ifs.Body.List {
			if br, ok := s.(*ast.BranchStmt); ok && (br.Tok == token.CONTINUE || br.Tok == token.BREAK) {
				at = br.Pos()
			}
		}
		return false
	})
	return at
}

// positive reports whether v is a positive constant (a WaitGroup Add that
// counts more work rather than giving a count back).
func positive(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.Value != nil && c.Int64() > 0
}

// sameExpr reports whether a and b compute one value: the same value, or
// len of, a conversion of, or a load of one expression (a field of one
// object, one variable).
func sameExpr(a, b ssa.Value, depth int) bool {
	if a == b || sameObj(a, b) {
		return true
	}
	if depth > 4 {
		return false
	}
	switch a := a.(type) {
	case *ssa.Convert:
		if b, ok := b.(*ssa.Convert); ok {
			return sameExpr(a.X, b.X, depth+1)
		}
		return sameExpr(a.X, b, depth+1)
	case *ssa.Call:
		b, ok := b.(*ssa.Call)
		if !ok {
			return false
		}
		la, ok1 := a.Call.Value.(*ssa.Builtin)
		lb, ok2 := b.Call.Value.(*ssa.Builtin)
		return ok1 && ok2 && la.Name() == "len" && lb.Name() == "len" && sameExpr(a.Call.Args[0], b.Call.Args[0], depth+1)
	case *ssa.UnOp:
		b, ok := b.(*ssa.UnOp)
		return ok && a.Op == token.MUL && b.Op == token.MUL && sameExpr(a.X, b.X, depth+1)
	case *ssa.FieldAddr:
		b, ok := b.(*ssa.FieldAddr)
		return ok && a.Field == b.Field && sameExpr(a.X, b.X, depth+1)
	case *ssa.Field:
		b, ok := b.(*ssa.Field)
		return ok && a.Field == b.Field && sameExpr(a.X, b.X, depth+1)
	}
	if b, ok := b.(*ssa.Convert); ok {
		return sameExpr(a, b.X, depth+1)
	}
	return false
}

// waitAfter returns a wg.Wait on wg in fn that the loop exit of h reaches.
func waitAfter(fn *ssa.Function, h *ssa.BasicBlock, wg ssa.Value) ssa.Instruction {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			if w := wgCall(&c.Call, "Wait"); w != nil && sameWG(w, wg) && reaches(h.Instrs[len(h.Instrs)-1], c) {
				return c
			}
		}
	}
	return nil
}
