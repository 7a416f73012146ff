package chanblock

import (
	"fmt"
	"go/ast"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// countedReceives reports a receive that counts its senders: a function
// makes a channel, starts one goroutine per item in a loop (a go
// statement, or a group's Go), each of which
// sends on the channel at most once (no send in a loop of its own), and
// then receives in a counting loop (a range over the items, or a for
// with a condition: one receive per goroutine), while nothing closes the
// channel; when the goroutine has a path that returns without sending
// (an error, a missing result), fewer values arrive than the loop takes,
// and its last receive blocks forever (Michad/tilegroxy#863: each child
// provider sends an image only when it has one, and GenerateTile reads
// one image per provider). Send on every path (a nil or zero value for
// the failure) or close the channel once all senders are done.
func countedReceives(st *state, funcs []*ssa.Function) {
	loops := countingLoops(st)
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					countedReceive(st, mc, loops)
				}
			}
		}
	}
}

// countingLoops returns the positions of the for keywords of loops that
// run a counted number of times: ranges, and for statements with a
// condition.
func countingLoops(st *state) map[ast.Node]bool {
	out := map[ast.Node]bool{}
	for _, f := range st.pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.RangeStmt:
				out[n] = true
			case *ast.ForStmt:
				if n.Cond != nil {
					out[n] = true
				}
			}
			return true
		})
	}
	return out
}

// innermostLoop returns the innermost for or range statement around
// instr in its function, and whether it is a counting loop.
func innermostLoop(st *state, loops map[ast.Node]bool, instr ssa.Instruction) (ast.Node, bool) {
	file := fileOf(st, instr.Pos())
	if file == nil {
		return nil, false
	}
	var inner ast.Node
	ast.Inspect(file, func(n ast.Node) bool {
		if n == nil || n.Pos() > instr.Pos() || n.End() <= instr.Pos() {
			return false
		}
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			inner = n
		case *ast.FuncLit:
			inner = nil // a loop outside the literal is not the receive's
		}
		return true
	})
	return inner, inner != nil && loops[inner]
}

// fileOf returns the file of the package holding pos.
func fileOf(st *state, pos token.Pos) *ast.File {
	for _, f := range st.pass.Files {
		if f.FileStart <= pos && pos < f.FileEnd {
			return f
		}
	}
	return nil
}

func countedReceive(st *state, mc *ssa.MakeChan, loops map[ast.Node]bool) {
	ch := st.follow(mc)
	if ch.Escapes || len(ch.Returns) > 0 || ch.Field != nil {
		return
	}
	root := ch.Nodes[0]
	var recvs []ssa.Instruction
	var sender *chanuse.Node
	var sends []ssa.Instruction
	for _, n := range ch.Nodes {
		for _, op := range n.Ops {
			switch op.Kind {
			case chanuse.Recv:
				u, ok := op.Instr.(*ssa.UnOp)
				if n != root || !ok || st.ranges[u.Pos()] {
					return
				}
				recvs = append(recvs, u)
			case chanuse.Send:
				// One goroutine function, started straight from the
				// maker (not a helper's goroutine), sending itself.
				if n.G != n || startOf(n) == nil || n.Parent != root || op.Instr.Parent() != n.Fn {
					return
				}
				if sender != nil && sender.Fn != n.Fn {
					return
				}
				if l, _ := innermostLoop(st, loops, op.Instr); l != nil && l.Pos() > n.Fn.Pos() {
					return // a send in a loop: several values, or a loop's exit as the silent path
				}
				sender = n
				sends = append(sends, op.Instr)
			default:
				return // a close ends the receives; a select is not counting
			}
		}
	}
	if sender == nil || len(recvs) == 0 {
		return
	}
	// Every start of the sender is in a loop of the maker.
	for _, n := range ch.Nodes {
		if n.Fn == sender.Fn && (startOf(n) == nil || n.Parent != root || !ssaloop.InLoop(startOf(n).Block())) {
			return
		}
	}
	start := startOf(sender)
	ret := openPath(sender.Fn, sends)
	if ret == nil {
		return
	}
	rp := ret.Pos()
	if !rp.IsValid() {
		rp = chanuse.ClosingBrace(sender.Fn)
	}
	for _, recv := range recvs {
		loop, counting := innermostLoop(st, loops, recv)
		if !counting || loop.Pos() <= start.Pos() && start.Pos() < loop.End() {
			continue // not a counting loop, or the one that starts the senders
		}
		if reportsElsewhere(sender.Fn, sender.Vals) && checkedBefore(root.Fn, recv, loop) {
			continue // failures go to another channel, checked before the count
		}
		st.Report(analysis.Diagnostic{
			Pos:      recv.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this loop receives one value per goroutine started at line %d, but that goroutine can return at line %d without sending on the channel: fewer values arrive than the loop takes, and its last receive blocks forever (send on every path, a zero value for a failure)",
				st.pass.Fset.Position(start.Pos()).Line, st.pass.Fset.Position(rp).Line),
			Related: []analysis.RelatedInformation{
				{Pos: rp, Message: "the goroutine returns here without sending"},
				{Pos: start.Pos(), Message: "one goroutine per item is started here"},
				{Pos: mc.Pos(), Message: "the channel is made here; nothing closes it"},
			},
		})
	}
}

// reportsElsewhere reports whether fn sends on a channel other than the
// one whose values in fn are vals (a separate error channel).
func reportsElsewhere(fn *ssa.Function, vals map[ssa.Value]bool) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if s, ok := instr.(*ssa.Send); ok && !vals[s.Chan] {
				return true
			}
		}
	}
	return false
}

// checkedBefore reports whether fn receives from another channel (a plain
// receive or a select) before the counting loop around recv, on every
// path to it: the failures a sender reports there are seen first.
func checkedBefore(fn *ssa.Function, recv ssa.Instruction, loop ast.Node) bool {
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Select:
			case *ssa.UnOp:
				if in.Op != token.ARROW {
					continue
				}
			default:
				continue
			}
			if p := instr.Pos(); p.IsValid() && (p < loop.Pos() || p >= loop.End()) && dominates(instr, recv) {
				return true
			}
		}
	}
	return false
}

// startOf returns where n's function is started as a goroutine: its go
// statement, or the group's Go (or time.AfterFunc) it is handed to; nil
// when it is called.
func startOf(n *chanuse.Node) ssa.Instruction {
	if n.Start != nil { // a go statement's Start is its Go
		return n.Start
	}
	return nil
}
