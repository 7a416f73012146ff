package lockorder

import (
	"strings"

	"golang.org/x/tools/go/ssa"
)

// One object known by its value only (issue 14, item 1; pion/turn#91).
//
// A handler looks an object up (a map lookup, a call's result, a type
// assertion: values with no instance key, whose locks are known by class)
// and then locks it around a call of the object's own method that locks
// it too:
//
//	a := s.allocations[ft]
//	a.mu.Lock()
//	a.setLifetime(d) // locks a.mu
//	a.mu.Unlock()
//
// The class of a.mu is all the analysis knew, and a class held twice is
// not a double lock (two objects of one type nest often). But the SSA
// value a is one object: the lock taken on it directly and the lock the
// callee takes on the same value through the same field path are one
// mutex, locked twice.
//
// Besides, a local object whose mutex is locked twice is excused as the
// "wait for another goroutine to unlock it" idiom when it is shared (stored
// away, passed to a call); that idiom needs a function that unlocks the
// mutex's field without locking it (the goroutine that releases it). When
// no function of the package does, nothing else can release the lock.

// valueObj returns the object value and the field path (".mu", ".s.mu")
// of a mutex address made of field selections only, or nil.
func valueObj(v ssa.Value) (ssa.Value, string) {
	path := ""
	for range 8 {
		fa, ok := v.(*ssa.FieldAddr)
		if !ok {
			break
		}
		path = "." + fieldName(fa.X.Type(), fa.Field) + path
		v = fa.X
	}
	if path == "" || inst(v) != "" {
		return nil, "" // an instance key already names it
	}
	switch v.(type) {
	case *ssa.Lookup, *ssa.Call, *ssa.TypeAssert, *ssa.Extract, *ssa.UnOp, *ssa.Phi:
		return v, path
	}
	return nil, ""
}

// calleeObj returns the object value and field path of a callee's acquire
// of a plain field of one of its parameters, or nil.
func calleeObj(call *ssa.CallCommon, a Acq) (ssa.Value, string) {
	if !strings.HasPrefix(a.Root, "{p") || a.Path == "" || strings.ContainsAny(a.Path, "^<[&") {
		return nil, ""
	}
	v := argOf(call, a.Root)
	if v == nil || inst(v) != "" {
		return nil, ""
	}
	switch v.(type) {
	case *ssa.Lookup, *ssa.Call, *ssa.TypeAssert, *ssa.Extract, *ssa.UnOp, *ssa.Phi:
		return v, a.Path
	}
	return nil, ""
}

// sameValueDouble reports li, known by class, as a double lock when a lock
// held now was taken on the same object value through the same path.
func (f *fnChecker) sameValueDouble(s *state, li *lockInfo) {
	if li.obj == nil || li.maybe || li.once != "" || f.indirect > 0 {
		return
	}
	for _, h := range s.held {
		if h.obj == li.obj && h.objPath == li.objPath && h.fkey == li.fkey && h.once == "" {
			f.found(li.pos, func(sfx string) { f.c.doubleLock(f.fn, h, li, sfx) })
			return
		}
	}
}

// noteForeignUnlocks records the mutex fields some function of the
// package unlocks without locking them itself (directly or deferred).
func (c *checker) noteForeignUnlocks(fn *ssa.Function) {
	locked, unlocked := map[string]bool{}, map[string]bool{}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ci, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			callee := ci.Common().StaticCallee()
			if callee == nil || len(ci.Common().Args) == 0 {
				continue
			}
			name := funcName(callee)
			_, isLock := lockFuncs[name]
			if !isLock && !unlockFuncs[name] {
				continue
			}
			fk, _ := c.lockField(ci.Common().Args[0])
			if fk == "" {
				continue
			}
			if isLock {
				locked[fk] = true
			} else {
				unlocked[fk] = true
			}
		}
	}
	for fk := range unlocked {
		if !locked[fk] {
			c.foreignUnlock[fk] = true
		}
	}
}
