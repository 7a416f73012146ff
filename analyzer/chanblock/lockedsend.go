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
// channel does so in a loop that, between two receives, can lock that same
// mutex field: once the buffer is full (at once when unbuffered) the
// sender waits with the mutex held, and the receivers wait for the mutex
// before they take the next value (treeverse/lakeFS#1390).
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
	classes := chanuse.Fields(st.pass.Pkg, st.sealed, funcs)
	for _, c := range classes {
		if c.Escapes || c.Stored {
			continue
		}
		var sends, recvs []chanuse.FieldOp
		ok := true
		for _, op := range c.Ops {
			switch op.Kind {
			case chanuse.Send:
				sends = append(sends, op)
			case chanuse.Recv:
				recvs = append(recvs, op)
			case chanuse.SelectRecv:
				ok = false // a receiver that can also do something else
			}
		}
		if !ok || len(sends) == 0 || len(recvs) == 0 {
			continue
		}
		for _, s := range sends {
			send := s.Instr
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
					fn := r.Instr.Parent()
					if fn == send.Parent() || !started[fn] || !ssaloop.InLoop(r.Instr.Block()) {
						all = false
						break
					}
					var found *ssa.Call
					for _, l := range lockCalls(fn, "Lock", "RLock") {
						if l.field != mu || (lk.name == "RLock" && l.name == "RLock") {
							continue
						}
						if reaches(r.Instr, l.call) && reaches(l.call, r.Instr) {
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
					Message: fmt.Sprintf("this send on field %s holds %s (locked at line %d), and its receivers lock %s in their receive loop (line %d) before they take the next value: once the channel is full, the send waits for a receiver and the receiver waits for %s, forever",
						c.Field.Name(), mu.Name(), line(lk.call.Pos()), mu.Name(), line(relock.Pos()), mu.Name()),
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
		if indexIn(lock) > indexIn(instr) {
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
	queue := []pos{{lock.Block(), indexIn(lock) + 1}}
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
	if a.Block() == b.Block() && indexIn(a) < indexIn(b) {
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
