package chanmodel

import (
	"go/types"
	"strconv"
	"strings"

	"github.com/asyncgo/asyncgo/analyzer/internal/census"
	"golang.org/x/tools/go/ssa"
)

// A lock or WaitGroup kept in a package variable (var mu sync.Mutex, or
// a field of one: var cache struct{ mu sync.Mutex; m map[string]int })
// is one object: its identity is certain wherever the package names it.
// What is not certain is who else uses it: any function of the package
// may, and exported ones can be called from anywhere, at any time, on
// any goroutine. The model follows such an object only when those other
// users cannot change what it finds:
//
//   - the variable is unexported (no other package can name it), and
//     its address goes nowhere: every use in the package is a call of
//     the object's own methods (Lock, Unlock, RLock, RUnlock; Add, Done,
//     Wait), never a store, a copy or an argument;
//   - a lock is taken and released in the same function: every Unlock
//     (RUnlock) of it, deferred or not, runs after a Lock (RLock) of it
//     in the same function (it dominates it). A function outside the
//     model then cannot release a lock a goroutine of the model holds,
//     nor can the model's functions release one a caller holds; another
//     caller can only make the model's goroutines wait longer, never let
//     a stuck one go;
//   - a WaitGroup is used only in the model's functions, and none of
//     them but the root runs outside the model (exported, or referred to
//     by a function outside it): a Done elsewhere could release a stuck
//     Wait.
//
// The model starts with the object in its zero state, as the first call
// of the model's root finds it when no other user runs: a witness is an
// execution that can happen. Anything else leaves the object unmodelled
// (its operations return at once), as for a local one.

// globalConfined reports whether g, the package variable at the root of
// object obj (path is the field path from it down to the object), is
// followed: see above. The calls on it in the model's functions are
// recorded in b.reached, for buildSync to check that they are the
// model's operations.
func (b *syncBuild) globalConfined(g *ssa.Global, path string, kind objKind, obj int) bool {
	why := b.globalWhy(g, path, kind, obj)
	if census.On() {
		if why == "" {
			why = "followed"
		} else {
			why = "not followed (" + why + ")"
		}
		census.Printf(g.Pkg.Prog.Fset, g.Pos(), "global %s%s: %s", g.Name(), path, why)
		return why == "followed"
	}
	return why == ""
}

// globalWhy tells why globalConfined does not follow the object; "" when
// it does.
func (b *syncBuild) globalWhy(g *ssa.Global, path string, kind objKind, obj int) string {
	v, ok := g.Object().(*types.Var)
	if !ok || v.Exported() || g.Pkg == nil || g.Pkg != b.m.ch.Nodes[0].Fn.Pkg {
		return "exported, or of another package"
	}
	if kind != kMu && kind != kWG {
		return "not a lock or WaitGroup"
	}
	for _, fn := range b.packageFuncs(g.Pkg) {
		uses, ok := globalUses(fn, g, path)
		if !ok {
			return "used other than through its methods in " + fn.Name()
		}
		if len(uses) == 0 {
			continue
		}
		inModel := b.fns[fn]
		if kind == kWG && (!inModel || fn != b.m.ch.Nodes[0].Fn && b.calledOutside(fn)) {
			return "a WaitGroup used outside the model, in " + fn.Name() // a Done there could release a Wait
		}
		var locks, unlocks []ssa.Instruction
		for _, u := range uses {
			a, r := u.addr, u.in
			c, ok := r.(ssa.CallInstruction)
			if _, isGo := r.(*ssa.Go); !ok || isGo {
				return "used other than through its methods in " + fn.Name()
			}
			typ, meth := syncMethod(c.Common())
			if typ == "" || typ == "Cond" || c.Common().Args[0] != a || argAgain(c.Common(), a) {
				return "used other than through its methods in " + fn.Name()
			}
			switch meth {
			case "Lock", "RLock":
				locks = append(locks, r)
			case "Unlock", "RUnlock":
				unlocks = append(unlocks, r)
			case "Add", "Done", "Wait":
			default:
				return meth + " called in " + fn.Name()
			}
			if inModel {
				b.reached[obj][r] = true
			}
		}
		for _, u := range unlocks {
			if !lockedBefore(u, locks) {
				return "released without a lock before it in " + fn.Name()
			}
		}
	}
	return ""
}

// operandOf reports whether v is an operand of in.
func operandOf(in ssa.Instruction, v ssa.Value) bool {
	var rands [8]*ssa.Value
	for _, op := range in.Operands(rands[:0]) {
		if op != nil && *op == v {
			return true
		}
	}
	return false
}

// calledOutside reports whether fn may run outside the model whose
// functions are fns: it is exported, or a function of the package
// outside fns calls it, starts it or takes it as a value. Its uses of a
// WaitGroup then run outside the model too.
func (b *syncBuild) calledOutside(fn *ssa.Function) bool {
	if fn.Pkg == nil || fn.Object() != nil && fn.Object().Exported() {
		return true
	}
	for _, g := range b.packageFuncs(fn.Pkg) {
		if b.fns[g] {
			continue
		}
		for _, blk := range g.Blocks {
			for _, in := range blk.Instrs {
				if operandOf(in, fn) {
					return true
				}
			}
		}
	}
	return false
}

// argAgain reports whether a is also an argument of c after the receiver.
func argAgain(c *ssa.CallCommon, a ssa.Value) bool {
	for _, x := range c.Args[1:] {
		if x == a {
			return true
		}
	}
	return false
}

// lockedBefore reports whether one of locks, a Lock or RLock matching
// the kind of unlock u, dominates u.
func lockedBefore(u ssa.Instruction, locks []ssa.Instruction) bool {
	_, um := syncMethod(u.(ssa.CallInstruction).Common())
	want := "Lock"
	if um == "RUnlock" {
		want = "RLock"
	}
	for _, l := range locks {
		if _, lm := syncMethod(l.(ssa.CallInstruction).Common()); lm != want {
			continue
		}
		if isDefer(l) {
			continue
		}
		if before(l, u) {
			return true
		}
	}
	return false
}

// use is an instruction using the object's address addr.
type use struct {
	addr ssa.Value
	in   ssa.Instruction
}

// globalUses returns the uses of the object (g, then the fields along
// path) in fn; false when fn uses g otherwise than down to them (g
// itself stored, copied or handed on when the object is a field of it,
// or a field on the path used otherwise). Another field of g cannot
// reach the object.
func globalUses(fn *ssa.Function, g *ssa.Global, path string) ([]use, bool) {
	var uses []use
	ok := true
	var down func(fa *ssa.FieldAddr, rest string)
	down = func(fa *ssa.FieldAddr, rest string) {
		f := "." + strconv.Itoa(fa.Field)
		if rest != f && !strings.HasPrefix(rest, f+".") {
			return // another field
		}
		rest = rest[len(f):]
		for _, r := range *fa.Referrers() {
			switch r := r.(type) {
			case *ssa.DebugRef:
			case *ssa.FieldAddr:
				if rest == "" {
					ok = false
				} else {
					down(r, rest)
				}
			default:
				if rest != "" {
					ok = false
				} else {
					uses = append(uses, use{fa, r})
				}
			}
		}
	}
	for _, blk := range fn.Blocks {
		for _, in := range blk.Instrs {
			if _, dbg := in.(*ssa.DebugRef); dbg {
				continue
			}
			if !operandOf(in, g) {
				continue
			}
			if path == "" {
				uses = append(uses, use{g, in})
				continue
			}
			fa, isField := in.(*ssa.FieldAddr)
			if !isField {
				return nil, false
			}
			down(fa, path)
		}
	}
	return uses, ok
}

// packageFuncs returns the functions of pkg with a body: its functions
// and methods, and the function literals in them.
func (b *syncBuild) packageFuncs(pkg *ssa.Package) []*ssa.Function {
	if b.pkgFuncs != nil {
		return b.pkgFuncs
	}
	var fs []*ssa.Function
	add := func(fn *ssa.Function) {
		if fn == nil || fn.Pkg != pkg || fn.Blocks == nil {
			return
		}
		fs = append(fs, fn)
		for i := len(fs) - 1; i < len(fs); i++ {
			fs = append(fs, fs[i].AnonFuncs...)
		}
	}
	for _, m := range pkg.Members {
		switch m := m.(type) {
		case *ssa.Function:
			add(m)
		case *ssa.Type:
			for _, t := range []types.Type{m.Type(), types.NewPointer(m.Type())} {
				ms := pkg.Prog.MethodSets.MethodSet(t)
				for i := 0; i < ms.Len(); i++ {
					if fn := pkg.Prog.MethodValue(ms.At(i)); fn != nil && fn.Synthetic == "" {
						add(fn)
					}
				}
			}
		}
	}
	b.pkgFuncs = fs
	return fs
}
