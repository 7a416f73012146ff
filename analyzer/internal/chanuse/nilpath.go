package chanuse

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/ssawalk"
	"golang.org/x/tools/go/ssa"
)

// NilPath is a path on which a channel variable assigned a channel on some
// paths only is still nil when an operation uses it.
type NilPath struct {
	Phi   *ssa.Phi
	From  *ssa.BasicBlock    // the predecessor whose edge into Phi's block carries nil
	Makes []*ssa.MakeChan    // the makes on the other edges
	Conds map[ssa.Value]bool // conditions decided on the way to the nil edge
}

// MaybeNil reports a path on which v, the channel operand of instr, is nil:
// v is a phi merging a nil constant with channels the function makes, and
// instr is reachable from the nil edge without a test of v against nil and
// without going against a condition already decided on the way to that
// edge (`if wait { ch = make(...) }; ...; if wait { <-ch }` is fine).
func MaybeNil(v ssa.Value, instr ssa.Instruction) *NilPath {
	if ct, ok := v.(*ssa.ChangeType); ok {
		v = ct.X
	}
	phi, ok := v.(*ssa.Phi)
	if !ok {
		return nil
	}
	var makes []*ssa.MakeChan
	var nils []int
	for i, e := range phi.Edges {
		switch e := e.(type) {
		case *ssa.Const:
			if !e.IsNil() {
				return nil
			}
			nils = append(nils, i)
		case *ssa.MakeChan:
			makes = append(makes, e)
		default:
			return nil // another channel, a parameter, a loop's own value: not followed
		}
	}
	if len(nils) == 0 || len(makes) == 0 {
		return nil
	}
	for _, i := range nils {
		from := phi.Block().Preds[i]
		conds := decided(from, phi.Block())
		if reaches(phi, conds, instr) {
			return &NilPath{Phi: phi, From: from, Makes: makes, Conds: conds}
		}
	}
	return nil
}

// decided returns the branch conditions known on entry to block to via the
// edge from pred: pred's own branch, and the branches of its dominators
// whose one successor dominates pred.
func decided(pred, to *ssa.BasicBlock) map[ssa.Value]bool {
	conds := map[ssa.Value]bool{}
	set := func(b *ssa.BasicBlock, took *ssa.BasicBlock) {
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok || b.Succs[0] == b.Succs[1] {
			return
		}
		c, val := iff.Cond, true
		if took == b.Succs[1] {
			val = false
		} else if took != b.Succs[0] {
			return
		}
		for {
			u, ok := c.(*ssa.UnOp)
			if !ok || u.Op != token.NOT {
				break
			}
			c, val = u.X, !val
		}
		conds[c] = val
	}
	set(pred, to)
	for b := pred; b.Idom() != nil; b = b.Idom() {
		d := b.Idom()
		if len(d.Succs) != 2 {
			continue
		}
		for _, s := range d.Succs {
			if s.Dominates(b) && len(s.Preds) == 1 {
				set(d, s)
			}
		}
	}
	return conds
}

// reaches searches from phi's block to instr, following decided conditions
// one way and a nil test of phi only to its nil side.
func reaches(phi *ssa.Phi, conds map[ssa.Value]bool, instr ssa.Instruction) bool {
	target := instr.Block()
	seen := map[*ssa.BasicBlock]bool{}
	stack := []*ssa.BasicBlock{phi.Block()}
	for len(stack) > 0 {
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[b] {
			continue
		}
		seen[b] = true
		if b == target {
			return true
		}
		if noReturnBlock(b) {
			continue
		}
		iff, ok := b.Instrs[len(b.Instrs)-1].(*ssa.If)
		if !ok {
			for _, s := range b.Succs {
				if s != phi.Block() {
					stack = append(stack, s)
				}
			}
			continue
		}
		if k, ok := branch(iff.Cond, phi, conds); ok {
			if s := b.Succs[k]; s != phi.Block() {
				stack = append(stack, s)
			}
			continue
		}
		for _, s := range b.Succs {
			if s != phi.Block() {
				stack = append(stack, s)
			}
		}
	}
	return false
}

// branch returns the successor index an If on cond takes on the nil path,
// when it is known: a test of phi against nil, or a decided condition.
func branch(cond ssa.Value, phi *ssa.Phi, conds map[ssa.Value]bool) (int, bool) {
	neg := false
	for {
		u, ok := cond.(*ssa.UnOp)
		if !ok || u.Op != token.NOT {
			break
		}
		cond, neg = u.X, !neg
	}
	pick := func(v bool) (int, bool) {
		if v != neg {
			return 0, true
		}
		return 1, true
	}
	if bin, ok := cond.(*ssa.BinOp); ok && (bin.Op == token.EQL || bin.Op == token.NEQ) {
		if isPhiOrCopy(bin.X, phi) && isNil(bin.Y) || isPhiOrCopy(bin.Y, phi) && isNil(bin.X) {
			return pick(bin.Op == token.EQL)
		}
	}
	for c, v := range conds {
		if sameCond(c, cond) {
			return pick(v)
		}
	}
	return 0, false
}

func isPhiOrCopy(v ssa.Value, phi *ssa.Phi) bool {
	if ct, ok := v.(*ssa.ChangeType); ok {
		v = ct.X
	}
	return v == phi
}

func isNil(v ssa.Value) bool {
	c, ok := v.(*ssa.Const)
	return ok && c.IsNil()
}

// sameCond reports whether a and b are the same condition: one value, or
// loads of the same field of the same object (assumed unchanged between).
func sameCond(a, b ssa.Value) bool {
	if a == b {
		return true
	}
	la, ok1 := a.(*ssa.UnOp)
	lb, ok2 := b.(*ssa.UnOp)
	if ok1 && ok2 && la.Op == token.MUL && lb.Op == token.MUL {
		fa, ok1 := la.X.(*ssa.FieldAddr)
		fb, ok2 := lb.X.(*ssa.FieldAddr)
		if ok1 && ok2 {
			return fa.Field == fb.Field && fa.X == fb.X
		}
		return la.X == lb.X
	}
	fa, ok1 := a.(*ssa.Field)
	fb, ok2 := b.(*ssa.Field)
	return ok1 && ok2 && fa.Field == fb.Field && fa.X == fb.X
}

// noReturnBlock reports a block that ends the goroutine: a panic, or a
// call that does not return (t.Fatal, os.Exit, log.Fatal, runtime.Goexit).
func noReturnBlock(b *ssa.BasicBlock) bool {
	for _, instr := range b.Instrs {
		switch in := instr.(type) {
		case *ssa.Panic:
			return true
		case *ssa.Call:
			if NoReturn(in.Common()) {
				return true
			}
		}
	}
	return false
}

// NoReturn reports calls that end the goroutine or the program.
func NoReturn(c *ssa.CallCommon) bool {
	var name, pkg string
	if c.IsInvoke() {
		name = c.Method.Name()
		if c.Method.Pkg() != nil {
			pkg = c.Method.Pkg().Path()
		}
	} else if fn := c.StaticCallee(); fn != nil {
		name = fn.Name()
		if fn.Pkg != nil {
			pkg = fn.Pkg.Pkg.Path()
		} else if o := fn.Object(); o != nil && o.Pkg() != nil {
			pkg = o.Pkg().Path()
		}
	}
	switch pkg {
	case "testing":
		switch name {
		case "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow":
			return true
		}
	case "os":
		return name == "Exit"
	case "runtime":
		return name == "Goexit"
	case "log":
		switch name {
		case "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf", "Panicln":
			return true
		}
	}
	return false
}

// ClosingBrace is the position of fn's closing brace (where an implicit
// return is), or fn's own position.
func ClosingBrace(fn *ssa.Function) token.Pos {
	switch syn := fn.Syntax().(type) {
	case *ast.FuncDecl:
		if syn.Body != nil {
			return syn.Body.Rbrace
		}
	case *ast.FuncLit:
		return syn.Body.Rbrace
	}
	return fn.Pos()
}

// NeverClosed reports whether ch is a channel the time package makes and
// never closes: a Ticker's or Timer's C, or time.Tick's result. A range
// over such a channel never ends.
func NeverClosed(ch ssa.Value) bool {
	switch v := ch.(type) {
	case *ssa.ChangeType:
		return NeverClosed(v.X)
	case *ssa.UnOp:
		fa, ok := v.X.(*ssa.FieldAddr)
		if !ok || v.Op != token.MUL {
			return false
		}
		p, ok := fa.X.Type().Underlying().(*types.Pointer)
		if !ok {
			return false
		}
		n, ok := p.Elem().(*types.Named)
		return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" &&
			(n.Obj().Name() == "Ticker" || n.Obj().Name() == "Timer")
	case *ssa.Call:
		fn := v.Call.StaticCallee()
		return fn != nil && fn.Pkg != nil && fn.Pkg.Pkg.Path() == "time" && fn.Name() == "Tick"
	}
	return false
}

// RangeEnd reports whether b ends a range-over-channel loop's test, and
// which successor the loop takes while the channel is open: the exit is
// taken only when the channel is closed.
func RangeEnd(b *ssa.BasicBlock) (recv *ssa.UnOp, open int, ok bool) {
	iff, isIf := b.Instrs[len(b.Instrs)-1].(*ssa.If)
	if !isIf {
		return nil, 0, false
	}
	ex, isEx := iff.Cond.(*ssa.Extract)
	if !isEx || ex.Index != 1 {
		return nil, 0, false
	}
	u, isU := ex.Tuple.(*ssa.UnOp)
	if !isU || u.Op != token.ARROW || !u.CommaOk {
		return nil, 0, false
	}
	return u, 0, true
}

// MaybeNilCell is MaybeNil for a channel variable that a function literal
// captures, which go/ssa keeps in a cell (a heap Alloc) instead of phis:
// the variable is declared without a value (the cell starts nil), the
// function stores makes in it on some paths only, nothing else is ever
// stored in it (the literals that capture it only read it), and instr,
// which hands the cell on, is reachable from the declaration by a path
// that passes no store of a make. Phi is nil in the result; From is the
// block that branches around the first make, Conds what that branch
// decided on the way to instr.
func MaybeNilCell(a *ssa.Alloc, instr ssa.Instruction) *NilPath {
	if !a.Heap || a.Parent() != instr.Parent() {
		return nil
	}
	if _, ok := a.Type().Underlying().(*types.Pointer).Elem().Underlying().(*types.Chan); !ok {
		return nil
	}
	var makes []*ssa.MakeChan
	stores := map[*ssa.BasicBlock]bool{}
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.Store:
			mc, ok := r.Val.(*ssa.MakeChan)
			if !ok || r.Addr != ssa.Value(a) {
				return nil
			}
			makes = append(makes, mc)
			stores[r.Block()] = true
		case *ssa.MakeClosure:
			fn := r.Fn.(*ssa.Function)
			for i, b := range r.Bindings {
				if b != ssa.Value(a) {
					continue
				}
				for _, u := range *fn.FreeVars[i].Referrers() {
					switch u := u.(type) {
					case *ssa.DebugRef:
					case *ssa.UnOp:
						if u.Op != token.MUL {
							return nil
						}
					default:
						return nil // stored in, or handed on by address
					}
				}
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return nil
			}
		case *ssa.DebugRef:
		default:
			return nil
		}
	}
	if len(makes) == 0 || stores[a.Block()] || stores[instr.Block()] {
		return nil
	}
	// A path from the declaration to instr through no block that stores.
	prev := map[*ssa.BasicBlock]*ssa.BasicBlock{a.Block(): nil}
	queue := []*ssa.BasicBlock{a.Block()}
	found := false
	for len(queue) > 0 && !found {
		b := queue[0]
		queue = queue[1:]
		if b == instr.Block() {
			found = true
			break
		}
		if noReturnBlock(b) {
			continue
		}
		for _, s := range b.Succs {
			if _, seen := prev[s]; seen || stores[s] {
				continue
			}
			prev[s] = b
			queue = append(queue, s)
		}
	}
	if !found {
		return nil
	}
	// The branch that skips the first make: the last block on the path
	// with a successor that stores.
	var from, to *ssa.BasicBlock
	for b := instr.Block(); b != nil; b = prev[b] {
		p := prev[b]
		if p == nil {
			break
		}
		for _, s := range p.Succs {
			if stores[s] && from == nil {
				from, to = p, b
			}
		}
	}
	if from == nil {
		return nil
	}
	return &NilPath{From: from, Makes: makes, Conds: decided(from, to)}
}

// ReturnAvoiding returns a return reachable from after from on a path
// that passes no instruction of avoid, or nil. Paths that panic or call
// a function that does not return (NoReturn) are not followed.
func ReturnAvoiding(from ssa.Instruction, avoid func(ssa.Instruction) bool) *ssa.Return {
	var ret *ssa.Return
	ssawalk.Forward(from, func(in ssa.Instruction) ssawalk.Action {
		if avoid(in) {
			return ssawalk.Cut
		}
		switch in := in.(type) {
		case *ssa.Return:
			ret = in
			return ssawalk.Stop
		case *ssa.Panic:
			return ssawalk.Cut
		case ssa.CallInstruction:
			if NoReturn(in.Common()) {
				return ssawalk.Cut
			}
		}
		return ssawalk.Continue
	})
	return ret
}
