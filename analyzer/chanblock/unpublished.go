package chanblock

import (
	"fmt"
	"go/token"
	"slices"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"github.com/asyncgo/asyncgo/analyzer/internal/ssaloop"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// A channel just made, held in a local variable or in a field of a struct
// just allocated, is private to the goroutine that made it until it is
// published (stored somewhere, passed to a call, captured, returned to a
// caller that publishes it): a send that finds the buffer full before
// then blocks forever, since nothing else can receive yet. Unbuffered, the
// first such send blocks (moby/moby#33948: an error sent on the channel
// about to be returned); buffered, the one past its room
// (mit-dci/lit#181: a token put once when the object is loaded and again
// on a recovery path).

// fresh is a channel just made, or a channel field of one newly allocated
// struct, tracked along the paths of one function.
type fresh struct {
	obj   ssa.Value // the struct pointer (an *ssa.Alloc), the channel (an *ssa.MakeChan) or the variable holding it (an *ssa.Alloc), or a call returning one
	field int       // the channel field of obj; -1 when obj is the channel or its variable
	cap   int
	make  *ssa.MakeChan
	sends []token.Pos // the sends that filled the buffer so far (in the maker helper)
}

// freshObj returns the struct allocated in fn (with a channel field made
// with a constant buffer), or the channel made in fn with a constant
// buffer, that every return of fn returns, and the sends fn makes on that
// channel on every path before it returns, when nothing else sees it
// first; nil otherwise.
func freshObj(fn *ssa.Function) *fresh {
	if fn.Signature.Results().Len() != 1 || len(fn.Blocks) == 0 {
		return nil
	}
	var obj ssa.Value
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			ret, ok := instr.(*ssa.Return)
			if !ok {
				continue
			}
			switch r := ret.Results[0].(type) {
			case *ssa.Alloc:
				if !r.Heap {
					return nil
				}
			case *ssa.MakeChan:
			default:
				return nil
			}
			if obj != nil && ret.Results[0] != obj {
				return nil
			}
			obj = ret.Results[0]
		}
	}
	var made []*fresh
	switch obj := obj.(type) {
	case *ssa.Alloc:
		made = madeFields(obj)
	case *ssa.MakeChan:
		if f := madeChan(obj); f != nil {
			made = append(made, f)
		}
	}
	for _, f := range made {
		// The sends that every path makes before returning.
		sent := -1
		var sends []token.Pos
		ok := walkFresh(fn, f.make.Block(), index(f.make)+1, obj, f, 0, nil, func(n int, at []token.Pos) {
			if sent < 0 || n < sent {
				sent, sends = n, at
			}
		}, nil, nil)
		if ok && sent > 0 {
			f.sends = sends
			return f
		}
	}
	// A maker that only makes: its caller's sends count from zero.
	for _, f := range made {
		if walkFresh(fn, f.make.Block(), index(f.make)+1, obj, f, 0, nil, func(int, []token.Pos) {}, nil, nil) {
			return f
		}
	}
	return nil
}

// madeChan returns mc as a fresh channel when its buffer is constant.
func madeChan(mc *ssa.MakeChan) *fresh {
	if n := capacity(mc); n >= 0 {
		return &fresh{obj: mc, field: -1, cap: n, make: mc}
	}
	return nil
}

// chanCell returns the local variable (an *ssa.Alloc: one captured by a
// closure, or in a function with defers) that is assigned mc (a channel
// just made, or a call returning one) and nothing else, and mc only there;
// nil otherwise.
func chanCell(mc ssa.Value) *ssa.Alloc {
	var cell *ssa.Alloc
	for _, r := range *mc.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			a, ok := r.Addr.(*ssa.Alloc)
			if !ok || cell != nil || r.Val != mc {
				return nil
			}
			cell = a
		default:
			return nil
		}
	}
	if cell == nil {
		return nil
	}
	for _, r := range *cell.Referrers() {
		if st, ok := r.(*ssa.Store); ok && st.Addr == cell && st.Val != mc {
			return nil
		}
	}
	return cell
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
				if n := capacity(mc); n >= 0 {
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
// in the buffer of f's channel (the sends at). A plain send on the channel
// adds one; at a send that finds the buffer full, full is called (when not
// nil) and the path stops. Any other use of the struct or channel (stored,
// passed, captured, received from, the channel loaded for anything but a
// send) publishes it: without full the walk reports false, with full only
// that path stops and the publication goes to pub. At a return of it, ret
// gets the count. A path that meets the make again (a loop making a new
// one) or a send it has already counted (a loop whose trips are not
// counted here) stops. It reports whether no path published the struct or
// channel.
func walkFresh(fn *ssa.Function, b *ssa.BasicBlock, i int, obj ssa.Value, f *fresh, n int, at []token.Pos, ret func(int, []token.Pos), full func(send ssa.Instruction, at []token.Pos), pub func(ssa.Instruction)) bool {
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
			if v, ok := instr.(ssa.Value); ok && (v == obj || v == f.make) {
				stop = true
				break
			}
			switch use := useOf(instr, obj, f.field); use {
			case useNone:
			case useSend:
				if slices.Contains(p.at, instr.Pos()) {
					stop = true
				} else if p.n >= f.cap {
					if full != nil {
						full(instr, p.at)
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
				if full == nil {
					return false
				}
				pub(instr)
				stop = true
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
	useSend           // a plain send on the channel field, or a call of a helper that makes one (sendHelper)
	useReturn         // returns the struct
	usePublish        // anything else
)

// useOf classifies what instr does with obj (and its channel field, or
// obj itself when field is -1).
func useOf(instr ssa.Instruction, obj ssa.Value, field int) int {
	if field < 0 {
		if cell, ok := obj.(*ssa.Alloc); ok {
			return cellUse(instr, cell)
		}
		switch in := instr.(type) {
		case *ssa.Send:
			if in.Chan == obj && in.X != obj {
				return useSend
			}
		case *ssa.DebugRef:
			return useNone
		}
	}
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
	case *ssa.Call:
		if sendHelper(in, obj, field) {
			return useSend
		}
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

// sendHelper reports whether call hands obj to a function of the package
// (c.release(), put(q)) that only makes one plain send on its channel
// field, on every path, and otherwise reads or writes other fields of it:
// the struct stays as private as before the call, and the call fills one
// slot of the buffer (mit-dci/lit#181 with the token put in a helper).
func sendHelper(call *ssa.Call, obj ssa.Value, field int) bool {
	callee := call.Call.StaticCallee()
	if callee == nil || call.Call.IsInvoke() || callee.Blocks == nil || callee.Parent() != nil || len(callee.FreeVars) > 0 {
		return false
	}
	args := call.Call.Args
	var param *ssa.Parameter
	for k, a := range args {
		if a != obj {
			continue
		}
		if param != nil || k >= len(callee.Params) {
			return false
		}
		param = callee.Params[k]
	}
	if param == nil {
		return false
	}
	var send *ssa.Send
	for _, r := range *param.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.FieldAddr:
			for _, u := range *r.Referrers() {
				switch u := u.(type) {
				case *ssa.DebugRef:
				case *ssa.Store:
					if u.Addr != r || r.Field == field {
						return false
					}
				case *ssa.UnOp:
					if u.Op != token.MUL {
						return false
					}
					if r.Field != field {
						continue // another field read
					}
					for _, x := range *u.Referrers() {
						if _, dbg := x.(*ssa.DebugRef); dbg {
							continue
						}
						sd, ok := x.(*ssa.Send)
						if !ok || sd.Chan != u || sd.X == u || send != nil {
							return false
						}
						send = sd
					}
				default:
					return false
				}
			}
		default:
			return false
		}
	}
	if send == nil || ssaloop.InLoop(send.Block()) {
		return false
	}
	// On every path: the send's block dominates every return.
	for _, b := range callee.Blocks {
		if _, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok && !send.Block().Dominates(b) {
			return false
		}
	}
	return true
}

// cellUse classifies what instr does with cell, the variable holding the
// channel (chanCell): loaded for sends only, or assigned its channel, it
// stays private.
func cellUse(instr ssa.Instruction, cell *ssa.Alloc) int {
	switch in := instr.(type) {
	case *ssa.DebugRef:
		return useNone
	case *ssa.Store:
		if in.Addr == cell {
			return useNone
		}
	case *ssa.Send:
		if l, ok := in.Chan.(*ssa.UnOp); ok && l.Op == token.MUL && l.X == cell {
			return useSend
		}
	case *ssa.UnOp:
		if in.X == cell && in.Op == token.MUL {
			for _, u := range *in.Referrers() {
				if _, dbg := u.(*ssa.DebugRef); dbg {
					continue
				}
				if s, ok := u.(*ssa.Send); !ok || s.Chan != in || s.X == in {
					return usePublish
				}
			}
			return useNone
		}
	}
	for _, op := range instr.Operands(nil) {
		if op != nil && *op == cell {
			return usePublish
		}
	}
	return useNone
}

// unpublished reports a send on a channel, or a channel field of a
// struct, that only the sending goroutine can see yet, when the buffer is
// full from the sends before it on the path or there is none.
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
					if f.field < 0 {
						if cell := chanCell(in); cell != nil {
							reportFull(st, fn, b, i+1, cell, f, len(f.sends))
						}
					}
				case *ssa.MakeChan:
					if f := madeChan(in); f != nil {
						reportFull(st, fn, b, i+1, in, f, 0)
						if cell := chanCell(in); cell != nil {
							reportFull(st, fn, b, i+1, cell, f, 0)
						}
					}
					continue
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
// f's buffer and reports the sends that find it full, unless a
// publication on another path reaches them too (a go statement in a loop
// the walk skipped may start the receiver).
func reportFull(st *state, fn *ssa.Function, b *ssa.BasicBlock, i int, obj ssa.Value, f *fresh, n int) {
	type cand struct {
		send ssa.Instruction
		at   []token.Pos
	}
	var cands []cand
	var pubs []ssa.Instruction
	walkFresh(fn, b, i, obj, f, n, f.sends, func(int, []token.Pos) {}, func(send ssa.Instruction, at []token.Pos) {
		cands = append(cands, cand{send, at})
	}, func(p ssa.Instruction) { pubs = append(pubs, p) })
	reported := map[ssa.Instruction]bool{}
next:
	for _, c := range cands {
		for _, p := range pubs {
			if reaches(p, c.send) {
				continue next
			}
		}
		if reported[c.send] {
			continue
		}
		reported[c.send] = true
		send, at := c.send, c.at
		line := func(p token.Pos) int { return st.pass.Fset.Position(p).Line }
		made := "the channel is made unbuffered here"
		if f.cap > 0 {
			made = fmt.Sprintf("the channel is made here with room for %d", f.cap)
		}
		rel := []analysis.RelatedInformation{{Pos: f.make.Pos(), Message: made}}
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
		field, holder := "", "the channel"
		if f.field >= 0 {
			field, holder = fmt.Sprintf("field %s, ", fieldName(obj, f.field)), "the struct holding it"
		}
		why := fmt.Sprintf("the channel (%sunbuffered) has no room", field)
		if f.cap > 0 {
			why = fmt.Sprintf("the channel (%sroom for %d) is already full from the send(s) at line %s", field, f.cap, lines)
		}
		what := "this send"
		if _, ok := send.(*ssa.Call); ok {
			what = "the send this call makes"
		}
		st.Report(analysis.Diagnostic{
			Pos:      send.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("%s blocks forever: %s, and no other goroutine can receive yet: %s has not been published (stored, passed, captured or returned) on this path",
				what, why, holder),
			Related: rel,
		})
	}
}

// fieldName returns the name of field i of the struct obj points to.
func fieldName(obj ssa.Value, i int) string {
	if v := chanuse.StructField(obj.Type(), i, true); v != nil {
		return v.Name()
	}
	return fmt.Sprint(i)
}
