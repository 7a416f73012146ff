package chanblock

import (
	"fmt"
	"go/token"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A buffered channel in a field of a struct just allocated is private to
// the goroutine that allocated it until the struct is published (stored
// somewhere, passed to a call, captured, returned to a caller that
// publishes it): a send that finds the buffer full before then blocks
// forever, since nothing else can receive yet (mit-dci/lit#181: a token
// put once when the object is loaded and again on a recovery path).

// fresh is a channel field of one newly allocated struct, tracked along
// the paths of one function.
type fresh struct {
	obj   ssa.Value // the struct pointer: an *ssa.Alloc, or a call returning one
	field int
	cap   int
	make  *ssa.MakeChan
	sends []token.Pos // the sends that filled the buffer so far (in the maker helper)
}

// freshObj returns the struct allocated in fn and returned by every return
// of fn, with a channel field made with a constant buffer, and the sends
// fn makes on that field on every path before it returns, when nothing
// else sees the struct first; nil otherwise.
func freshObj(fn *ssa.Function) *fresh {
	if fn.Signature.Results().Len() != 1 || len(fn.Blocks) == 0 {
		return nil
	}
	var obj *ssa.Alloc
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ret, ok := instr.(*ssa.Return)
			if !ok {
				continue
			}
			a, ok := ret.Results[0].(*ssa.Alloc)
			if !ok || !a.Heap || (obj != nil && a != obj) {
				return nil
			}
			obj = a
		}
	}
	if obj == nil {
		return nil
	}
	for _, f := range madeFields(obj) {
		// The sends that every path makes before returning.
		sent := -1
		var sends []token.Pos
		ok := walkFresh(fn, f.make.Block(), index(f.make)+1, obj, f, 0, nil, func(n int, at []token.Pos) {
			if sent < 0 || n < sent {
				sent, sends = n, at
			}
		}, nil)
		if ok && sent > 0 {
			f.sends = sends
			return f
		}
	}
	return nil
}

// madeFields returns the channel fields of the struct obj points to that
// are assigned exactly once, a channel made with a constant buffer.
func madeFields(obj *ssa.Alloc) []*fresh {
	stores := map[int]int{}
	var out []*fresh
	for _, r := range *obj.Referrers() {
		fa, ok := r.(*ssa.FieldAddr)
		if !ok || fa.X != obj {
			continue
		}
		for _, u := range *fa.Referrers() {
			st, ok := u.(*ssa.Store)
			if !ok || st.Addr != fa {
				continue
			}
			stores[fa.Field]++
			if mc, ok := st.Val.(*ssa.MakeChan); ok {
				if n := capacity(mc); n >= 1 {
					out = append(out, &fresh{obj: obj, field: fa.Field, cap: n, make: mc})
				}
			}
		}
	}
	var once []*fresh
	for _, f := range out {
		if stores[f.field] == 1 {
			once = append(once, f)
		}
	}
	return once
}

// walkFresh follows the paths of fn from instruction i of b with n values
// in the buffer of f's channel (the sends at). A plain send on the field
// adds one; at a send that finds the buffer full, full is called (when not
// nil) and the path stops. Any other use of the struct (stored, passed,
// captured, the channel loaded for anything but a send) publishes it: the
// walk reports false. At a return of the struct, ret gets the count. It
// reports whether no path published the struct.
func walkFresh(fn *ssa.Function, b *ssa.BasicBlock, i int, obj ssa.Value, f *fresh, n int, at []token.Pos, ret func(int, []token.Pos), full func(send *ssa.Send, at []token.Pos)) bool {
	type key struct {
		b *ssa.BasicBlock
		n int
	}
	type pos struct {
		b  *ssa.BasicBlock
		i  int
		n  int
		at []token.Pos
	}
	seen := map[key]bool{}
	queue := []pos{{b, i, n, at}}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p.i == 0 {
			if seen[key{p.b, p.n}] {
				continue
			}
			seen[key{p.b, p.n}] = true
		}
		stop := false
		for _, instr := range p.b.Instrs[p.i:] {
			switch use := useOf(instr, obj, f.field); use {
			case useNone:
			case useSend:
				if p.n >= f.cap {
					if full != nil {
						full(instr.(*ssa.Send), p.at)
					}
					stop = true
				} else {
					p.n++
					p.at = append(append([]token.Pos(nil), p.at...), instr.Pos())
				}
			case useReturn:
				if ret == nil {
					return false
				}
				ret(p.n, p.at)
				stop = true
			default:
				return false
			}
			if stop {
				break
			}
			if _, ok := instr.(*ssa.Return); ok {
				stop = true // returns without the struct: it is garbage
				break
			}
			if _, ok := instr.(*ssa.Panic); ok {
				stop = true
				break
			}
		}
		if stop {
			continue
		}
		for _, s := range p.b.Succs {
			queue = append(queue, pos{s, 0, p.n, p.at})
		}
	}
	return true
}

const (
	useNone    = iota // does not touch the struct, or only its other fields
	useSend           // a plain send on the channel field
	useReturn         // returns the struct
	usePublish        // anything else
)

// useOf classifies what instr does with obj (and its channel field).
func useOf(instr ssa.Instruction, obj ssa.Value, field int) int {
	if ret, ok := instr.(*ssa.Return); ok {
		for _, r := range ret.Results {
			if r == obj {
				return useReturn
			}
		}
		return useNone
	}
	if s, ok := instr.(*ssa.Send); ok {
		if l, ok := s.Chan.(*ssa.UnOp); ok && l.Op == token.MUL {
			if fa, ok := l.X.(*ssa.FieldAddr); ok && fa.X == obj && fa.Field == field {
				return useSend
			}
		}
		if s.X == obj {
			return usePublish
		}
		return useNone
	}
	if _, ok := instr.(*ssa.DebugRef); ok {
		return useNone
	}
	switch in := instr.(type) {
	case *ssa.FieldAddr:
		if in.X != obj {
			return useNone
		}
		if in.Field != field {
			return useNone // another field: an interior pointer
		}
		// The channel field: loaded for a send only (checked at the
		// send), or stored (made here), else published.
		for _, r := range *in.Referrers() {
			switch r := r.(type) {
			case *ssa.Store:
				if r.Addr != in {
					return usePublish
				}
			case *ssa.UnOp:
				if r.Op != token.MUL {
					return usePublish
				}
				for _, u := range *r.Referrers() {
					s, ok := u.(*ssa.Send)
					if _, dbg := u.(*ssa.DebugRef); dbg {
						continue
					}
					if !ok || s.Chan != r {
						return usePublish
					}
				}
			case *ssa.DebugRef:
			default:
				return usePublish
			}
		}
		return useNone
	}
	for _, op := range instr.Operands(nil) {
		if op != nil && *op == obj {
			return usePublish
		}
	}
	return useNone
}

// unpublished reports a send on a channel field of a struct that only the
// sending goroutine can see yet, when the sends before it on the path
// have filled the buffer.
func unpublished(st *state, funcs []*ssa.Function) {
	summaries := map[*ssa.Function]*fresh{}
	for _, fn := range funcs {
		if f := freshObj(fn); f != nil {
			summaries[fn] = f
		}
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for i, instr := range b.Instrs {
				var f *fresh
				var obj ssa.Value
				switch in := instr.(type) {
				case *ssa.Call:
					callee := in.Call.StaticCallee()
					if callee == nil || in.Call.IsInvoke() || summaries[callee] == nil {
						continue
					}
					f, obj = summaries[callee], in
				case *ssa.Alloc:
					if !in.Heap {
						continue
					}
					for _, f := range madeFields(in) {
						if f.make.Parent() == fn {
							reportFull(st, fn, f.make.Block(), index(f.make)+1, in, f, 0)
						}
					}
					continue
				default:
					continue
				}
				reportFull(st, fn, b, i+1, obj, f, len(f.sends))
			}
		}
	}
}

// reportFull walks fn from instruction i of b with n values already in
// f's buffer and reports the sends that find it full.
func reportFull(st *state, fn *ssa.Function, b *ssa.BasicBlock, i int, obj ssa.Value, f *fresh, n int) {
	walkFresh(fn, b, i, obj, f, n, f.sends, func(int, []token.Pos) {}, func(send *ssa.Send, at []token.Pos) {
		line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
		rel := []analysis.RelatedInformation{{Pos: f.make.Pos(), Message: fmt.Sprintf("the channel is made here with room for %d", f.cap)}}
		for _, p := range at {
			rel = append(rel, analysis.RelatedInformation{Pos: p, Message: "this send fills the buffer, with nothing received since"})
		}
		lines := ""
		for k, p := range at {
			if k > 0 {
				lines += ", "
			}
			lines += fmt.Sprint(line(p))
		}
		st.Report(analysis.Diagnostic{
			Pos:      send.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this send blocks forever: the channel (field %s, room for %d) is already full from the send(s) at line %s, and no other goroutine can receive yet: the struct holding it has not been published (stored, passed or returned) on this path",
				fieldName(obj, f.field), f.cap, lines),
			Related: rel,
		})
	})
}

// fieldName returns the name of field i of the struct obj points to.
func fieldName(obj ssa.Value, i int) string {
	if v := chanuse.StructField(obj.Type(), i, true); v != nil {
		return v.Name()
	}
	return fmt.Sprint(i)
}
