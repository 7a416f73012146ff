package deadlockleak

import (
	"fmt"
	"go/constant"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// missized reports the worker pool whose results channel is buffered by a
// count other than the one its receiver waits for: a function makes a
// channel whose buffer is not a constant, starts goroutines that send on
// it with plain sends (several of them, or sending in a loop), and itself
// receives from it in a loop counted to a bound, which it can also leave
// early (a select case, or a check of the value received, that returns).
// Once it has left, the senders' values pile up in the buffer; if the
// buffer is sized by the count the receiver waits for (or the senders
// send once each, started over a collection the buffer is sized by), they
// all fit, but a buffer sized by anything else can fill, and every sender
// that comes after blocks forever with whatever waits for it
// (hashicorp/vault#12933: the restore workers report every lease on
// result and every failure on errs, both made with len(existing), the
// number of namespaces, while Restore receives leaseCount reports and
// returns on the first error). Senders that offer their value in a select,
// a channel anyone closes, or a receiver that drains the channel after
// leaving the loop are not reported. A constant buffer is sized by no
// count the receiver waits for unless that count is a constant too: a
// receive loop counted to len(hosts) or a parameter can leave values past
// the constant room (vault#12933 with a const reportBuf). It reports
// whether it reported.
func missized(pass *analysis.Pass, mc *ssa.MakeChan) bool {
	ch := chanuse.Follow(mc)
	if ch.Escapes || len(ch.Returns) > 0 || ch.Field != nil {
		return false
	}
	root := ch.Nodes[0]
	var recv *role
	var senders []*role
	for _, r := range roles(ch.Nodes) {
		if len(r.closes) > 0 || r.g.Callback {
			return false
		}
		switch {
		case len(r.recvs) > 0:
			if recv != nil || r.g != root || len(r.sends)+len(r.selSends) > 0 || r.deferredRecv {
				return false
			}
			recv = r
		case len(r.sends) > 0:
			if r.g == root || r.g.Start == nil {
				return false
			}
			senders = append(senders, r)
		}
	}
	if recv == nil || len(senders) == 0 {
		return false
	}
	// Every receive is the maker's own, in one counted loop.
	var lp *countedLoop
	for _, op := range recv.recvs {
		if op.Node != root {
			return false
		}
		l := loopOf(root.Fn, op.Instr.Block())
		if l == nil || (lp != nil && l.head != lp.head) {
			return false
		}
		lp = l
	}
	if lp.bound == nil || sameCount(mc.Size, lp.bound, mc) {
		return false
	}
	if _, ok := mc.Size.(*ssa.Const); ok && constCount(lp.bound) >= 0 {
		return false // a constant count: the buffer may hold it
	}
	// Many sends: a sender that can send again after a send, one value
	// per item it takes; senders that each send once are as many as the
	// goroutines started, which is what such a buffer is usually sized by.
	many := false
	for _, s := range senders {
		if sendsAgain(s) {
			many = true
		}
	}
	if !many {
		return false
	}
	exit := lp.earlyExit(recv)
	if exit == nil {
		return false
	}
	if _, ok := mc.Size.(*ssa.Const); ok {
		// A constant buffer: only a return leaves the receiver's
		// function running on without the values (a t.Fatal or a panic
		// ends it, as a test's lockstep protocol does on failure).
		if _, ret := exit.(*ssa.Return); !ret {
			return false
		}
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	testPos := lp.test.Cond.Pos()
	if !testPos.IsValid() {
		testPos = recv.recvs[0].Instr.Pos()
	}
	s := senders[0]
	rel := []analysis.RelatedInformation{
		{Pos: mc.Pos(), Message: "the channel's buffer is sized here"},
		{Pos: testPos, Message: "the receiver waits for a count that is not the buffer's size"},
		{Pos: exit.Pos(), Message: root.Fn.Name() + " can leave the loop here, before it has received every value"},
	}
	pass.Report(analysis.Diagnostic{
		Pos:      s.sends[0].Instr.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("this goroutine sends with a plain send on a channel whose buffer (line %d) is not sized by the count %s receives (line %d), and %s can leave its receive loop early (line %d): the values sent after it has left can fill the buffer, and each sender that finds it full blocks forever (size the buffer by the count received, or send in a select on a stop signal)",
			line(mc.Pos()), root.Fn.Name(), line(testPos), root.Fn.Name(), line(exit.Pos())),
		Related: rel,
	})
	return true
}

// countedLoop is a natural loop whose header tests an induction variable
// against a bound.
type countedLoop struct {
	head  *ssa.BasicBlock
	body  map[*ssa.BasicBlock]bool
	test  *ssa.If
	bound ssa.Value // nil when the header's test is not a count
}

// loopOf returns the innermost natural loop of fn that holds b, or nil.
func loopOf(fn *ssa.Function, b *ssa.BasicBlock) *countedLoop {
	var best *countedLoop
	for _, h := range fn.Blocks {
		for _, p := range h.Preds {
			if !h.Dominates(p) {
				continue
			}
			body := map[*ssa.BasicBlock]bool{h: true}
			stack := []*ssa.BasicBlock{p}
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if body[x] {
					continue
				}
				body[x] = true
				stack = append(stack, x.Preds...)
			}
			if !body[b] || (best != nil && len(body) >= len(best.body)) {
				continue
			}
			best = &countedLoop{head: h, body: body}
		}
	}
	if best == nil {
		return nil
	}
	if n := len(best.head.Instrs); n > 0 {
		if iff, ok := best.head.Instrs[n-1].(*ssa.If); ok {
			best.test = iff
			best.bound = loopBound(iff, best.head)
		}
	}
	return best
}

// loopBound returns n in a header's test i < n (or n > i), where i is an
// induction variable of the header (a phi, or a phi plus a constant, as
// go/ssa lowers a range over a slice or an int), or nil.
func loopBound(iff *ssa.If, head *ssa.BasicBlock) ssa.Value {
	cmp, ok := iff.Cond.(*ssa.BinOp)
	if !ok {
		return nil
	}
	induction := func(v ssa.Value) bool {
		if b, ok := v.(*ssa.BinOp); ok && b.Op == token.ADD {
			if _, ok := b.Y.(*ssa.Const); ok {
				v = b.X
			}
		}
		phi, ok := v.(*ssa.Phi)
		return ok && phi.Block() == head
	}
	switch cmp.Op {
	case token.LSS, token.LEQ:
		if induction(cmp.X) && !induction(cmp.Y) {
			return cmp.Y
		}
	case token.GTR, token.GEQ:
		if induction(cmp.Y) && !induction(cmp.X) {
			return cmp.X
		}
	}
	return nil
}

// sameCount reports whether a buffer size and a loop bound are the same
// count: the same value through conversions, len of the same value, the
// size plus a constant, or cap of the channel itself.
func sameCount(size, bound ssa.Value, mc *ssa.MakeChan) bool {
	size, bound = unconv(size), unconv(bound)
	if b, ok := size.(*ssa.BinOp); ok && b.Op == token.ADD {
		if _, ok := b.Y.(*ssa.Const); ok {
			if sameCount(b.X, bound, mc) {
				return true
			}
		}
	}
	if sameVal(size, bound, 0) {
		return true
	}
	if c, ok := builtinArg(bound, "cap"); ok && c == ssa.Value(mc) {
		return true
	}
	return false
}

// sameVal reports whether a and b compute the same count: the same value
// through conversions, equal constants, len of the same value, loads of
// the same variable, or the same operation on such operands (2*n made
// twice).
func sameVal(a, b ssa.Value, depth int) bool {
	a, b = unconv(a), unconv(b)
	if a == b {
		return true
	}
	if depth > 4 {
		return false
	}
	switch x := a.(type) {
	case *ssa.Const:
		y, ok := b.(*ssa.Const)
		return ok && x.Value != nil && y.Value != nil && constant.Compare(x.Value, token.EQL, y.Value)
	case *ssa.BinOp:
		y, ok := b.(*ssa.BinOp)
		return ok && x.Op == y.Op && sameVal(x.X, y.X, depth+1) && sameVal(x.Y, y.Y, depth+1)
	case *ssa.UnOp:
		y, ok := b.(*ssa.UnOp)
		return ok && x.Op == token.MUL && y.Op == token.MUL && x.X == y.X
	case *ssa.Call:
		xa, ok1 := builtinArg(a, "len")
		ya, ok2 := builtinArg(b, "len")
		return ok1 && ok2 && sameVal(xa, ya, depth+1)
	}
	return false
}

// unconv strips conversions off v.
func unconv(v ssa.Value) ssa.Value {
	for {
		switch x := v.(type) {
		case *ssa.Convert:
			v = x.X
		case *ssa.ChangeType:
			v = x.X
		default:
			return v
		}
	}
}

// builtinArg returns x for a call of the builtin name(x), or false.
func builtinArg(v ssa.Value, name string) (ssa.Value, bool) {
	call, ok := v.(*ssa.Call)
	if !ok {
		return nil, false
	}
	b, ok := call.Call.Value.(*ssa.Builtin)
	if !ok || b.Name() != name || len(call.Call.Args) != 1 {
		return nil, false
	}
	return unconv(call.Call.Args[0]), true
}

// earlyExit returns an instruction where the loop can be left other than
// by its header's test, on a way to a return that receives no more from
// the channel, or nil.
func (l *countedLoop) earlyExit(recv *role) ssa.Instruction {
	recvs := map[*ssa.BasicBlock]bool{}
	for _, op := range recv.recvs {
		recvs[op.Instr.Block()] = true
	}
	for _, b := range l.head.Parent().Blocks {
		if !l.body[b] || b == l.head {
			continue
		}
		for _, s := range b.Succs {
			if l.body[s] {
				continue
			}
			if drains(s, l.body, recvs) {
				continue
			}
			if at := placed(s, l.body); at != nil {
				return at
			}
		}
	}
	return nil
}

// drains reports whether a block reached from b, outside the loop's body,
// receives from the channel again.
func drains(b *ssa.BasicBlock, body, recvs map[*ssa.BasicBlock]bool) bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{b}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] || body[x] {
			continue
		}
		seen[x] = true
		if recvs[x] {
			return true
		}
		stack = append(stack, x.Succs...)
	}
	return false
}

// placed returns the first return with a position reached from b outside
// the loop's body, else the first instruction with one, or nil.
func placed(b *ssa.BasicBlock, body map[*ssa.BasicBlock]bool) ssa.Instruction {
	var first ssa.Instruction
	seen := map[*ssa.BasicBlock]bool{}
	queue := []*ssa.BasicBlock{b}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		if seen[x] || body[x] {
			continue
		}
		seen[x] = true
		for _, in := range x.Instrs {
			if !in.Pos().IsValid() {
				continue
			}
			if _, ok := in.(*ssa.Return); ok {
				return in
			}
			if first == nil {
				first = in
			}
		}
		queue = append(queue, x.Succs...)
	}
	return first
}

// sendsAgain reports whether one run of s can make a plain send and then
// come round to a send again: the send, or a call on the way to it from
// the goroutine's function, sits in a loop its block can go round (a send
// followed by a return, a goroutine's last act, cannot).
func sendsAgain(s *role) bool {
	for _, op := range s.sends {
		at := ssa.Instruction(op.Instr)
		for n := op.Node; n != nil; n = n.Parent {
			b := at.Block()
			for _, succ := range b.Succs {
				if ssaloop.Reaches(succ, b) {
					return true
				}
			}
			if n == s.g || n.Call == nil {
				break
			}
			at = n.Call
		}
	}
	return false
}
