package chanblock

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// nilPaths reports plain sends, receives and ranges on a channel variable
// that is made on some paths only: on the path where it was never
// assigned, the channel is nil and the operation blocks forever. Select
// cases are left alone (a nil channel there disables the case, an idiom).
func nilPaths(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				var ch ssa.Value
				what := "a receive from"
				switch in := instr.(type) {
				case *ssa.Send:
					ch, what = in.Chan, "a send on"
				case *ssa.UnOp:
					if in.Op != token.ARROW {
						continue
					}
					ch = in.X
					if in.CommaOk && st.ranges[in.Pos()] {
						what = "a range over"
					}
				default:
					continue
				}
				np := chanuse.MaybeNil(ch, instr)
				if np == nil {
					continue
				}
				rel := []analysis.RelatedInformation{}
				for _, mc := range np.Makes {
					rel = append(rel, analysis.RelatedInformation{Pos: mc.Pos(), Message: "the channel is made here, on some paths only"})
				}
				from := np.From.Instrs[len(np.From.Instrs)-1].Pos()
				if from.IsValid() {
					rel = append(rel, analysis.RelatedInformation{Pos: from, Message: "on this path it is not made"})
				}
				st.Report(analysis.Diagnostic{
					Pos:      instr.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("this channel is made only on some paths (line %d), and on a path that skips the make (from line %d) it is still nil here: %s a nil channel blocks forever",
						st.pass.Fset.Position(np.Makes[0].Pos()).Line, line(st, np.From), what),
					Related: rel,
				})
			}
		}
	}
}

// line is the line of b's last positioned instruction (its branch), or of
// its first.
func line(st *state, b *ssa.BasicBlock) int {
	for i := len(b.Instrs) - 1; i >= 0; i-- {
		if p := b.Instrs[i].Pos(); p.IsValid() {
			return st.pass.Fset.Position(p).Line
		}
	}
	return st.pass.Fset.Position(b.Parent().Pos()).Line
}
