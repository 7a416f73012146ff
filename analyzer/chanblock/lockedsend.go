package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// lockedSends reports a plain send on a private channel field made while
// holding a mutex field, when every goroutine that receives from the
// channel (reading the field, or started with its value as an argument)
// does so in a loop, plainly or in a select, that between two receives can
// lock that same mutex field: the sender waits with the mutex held for a
// receiver that waits for the mutex (treeverse/lakeFS#1390,
// portworx/sched-ops#359). Channels made with a constant buffer are left
// alone (the usual fix for a one-shot stop).
func lockedSends(st *state, funcs []*ssa.Function) {
	started := map[*ssa.Function]bool{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if g, ok := instr.(*ssa.Go); ok {
					if callee := g.Call.StaticCallee(); callee != nil {
						started[callee] = true
					}
				}
			}
		}
	}
	for f, fc := range fieldChans(st, funcs) {
		if !fc.ok || len(fc.sends) == 0 || len(fc.recvs) == 0 {
			continue
		}
		// A constant buffer (a stop signal's room for one) is left
		// alone: only an unbuffered channel, or one whose buffer the
		// callers size, can be full at the send.
		buffered := false
		for _, mc := range fc.makes {
			if capacity(mc) >= 1 {
				buffered = true
			}
		}
		if buffered || len(fc.makes) == 0 {
			continue
		}
		sends, recvs := fc.sends, fc.recvs
		for _, send := range sends {
			for _, lk := range lockCalls(send.Parent(), "Lock", "RLock") {
				mu := lk.field
				if !heldAt(lk.call, send, mu) {
					continue
				}
				// Every receive: in a loop of a function started as a
				// goroutine, whose body can lock mu before the next
				// receive.
				var relock *ssa.Call
				all := true
				for _, r := range recvs {
					fn := r.Parent()
					if fn == send.Parent() || !started[fn] || !ssaloop.InLoop(r.Block()) {
						all = false
						break
					}
					var found *ssa.Call
					for _, l := range lockCalls(fn, "Lock", "RLock") {
						if l.field != mu || (lk.name == "RLock" && l.name == "RLock") {
							continue
						}
						if reaches(r, l.call) && reaches(l.call, r) {
							found = l.call
							break
						}
					}
					if found == nil {
						all = false
						break
					}
					if relock == nil {
						relock = found
					}
				}
				if !all {
					continue
				}
				line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
				st.Report(analysis.Diagnostic{
					Pos:      send.Pos(),
					Category: "deadlock",
					Message: fmt.Sprintf("this send on field %s holds mutex field %s (locked at line %d), and its receivers can lock %s between two receives (line %d): when a receiver is there, or once the buffer is full, the send waits for a receiver that waits for %s, forever",
						f.Name(), mu.Name(), line(lk.call.Pos()), mu.Name(), line(relock.Pos()), mu.Name()),
					Related: []analysis.RelatedInformation{
						{Pos: lk.call.Pos(), Message: "the mutex is locked here and still held at the send"},
						{Pos: relock.Pos(), Message: "a receiver locks it here, between two receives"},
					},
				})
				break
			}
		}
	}
}

// fieldChan is what the package does with the channel kept in one
// private struct field: the plain sends on it, the receives (plain or in a
// select, also in a function started with the channel as an argument),
// and the makes stored in it; ok is false when the channel goes anywhere
// else.
type fieldChan struct {
	sends []*ssa.Send
	recvs []ssa.Instruction
	makes []*ssa.MakeChan
	ok    bool
}

func fieldChans(st *state, funcs []*ssa.Function) map[*types.Var]*fieldChan {
	out := map[*types.Var]*fieldChan{}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				fa, ok := instr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				f := chanuse.StructFieldOf(fa)
				if f == nil || f.Pkg() != st.pass.Pkg || !st.sealed.Private(f) {
					continue
				}
				if _, ok := f.Type().Underlying().(*types.Chan); !ok {
					continue
				}
				fc := out[f]
				if fc == nil {
					fc = &fieldChan{ok: true}
					out[f] = fc
				}
				for _, r := range *fa.Referrers() {
					switch r := r.(type) {
					case *ssa.DebugRef:
					case *ssa.Store:
						if r.Addr != fa {
							fc.ok = false
						} else if mc, ok := r.Val.(*ssa.MakeChan); ok {
							fc.makes = append(fc.makes, mc)
							if len(*mc.Referrers()) > 2 {
								fc.ok = false // also kept elsewhere
							}
						} else if c, ok := r.Val.(*ssa.Const); !ok || !c.IsNil() {
							fc.ok = false
						}
					case *ssa.UnOp:
						if r.Op != token.MUL || !fc.uses(r, true) {
							fc.ok = false
						}
					default:
						fc.ok = false
					}
				}
			}
		}
	}
	return out
}

// uses records the uses of v, the field's channel; a go statement of a
// package function may get it as an argument (when follow), whose
// parameter is then followed. It reports whether every use is understood.
func (fc *fieldChan) uses(v ssa.Value, follow bool) bool {
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Send:
			if r.Chan != v {
				return false
			}
			fc.sends = append(fc.sends, r)
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				return false
			}
			fc.recvs = append(fc.recvs, r)
		case *ssa.Select:
			for _, s := range r.States {
				if s.Send == v || (s.Chan == v && s.Dir != types.RecvOnly) {
					return false
				}
				if s.Chan == v {
					fc.recvs = append(fc.recvs, r)
				}
			}
		case *ssa.Go:
			fn := r.Call.StaticCallee()
			if !follow || fn == nil || fn.Blocks == nil || r.Call.IsInvoke() || r.Call.Value == v {
				return false
			}
			for i, a := range r.Call.Args {
				if a != v {
					continue
				}
				if i >= len(fn.Params) || !fc.uses(fn.Params[i], false) {
					return false
				}
			}
		case *ssa.BinOp:
			if r.Op != token.EQL && r.Op != token.NEQ {
				return false // a nil test
			}
		case *ssa.Call:
			b, ok := r.Call.Value.(*ssa.Builtin)
			if !ok || (b.Name() != "close" && b.Name() != "len" && b.Name() != "cap") {
				return false
			}
		case *ssa.ChangeType:
			if !fc.uses(r, follow) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// lockCall is a Lock (or RLock) of a mutex kept in a struct field.
type lockCall struct {
	call  *ssa.Call
	field *types.Var
	name  string
}

// lockCalls returns fn's calls of the given sync.Mutex/RWMutex methods
// on a mutex field.
func lockCalls(fn *ssa.Function, names ...string) []lockCall {
	var out []lockCall
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			name, f := mutexCall(&call.Call)
			if f == nil {
				continue
			}
			for _, n := range names {
				if n == name {
					out = append(out, lockCall{call, f, name})
				}
			}
		}
	}
	return out
}

// mutexCall returns the method and the mutex field when c calls a method
// of a sync.Mutex or sync.RWMutex kept in a struct field.
func mutexCall(c *ssa.CallCommon) (string, *types.Var) {
	fn := c.StaticCallee()
	if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "sync" || len(c.Args) == 0 {
		return "", nil
	}
	recv := fn.Signature.Recv()
	if recv == nil {
		return "", nil
	}
	p, ok := recv.Type().(*types.Pointer)
	if !ok {
		return "", nil
	}
	nt, ok := p.Elem().(*types.Named)
	if !ok || (nt.Obj().Name() != "Mutex" && nt.Obj().Name() != "RWMutex") {
		return "", nil
	}
	fa, ok := c.Args[0].(*ssa.FieldAddr)
	if !ok {
		return "", nil
	}
	return fn.Name(), chanuse.StructFieldOf(fa)
}

// heldAt reports whether the lock taken by lock is still held at instr:
// lock comes first on every path to instr (it dominates it), and no path
// from lock to instr passes a (non-deferred) unlock of the same field.
func heldAt(lock *ssa.Call, instr ssa.Instruction, mu *types.Var) bool {
	if lock.Block() == instr.Block() {
		if index(lock) > index(instr) {
			return false
		}
	} else if !lock.Block().Dominates(instr.Block()) {
		return false
	}
	unlock := func(in ssa.Instruction) bool {
		c, ok := in.(*ssa.Call)
		if !ok {
			return false
		}
		name, f := mutexCall(&c.Call)
		return f == mu && (name == "Unlock" || name == "RUnlock")
	}
	type pos struct {
		b *ssa.BasicBlock
		i int
	}
	// Only the blocks from which instr can still be reached.
	toInstr := map[*ssa.BasicBlock]bool{instr.Block(): true}
	back := []*ssa.BasicBlock{instr.Block()}
	for len(back) > 0 {
		x := back[len(back)-1]
		back = back[:len(back)-1]
		for _, pr := range x.Preds {
			if !toInstr[pr] {
				toInstr[pr] = true
				back = append(back, pr)
			}
		}
	}
	seen := map[*ssa.BasicBlock]bool{}
	queue := []pos{{lock.Block(), index(lock) + 1}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if !toInstr[p.b] {
			continue
		}
		if p.i == 0 {
			if seen[p.b] {
				continue
			}
			seen[p.b] = true
		}
		next := true
		for _, in := range p.b.Instrs[p.i:] {
			if in == instr {
				next = false
				break
			}
			if unlock(in) {
				return false
			}
		}
		if !next {
			continue
		}
		for _, s := range p.b.Succs {
			queue = append(queue, pos{s, 0})
		}
	}
	return true
}

// reaches reports whether a path of their function leads from a to b.
func reaches(a, b ssa.Instruction) bool {
	if a.Block() == b.Block() && index(a) < index(b) {
		return true
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
