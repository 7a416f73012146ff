package chanuse

import (
	"go/types"

	"golang.org/x/tools/go/ssa"
)

// MutexCall returns the method and the mutex field when c calls a method
// of a sync.Mutex or sync.RWMutex kept in a struct field.
func MutexCall(c *ssa.CallCommon) (string, *types.Var) {
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
	return fn.Name(), StructFieldOf(fa)
}

// LockKey returns the method and the mutex when c calls a method of a
// sync.Mutex or sync.RWMutex: its struct field (a *types.Var), or the
// variable, global or parameter that addresses it.
func LockKey(c *ssa.CallCommon) (string, any) {
	name, f := MutexCall(c)
	if f != nil {
		return name, f
	}
	fn := c.StaticCallee()
	if fn == nil || fn.Pkg == nil || fn.Pkg.Pkg.Path() != "sync" || fn.Signature.Recv() == nil || len(c.Args) == 0 {
		return "", nil
	}
	p, ok := fn.Signature.Recv().Type().(*types.Pointer)
	if !ok {
		return "", nil
	}
	if n, ok := p.Elem().(*types.Named); !ok || n.Obj().Name() != "Mutex" && n.Obj().Name() != "RWMutex" {
		return "", nil
	}
	switch x := c.Args[0].(type) {
	case *ssa.Global, *ssa.FreeVar, *ssa.Alloc, *ssa.Parameter:
		return fn.Name(), x
	}
	return "", nil
}

// HeldAt reports whether the lock taken by lock is still held at instr:
// lock comes first on every path to instr (it dominates it), and no path
// from lock to instr passes a (non-deferred) unlock of the same mutex, mu
// (a key as LockKey returns it).
func HeldAt(lock *ssa.Call, instr ssa.Instruction, mu any) bool {
	if lock.Block() == instr.Block() {
		if indexOf(lock) > indexOf(instr) {
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
		name, k := LockKey(&c.Call)
		return k == mu && (name == "Unlock" || name == "RUnlock")
	}
	type pos struct {
		b *ssa.BasicBlock
		i int
	}
	// Only the blocks from which instr can still be reached without
	// taking the lock again: a path through an unlock and back to the
	// lock (the next round of a loop) is another acquisition.
	toInstr := map[*ssa.BasicBlock]bool{instr.Block(): true}
	back := []*ssa.BasicBlock{instr.Block()}
	for len(back) > 0 {
		x := back[len(back)-1]
		back = back[:len(back)-1]
		if x == lock.Block() {
			continue
		}
		for _, pr := range x.Preds {
			if !toInstr[pr] {
				toInstr[pr] = true
				back = append(back, pr)
			}
		}
	}
	seen := map[*ssa.BasicBlock]bool{}
	queue := []pos{{lock.Block(), indexOf(lock) + 1}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if !toInstr[p.b] {
			continue
		}
		if p.i == 0 {
			if seen[p.b] || p.b == lock.Block() {
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

// indexOf returns instr's position in its block.
func indexOf(instr ssa.Instruction) int {
	for i, in := range instr.Block().Instrs {
		if in == instr {
			return i
		}
	}
	return -1
}
