package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// registries reports a wait channel published in a map for other callers
// to wait on, that the function publishing it closes on some paths only
// (libp2p/go-libp2p#49: IdentifyConn stores a channel per connection in
// ids.currid, a second call for the connection waits on it, and the first
// returns on an error without closing it). The map is a private field of
// a struct type or an unexported package variable, so every use is in
// the package; every channel taken from it may only be received from
// (or compared with nil), and every channel put in it is made by the
// function that puts it there and used there only to be closed. A path
// from the store to a return of that function that neither closes the
// channel nor deletes the entry leaves it waited on and never closed:
// each plain receive from the map's channels blocks forever.
func registries(st *state, funcs []*ssa.Function) {
	type registry struct {
		stores []*ssa.MapUpdate
		recvs  []ssa.Instruction
		bad    bool
	}
	regs := map[*types.Var]*registry{}
	get := func(v *types.Var) *registry {
		r := regs[v]
		if r == nil {
			r = &registry{}
			regs[v] = r
		}
		return r
	}
	// chanUses records the uses of a channel taken from the map: plain
	// receives are waits; a select, a nil test or a range are allowed;
	// anything else (a close, a send, a call) is not followed.
	var chanUses func(r *registry, v ssa.Value)
	chanUses = func(r *registry, v ssa.Value) {
		for _, ref := range *v.Referrers() {
			switch x := ref.(type) {
			case *ssa.DebugRef:
			case *ssa.UnOp:
				if x.Op != token.ARROW {
					r.bad = true
					continue
				}
				if !st.ranges[x.Pos()] {
					r.recvs = append(r.recvs, x)
				}
			case *ssa.Select:
				for _, s := range x.States {
					if s.Send == v || s.Chan == v && s.Dir != types.RecvOnly {
						r.bad = true
					}
				}
			case *ssa.BinOp:
				if x.Op != token.EQL && x.Op != token.NEQ || !isNilConst(x.X) && !isNilConst(x.Y) {
					r.bad = true
				}
			case *ssa.ChangeType:
				chanUses(r, x)
			default:
				r.bad = true
			}
		}
	}
	// mapUses classifies the uses of a load of the map.
	mapUses := func(r *registry, m ssa.Value) {
		for _, ref := range *m.Referrers() {
			switch x := ref.(type) {
			case *ssa.DebugRef:
			case *ssa.MapUpdate:
				_, ok := x.Value.(*ssa.MakeChan)
				if x.Map != m || !ok {
					r.bad = true
					continue
				}
				r.stores = append(r.stores, x)
			case *ssa.Lookup:
				if x.X != m {
					r.bad = true
					continue
				}
				if !x.CommaOk {
					chanUses(r, x)
					continue
				}
				for _, u := range *x.Referrers() {
					switch e := u.(type) {
					case *ssa.DebugRef:
					case *ssa.Extract:
						if e.Index == 0 {
							chanUses(r, e)
						}
					default:
						r.bad = true
					}
				}
			case *ssa.Call:
				b, ok := x.Call.Value.(*ssa.Builtin)
				if !ok || b.Name() != "delete" && b.Name() != "len" || x.Call.Args[0] != m {
					r.bad = true
				}
			default:
				r.bad = true // ranged over, copied, passed on: not followed
			}
		}
	}
	// addrUses classifies the uses of the map variable's address: loads,
	// and stores of a new map.
	addrUses := func(r *registry, a ssa.Value) {
		for _, ref := range *a.Referrers() {
			switch x := ref.(type) {
			case *ssa.DebugRef:
			case *ssa.UnOp:
				if x.Op != token.MUL {
					r.bad = true
					continue
				}
				mapUses(r, x)
			case *ssa.Store:
				if _, ok := x.Val.(*ssa.MakeMap); !ok || x.Addr != a {
					if c, ok := x.Val.(*ssa.Const); !ok || !c.IsNil() || x.Addr != a {
						r.bad = true
					}
				}
			default:
				r.bad = true
			}
		}
	}
	// A package variable has no referrers in go/ssa: its uses are found
	// among the operands.
	globalUse := func(instr ssa.Instruction, g *ssa.Global, v *types.Var) {
		r := get(v)
		switch x := instr.(type) {
		case *ssa.UnOp:
			if x.Op == token.MUL && x.X == g {
				mapUses(r, x)
				return
			}
		case *ssa.Store:
			if _, ok := x.Val.(*ssa.MakeMap); ok && x.Addr == g {
				return
			}
		case *ssa.DebugRef:
			return
		}
		r.bad = true
	}
	var ops []*ssa.Value
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				if fa, ok := instr.(*ssa.FieldAddr); ok {
					if v := registryVar(st, chanuse.StructFieldOf(fa)); v != nil {
						addrUses(get(v), fa)
					}
				}
				ops = instr.Operands(ops[:0])
				for _, op := range ops {
					if g, ok := (*op).(*ssa.Global); ok {
						if v, ok := g.Object().(*types.Var); ok && registryVar(st, v) != nil {
							globalUse(instr, g, v)
						}
					}
				}
			}
		}
	}
	for v, r := range regs {
		if r.bad || len(r.recvs) == 0 {
			continue
		}
		for _, store := range r.stores {
			registryStore(st, v, store, r.recvs)
		}
	}
}

// registryVar returns v when it is a map of channels that only this
// package can reach: a private field or an unexported package variable.
func registryVar(st *state, v *types.Var) *types.Var {
	if v == nil || v.Pkg() != st.pass.Pkg {
		return nil
	}
	m, ok := v.Type().Underlying().(*types.Map)
	if !ok {
		return nil
	}
	if _, ok := m.Elem().Underlying().(*types.Chan); !ok {
		return nil
	}
	if v.IsField() {
		if v.Origin() != v || !st.sealed.Private(v) {
			return nil
		}
	} else if v.Exported() || v.Parent() != v.Pkg().Scope() {
		return nil
	}
	return v
}

// registryStore checks one channel put in the map: made by the storing
// function, used there only to be closed, and closed on some path.
func registryStore(st *state, v *types.Var, store *ssa.MapUpdate, recvs []ssa.Instruction) {
	mc := store.Value.(*ssa.MakeChan)
	fn := store.Parent()
	if mc.Parent() != fn {
		return
	}
	closing := map[ssa.Instruction]bool{}
	var anyClose ssa.Instruction
	for _, ref := range *mc.Referrers() {
		switch x := ref.(type) {
		case *ssa.DebugRef, *ssa.MapUpdate:
			if mu, ok := x.(*ssa.MapUpdate); ok && mu.Value != ssa.Value(mc) {
				return
			}
		case *ssa.Call:
			if b, ok := x.Call.Value.(*ssa.Builtin); !ok || b.Name() != "close" {
				return
			}
			closing[x] = true
			anyClose = x
		case *ssa.Defer:
			if b, ok := x.Call.Value.(*ssa.Builtin); !ok || b.Name() != "close" {
				return
			}
			if dominates(x, store) {
				return // closed at every return
			}
			closing[x] = true
			anyClose = x
		default:
			return // handed on: not followed
		}
	}
	if anyClose == nil {
		return
	}
	// Deleting the entry on the way out stops the path: a waiter that has
	// not looked it up yet will not find it.
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if c, ok := instr.(*ssa.Call); ok {
				if bi, ok := c.Call.Value.(*ssa.Builtin); ok && bi.Name() == "delete" && mapOf(c.Call.Args[0]) == v {
					closing[c] = true
				}
			}
		}
	}
	ret := openReturn(store, func(*ssa.Return) bool { return true }, closing)
	if ret == nil {
		return
	}
	rp := ret.Pos()
	if !rp.IsValid() {
		rp = chanuse.ClosingBrace(fn)
	}
	for _, recv := range recvs {
		st.Report(analysis.Diagnostic{
			Pos:      recv.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this receive waits on a channel taken from %s, which %s makes, stores there and closes on some paths only: on the path that returns at line %d the channel stays in the map unclosed, and every waiter that found it blocks forever (close it on every path)",
				v.Name(), fn.Name(), st.pass.Fset.Position(rp).Line),
			Related: []analysis.RelatedInformation{
				{Pos: rp, Message: "returns here without closing the channel or removing it"},
				{Pos: store.Pos(), Message: "the channel is published here"},
				{Pos: anyClose.Pos(), Message: "the channel is closed here on other paths"},
			},
		})
	}
}

// mapOf returns the field or package variable that m, a load, reads.
func mapOf(m ssa.Value) *types.Var {
	u, ok := m.(*ssa.UnOp)
	if !ok || u.Op != token.MUL {
		return nil
	}
	switch a := u.X.(type) {
	case *ssa.FieldAddr:
		return chanuse.StructFieldOf(a)
	case *ssa.Global:
		v, _ := a.Object().(*types.Var)
		return v
	}
	return nil
}

// registryFields is registries for a wait channel kept in a private field
// of a struct that the function publishes (in a map, a field of another
// object or a package variable) for other callers to find and wait on:
// every channel of the field is made by that function, every close of the
// field is there too, on the struct it has just made (not on one it looks
// up, which would be a two-phase protocol), and nothing sends on it. A
// path from the publication to a return that neither closes the channel
// nor deletes an entry leaves every receiver of the field that found
// this struct blocked forever (singleflight's shape: a call struct with a
// done channel closed on success only).
func registryFields(st *state, funcs []*ssa.Function) {
	for _, c := range chanuse.Fields(st.pass.Pkg, st.sealed, funcs) {
		if c.Escapes || c.Stored || len(c.Makes) == 0 {
			continue
		}
		fn := c.Makes[0].Parent()
		ok := true
		for _, m := range c.Makes {
			ok = ok && m.Parent() == fn
		}
		var recvs []ssa.Instruction
		var closes []chanuse.FieldOp
		for _, op := range c.Ops {
			switch op.Kind {
			case chanuse.Close, chanuse.DeferClose:
				ok = ok && op.Instr.Parent() == fn
				closes = append(closes, op)
			case chanuse.Send, chanuse.SelectSend:
				ok = false
			case chanuse.Recv:
				if u, isU := op.Instr.(*ssa.UnOp); isU && !st.ranges[u.Pos()] {
					recvs = append(recvs, u)
				}
			}
		}
		if !ok || len(closes) == 0 || len(recvs) == 0 {
			continue
		}
		for _, mc := range c.Makes {
			registryField(st, c, mc, closes, recvs)
		}
	}
}

func registryField(st *state, c *chanuse.Class, mc *ssa.MakeChan, closes []chanuse.FieldOp, recvs []ssa.Instruction) {
	fn := mc.Parent()
	// The struct the channel is stored in, allocated here.
	var obj *ssa.Alloc
	for _, r := range *mc.Referrers() {
		if s, ok := r.(*ssa.Store); ok {
			if fa, ok := s.Addr.(*ssa.FieldAddr); ok {
				if a, ok := fa.X.(*ssa.Alloc); ok && a.Parent() == fn && chanuse.StructFieldOf(fa) == c.Field {
					obj = a
				}
			}
		}
	}
	if obj == nil {
		return
	}
	closing := map[ssa.Instruction]bool{}
	for _, op := range closes {
		if !sameObj(op.Base, obj) {
			return // closes a struct found elsewhere: not followed
		}
		closing[op.Instr] = true
	}
	// Where the struct is published for others to find.
	var pub ssa.Instruction
	for _, r := range *obj.Referrers() {
		switch x := r.(type) {
		case *ssa.MapUpdate:
			if x.Value == ssa.Value(obj) {
				pub = x
			}
		case *ssa.Store:
			if x.Val != ssa.Value(obj) {
				continue
			}
			switch a := x.Addr.(type) {
			case *ssa.FieldAddr:
				if own, ok := a.X.(*ssa.Alloc); !ok || own.Parent() != fn {
					pub = x // a field of an object others can reach
				}
			case *ssa.Global:
				pub = x
			}
		}
		if pub != nil {
			break
		}
	}
	if pub == nil {
		return
	}
	for _, op := range closes {
		if op.Kind == chanuse.DeferClose && dominates(op.Instr, pub) {
			return // closed at every return
		}
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			if call, ok := instr.(*ssa.Call); ok {
				if bi, ok := call.Call.Value.(*ssa.Builtin); ok && bi.Name() == "delete" {
					closing[call] = true
				}
			}
		}
	}
	ret := openReturn(pub, func(*ssa.Return) bool { return true }, closing)
	if ret == nil {
		return
	}
	rp := ret.Pos()
	if !rp.IsValid() {
		rp = chanuse.ClosingBrace(fn)
	}
	name := fmt.Sprintf("field %s of %s", c.Field.Name(), ownerName(st.sealed, c.Field))
	for _, recv := range recvs {
		st.Report(analysis.Diagnostic{
			Pos:      recv.Pos(),
			Category: "deadlock",
			Message: fmt.Sprintf("this receive waits on %s, which %s makes, publishes at line %d and closes on some paths only: on the path that returns at line %d the published channel is never closed, and every waiter that found it blocks forever (close it on every path)",
				name, fn.Name(), st.pass.Fset.Position(pub.Pos()).Line, st.pass.Fset.Position(rp).Line),
			Related: []analysis.RelatedInformation{
				{Pos: rp, Message: "returns here without closing the channel or removing it"},
				{Pos: pub.Pos(), Message: "the struct holding the channel is published here"},
				{Pos: closes[0].Instr.Pos(), Message: "the channel is closed here on other paths"},
			},
		})
	}
}
