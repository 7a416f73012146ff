package chanuse

import (
	"go/constant"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/ssa"
)

// RoomSends returns the package's sends that cannot block: the coalescing
// notify, a send that a test of the channel's length guards (`if
// len(w.notify) == 0 { w.notify <- true }`, RoomChecked), on a
// private field whose every make leaves the room the test asks for, while
// no other sender can fill the buffer between the test and the send:
// every send on the field is such a tested send, and they are all in one
// function that only one function calls (one goroutine sends), or a lock
// held across test and send (in the sender or at every call of it)
// serialises them. On an unbuffered channel the test proves nothing.
func RoomSends(funcs []*ssa.Function, classes map[*types.Var]*Class) map[*ssa.Send]bool {
	out := map[*ssa.Send]bool{}
	if !anyRoomChecked(funcs) {
		return out
	}
	var uses map[*ssa.Function][]ssa.Instruction
	for _, c := range classes {
		if c == nil || c.Stored || len(c.Makes) == 0 {
			continue
		}
		var sends []*ssa.Send
		ok := true
		for _, op := range c.Ops {
			switch op.Kind {
			case SelectSend:
				ok = false // another sender, not tested
			case Send:
				s, isSend := op.Instr.(*ssa.Send)
				need := 0
				if isSend {
					need = RoomChecked(s)
				}
				for _, m := range c.Makes {
					if n := capacityOf(m); n < need || n < 1 {
						need = 0
					}
				}
				if need == 0 {
					ok = false
				} else {
					sends = append(sends, s)
				}
			}
		}
		if !ok || len(sends) == 0 {
			continue
		}
		if uses == nil {
			uses = functionUses(funcs)
		}
		if oneSender(sends, uses) || serialised(sends, uses) {
			for _, s := range sends {
				out[s] = true
			}
		}
	}
	// Channels the package makes and keeps to itself (or hands out):
	// the same, over the functions that see them.
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				mc, ok := in.(*ssa.MakeChan)
				if !ok || capacityOf(mc) < 1 {
					continue
				}
				ch := Follow(mc)
				if ch.Escapes || ch.Field != nil {
					continue
				}
				var sends []*ssa.Send
				ok = true
				for _, n := range ch.Nodes {
					for _, op := range n.Ops {
						switch op.Kind {
						case SelectSend:
							ok = false
						case Send:
							s, isSend := op.Instr.(*ssa.Send)
							if !isSend || RoomChecked(s) < 1 || RoomChecked(s) > capacityOf(mc) {
								ok = false
							} else {
								sends = append(sends, s)
							}
						}
					}
				}
				if !ok || len(sends) == 0 {
					continue
				}
				if uses == nil {
					uses = functionUses(funcs)
				}
				if oneSender(sends, uses) || serialised(sends, uses) {
					for _, s := range sends {
						out[s] = true
					}
				}
			}
		}
	}
	return out
}

// capacityOf returns the buffer mc makes, or -1 when it is not a
// constant.
func capacityOf(mc *ssa.MakeChan) int {
	c, ok := mc.Size.(*ssa.Const)
	if !ok || c.Value == nil {
		return -1
	}
	n, ok := constant.Int64Val(constant.ToInt(c.Value))
	if !ok || n < 0 || n > 1<<20 {
		return -1
	}
	return int(n)
}

// oneSender reports whether sends are all in one function that a single
// other function calls, and nothing else uses: one goroutine sends.
func oneSender(sends []*ssa.Send, uses map[*ssa.Function][]ssa.Instruction) bool {
	g := sends[0].Parent()
	for _, s := range sends {
		if s.Parent() != g {
			return false
		}
	}
	if g.Parent() != nil {
		// A function literal, made once (not in a loop).
		us := uses[g]
		return len(us) == 1 && us[0] != nil && !ssaloop.InLoop(us[0].Block())
	}
	if token.IsExported(g.Name()) || len(uses[g]) == 0 {
		return false
	}
	var caller *ssa.Function
	for _, u := range uses[g] {
		c, ok := u.(*ssa.Call)
		if !ok || c.Call.StaticCallee() != g || (caller != nil && c.Parent() != caller) {
			return false
		}
		caller = c.Parent()
	}
	return caller != g
}

// serialised reports whether one lock is held at every send of sends:
// taken in the sender, or at every call of it.
func serialised(sends []*ssa.Send, uses map[*ssa.Function][]ssa.Instruction) bool {
	var common map[any]bool
	for _, s := range sends {
		held := heldLocks(s)
		if g := s.Parent(); g.Parent() == nil && !token.IsExported(g.Name()) && len(uses[g]) > 0 {
			var callers map[any]bool
			for _, u := range uses[g] {
				c, ok := u.(*ssa.Call)
				if !ok || c.Call.StaticCallee() != g {
					callers = nil
					break
				}
				callers = intersect(callers, heldLocks(c))
			}
			for k := range callers {
				held[k] = true
			}
		}
		common = intersect(common, held)
		if len(common) == 0 {
			return false
		}
	}
	return len(common) > 0
}

// intersect returns the keys in both a and b; a nil a is everything.
func intersect(a, b map[any]bool) map[any]bool {
	if a == nil {
		return b
	}
	out := map[any]bool{}
	for k := range a {
		if b[k] {
			out[k] = true
		}
	}
	return out
}

// heldLocks returns the mutexes (LockKey) held at instr by a Lock
// of its own function.
func heldLocks(instr ssa.Instruction) map[any]bool {
	out := map[any]bool{}
	for _, b := range instr.Parent().Blocks {
		for _, in := range b.Instrs {
			c, ok := in.(*ssa.Call)
			if !ok {
				continue
			}
			if name, k := LockKey(&c.Call); k != nil && name == "Lock" && HeldAt(c, instr, k) {
				out[k] = true
			}
		}
	}
	return out
}

// functionUses maps each function of funcs to the instructions that name
// it; a dynamic call of a method of the same name counts as a use that is
// not a static call (nil).
func functionUses(funcs []*ssa.Function) map[*ssa.Function][]ssa.Instruction {
	out := map[*ssa.Function][]ssa.Instruction{}
	invoked := map[string]bool{}
	var ops []*ssa.Value
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				if c, ok := in.(ssa.CallInstruction); ok && c.Common().IsInvoke() {
					invoked[c.Common().Method.Name()] = true
				}
				for _, op := range in.Operands(ops[:0]) {
					g, ok := (*op).(*ssa.Function)
					if !ok {
						continue
					}
					out[g] = append(out[g], in)
					if g.Synthetic != "" {
						// A bound method or a wrapper: what it calls is
						// called from anywhere the value goes.
						for _, wb := range g.Blocks {
							for _, wi := range wb.Instrs {
								if c, ok := wi.(ssa.CallInstruction); ok && c.Common().StaticCallee() != nil {
									out[c.Common().StaticCallee()] = append(out[c.Common().StaticCallee()], nil)
								}
							}
						}
					}
				}
			}
		}
	}
	for _, fn := range funcs {
		if fn.Signature.Recv() != nil && invoked[fn.Name()] {
			out[fn] = append(out[fn], nil)
		}
	}
	return out
}

// anyRoomChecked reports whether some send of funcs is room-checked.
func anyRoomChecked(funcs []*ssa.Function) bool {
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				if s, ok := in.(*ssa.Send); ok && RoomChecked(s) > 0 {
					return true
				}
			}
		}
	}
	return false
}
