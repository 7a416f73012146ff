package chanmodel

import (
	"go/token"
	"go/types"
	"strconv"

	"github.com/asyncgo/asyncgo/analyzer/internal/census"
	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// Models rooted at a sync object. A deadlock that involves no channel (a
// WaitGroup whose Wait never returns because a Done is skipped on some
// path or fewer goroutines were started than added, a goroutine that
// needs a lock the waiter holds across Wait, a lock taken twice) is
// outside the models rooted at a channel's make. Here the root is a
// local sync.WaitGroup, Mutex or RWMutex (a local variable or new value,
// or a field of one: its identity is certain, as sync.go requires), the
// nodes are its maker and the functions its pointer reaches
// (chanuse.FollowObject: the goroutines started with it, the helpers
// called with it), and the exploration is the same: sync.go models the
// root and every other object of the nodes whose identity is certain,
// the exploration begins after the root's allocation, and a witness is a
// state where only waits on objects are left. Channel operations in the
// nodes are not modelled (they return at once): that lets goroutines go
// further than the program may, which can hide a deadlock but not make
// one up.

// SyncRoot is a local sync object a model can be rooted at: the value
// Alloc makes (Field -1), or its field Field.
type SyncRoot struct {
	Alloc *ssa.Alloc
	Field int
}

// SyncRoots returns the local WaitGroups and locks fn makes: variables
// and new values of type sync.WaitGroup, Mutex or RWMutex, and those
// types' fields (not through pointers) of a struct fn makes.
func SyncRoots(fn *ssa.Function) []SyncRoot {
	var rs []SyncRoot
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			a, ok := in.(*ssa.Alloc)
			if !ok {
				continue
			}
			t := deref(a.Type())
			if syncType(t) {
				rs = append(rs, SyncRoot{a, -1})
				continue
			}
			st, ok := t.Underlying().(*types.Struct)
			if !ok {
				continue
			}
			for i := 0; i < st.NumFields(); i++ {
				if syncType(st.Field(i).Type()) {
					rs = append(rs, SyncRoot{a, i})
				}
			}
		}
	}
	return rs
}

// syncType reports whether t is sync.WaitGroup, Mutex or RWMutex.
func syncType(t types.Type) bool {
	nt, ok := t.(*types.Named)
	if !ok || nt.Obj().Pkg() == nil || nt.Obj().Pkg().Path() != "sync" {
		return false
	}
	switch nt.Obj().Name() {
	case "WaitGroup", "Mutex", "RWMutex":
		return true
	}
	return false
}

// CheckRoot explores the goroutines that share the object r and returns
// the waits on objects some interleaving leaves blocked forever, each
// once with its first witness. It returns nothing when the object
// escapes, when the model is outside what the checker follows (the same
// give-ups as a channel's), when the root's uses are not all modelled
// operations, or when budget states are spent.
//
// The positions returned are those of the model's operations on the
// root, for the caller to tell a pattern rule's report on the same
// object.
func CheckRoot(r SyncRoot, budget int) ([]Stuck, []token.Pos) {
	if noSync {
		return nil, nil
	}
	fset := r.Alloc.Parent().Prog.Fset
	say := func(format string, args ...any) {
		if census.On() {
			census.Printf(fset, r.Alloc.Pos(), format, args...)
		}
	}
	ch := chanuse.FollowObject(r.Alloc, r.Field)
	if ch.Escapes {
		say("sync root: escapes its maker (%s)", ch.Why)
		return nil, nil
	}
	m := newModel(ch)
	if m == nil {
		say("sync root: gives up: %s", ch.Why)
		return nil, nil
	}
	m.start = r.Alloc
	for _, n := range m.ch.Nodes {
		if m.canon[n] != n {
			continue
		}
		if !m.loopsOf(n) {
			say("sync root: gives up: loop not followed (%s)", m.loopWhy)
			return nil, nil
		}
	}
	if len(m.keys) > 4 {
		say("sync root: gives up: over 4 loop keys")
		return nil, nil
	}
	m.sy = m.buildSync()
	if !m.rootFollowed(r) {
		say("sync root: not followed (a use outside the model)")
		return nil, nil
	}
	say("sync root: checked, %d nodes", len(ch.Nodes))
	return m.explore(budget), m.rootOps(r)
}

// rootOps returns where the model's operations on the root are, and the
// extent of the functions they are in (their start and end, in pairs
// after a zero Pos).
func (m *model) rootOps(r SyncRoot) []token.Pos {
	i := m.sy.index[m.rootKeyOf(r)]
	var ps []token.Pos
	for _, ops := range m.sy.ops {
		for _, op := range ops {
			if op.obj == i {
				ps = append(ps, syncPos(op))
			}
		}
	}
	ps = append(ps, token.NoPos)
	seen := map[*ssa.Function]bool{}
	for n, ops := range m.sy.ops {
		for _, op := range ops {
			if op.obj == i && !seen[n.Fn] && n.Fn.Syntax() != nil {
				seen[n.Fn] = true
				ps = append(ps, n.Fn.Syntax().Pos(), n.Fn.Syntax().End())
			}
		}
	}
	return ps
}

func (m *model) rootKeyOf(r SyncRoot) objKey {
	k := objKey{base: r.Alloc}
	if r.Field >= 0 {
		k.path = "." + strconv.Itoa(r.Field)
	}
	return k
}

// rootFollowed reports whether the model follows the root object: it has
// operations left after sync.go's checks.
func (m *model) rootFollowed(r SyncRoot) bool {
	if m.sy == nil {
		return false
	}
	i, ok := m.sy.index[m.rootKeyOf(r)]
	if !ok {
		return false
	}
	for _, ops := range m.sy.ops {
		for _, op := range ops {
			if op.obj == i {
				return true
			}
		}
	}
	return false
}
