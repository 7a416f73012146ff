package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A wait for a helper whose wake-up the waiter skips on some return.
//
// A function F starts a goroutine G, counted on a WaitGroup (wg.Add(1)
// before the go statement, wg.Done deferred in G), whose every way out
// passes a receive from a private channel field C: G waits for C to be
// closed (a helper that cancels a context once the object shuts down).
// F waits for G on the WaitGroup, with a deferred wg.Wait or a Wait after
// the go statement. When F is the package's only closer of C (no send on
// C anywhere, no other function closes it, F does not defer the close)
// and some path of F from the go statement reaches the Wait (or, for a
// deferred Wait, a return) without closing C, that path leaves G blocked
// in its receive and F blocked in the Wait, forever
// (purpleidea/mgmt#246: the EC2 watcher closed closeChan only when the
// engine asked it to exit, so a watch error returned through a deferred
// wg.Wait while the context helper still waited on closeChan). The
// interleaving checker finds this for a channel local to F; this rule
// covers the channel kept in a field, made elsewhere (an Init method).

// closeSkips reports the waits of closeSkip.
func closeSkips(st *state, funcs []*ssa.Function) {
	type fieldUse struct {
		closers map[*ssa.Function]bool
		sends   bool
		deferC  map[*ssa.Function]bool
		other   bool // used in a way not followed
	}
	uses := map[*types.Var]*fieldUse{}
	get := func(f *types.Var) *fieldUse {
		u := uses[f]
		if u == nil {
			u = &fieldUse{closers: map[*ssa.Function]bool{}, deferC: map[*ssa.Function]bool{}}
			uses[f] = u
		}
		return u
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				fa, ok := instr.(*ssa.FieldAddr)
				if !ok {
					continue
				}
				f := chanuse.StructFieldOf(fa)
				if f == nil {
					continue
				}
				f = f.Origin()
				if _, isChan := f.Type().Underlying().(*types.Chan); !isChan || !st.sealed.Private(f) {
					continue
				}
				u := get(f)
				for _, r := range *fa.Referrers() {
					switch r := r.(type) {
					case *ssa.DebugRef, *ssa.Store:
					case *ssa.UnOp:
						if r.Op != token.MUL {
							u.other = true
							continue
						}
						for _, rr := range *r.Referrers() {
							switch rr := rr.(type) {
							case *ssa.DebugRef, *ssa.BinOp:
							case *ssa.UnOp:
								if rr.Op != token.ARROW {
									u.other = true
								}
							case *ssa.Send:
								u.sends = true
							case *ssa.Select:
								for _, s := range rr.States {
									if s.Chan == r && s.Dir == types.SendOnly {
										u.sends = true
									}
									if s.Send == r {
										u.other = true
									}
								}
							case *ssa.Call:
								if bi, ok := rr.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
									u.closers[r.Parent()] = true
								} else if !ok || bi.Name() != "len" && bi.Name() != "cap" {
									u.other = true
								}
							case *ssa.Defer:
								if bi, ok := rr.Call.Value.(*ssa.Builtin); ok && bi.Name() == "close" {
									u.closers[r.Parent()] = true
									u.deferC[r.Parent()] = true
								} else {
									u.other = true
								}
							default:
								u.other = true
							}
						}
					default:
						u.other = true
					}
				}
			}
		}
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				g, ok := instr.(*ssa.Go)
				if !ok {
					continue
				}
				gf := goFunc(g)
				if gf == nil {
					continue
				}
				for f, u := range uses {
					if u.other || u.sends || len(u.closers) != 1 || !u.closers[fn] || u.deferC[fn] {
						continue
					}
					closeSkip(st, g, gf, f)
				}
			}
		}
	}
}

// closeSkip checks go statement g of F, starting gf, against field f,
// which only F closes.
func closeSkip(st *state, g *ssa.Go, gf *ssa.Function, f *types.Var) {
	fn := g.Parent()
	node := &chanuse.Node{Fn: gf, Go: g}
	// The receives of gf from f, on the object it is started on.
	dead := map[ssa.Value]bool{}
	var recv ssa.Instruction
	for _, b := range gf.Blocks {
		for _, instr := range b.Instrs {
			u, ok := instr.(*ssa.UnOp)
			if !ok || u.Op != token.MUL {
				continue
			}
			fa, ok := u.X.(*ssa.FieldAddr)
			if !ok || chanuse.StructFieldOf(fa) == nil || chanuse.StructFieldOf(fa).Origin() != f {
				continue
			}
			dead[u] = true
			for _, r := range *u.Referrers() {
				if ri, ok := r.(ssa.Instruction); ok && recv == nil {
					if x, ok := r.(*ssa.UnOp); ok && x.Op == token.ARROW {
						recv = ri
					}
					if _, ok := r.(*ssa.Select); ok {
						recv = ri
					}
				}
			}
		}
	}
	if recv == nil || !neverReturnsWith(gf, dead) {
		return
	}
	// The WaitGroup gf defers Done to, counted before g.
	var wg *skipWG
	for _, b := range gf.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Call:
				if wgCall(&in.Call, "Done") != nil {
					return // a Done on the way in: a started signal
				}
			case *ssa.Defer:
				if w := wgCall(&in.Call, "Done"); w != nil {
					wg = skipWGOf(w, node)
				}
			}
		}
	}
	if wg == nil || !skipWGBefore(g, wg, "Add") {
		return
	}
	// F's waits on that WaitGroup: a deferred Wait before g, or a Wait
	// after it.
	var deferred *ssa.Defer
	var waits []*ssa.Call
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			switch in := instr.(type) {
			case *ssa.Defer:
				if w := wgCall(&in.Call, "Wait"); w != nil && skipWGOf(w, nil).same(wg) && precedes(in, g) {
					deferred = in
				}
			case *ssa.Call:
				if w := wgCall(&in.Call, "Wait"); w != nil && skipWGOf(w, nil).same(wg) {
					waits = append(waits, in)
				}
			}
		}
	}
	isClose := func(instr ssa.Instruction) bool {
		c, ok := instr.(*ssa.Call)
		if !ok {
			return false
		}
		bi, ok := c.Call.Value.(*ssa.Builtin)
		if !ok || bi.Name() != "close" || len(c.Call.Args) != 1 {
			return false
		}
		u, ok := c.Call.Args[0].(*ssa.UnOp)
		if !ok || u.Op != token.MUL {
			return false
		}
		x := chanuse.StructFieldOf(u.X)
		return x != nil && x.Origin() == f
	}
	line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
	report := func(at token.Pos, end ssa.Instruction, what string) {
		st.Report(analysis.Diagnostic{
			Pos:      at,
			Category: "deadlock",
			Message: fmt.Sprintf("%s waits for the goroutine started at line %d, which can only return after a receive from field %s of %s (line %d), and %s is the only code that closes that channel: the path through line %d reaches %s without closing it, so the goroutine waits forever and so does this Wait",
				fn.Name(), line(g.Pos()), f.Name(), ownerName(st.sealed, f), line(recv.Pos()), fn.Name(), line(end.Pos()), what),
			Related: []analysis.RelatedInformation{
				{Pos: g.Pos(), Message: "the goroutine is started here, counted on the WaitGroup"},
				{Pos: recv.Pos(), Message: "its only way out waits here for the close"},
				{Pos: end.Pos(), Message: "this path skips the close"},
			},
		})
	}
	if deferred != nil {
		if ret := pathWithout(g, isClose, func(instr ssa.Instruction) bool { _, ok := instr.(*ssa.Return); return ok }); ret != nil {
			report(deferred.Pos(), ret, "a return, which runs the deferred Wait,")
		}
	}
	for _, w := range waits {
		if at := pathWithout(g, isClose, func(instr ssa.Instruction) bool { return instr == w }); at != nil {
			report(w.Pos(), at, "the Wait")
		}
	}
}

// pathWithout returns an instruction target accepts that a path from
// just after from reaches without passing one stop accepts, a panic or a
// call that does not return.
func pathWithout(from ssa.Instruction, stop, target func(ssa.Instruction) bool) ssa.Instruction {
	seen := map[*ssa.BasicBlock]bool{}
	scan := func(instrs []ssa.Instruction) (ssa.Instruction, bool) {
		for _, instr := range instrs {
			if target(instr) {
				return instr, false
			}
			if stop(instr) {
				return nil, false
			}
			switch in := instr.(type) {
			case *ssa.Panic:
				return nil, false
			case *ssa.Call:
				if chanuse.NoReturn(in.Common()) {
					return nil, false
				}
			}
		}
		return nil, true
	}
	b := from.Block()
	hit, cont := scan(b.Instrs[index(from)+1:])
	if hit != nil {
		return hit
	}
	if !cont {
		return nil
	}
	stack := append([]*ssa.BasicBlock(nil), b.Succs...)
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		hit, cont := scan(x.Instrs)
		if hit != nil {
			return hit
		}
		if cont {
			stack = append(stack, x.Succs...)
		}
	}
	return nil
}

// precedes reports whether a comes before b in their function: earlier in
// the same block, or in a block that dominates b's.
func precedes(a, b ssa.Instruction) bool {
	if a.Block() == b.Block() {
		return index(a) < index(b)
	}
	return a.Block().Dominates(b.Block())
}

// skipWG names a WaitGroup: a field (embedded, or a pointer field), or a
// variable of the starting function.
type skipWG struct {
	field *types.Var
	v     ssa.Value
}

func (k *skipWG) same(o *skipWG) bool {
	return k != nil && o != nil && (k.field != nil && k.field == o.field || k.v != nil && k.v == o.v)
}

// skipWGOf names the WaitGroup w (an argument of a WaitGroup method);
// node, when not nil, is the goroutine w is in, whose captured variables
// are followed to its starter.
func skipWGOf(w ssa.Value, node *chanuse.Node) *skipWG {
	if f := chanuse.StructFieldOf(w); f != nil {
		return &skipWG{field: f.Origin()}
	}
	if u, ok := w.(*ssa.UnOp); ok && u.Op == token.MUL {
		if f := chanuse.StructFieldOf(u.X); f != nil {
			return &skipWG{field: f.Origin()}
		}
	}
	if node != nil {
		if o := outer(node, w); o != nil {
			w = o
		}
	}
	if v := varOf(w); v != nil {
		return &skipWG{v: v}
	}
	return &skipWG{v: w}
}

// skipWGBefore reports whether a call of the WaitGroup method name on wg
// precedes g in its function.
func skipWGBefore(g *ssa.Go, wg *skipWG, name string) bool {
	for _, b := range g.Parent().Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			if w := wgCall(&c.Call, name); w != nil && skipWGOf(w, nil).same(wg) && precedes(c, g) {
				return true
			}
		}
	}
	return false
}
