package deadlockleak

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// makerBlocks reports the abandoned feeder: a function makes an
// unbuffered channel, starts one goroutine that receives from it in a
// loop whose select can also take a case that fires from outside (the
// Done of a context the function did not make from scratch, a timer, a
// channel handed to os/signal.Notify) and return, and then sends on the
// channel itself with plain sends. Once the receiver has returned, the
// function's next send blocks forever. The receiver may be started by a
// helper the function calls with the channel (containerd/containerd#1907),
// or by the helper that makes the channel and returns it to the function
// (after is then that call; cilium/cilium#13408).
func makerBlocks(pass *analysis.Pass, mc *ssa.MakeChan, size int, self, recv *role, root *chanuse.Node, after ssa.Instruction, w *walker, funcs []*ssa.Function) bool {
	if size != 0 || recv.g == root || recv.g.Start == nil {
		return false
	}
	start := startPoint(recv.g, root, after)
	if start == nil {
		return false
	}
	if len(self.recvs) > 0 || len(self.selSends) > 0 || self.deferredRecv {
		return false
	}
	ex := w.search(recv.g.Fn, recv.g.Fn.Blocks[0], 0, 0)
	if ex == nil || ex.sel == nil {
		if start != recv.g.Start {
			return false
		}
		return feederStream(pass, mc, self, recv, root, w)
	}
	var stop ssa.Value
	for _, st := range ex.sel.States {
		if st.Pos == ex.via && st.Dir == types.RecvOnly {
			stop = st.Chan
		}
	}
	what := outsideStop(stop, 0)
	if what == "" {
		what = fieldStop(stop, root.Fn, funcs)
	}
	if what == "" && notifiedStop(stop, funcs, 0) {
		what = "a signal arrives"
	}
	if what == "" {
		return false
	}
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	reported := false
	for _, op := range self.sends {
		if op.Node != root || !precedes(start, op.Instr) {
			continue
		}
		reported = true
		pass.Report(analysis.Diagnostic{
			Pos:      op.Instr.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this send on an unbuffered channel blocks %s forever once its only receiver, the goroutine started at line %d, has left its select through another case (line %d, %s) and returned (line %d): nothing receives any more (select on the same case here too)",
				root.Fn.Name(), line(recv.g.Start.Pos()), line(ex.via), what, line(ex.ret)),
			Related: []analysis.RelatedInformation{
				{Pos: recv.g.Start.Pos(), Message: "the only receiver is started here"},
				{Pos: ex.sel.Pos(), Message: "the receive, in a select"},
				{Pos: ex.via, Message: "this case wins instead"},
				{Pos: ex.ret, Message: "the receiver returns here"},
				{Pos: mc.Pos(), Message: "the channel is made unbuffered here"},
			},
		})
	}
	return reported
}

// startPoint returns the instruction of root after which the receiving
// goroutine g runs: its go statement when root starts it, the call of the
// helper that starts it when root calls that helper (a chain of
// synchronous calls), or after, the call of the helper that made the
// channel, started g and returned the channel; nil otherwise.
func startPoint(g, root *chanuse.Node, after ssa.Instruction) ssa.Instruction {
	if g.Parent == nil {
		return nil
	}
	if g.Parent == root {
		if g.Start.Parent() != root.Fn {
			return nil
		}
		return g.Start
	}
	for n := g.Parent; n != nil; n = n.Parent {
		if n.Call == nil || n.Start != nil {
			// n is the top of its chain: the maker helper, when
			// root only receives its result.
			if n.Parent == nil && n != root && after != nil && after.Parent() == root.Fn {
				return after
			}
			return nil
		}
		if n.Parent == root {
			if n.Call.Parent() != root.Fn {
				return nil
			}
			return n.Call
		}
	}
	return nil
}

// precedes reports whether b can run after a in their function.
func precedes(a, b ssa.Instruction) bool {
	if a.Block() == b.Block() {
		return indexOf(a) < indexOf(b)
	}
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), a.Block().Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == b.Block() {
			return true
		}
		if !seen[x] {
			seen[x] = true
			stack = append(stack, x.Succs...)
		}
	}
	return false
}

// notifiedStop reports whether ch is a channel handed to os/signal.Notify
// (the runtime sends on it when a signal arrives), followed back from a
// closure's free variable to its binding and from a parameter to the
// arguments of the package's calls of its function.
func notifiedStop(ch ssa.Value, funcs []*ssa.Function, depth int) bool {
	if depth > 4 || ch == nil {
		return false
	}
	switch v := ch.(type) {
	case *ssa.MakeChan:
		c := chanuse.Follow(v)
		return c.OnlyNotified()
	case *ssa.FreeVar:
		fn := v.Parent()
		idx := -1
		for i, f := range fn.FreeVars {
			if f == v {
				idx = i
			}
		}
		if idx < 0 || fn.Parent() == nil {
			return false
		}
		for _, b := range fn.Parent().Blocks {
			for _, instr := range b.Instrs {
				if mk, ok := instr.(*ssa.MakeClosure); ok && mk.Fn == fn {
					return notifiedStop(mk.Bindings[idx], funcs, depth+1)
				}
			}
		}
	case *ssa.Parameter:
		fn := v.Parent()
		idx := -1
		for i, p := range fn.Params {
			if p == v {
				idx = i
			}
		}
		if idx < 0 {
			return false
		}
		found := false
		for _, f := range funcs {
			for _, b := range f.Blocks {
				for _, instr := range b.Instrs {
					c, ok := instr.(ssa.CallInstruction)
					if !ok || c.Common().IsInvoke() || c.Common().StaticCallee() != fn {
						continue
					}
					if !notifiedStop(c.Common().Args[idx], funcs, depth+1) {
						return false // some caller passes another channel
					}
					found = true
				}
			}
		}
		return found
	case *ssa.ChangeType:
		return notifiedStop(v.X, funcs, depth+1)
	case *ssa.UnOp:
		// A captured variable: what is stored in it.
		if v.Op == token.MUL {
			return notifiedStop(v.X, funcs, depth+1)
		}
	case *ssa.Alloc:
		found := false
		for _, r := range *v.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == v {
				if !notifiedStop(st.Val, funcs, depth+1) {
					return false
				}
				found = true
			}
		}
		return found
	}
	return false
}

// outsideStop describes ch when it fires from outside the function that
// feeds the channel: the Done of a context passed in, kept in a field or
// given a deadline, or a timer; "" otherwise (a stop channel or a context
// the feeder makes and cancels itself, after its sends).
func outsideStop(ch ssa.Value, depth int) string {
	call, ok := ch.(*ssa.Call)
	if !ok {
		if u, ok := ch.(*ssa.UnOp); ok && u.Op == token.MUL {
			// timer.C
			if fa, ok := u.X.(*ssa.FieldAddr); ok {
				if f := chanuse.StructFieldOf(fa); f != nil && f.Name() == "C" && f.Pkg() != nil && f.Pkg().Path() == "time" {
					return "the timer fires"
				}
			}
		}
		return ""
	}
	if fn := call.Call.StaticCallee(); fn != nil && fn.Pkg != nil && fn.Pkg.Pkg.Path() == "time" && fn.Name() == "After" {
		return "the timer fires"
	}
	if !call.Call.IsInvoke() || call.Call.Method.Name() != "Done" || !isContextType(call.Call.Value.Type()) {
		return ""
	}
	if externalCtx(call.Call.Value, 0) {
		return "the context is canceled"
	}
	return ""
}

func isContextType(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

// externalCtx reports whether the context v can be canceled by someone
// other than the function that made it: a parameter, a field, a context
// with a deadline, or one derived from such.
func externalCtx(v ssa.Value, depth int) bool {
	if depth > 8 {
		return false
	}
	switch v := v.(type) {
	case *ssa.Parameter:
		return true
	case *ssa.FreeVar:
		fn := v.Parent()
		idx := -1
		for i, f := range fn.FreeVars {
			if f == v {
				idx = i
			}
		}
		if idx < 0 || fn.Parent() == nil {
			return false
		}
		// The binding in the enclosing function's make of the closure.
		for _, b := range fn.Parent().Blocks {
			for _, instr := range b.Instrs {
				if mk, ok := instr.(*ssa.MakeClosure); ok && mk.Fn == fn {
					return externalCtx(mk.Bindings[idx], depth+1)
				}
			}
		}
		return false
	case *ssa.UnOp:
		if v.Op != token.MUL {
			return false
		}
		if _, ok := v.X.(*ssa.FieldAddr); ok {
			return true // a context kept in a struct: canceled elsewhere
		}
		return externalCtx(v.X, depth+1)
	case *ssa.Alloc:
		// A variable (a captured parameter is spilled into one): what is
		// stored in it.
		for _, r := range *v.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == v && externalCtx(st.Val, depth+1) {
				return true
			}
		}
		return false
	case *ssa.Extract:
		call, ok := v.Tuple.(*ssa.Call)
		if !ok {
			return false
		}
		fn := call.Call.StaticCallee()
		if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "context" || len(call.Call.Args) == 0 {
			return false
		}
		switch fn.Name() {
		case "WithTimeout", "WithDeadline", "WithTimeoutCause", "WithDeadlineCause":
			return true
		case "WithCancel", "WithCancelCause":
			return externalCtx(call.Call.Args[0], depth+1)
		}
	case *ssa.Call:
		fn := v.Call.StaticCallee()
		if fn != nil && fn.Pkg != nil && fn.Pkg.Pkg.Path() == "context" && fn.Name() == "WithValue" && len(v.Call.Args) > 0 {
			return externalCtx(v.Call.Args[0], depth+1)
		}
	case *ssa.MakeInterface:
		return externalCtx(v.X, depth+1)
	}
	return false
}

// feederStream reports the feeder whose receiver stops after a value: the
// function sends from a single send in a loop that goes straight round to
// its next send, and its only receiver, one goroutine it starts, receives
// in a loop (a range) that it can leave after a value and return (an
// error, a match): the function's next send blocks it forever.
func feederStream(pass *analysis.Pass, mc *ssa.MakeChan, self, recv *role, root *chanuse.Node, w *walker) bool {
	if len(self.sends) != 1 {
		return false
	}
	send := self.sends[0].Instr
	if self.sends[0].Node != root || !ssaloop.InLoop(send.Block()) || !loopsOn(send) || !precedes(recv.g.Start, send) {
		return false
	}
	var ret *ssa.Return
	var from ssa.Instruction
	for _, op := range recv.recvs {
		if op.Kind != chanuse.Recv || op.Node != recv.g || !ssaloop.InLoop(op.Instr.Block()) {
			return false
		}
		if r := w.leaveLoop(op.Instr); r != nil && ret == nil {
			ret, from = r, op.Instr
		}
	}
	if ret == nil {
		return false
	}
	rp := returnPos(ret, recv.g.Fn)
	line := func(p token.Pos) int { return pass.Fset.Position(p).Line }
	pass.Report(analysis.Diagnostic{
		Pos:      send.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("this send on an unbuffered channel blocks %s forever once its only receiver, the goroutine started at line %d, has stopped after a value: its loop (line %d) can return (line %d) without receiving again, and nothing receives any more",
			root.Fn.Name(), line(recv.g.Start.Pos()), line(from.Pos()), line(rp)),
		Related: []analysis.RelatedInformation{
			{Pos: recv.g.Start.Pos(), Message: "the only receiver is started here"},
			{Pos: from.Pos(), Message: "the receive, in a loop"},
			{Pos: rp, Message: "the receiver returns here from inside the loop"},
			{Pos: mc.Pos(), Message: "the channel is made unbuffered here"},
		},
	})
	return true
}

// fieldStop describes ch when it is a channel kept in a struct field that
// the package closes somewhere other than feeder (a Stop or Close method):
// it fires whenever that runs, not after feeder's sends; "" otherwise.
func fieldStop(ch ssa.Value, feeder *ssa.Function, funcs []*ssa.Function) string {
	u, ok := ch.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return ""
	}
	f := chanuse.StructFieldOf(u.X)
	if f == nil {
		return ""
	}
	// The feeder and the functions it calls close it "itself".
	self := map[*ssa.Function]bool{feeder: true}
	for _, b := range feeder.Blocks {
		for _, instr := range b.Instrs {
			if c, ok := instr.(ssa.CallInstruction); ok {
				if callee := c.Common().StaticCallee(); callee != nil {
					self[callee] = true
				}
			}
		}
	}
	closedElsewhere := false
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				var cc *ssa.CallCommon
				switch in := instr.(type) {
				case *ssa.Call:
					cc = &in.Call
				case *ssa.Defer:
					cc = &in.Call
				default:
					continue
				}
				bi, ok := cc.Value.(*ssa.Builtin)
				if !ok || bi.Name() != "close" || len(cc.Args) != 1 {
					continue
				}
				a, ok := cc.Args[0].(*ssa.UnOp)
				if !ok || a.Op != token.MUL || chanuse.StructFieldOf(a.X) != f {
					continue
				}
				if self[fn] {
					return "" // the feeder closes it itself, after its sends
				}
				closedElsewhere = true
			}
		}
	}
	if !closedElsewhere {
		return ""
	}
	return "its stop channel (field " + f.Name() + ") is closed"
}
