// Package deadlockleak defines an Analyzer that finds goroutines that block
// forever sending on a channel nobody will receive from any more.
//
// # Analyzer deadlockleak
//
// deadlockleak: report sends that no receiver will ever take.
//
// The classic leak: a function makes an unbuffered channel, starts a
// goroutine that sends its result on it, and receives in a select that can
// also take another case (ctx.Done(), a timer, a default) and return. When
// that other case wins, nobody will ever receive: the goroutine's send
// blocks forever and the goroutine, with everything it references, leaks.
//
//	ch := make(chan result)
//	go func() { ch <- work() }() // blocks forever if ctx is done first
//	select {
//	case r := <-ch:
//		return r
//	case <-ctx.Done():
//		return ctx.Err()
//	}
//
// The analyzer reports the send when the channel does not escape the
// function (only the goroutine and the select see it), that select is the
// function's only receive from it, the send is a plain send (not a select
// with its own way out), and another case of the select leads to a return. A buffered channel, a receiver that
// drains the channel on every way out, or a sender that selects on the same
// context are not reported. When the goroutine sends once, it suggests
// giving the channel a buffer of one.
package deadlockleak

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/ssa"
)

// Analyzer reports goroutines that block forever on a send after the only
// receiver has returned.
var Analyzer = &analysis.Analyzer{
	Name:     "deadlockleak",
	Doc:      "report goroutines that send on an unbuffered channel whose only receiver, a select, can return first: the send blocks forever",
	URL:      "https://pkg.go.dev/github.com/asyncgo/asyncgo/analyzer/deadlockleak",
	Requires: []*analysis.Analyzer{buildssa.Analyzer, inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ssainput := pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA)
	insp := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	makes := map[token.Pos]*ast.CallExpr{} // Lparen -> make call
	insp.Preorder([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node) {
		call := n.(*ast.CallExpr)
		if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && id.Name == "make" && len(call.Args) == 1 {
			makes[call.Lparen] = call
		}
	})
	for _, fn := range ssainput.SrcFuncs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					check(pass, fn, mc, makes)
				}
			}
		}
	}
	return nil, nil
}

type sender struct {
	fn    *ssa.Function
	sends []*ssa.Send
}

func isZero(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.Value != nil && c.Value.String() == "0"
}

func check(pass *analysis.Pass, fn *ssa.Function, mc *ssa.MakeChan, makes map[token.Pos]*ast.CallExpr) {
	if !isZero(mc.Size) {
		return // buffered (or of unknown size)
	}
	// The channel's values in fn: the make itself and, when a closure
	// captures the variable (by reference), the loads of that variable.
	vals := map[ssa.Value]bool{mc: true}
	var senders []*sender
	var selects []*ssa.Select
	var alloc *ssa.Alloc
	for _, r := range *mc.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Val == mc {
			a, ok := st.Addr.(*ssa.Alloc)
			if !ok || alloc != nil {
				return
			}
			alloc = a
		}
	}
	if alloc != nil {
		stores := 0
		for _, r := range *alloc.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.Store:
				if stores++; stores > 1 || r.Val != mc {
					return // reassigned: not one channel
				}
			case *ssa.UnOp:
				if r.Op != token.MUL {
					return
				}
				vals[r] = true
			case *ssa.MakeClosure:
				s := closureSender(r, alloc, true)
				if s == nil {
					return
				}
				senders = append(senders, s)
			default:
				return
			}
		}
	}
	for v := range vals {
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.Store:
				if r.Val != mc || r.Addr != alloc {
					return
				}
			case *ssa.Select:
				for _, st := range r.States {
					if vals[st.Chan] && st.Dir != types.RecvOnly {
						return // the function sends too: not the pattern
					}
				}
				selects = append(selects, r)
			case *ssa.UnOp:
				// Another receive besides the select: the receiver is not
				// the select alone (it may take the value first, or drain
				// it afterwards); too subtle to judge.
				return
			case *ssa.MakeClosure:
				s := closureSender(r, v, false)
				if s == nil {
					return
				}
				senders = append(senders, s)
			case *ssa.Go:
				s := goSender(r, v)
				if s == nil {
					return
				}
				senders = append(senders, s)
			default:
				return // escapes: someone else may receive
			}
		}
	}
	if len(senders) == 0 || len(selects) != 1 {
		return
	}
	for _, sel := range selects {
		exit, other := escapes(fn, sel, vals)
		if exit == nil {
			continue
		}
		exitPos := exit.Pos()
		if !exitPos.IsValid() { // the implicit return at the closing brace
			switch syn := fn.Syntax().(type) {
			case *ast.FuncDecl:
				exitPos = syn.Body.Rbrace
			case *ast.FuncLit:
				exitPos = syn.Body.Rbrace
			}
		}
		for _, s := range senders {
			for _, send := range s.sends {
				d := analysis.Diagnostic{
					Pos:      send.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("this goroutine sends on an unbuffered channel whose only receiver, the select in %s (line %d), can take another case and return first (line %d): the send then blocks forever and the goroutine leaks",
						fn.Name(), pass.Fset.Position(sel.Pos()).Line, pass.Fset.Position(exitPos).Line),
					Related: []analysis.RelatedInformation{
						{Pos: sel.Pos(), Message: "the only receive, in a select"},
						{Pos: other, Message: "this case wins instead"},
						{Pos: exitPos, Message: fn.Name() + " returns here without receiving"},
						{Pos: mc.Pos(), Message: "the channel is made unbuffered here"},
					},
				}
				if call := makes[mc.Pos()]; call != nil && len(senders) == 1 && len(s.sends) == 1 && !inLoop(send.Block()) {
					d.SuggestedFixes = []analysis.SuggestedFix{{
						Message:   "Give the channel a buffer of one so the send never blocks",
						TextEdits: []analysis.TextEdit{{Pos: call.Rparen, End: call.Rparen, NewText: []byte(", 1")}},
					}}
				}
				pass.Report(d)
			}
		}
		return
	}
}

// closureSender accepts a closure that is only started as a goroutine and
// only sends on (or closes) the channel it captures (byRef: through the
// captured variable's address).
func closureSender(mk *ssa.MakeClosure, ch ssa.Value, byRef bool) *sender {
	refs := *mk.Referrers()
	if len(refs) != 1 {
		return nil
	}
	if g, ok := refs[0].(*ssa.Go); !ok || g.Call.Value != mk {
		return nil
	}
	cl := mk.Fn.(*ssa.Function)
	for i, b := range mk.Bindings {
		if b != ch {
			continue
		}
		fv := cl.FreeVars[i]
		if !byRef {
			return sendsOnly(cl, []ssa.Value{fv})
		}
		var loads []ssa.Value
		for _, r := range *fv.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.UnOp:
				if r.Op != token.MUL {
					return nil
				}
				loads = append(loads, r)
			default:
				return nil // stored to, or passed on
			}
		}
		return sendsOnly(cl, loads)
	}
	return nil
}

// goSender accepts `go f(ch)` of a function of this package that only
// sends on (or closes) its parameter.
func goSender(g *ssa.Go, ch ssa.Value) *sender {
	callee := g.Call.StaticCallee()
	if callee == nil || callee.Blocks == nil || g.Call.IsInvoke() {
		return nil
	}
	if _, ok := g.Call.Value.(*ssa.MakeClosure); ok {
		return nil // a closure that also gets ch as an argument: too clever
	}
	var s *sender
	for i, a := range g.Call.Args {
		if a == ch {
			if i >= len(callee.Params) || s != nil {
				return nil
			}
			if s = sendsOnly(callee, []ssa.Value{callee.Params[i]}); s == nil {
				return nil
			}
		}
	}
	return s
}

// sendsOnly returns the plain sends on vs in fn when every use of them is a
// plain send, a close, or a select send (which has its own way out).
func sendsOnly(fn *ssa.Function, vs []ssa.Value) *sender {
	s := &sender{fn: fn}
	for _, v := range vs {
		for _, r := range *v.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.Send:
				if r.Chan != v {
					return nil
				}
				s.sends = append(s.sends, r)
			case *ssa.Select:
				for _, st := range r.States {
					if st.Chan == v && st.Dir != types.SendOnly {
						return nil
					}
				}
			case *ssa.Call:
				if b, ok := r.Call.Value.(*ssa.Builtin); !ok || b.Name() != "close" {
					return nil
				}
			default:
				return nil
			}
		}
	}
	if len(s.sends) == 0 {
		return nil
	}
	return s
}

// escapes looks for a way out of the select that returns from fn without
// receiving from ch: it returns the Return reached and the position of the
// select case taken, or nil.
func escapes(fn *ssa.Function, sel *ssa.Select, ch map[ssa.Value]bool) (*ssa.Return, token.Pos) {
	recvIdx := -1
	for i, st := range sel.States {
		if ch[st.Chan] {
			recvIdx = i
		}
	}
	if recvIdx < 0 {
		return nil, token.NoPos
	}
	// The case bodies hang off "index == k" tests of the select's first
	// result.
	bodies := map[int]*ssa.BasicBlock{}
	for _, r := range *sel.Referrers() {
		ex, ok := r.(*ssa.Extract)
		if !ok || ex.Index != 0 {
			continue
		}
		for _, u := range *ex.Referrers() {
			bin, ok := u.(*ssa.BinOp)
			if !ok || bin.Op != token.EQL {
				continue
			}
			c, ok := bin.Y.(*ssa.Const)
			if !ok || c.Value == nil {
				continue
			}
			var k int
			fmt.Sscan(c.Value.String(), &k)
			for _, bu := range *bin.Referrers() {
				if iff, ok := bu.(*ssa.If); ok {
					bodies[k] = iff.Block().Succs[0]
				}
			}
		}
	}
	recvBody, ok := bodies[recvIdx]
	if !ok {
		return nil, token.NoPos
	}
	receives := func(b *ssa.BasicBlock) bool {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.UnOp:
				if in.Op == token.ARROW && ch[in.X] {
					return true
				}
			case *ssa.Select:
				for _, st := range in.States {
					if ch[st.Chan] && st.Dir == types.RecvOnly {
						return true
					}
				}
			}
		}
		return false
	}
	search := func(start []*ssa.BasicBlock) *ssa.Return {
		seen := map[*ssa.BasicBlock]bool{recvBody: true, sel.Block(): true}
		queue := append([]*ssa.BasicBlock(nil), start...)
		for len(queue) > 0 {
			b := queue[0]
			queue = queue[1:]
			if seen[b] {
				continue
			}
			seen[b] = true
			if receives(b) {
				continue
			}
			if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
				return ret
			}
			queue = append(queue, b.Succs...)
		}
		return nil
	}
	// Which case leads out: a non-receive case from whose body a return is
	// reachable without receiving; else the default case.
	for k, st := range sel.States {
		if body, ok := bodies[k]; ok && k != recvIdx {
			if ret := search([]*ssa.BasicBlock{body}); ret != nil {
				return ret, st.Pos
			}
		}
	}
	if !sel.Blocking {
		if ret := search(sel.Block().Succs); ret != nil {
			return ret, sel.Pos()
		}
	}
	return nil, token.NoPos
}

// inLoop reports whether b can reach itself.
func inLoop(b *ssa.BasicBlock) bool {
	seen := map[*ssa.BasicBlock]bool{}
	stack := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if x == b {
			return true
		}
		if !seen[x] {
			seen[x] = true
			stack = append(stack, x.Succs...)
		}
	}
	return false
}
