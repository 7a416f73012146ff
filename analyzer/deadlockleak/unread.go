package deadlockleak

import (
	"fmt"
	"go/types"
	"slices"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// unreadFields reports a private channel field that the package only ever
// sends on: followed in full (chanuse.Fields), with constant-sized makes,
// plain sends and no receive, close, select or len anywhere. An unbuffered
// one blocks its first sender forever; a buffered one blocks once its
// buffer is full, so it is reported only when a send can run more times
// on one instance than the buffer holds: the send sits in a loop over the
// same struct, or its function is started or called in a loop with the
// same struct (spacemeshos/poet#140: each failed round writes its error to
// a channel with room for ten that nothing reads, in a goroutine the
// service loop starts per round).
func unreadFields(pass *analysis.Pass, funcs []*ssa.Function, classes map[*types.Var]*chanuse.Class) {
	sites := map[*ssa.Function][]ssa.CallInstruction{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if c, ok := instr.(ssa.CallInstruction); ok && !c.Common().IsInvoke() {
					if callee := c.Common().StaticCallee(); callee != nil {
						sites[callee] = append(sites[callee], c)
					}
				}
			}
		}
	}
	var fields []*types.Var
	for v := range classes {
		fields = append(fields, v)
	}
	slices.SortFunc(fields, func(a, b *types.Var) int { return int(a.Pos() - b.Pos()) })
	for _, v := range fields {
		unreadField(pass, classes[v], sites)
	}
}

func unreadField(pass *analysis.Pass, c *chanuse.Class, sites map[*ssa.Function][]ssa.CallInstruction) {
	if c.Escapes || c.Stored || c.LenChecked || len(c.Ops) == 0 || len(c.Makes) == 0 {
		return
	}
	size := 0
	for _, m := range c.Makes {
		n := capacity(m)
		if n < 0 {
			return
		}
		size = max(size, n)
	}
	for _, op := range c.Ops {
		if op.Kind != chanuse.Send {
			return // received, closed or selected on somewhere: other patterns
		}
	}
	for _, op := range c.Ops {
		var loop ssa.Instruction // where the send repeats, when buffered
		if size > 0 {
			if loop = repeatedOn(op, sites); loop == nil {
				continue
			}
		}
		msg := fmt.Sprintf("this send on field %s blocks forever: nothing in the package receives from its channel, which is made unbuffered", c.Field.Name())
		related := []analysis.RelatedInformation{{Pos: c.Makes[0].Pos(), Message: "the channel is made here and never received from"}}
		if size > 0 {
			msg = fmt.Sprintf("this send on field %s blocks forever once its buffer of %d is full: nothing in the package receives from its channel, and the send repeats on the same instance (line %d)",
				c.Field.Name(), size, pass.Fset.Position(loop.Pos()).Line)
			related = append(related, analysis.RelatedInformation{Pos: loop.Pos(), Message: "the send repeats here on the same instance"})
		}
		pass.Report(analysis.Diagnostic{Pos: op.Instr.Pos(), Category: "deadlock", Message: msg, Related: related})
		return
	}
}

// repeatedOn returns an instruction that makes op run more than once on
// the same struct: op itself, in a loop of its function with its base
// defined before the loop, or a call or go statement of op's function in
// a loop, passing the parameter op's base is with a value defined before
// that loop. It looks one caller up.
func repeatedOn(op chanuse.FieldOp, sites map[*ssa.Function][]ssa.CallInstruction) ssa.Instruction {
	if ssaloop.InLoop(op.Instr.Block()) && invariant(op.Base, op.Instr.Block()) {
		return op.Instr
	}
	p, ok := op.Base.(*ssa.Parameter)
	if !ok {
		return nil
	}
	fn := op.Instr.Parent()
	i := slices.Index(fn.Params, p)
	if i < 0 {
		return nil
	}
	for _, site := range sites[fn] {
		args := site.Common().Args
		b := site.Block()
		if i < len(args) && ssaloop.InLoop(b) && invariant(args[i], b) {
			return site
		}
	}
	return nil
}

// invariant reports whether v is the same value on every turn of the
// loop through b: it is not computed inside that loop.
func invariant(v ssa.Value, b *ssa.BasicBlock) bool {
	switch v := v.(type) {
	case *ssa.Parameter, *ssa.FreeVar, *ssa.Global, *ssa.Const, *ssa.Function:
		return true
	case ssa.Instruction:
		return v.Block() != nil && !ssaloop.Blocks(b)[v.Block()]
	}
	return false
}
