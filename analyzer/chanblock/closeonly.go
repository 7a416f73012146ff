package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// closeOnlyDone reports receives that treat a context's Done channel as
// one carrying values (see closeOnlyRecv). A Done channel is only ever
// closed: nothing sends on it.
func closeOnlyDone(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if u, ok := instr.(*ssa.UnOp); ok && u.Op == token.ARROW && u.CommaOk && contextDone(u.X) {
					closeOnlyRecv(st, u, "ctx.Done()", "a context's Done channel is only closed, never sent on")
				}
			}
		}
	}
}

// contextDone reports whether v is the result of a Done method of package
// context: Context.Done, through an interface, or a context type's own.
func contextDone(v ssa.Value) bool {
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			break
		}
		v = ct.X
	}
	call, ok := v.(*ssa.Call)
	if !ok {
		return false
	}
	var obj *types.Func
	if call.Call.IsInvoke() {
		obj = call.Call.Method
	} else if f := call.Call.StaticCallee(); f != nil {
		obj, _ = f.Object().(*types.Func)
	}
	return obj != nil && obj.Name() == "Done" && obj.Pkg() != nil && obj.Pkg().Path() == "context"
}

// closeOnlyOps applies closeOnlyRecv to the receives of a channel (or
// channel class) whose every waker is a close.
func closeOnlyOps(st *state, o *ops, name string) {
	if len(o.sends)+len(o.selSends) > 0 || len(o.closes)+len(o.deferCloses) == 0 {
		return
	}
	for _, op := range o.recvs {
		if u, ok := op.Instr.(*ssa.UnOp); ok && u.CommaOk {
			closeOnlyRecv(st, u, name, "nothing in this package sends on "+name+", it is only closed")
		}
	}
}

// closeOnlyRecv checks u, a receive outside a select from a channel that
// is only ever closed, where the receiver acts as if a value could arrive
// (kubernetes/kube-state-metrics#2977, google/trillian#1407):
//
//   - `for range ch { body }`: the receive yields only at the close, with
//     ok false, so the body never runs; reported when the body does what
//     would end something else (a close, a send, a cancel, a Stop).
//   - `if _, ok := <-ch; ok {...}`: ok is always false, and the receive
//     blocks until the close; reported when code runs only with ok true,
//     the sign that the receive was meant not to wait.
func closeOnlyRecv(st *state, u *ssa.UnOp, name, why string) {
	if st.ranges[u.Pos()] {
		head := u.Block()
		r, open, ok := chanuse.RangeEnd(head)
		if !ok || r != u {
			return
		}
		what, at := endingOp(head, head.Succs[open])
		if at == nil {
			return
		}
		st.Report(analysis.Diagnostic{
			Pos:      u.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s: a range over %s yields nothing and ends only when it is closed, so its body never runs and %s (line %d) never happens; whatever waits for it waits forever (receive once, <-ch, then act)",
				why, name, what, st.pass.Fset.Position(at.Pos()).Line),
			Related: []analysis.RelatedInformation{{Pos: at.Pos(), Message: "never reached: " + what}},
		})
		return
	}
	var okv *ssa.Extract
	for _, r := range *u.Referrers() {
		if ex, isEx := r.(*ssa.Extract); isEx && ex.Index == 1 {
			okv = ex
		}
	}
	if okv == nil {
		return
	}
	for _, r := range *okv.Referrers() {
		iff, _ := r.(*ssa.If) // a use of ok other than a test (a BinOp) is no If
		alive := 0            // the successor taken when ok is true
		if not, isNot := r.(*ssa.UnOp); isNot && not.Op == token.NOT {
			for _, rr := range *not.Referrers() {
				if i, isIf := rr.(*ssa.If); isIf {
					iff, alive = i, 1
				}
			}
		}
		if iff == nil {
			continue
		}
		dead := iff.Block().Succs[alive]
		if len(dead.Preds) != 1 || len(dead.Instrs) == 1 {
			continue // an empty branch: the ok test decides nothing
		}
		st.Report(analysis.Diagnostic{
			Pos:      u.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s: this receive from %s never yields ok == true, it blocks until the close and then yields false, so the code for ok == true (line %d) never runs and the goroutine waits here while the channel is open (use a select with a default case, or ctx.Err())",
				why, name, st.pass.Fset.Position(firstPos(dead)).Line),
		})
		return
	}
}

// endingOp returns the first operation, in the blocks reached from body
// before coming back to head, that would end something another goroutine
// waits for: a close, a send, a cancel (a call of a func value), or a
// Stop, Close, Cancel, Done, Unlock or Shutdown method call.
func endingOp(head, body *ssa.BasicBlock) (string, ssa.Instruction) {
	seen := map[*ssa.BasicBlock]bool{head: true}
	stack := []*ssa.BasicBlock{body}
	for len(stack) > 0 {
		b := stack[0]
		stack = stack[1:]
		if seen[b] {
			continue
		}
		seen[b] = true
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Send:
				return "the send", in
			case ssa.CallInstruction:
				c := in.Common()
				if bi, ok := c.Value.(*ssa.Builtin); ok {
					if bi.Name() == "close" {
						return "the close", in
					}
					continue
				}
				if c.IsInvoke() {
					if endingMethod(c.Method.Name()) {
						return "the " + c.Method.Name() + " call", in
					}
					continue
				}
				if f := c.StaticCallee(); f != nil {
					if f.Signature.Recv() != nil && endingMethod(f.Name()) {
						return "the " + f.Name() + " call", in
					}
					continue
				}
				if _, ok := c.Value.Type().Underlying().(*types.Signature); ok {
					switch v := c.Value.(type) {
					case *ssa.Parameter, *ssa.FreeVar:
						return "the call of " + v.Name(), in // a cancel func or callback
					case *ssa.MakeClosure:
					default:
						return "the call of a func value", in
					}
				}
			}
		}
		stack = append(stack, b.Succs...)
	}
	return "", nil
}

// endingMethod reports whether a method of this name ends or releases
// something others wait on.
func endingMethod(name string) bool {
	switch name {
	case "Stop", "Close", "Cancel", "Done", "Unlock", "Shutdown":
		return true
	}
	return false
}

// firstPos is the position of b's first instruction that has one.
func firstPos(b *ssa.BasicBlock) token.Pos {
	for _, instr := range b.Instrs {
		if instr.Pos().IsValid() {
			return instr.Pos()
		}
	}
	return token.NoPos
}
