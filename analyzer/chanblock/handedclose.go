package chanblock

import (
	"fmt"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// handedUnclosed reports a range over a channel that its maker hands to
// one helper of the package, run as a goroutine or called with its
// results ignored, when only goroutines the helper starts close the
// channel and a path of the helper returns before starting them without
// closing it (r3labs/sse#10: SubscribeChan's reader goroutine closes the
// caller's channel when a read fails, but a failed connect returns its
// error first; the caller, which ran it with go, ranges for ever). The
// maker itself must only range over the channel (or receive until it is
// closed), so nothing else can end the range.
func handedUnclosed(st *state, funcs []*ssa.Function) {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if mc, ok := instr.(*ssa.MakeChan); ok {
					handedUnclosedChan(st, mc)
				}
			}
		}
	}
}

func handedUnclosedChan(st *state, mc *ssa.MakeChan) {
	ch := st.follow(mc)
	if ch.Escapes || len(ch.Returns) > 0 || len(ch.Nodes) < 3 {
		return
	}
	root := ch.Nodes[0]
	var rng ssa.Instruction
	for _, op := range root.Ops {
		u, isU := op.Instr.(*ssa.UnOp)
		if op.Kind != chanuse.Recv || !isU || !untilClosed(st, u) || rng != nil {
			return
		}
		rng = u
	}
	if rng == nil {
		return
	}
	// The one helper the maker hands the channel to.
	var helper *chanuse.Node
	for _, n := range ch.Nodes[1:] {
		if n.Parent == root {
			if helper != nil {
				return
			}
			helper = n
		}
	}
	if helper == nil || helper.Fn.Blocks == nil || helper.Fn.Pkg != mc.Parent().Pkg {
		return
	}
	switch {
	case helper.Start != nil:
	case helper.Call != nil:
		if v := helper.Call.Value(); v != nil && v.Referrers() != nil && len(*v.Referrers()) > 0 {
			return // its result (an error) is looked at: the maker can stop before the range
		}
	default:
		return
	}
	// Every close is in a goroutine the helper starts (or in what that
	// goroutine calls); the helper's own closes and its other hand-offs
	// end the search on a path.
	cut := map[ssa.Instruction]bool{}
	var closer ssa.Instruction
	for _, op := range helper.Ops {
		if op.Kind == chanuse.Close || op.Kind == chanuse.DeferClose {
			cut[op.Instr] = true
		}
	}
	for _, n := range ch.Nodes[1:] {
		if n.Parent == helper {
			if n.Start != nil {
				cut[n.Start] = true
			} else if n.Call != nil {
				cut[n.Call] = true
			} else {
				return // started in a way this does not follow
			}
		}
		for _, op := range n.Ops {
			if op.Kind != chanuse.Close && op.Kind != chanuse.DeferClose {
				continue
			}
			if n == helper || n.G == helper || n.G == root {
				continue // closed by the helper on its own goroutine: cut above, or too deep to follow
			}
			if closer == nil {
				closer = op.Instr
			}
		}
	}
	if closer == nil {
		return
	}
	entry := helper.Fn.Blocks[0].Instrs[0]
	if cut[entry] {
		return
	}
	ret := openReturn(entry, func(*ssa.Return) bool { return true }, cut)
	if ret == nil {
		return
	}
	rp := ret.Pos()
	if !rp.IsValid() {
		rp = chanuse.ClosingBrace(helper.Fn)
	}
	what := "this range"
	if !st.ranges[rng.Pos()] {
		what = "this receive loop, which stops only when the channel is closed,"
	}
	st.Report(analysis.Diagnostic{
		Pos:      rng.Pos(),
		Category: "deadlock",
		Message: fmt.Sprintf("%s waits for the channel to be closed, and only a goroutine %s starts closes it, but %s can return at line %d without starting it or closing the channel: after that return the wait never ends (close the channel on that path too)",
			what, helper.Fn.Name(), helper.Fn.Name(), st.pass.Fset.Position(rp).Line),
		Related: []analysis.RelatedInformation{
			{Pos: rp, Message: "returns here with the channel open and no goroutine to close it"},
			{Pos: closer.Pos(), Message: "the channel is closed here, by a goroutine started on other paths"},
			{Pos: mc.Pos(), Message: "the channel is made here and handed on"},
		},
	})
}
