package condwait

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A condition variable made of a channel (juicedata/juicefs#3782): the
// waiter gives up its lock and then blocks receiving from an unbuffered
// channel, and the waker sends on it only in a select with a default, so
// that a wake with nobody waiting is not kept. A waker that runs between
// the waiter's Unlock and its receive finds no receiver, takes the default,
// and the wake is gone: the waiter, having checked its predicate under
// the lock, then blocks for good. sync.Cond does not lose this wake (Wait
// enters the notify list before it unlocks); a buffer of one, or a blocking
// send, keeps it. The channel must be followed in full (a private field,
// or a local captured by literals), made unbuffered, never closed, with
// no blocking send; the receive must be a plain one (no select: a timeout
// case re-checks), and on every path to it the function releases a lock
// it does not take again before it.

// checkChanCond reports such receives in the package.
func (c *checker) checkChanCond() {
	var sends []*ssa.Select
	for _, fn := range c.funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if sel, ok := instr.(*ssa.Select); ok && !sel.Blocking {
					for _, st := range sel.States {
						if st.Dir == types.SendOnly {
							sends = append(sends, sel)
							break
						}
					}
				}
			}
		}
	}
	if len(sends) == 0 {
		return // most packages
	}
	var classes map[*types.Var]*chanuse.Class
	done := map[any]bool{}
	for _, sel := range sends {
		for _, st := range sel.States {
			if st.Dir != types.SendOnly {
				continue
			}
			var ops []chanuse.Op
			var makes []*ssa.MakeChan
			var id any
			if ld, ok := st.Chan.(*ssa.UnOp); ok && ld.Op == token.MUL && chanuse.StructFieldOf(ld.X) != nil {
				f := chanuse.StructFieldOf(ld.X)
				if done[f] {
					continue
				}
				id = f
				if classes == nil {
					classes = chanuse.Fields(c.pass.Pkg, chanuse.NewSealed(c.pass.Pkg), c.funcs)
				}
				cls := classes[f]
				if cls == nil || cls.Escapes || cls.Stored {
					continue
				}
				for _, op := range cls.Ops {
					ops = append(ops, op.Op)
				}
				makes = cls.Makes
			} else if mc := localChan(st.Chan); mc != nil && !done[mc] {
				id = mc
				ch := chanuse.Follow(mc)
				if ch.Escapes {
					continue
				}
				for _, n := range ch.Nodes {
					ops = append(ops, n.Ops...)
				}
				makes = []*ssa.MakeChan{mc}
			} else {
				continue
			}
			done[id] = true
			c.chanCond(ops, makes, sel)
		}
	}
}

// chanCond reports the plain receives of a channel (its operations ops,
// its makes) that only non-blocking selects send on, made with a lock
// just released.
func (c *checker) chanCond(ops []chanuse.Op, makes []*ssa.MakeChan, send *ssa.Select) {
	if len(makes) == 0 {
		return
	}
	for _, mc := range makes {
		k, ok := mc.Size.(*ssa.Const)
		if !ok || k.Value == nil || k.Value.Kind() != constant.Int || constant.Sign(k.Value) != 0 {
			return // buffered: a wake nobody took yet is kept
		}
	}
	var recvs []ssa.Instruction
	for _, op := range ops {
		switch op.Kind {
		case chanuse.Send, chanuse.Close, chanuse.DeferClose:
			return
		case chanuse.SelectSend:
			if op.Instr.(*ssa.Select).Blocking {
				return
			}
		case chanuse.Recv:
			recvs = append(recvs, op.Instr)
		}
	}
	for _, r := range recvs {
		unlock := releasedBefore(r)
		if unlock == nil {
			continue
		}
		c.report(r.Pos(), fmt.Sprintf("lost wake-up: %s releases its lock (%s) and then waits on an unbuffered channel that is only sent on in a select with a default (%s): a wake sent after the Unlock and before this receive finds nobody receiving and is dropped, and the waiter, having seen its condition false, blocks forever (give the channel a buffer of one, or use sync.Cond)",
			fnName(r.Parent()), c.at(unlock.Pos(), r.Pos()), c.at(send.Pos(), r.Pos())),
			analysis.RelatedInformation{Pos: unlock.Pos(), Message: "the lock is released here"},
			analysis.RelatedInformation{Pos: send.Pos(), Message: "the wake that is dropped when no one is receiving"})
	}
}

// releasedBefore returns an Unlock that every path to r, in r's function,
// passes with no Lock after it; nil if some path takes a lock last or
// releases none.
func releasedBefore(r ssa.Instruction) ssa.Instruction {
	var found ssa.Instruction
	seen := map[*ssa.BasicBlock]bool{}
	steps := 0
	var back func(b *ssa.BasicBlock, end int) bool
	back = func(b *ssa.BasicBlock, end int) bool {
		for i := end - 1; i >= 0; i-- {
			call, ok := b.Instrs[i].(*ssa.Call)
			if !ok {
				continue
			}
			if _, d := mutexCall(&call.Call); d < 0 {
				if found == nil {
					found = call
				}
				return true
			} else if d > 0 {
				return false
			}
		}
		if len(b.Preds) == 0 {
			return false
		}
		for _, p := range b.Preds {
			if seen[p] {
				continue
			}
			seen[p] = true
			if steps++; steps > 200 || !back(p, len(p.Instrs)) {
				return false
			}
		}
		return true
	}
	b := r.Block()
	for i, instr := range b.Instrs {
		if instr == r {
			if back(b, i) {
				return found
			}
			return nil
		}
	}
	return nil
}

// localChan returns the channel made in the package that v is: a make,
// through captures and a variable stored once.
func localChan(v ssa.Value) *ssa.MakeChan {
	v = resolve(v, 0)
	if ld, ok := v.(*ssa.UnOp); ok && ld.Op == token.MUL {
		a, _ := resolve(ld.X, 0).(*ssa.Alloc)
		if a == nil {
			return nil
		}
		var val ssa.Value
		for _, r := range *a.Referrers() {
			if st, ok := r.(*ssa.Store); ok && st.Addr == a {
				if val != nil {
					return nil // reassigned
				}
				val = st.Val
			}
		}
		v = val
	}
	mc, _ := v.(*ssa.MakeChan)
	return mc
}
