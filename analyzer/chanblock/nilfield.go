package chanblock

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ssa"
)

// nilField is what the package does with a private channel field that
// it never assigns anything but nil.
type nilField struct {
	field  *types.Var
	ops    []chanuse.Op       // sends, receives and select cases on its channel
	handed ssa.Instruction    // where its channel is handed to a call or stored
	bad    bool               // assigned, addressed, nil-tested or not followed
	loads  map[ssa.Value]bool // the values followed, against cycles
}

// handedNilFields reports the receive from (or send on) a private channel
// field that the package never assigns a channel (no make, no value of
// any kind but nil, in a struct literal or a store, its address never
// taken, its struct never converted), while it hands the field's channel
// to a call as the one to deliver on (conn.NotifyClose(c.errs)): the
// author expects a sender, but the channel is nil, so nothing is ever
// delivered, a plain receive blocks forever and a select case never fires
// (carbonblack/cb-event-forwarder#175: a consumer registered its nil
// connectionErrors for the connection's close notice, and its loop never
// saw the broker hang up). A field the package tests for nil is left
// alone (a hook set elsewhere), and so are generic types.
func handedNilFields(st *state, funcs []*ssa.Function) {
	fields := map[*types.Var]*nilField{}
	get := func(v *types.Var) *nilField {
		if v == nil || v.Pkg() != st.pass.Pkg || v.Origin() != v || !st.sealed.Private(v) {
			return nil
		}
		if _, ok := v.Type().Underlying().(*types.Chan); !ok {
			return nil
		}
		owner := st.sealed.Owner(v)
		if owner == nil {
			return nil // a struct not declared at package level
		}
		if n, ok := owner.Type().(*types.Named); !ok || n.TypeParams().Len() > 0 {
			return nil
		}
		nf := fields[v]
		if nf == nil {
			nf = &nilField{field: v, loads: map[ssa.Value]bool{}}
			fields[v] = nf
		}
		return nf
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.FieldAddr:
					if nf := get(chanuse.StructField(in.X.Type(), in.Field, true)); nf != nil {
						nf.addr(in)
					}
				case *ssa.Field:
					if nf := get(chanuse.StructField(in.X.Type(), in.Field, false)); nf != nil {
						nf.value(in)
					}
				case *ssa.ChangeType, *ssa.Convert:
					// The struct converted to another type, or to an
					// unsafe.Pointer: fields written under another name.
					v := in.(ssa.Value)
					for _, t := range []types.Type{v.Type(), (*in.Operands(nil)[0]).Type()} {
						for _, f := range structFields(t) {
							if nf := get(f); nf != nil {
								nf.bad = true
							}
						}
					}
				}
			}
		}
	}
	for _, nf := range fields {
		if nf.bad || nf.handed == nil || len(nf.ops) == 0 || st.initSet[nf.field] {
			continue
		}
		name := fmt.Sprintf("field %s of %s", nf.field.Name(), ownerName(st.sealed, nf.field))
		handed := st.pass.Fset.Position(nf.handed.Pos())
		for _, op := range nf.ops {
			pos, what := op.Instr.Pos(), "this receive blocks forever"
			switch op.Kind {
			case chanuse.Send:
				what = "this send blocks forever"
			case chanuse.SelectRecv, chanuse.SelectSend:
				pos, what = op.Instr.(*ssa.Select).States[op.State].Pos, "this select case never fires"
			}
			st.Report(analysis.Diagnostic{
				Pos:      pos,
				Category: "deadlock",
				Message: fmt.Sprintf("%s is never assigned a channel in this package (no make, in a literal or a store), yet its channel is handed on at line %d as the one to deliver on: it is nil, nothing is ever delivered, and %s (make the channel where the struct is made)",
					name, handed.Line, what),
				Related: []analysis.RelatedInformation{
					{Pos: nf.field.Pos(), Message: "the field, never assigned a channel"},
					{Pos: nf.handed.Pos(), Message: "its nil channel is handed on here"},
				},
			})
		}
	}
}

// structFields returns the fields of the struct t is, or points to.
func structFields(t types.Type) []*types.Var {
	if p, ok := t.Underlying().(*types.Pointer); ok {
		t = p.Elem()
	}
	s, ok := t.Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	out := make([]*types.Var, s.NumFields())
	for i := range out {
		out[i] = s.Field(i)
	}
	return out
}

// addr follows a field address: only nil may be stored through it, and
// its loads are the field's channel.
func (nf *nilField) addr(fa *ssa.FieldAddr) {
	for _, r := range *fa.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if c, ok := r.Val.(*ssa.Const); r.Addr != fa || !ok || !c.IsNil() {
				nf.bad = true
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				nf.bad = true
				continue
			}
			nf.value(r)
		default:
			nf.bad = true // the address taken
		}
	}
}

// value follows the field's channel v through its uses.
func (nf *nilField) value(v ssa.Value) {
	if nf.loads[v] {
		return
	}
	nf.loads[v] = true
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Send:
			if r.Chan != v {
				nf.hand(r)
				continue
			}
			nf.ops = append(nf.ops, chanuse.Op{Kind: chanuse.Send, Instr: r})
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				nf.bad = true
				continue
			}
			nf.ops = append(nf.ops, chanuse.Op{Kind: chanuse.Recv, Instr: r})
		case *ssa.Select:
			for i, s := range r.States {
				if s.Send == v {
					nf.hand(r)
				}
				if s.Chan == v {
					k := chanuse.SelectRecv
					if s.Dir == types.SendOnly {
						k = chanuse.SelectSend
					}
					nf.ops = append(nf.ops, chanuse.Op{Kind: k, Instr: r, State: i})
				}
			}
		case *ssa.Call:
			if b, ok := r.Call.Value.(*ssa.Builtin); ok {
				if b.Name() != "len" && b.Name() != "cap" {
					nf.bad = true // close, append: not the idiom
				}
				continue
			}
			if r.Call.Value == v {
				nf.bad = true
				continue
			}
			nf.hand(r)
		case *ssa.ChangeType:
			nf.value(r)
		case *ssa.Store:
			nf.hand(r)
		default:
			// A nil test, a phi with other channels, an interface, a
			// return: not followed.
			nf.bad = true
		}
	}
}

// hand records where the field's channel is handed on.
func (nf *nilField) hand(in ssa.Instruction) {
	if nf.handed == nil {
		nf.handed = in
	}
}

// initAssigned returns the channel fields that the package's variable
// initializers (the package initializer, which the source functions leave
// out) assign a value other than nil: `var def = &T{ch: make(chan int)}`.
func initAssigned(pkg *ssa.Package) map[*types.Var]bool {
	out := map[*types.Var]bool{}
	init := pkg.Func("init")
	if init == nil {
		return out
	}
	fns := []*ssa.Function{init}
	for i := 0; i < len(fns); i++ {
		fns = append(fns, fns[i].AnonFuncs...)
		for _, b := range fns[i].Blocks {
			for _, instr := range b.Instrs {
				st, ok := instr.(*ssa.Store)
				if !ok {
					continue
				}
				if c, ok := st.Val.(*ssa.Const); ok && c.IsNil() {
					continue
				}
				if f := chanuse.StructFieldOf(st.Addr); f != nil {
					out[f] = true
				}
			}
		}
	}
	return out
}
