package chanuse

import (
	"go/constant"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/ssa"
)

// RoomChecked returns the buffer a channel needs for the test that guards
// send to leave room for it: send runs only after a test of the same
// channel's length found room (the coalescing notify, `if len(ch) == 0 {
// ch <- v }`): len(ch) == 0 needs 1, len(ch) < cap(ch) needs 1, len(ch) < N
// needs N, len(ch) <= N needs N+1, or the negation on the other branch. No
// other send on the channel may come between the test and send, nor a
// path back to send that skips the test. It returns 0 when no such test
// guards send. On an unbuffered channel the test proves nothing (len is
// always 0), and whether another goroutine can fill the buffer between
// the test and the send is for the caller to tell.
func RoomChecked(send *ssa.Send) int {
	for x := send.Block(); x != nil && x.Idom() != nil; x = x.Idom() {
		p := x.Idom()
		if len(x.Preds) != 1 || x.Preds[0] != p || len(p.Instrs) == 0 {
			continue
		}
		iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
		if !ok || p.Succs[0] == p.Succs[1] {
			continue
		}
		need := roomTest(iff.Cond, x == p.Succs[0], send.Chan)
		if need == 0 {
			continue
		}
		if !onlySendAfter(send, p, x) {
			return 0
		}
		return need
	}
	return 0
}

// onlySendAfter reports whether send is the only send on its channel on
// the paths from guard, the block entered when the test passed, to it,
// and whether every way back to send passes test, the test's block.
func onlySendAfter(send *ssa.Send, test, guard *ssa.BasicBlock) bool {
	// The way back: from send's block to itself, avoiding the test.
	seen := map[*ssa.BasicBlock]bool{test: true}
	stack := append([]*ssa.BasicBlock(nil), send.Block().Succs...)
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if b == send.Block() {
			return false
		}
		if seen[b] {
			continue
		}
		seen[b] = true
		stack = append(stack, b.Succs...)
	}
	// The blocks between: those guard dominates that lead to send.
	for _, b := range send.Parent().Blocks {
		if !guard.Dominates(b) || !leadsTo(b, send.Block()) {
			continue
		}
		for _, in := range b.Instrs {
			switch in := in.(type) {
			case *ssa.Send:
				if in != send && sameChan(in.Chan, send.Chan) {
					return false
				}
			case *ssa.Select:
				for _, st := range in.States {
					if st.Send != nil && sameChan(st.Chan, send.Chan) {
						return false
					}
				}
			}
		}
	}
	return true
}

// leadsTo reports whether a path leads from a to b (a == b included).
func leadsTo(a, b *ssa.BasicBlock) bool { return a == b || ssaloop.Reaches(a, b) }

// roomTest returns the buffer cond needs to promise room in ch when it
// is taken (holds is true) or not taken (false); 0 when it does not.
func roomTest(cond ssa.Value, holds bool, ch ssa.Value) int {
	if u, ok := cond.(*ssa.UnOp); ok && u.Op == token.NOT {
		return roomTest(u.X, !holds, ch)
	}
	bin, ok := cond.(*ssa.BinOp)
	if !ok {
		return 0
	}
	op, l, r := bin.Op, bin.X, bin.Y
	if !isLen(l, "len", ch) {
		// N > len(ch): the same test with len on the left.
		l, r = r, l
		switch op {
		case token.LSS:
			op = token.GTR
		case token.GTR:
			op = token.LSS
		case token.LEQ:
			op = token.GEQ
		case token.GEQ:
			op = token.LEQ
		}
	}
	if !isLen(l, "len", ch) {
		return 0
	}
	if !holds {
		switch op {
		case token.EQL:
			op = token.NEQ
		case token.NEQ:
			op = token.EQL
		case token.LSS:
			op = token.GEQ
		case token.GEQ:
			op = token.LSS
		case token.LEQ:
			op = token.GTR
		case token.GTR:
			op = token.LEQ
		}
	}
	if isLen(r, "cap", ch) {
		if op == token.LSS || op == token.NEQ {
			return 1
		}
		return 0
	}
	c, ok := r.(*ssa.Const)
	if !ok || c.Value == nil || c.Value.Kind() != constant.Int {
		return 0
	}
	n, ok := constant.Int64Val(c.Value)
	if !ok || n < 0 || n > 1<<20 {
		return 0
	}
	switch {
	case op == token.EQL && n == 0:
		return 1
	case op == token.LSS && n > 0:
		return int(n)
	case op == token.LEQ:
		return int(n) + 1
	}
	return 0
}

// isLen reports whether v is the builtin call name(ch) (len or cap) of
// the channel ch.
func isLen(v ssa.Value, name string, ch ssa.Value) bool {
	c, ok := v.(*ssa.Call)
	if !ok || len(c.Call.Args) != 1 {
		return false
	}
	b, ok := c.Call.Value.(*ssa.Builtin)
	return ok && b.Name() == name && sameChan(c.Call.Args[0], ch)
}

// sameChan reports whether a and b are the same channel: one value
// (through conversions), or loads of the same field of the same struct
// pointer, or of the same variable.
func sameChan(a, b ssa.Value) bool {
	a, b = unconvert(a), unconvert(b)
	if a == b {
		return true
	}
	ua, ok1 := a.(*ssa.UnOp)
	ub, ok2 := b.(*ssa.UnOp)
	if !ok1 || !ok2 || ua.Op != token.MUL || ub.Op != token.MUL {
		return false
	}
	if ua.X == ub.X {
		switch ua.X.(type) {
		case *ssa.Global, *ssa.FreeVar, *ssa.Alloc:
			return true
		}
		return false
	}
	fa, ok1 := ua.X.(*ssa.FieldAddr)
	fb, ok2 := ub.X.(*ssa.FieldAddr)
	return ok1 && ok2 && fa.Field == fb.Field && fa.X == fb.X
}

// unconvert strips the conversions of a channel's direction or type.
func unconvert(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.ChangeType:
			v = x.X
		case *ssa.Convert:
			v = x.X
		default:
			return v
		}
	}
}
