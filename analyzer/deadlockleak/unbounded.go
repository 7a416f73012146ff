package deadlockleak

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// overflow reports the bounded buffer that an unbounded number of senders
// fill: goroutines started in a loop that no count bounds (a range over
// a channel, a loop that ends when a read fails, a for with no condition) each
// send once with a plain send on a channel with a constant buffer, and
// the one receiver can return without receiving (another select case, its
// context's Done). Once more goroutines have sent than the buffer holds,
// the rest block forever, with whatever waits for them (nci/gsky#227: a
// worker per granule read from a channel reports its error on a channel
// with room for 100, and the handler returns on the first error or its
// timeout). It reports whether it reported.
func overflow(pass *analysis.Pass, mc *ssa.MakeChan, size int, recv *role, root *chanuse.Node, senders []*role, w *walker) bool {
	if size <= 0 {
		return false
	}
	var looped *role
	var loopAt ssa.Instruction
	for _, s := range senders {
		if s.g.Start == nil || s.g.Callback || !sendsOnce(s) {
			continue
		}
		at := unboundedStart(s.g, size)
		if at == nil || looped != nil {
			continue
		}
		// A loop that also receives from the channel can start a sender
		// only once the last has been taken (a timer armed per batch).
		loop := ssaloop.Blocks(at.Block())
		mixed := false
		for _, op := range recv.recvs {
			mixed = mixed || loop[op.Instr.Block()]
		}
		if !mixed {
			looped, loopAt = s, at
		}
	}
	if looped == nil {
		return false
	}
	var ex *exit
	if recv.g == root {
		from := rootStart(looped.g, root)
		if from == nil {
			return false
		}
		ex = w.search(root.Fn, from.Block(), indexOf(from)+1, 0)
	} else {
		ex = w.search(recv.g.Fn, recv.g.Fn.Blocks[0], 0, 0)
	}
	if ex == nil || ex.sel == nil || viaStop(ex) == "" {
		// Only a case that fires whatever the senders do: a done channel
		// closed once they have all sent is no way around them.
		return false
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	rel := []analysis.RelatedInformation{
		{Pos: loopAt.Pos(), Message: "the senders are started here, in a loop no count bounds"},
		{Pos: ex.sel.Pos(), Message: "the receive, in a select"},
		{Pos: ex.via, Message: "this case wins instead"},
	}
	rel = append(rel,
		analysis.RelatedInformation{Pos: ex.ret, Message: ex.fn.Name() + " returns here without receiving the rest"},
		analysis.RelatedInformation{Pos: mc.Pos(), Message: fmt.Sprintf("the channel is made here with room for %d", size)})
	pass.Report(analysis.Diagnostic{
		Pos:      looped.sends[0].Instr.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("goroutines started in a loop that no count bounds (line %d) each send once on a channel with room for %d, and %s can return (line %d) without receiving: once more than %d have sent, the rest block forever and leak (send in a select on the same signal, or size the buffer to the senders)",
			line(loopAt.Pos()), size, ex.fn.Name(), line(ex.ret), size),
		Related: rel,
	})
	return true
}

// rootStart returns the instruction of root's function through which g
// is started: its go statement, or the go statement or call of the
// ancestor that root starts or calls.
func rootStart(g, root *chanuse.Node) ssa.Instruction {
	for n := g; n != nil; n = n.Parent {
		if n.Parent != root {
			continue
		}
		var at ssa.Instruction
		switch {
		case n.Start != nil:
			at = n.Start
		case n.Call != nil:
			at = n.Call
		}
		if at == nil || at.Parent() != root.Fn {
			return nil
		}
		return at
	}
	return nil
}

// unboundedStart returns the start of g, or of a goroutine or call on the
// way to it, that is in a loop no count within a buffer of size bounds
// (fitsBuffer): how many times it runs depends on the data.
func unboundedStart(g *chanuse.Node, size int) ssa.Instruction {
	for n := g; n != nil && n.Parent != nil; n = n.Parent {
		var at ssa.Instruction
		switch {
		case n.Start != nil:
			at = n.Start
		case n.Call != nil:
			at = n.Call
		}
		if at != nil && ssaloop.InLoop(at.Block()) {
			if fitsBuffer(at.Block(), size, false) {
				return nil
			}
			return at
		}
	}
	return nil
}

// constBounded reports whether a loop around b may be bounded by a count:
// one of its exit tests compares integers (for i := 0; i < n; i++, a range
// over a slice, an array or an integer, whose length the buffer may well
// match) or is the end of a range over a map or a string. Only loops that
// end on data (a range over a channel, a read that fails) or never are
// unbounded.
func constBounded(b *ssa.BasicBlock) bool { return countBounded(b, false) }

// countBounded is constBounded; with selects, the test of which case a
// select chose (its index, compared with each case's number) is no count:
// a loop around a select that leaves from some of its cases is bounded
// only by its other tests.
func countBounded(b *ssa.BasicBlock, selects bool) bool {
	for _, iff := range exitTests(b) {
		switch c := iff.Cond.(type) {
		case *ssa.BinOp:
			if selects && (selectIndex(c.X) || selectIndex(c.Y)) {
				continue // which case of a select fired: no count
			}
			if isInteger(c.X.Type()) || isInteger(c.Y.Type()) {
				return true
			}
		case *ssa.Extract:
			if _, ok := c.Tuple.(*ssa.Next); ok {
				return true
			}
		}
	}
	return false
}

// fitsBuffer reports whether a loop around b may run no more times than
// a buffer of size holds: one of its exit tests compares an integer with
// a constant count (for i := 0; i < 3; i++, a range over an array or over
// a slice of a fixed-size literal, for range 3) that is at most size (one
// more, for a test with <=). A constant buffer cannot match any other
// count: a loop over a slice, a map or up to a parameter runs as often as
// the data says, and a channel made with a constant room for fewer
// values fills once it runs more. With selects, as in countBounded.
func fitsBuffer(b *ssa.BasicBlock, size int, selects bool) bool {
	for _, iff := range exitTests(b) {
		c, ok := iff.Cond.(*ssa.BinOp)
		if !ok || !isInteger(c.X.Type()) && !isInteger(c.Y.Type()) {
			continue
		}
		if selects && (selectIndex(c.X) || selectIndex(c.Y)) {
			continue
		}
		for _, v := range []ssa.Value{c.X, c.Y} {
			if n := constCount(v); n >= 0 && n <= size+1 {
				return true
			}
		}
		// A count the function itself decides (the len of a slice it
		// builds, values = append(values, ...) itemCount times) is the
		// programmer's to match with the buffer, as for a constant; only
		// a count that comes from outside (a parameter, a field, a
		// package variable, a call's result) can outgrow it.
		if !outsideCount(c.X) && !outsideCount(c.Y) && constCount(c.X) < 0 && constCount(c.Y) < 0 {
			return true
		}
	}
	return false
}

// outsideCount reports whether v, a loop's bound, comes from outside the
// function: a parameter, a load of a field or package variable, a free
// variable, a call's result, or the len of such a value (through
// slicing and conversions).
func outsideCount(v ssa.Value) bool {
	for range 8 {
		switch x := v.(type) {
		case *ssa.Parameter, *ssa.FreeVar, *ssa.Global:
			return true
		case *ssa.UnOp:
			if x.Op != token.MUL {
				return false
			}
			switch x.X.(type) {
			case *ssa.FieldAddr, *ssa.Global, *ssa.IndexAddr:
				return true
			}
			v = x.X
		case *ssa.Field, *ssa.FieldAddr:
			return true
		case *ssa.Slice:
			v = x.X
		case *ssa.Convert:
			v = x.X
		case *ssa.ChangeType:
			v = x.X
		case *ssa.Call:
			bi, ok := x.Call.Value.(*ssa.Builtin)
			if !ok {
				return true
			}
			if bi.Name() != "len" || len(x.Call.Args) != 1 {
				return false
			}
			v = x.Call.Args[0]
		default:
			return false
		}
	}
	return false
}

// constCount returns the value of v when it is a constant count: an
// integer constant, or the len of an array, of a slice of a fixed-size
// array the function allocates (a slice literal) or of a slice with a
// constant high bound (items[:3]); -1 otherwise.
func constCount(v ssa.Value) int {
	switch v := v.(type) {
	case *ssa.Const:
		if v.Value == nil {
			return -1
		}
		n, ok := constant.Int64Val(constant.ToInt(v.Value))
		if !ok || n < 0 || n > 1<<20 {
			return -1
		}
		return int(n)
	case *ssa.Call:
		bi, ok := v.Call.Value.(*ssa.Builtin)
		if !ok || bi.Name() != "len" || len(v.Call.Args) != 1 {
			return -1
		}
		x := v.Call.Args[0]
		if sl, ok := x.(*ssa.Slice); ok {
			if sl.High != nil {
				// items[:3], items[i:3]: at most the constant high bound.
				return constCount(sl.High)
			}
			if sl.Low == nil {
				x = sl.X
			}
		}
		t := x.Type().Underlying()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem().Underlying()
		}
		if a, ok := t.(*types.Array); ok {
			return int(a.Len())
		}
	}
	return -1
}

// exitTests returns the tests (Ifs) of the loops around b that can leave
// them: a successor off the loop.
func exitTests(b *ssa.BasicBlock) []*ssa.If {
	loop := ssaloop.Blocks(b)
	var out []*ssa.If
	for _, iff := range ssaloop.Tests(b) {
		for _, s := range iff.Block().Succs {
			if !loop[s] {
				out = append(out, iff)
				break
			}
		}
	}
	return out
}

// selectIndex reports whether v is the index of the case a select chose.
func selectIndex(v ssa.Value) bool {
	ex, ok := v.(*ssa.Extract)
	if !ok || ex.Index != 0 {
		return false
	}
	_, ok = ex.Tuple.(*ssa.Select)
	return ok
}

// isInteger reports whether t is an integer type.
func isInteger(t types.Type) bool {
	bt, ok := t.Underlying().(*types.Basic)
	return ok && bt.Info()&types.IsInteger != 0
}

// viaStop describes the case ex leaves its select through when it fires
// from outside (outsideStop); "" for any other case or a default.
func viaStop(ex *exit) string {
	for _, st := range ex.sel.States {
		if st.Pos == ex.via && st.Dir == types.RecvOnly {
			return outsideStop(st.Chan, 0)
		}
	}
	return ""
}

// unboundedSend returns a plain send of s, a goroutine started once, that
// it may make any number of times: in a loop no count bounds (countBounded) of its own function, or
// in a helper it calls from such a loop. A stream producer (a read loop
// that forwards every value) fills any constant buffer once its receiver
// has gone, and then blocks as it would on an unbuffered channel
// (istio/istio#10822: the receive thread's channel has room for 1). A loop
// that also watches a channel in a select (a done channel, a context the
// receiver cancels on its way out) is meant to stop with the receiver,
// the buffer sized for what it sends meanwhile.
func unboundedSend(s *role) ssa.Instruction {
	if s.g.Callback || s.g.Start == nil || ssaloop.InLoop(s.g.Start.Block()) {
		return nil // one producer; a pool's members may take turns with the receiver
	}
	for _, op := range s.sends {
		for n, at := op.Node, ssa.Instruction(op.Instr); n != nil; n = n.Parent {
			if b := at.Block(); ssaloop.InLoop(b) {
				if !countBounded(b, true) && !watches(b) {
					return op.Instr
				}
				break
			}
			if n == s.g || n.Call == nil {
				break
			}
			at = n.Call
		}
	}
	return nil
}

// watches reports whether a loop around b holds a select that receives
// from some channel.
func watches(b *ssa.BasicBlock) bool {
	for x := range ssaloop.Blocks(b) {
		for _, instr := range x.Instrs {
			if sel, ok := instr.(*ssa.Select); ok {
				for _, st := range sel.States {
					if st.Dir == types.RecvOnly {
						return true
					}
				}
			}
		}
	}
	return false
}
