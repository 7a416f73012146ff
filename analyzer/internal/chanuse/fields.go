package chanuse

import (
	"fmt"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// FieldOp is an operation on a channel loaded from a struct field, with
// the struct pointer (or value) it was loaded from, to tell instances
// apart where it matters.
type FieldOp struct {
	Op
	Base ssa.Value
}

// Class is a channel field of a struct type of the package that only the
// package can name (Sealed.Private), followed over every function of the
// package that reaches the field: what they do with the channel, and what
// is stored in the field.
type Class struct {
	Field      *types.Var
	Ops        []FieldOp
	Makes      []*ssa.MakeChan // the channels stored in the field
	Stored     bool            // something other than nil or a make was stored
	Escapes    bool            // the field's channel is used in a way not followed
	LenChecked bool            // len or cap of the channel is read somewhere
	// Why is the first use that made the channel escape (for the census:
	// analyzer/internal/census).
	Why string
	// Accessors are the package's functions that return the field's
	// channel (return e.ch) to callers that are all known: their calls
	// are loads of the field, and the callers' operations are in Ops.
	Accessors []*ssa.Function
	// leaky are the accessors some call of which has its result used in
	// a way not followed (go f(e.Out()), a call of another package):
	// those hand the channel out although the package makes every call.
	leaky  map[*ssa.Function]bool
	closed map[*ssa.Function]bool // the package's closed accessors
	nodes  map[*ssa.Function]*Node
	// Outside is what code outside the package may do with the
	// channel an exported function hands out (WideFields only).
	Outside Cap
	// wide is set for the classes of WideFields (see wide.go); bases
	// maps each value of the channel it follows to its Base.
	wide  *wideView
	bases map[ssa.Value]ssa.Value

	// Elem is set for the classes of WideMaps (widemap.go): Field is a
	// map field, the channel any of its elements; MapOps are the stores,
	// lookups and deletes of the map.
	Elem   bool
	MapOps []MapOp
	maps   map[ssa.Value]bool // the map's values followed
}

func (c *Class) add(op FieldOp) { c.Ops = append(c.Ops, op) }

// esc marks the class escaped, recording why the first time.
func (c *Class) esc(why string) {
	if !c.Escapes {
		c.Why = why
	}
	c.Escapes = true
}

// HandsOut reports whether accessor fn of the class hands the channel to
// code the class does not follow: fn is not one of its Accessors (their
// calls are loads of the field), or the result of some call of it
// escapes (consul#9689: go m.notifyBroadcast(st.Watch())).
func (c *Class) HandsOut(fn *ssa.Function) bool {
	return c == nil || !slices.Contains(c.Accessors, fn) || c.leaky[fn]
}

// Silent reports whether the field is followed in full (it does not
// escape, and nothing but its own makes is stored in it) and nothing in
// the package sends on or closes its channel: a receive from it never
// proceeds.
func (c *Class) Silent() bool {
	if c == nil || c.Escapes || c.Stored {
		return false
	}
	for _, op := range c.Ops {
		switch op.Kind {
		case Send, SelectSend, Close, DeferClose:
			return false
		}
	}
	return true
}

// Fields follows the package's private channel fields as classes. A
// call of an accessor (see Accessor) loads the field from its argument;
// when the package makes every call of it, its return is no escape.
func Fields(pkg *types.Package, sealed *Sealed, funcs []*ssa.Function) map[*types.Var]*Class {
	return fields(pkg, sealed, funcs, false)
}

func fields(pkg *types.Package, sealed *Sealed, funcs []*ssa.Function, wide bool) map[*types.Var]*Class {
	classes := map[*types.Var]*Class{}
	closed := closedAccessors(pkg, sealed, funcs)
	get := func(v *types.Var) *Class {
		if v == nil || v.Pkg() != pkg || v.Origin() != v || !sealed.Private(v) {
			return nil
		}
		if _, ok := v.Type().Underlying().(*types.Chan); !ok {
			return nil
		}
		c := classes[v]
		if c == nil {
			c = &Class{Field: v, closed: closed, nodes: map[*ssa.Function]*Node{}}
			if wide {
				c.wide = &wideView{pkg: pkg, sealed: sealed, params: map[*ssa.Parameter]bool{}, locals: map[ssa.Value]bool{}, makes: map[*ssa.MakeChan]bool{}}
				c.bases = map[ssa.Value]ssa.Value{}
			}
			classes[v] = c
		}
		return c
	}
	for _, fn := range funcs {
		for _, b := range fn.Blocks {
			for _, instr := range b.Instrs {
				switch in := instr.(type) {
				case *ssa.FieldAddr:
					if c := get(StructField(in.X.Type(), in.Field, true)); c != nil {
						c.addr(in)
					}
				case *ssa.Field:
					if c := get(StructField(in.X.Type(), in.Field, false)); c != nil {
						c.value(in, fn, in.X)
					}
				case *ssa.Call:
					// A call of an accessor loads the field from its
					// argument.
					callee := in.Call.StaticCallee()
					f, i := Accessor(callee)
					if c := get(f); c != nil && i < len(in.Call.Args) {
						escaped := c.Escapes
						c.Escapes = false
						c.value(in, fn, in.Call.Args[i])
						if c.Escapes {
							if c.leaky == nil {
								c.leaky = map[*ssa.Function]bool{}
							}
							c.leaky[callee] = true
						}
						c.Escapes = c.Escapes || escaped
					}
				}
			}
		}
	}
	return classes
}

// StructField returns field i of the struct type t (or of the struct t
// points to, when ptr).
func StructField(t types.Type, i int, ptr bool) *types.Var {
	if ptr {
		p, ok := t.Underlying().(*types.Pointer)
		if !ok {
			return nil
		}
		t = p.Elem()
	}
	s, ok := t.Underlying().(*types.Struct)
	if !ok || i >= s.NumFields() {
		return nil
	}
	// In a method of a generic type the receiver's struct is an instance
	// (T[P] with the method's own type parameters), whose fields are
	// copies: the declared field stands for them all.
	return s.Field(i).Origin()
}

// StructFieldOf returns the field that addr (a *ssa.FieldAddr) addresses.
func StructFieldOf(addr ssa.Value) *types.Var {
	fa, ok := addr.(*ssa.FieldAddr)
	if !ok {
		return nil
	}
	return StructField(fa.X.Type(), fa.Field, true)
}

func (c *Class) addr(fa *ssa.FieldAddr) {
	for _, r := range *fa.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if r.Addr != fa {
				c.esc("field address stored")
				continue
			}
			switch v := r.Val.(type) {
			case *ssa.MakeChan:
				// The make must go only into this field: a channel also
				// kept in a local variable is used outside the class
				// (grpc's outStreamRequestForTesting reply channel).
				kept := false
				for _, u := range *v.Referrers() {
					if st, ok := u.(*ssa.Store); !ok || st.Val != v || StructFieldOf(st.Addr) != c.Field {
						if _, ok := u.(*ssa.DebugRef); !ok {
							kept = true
						}
					}
				}
				if kept && (c.wide == nil || !c.keptMake(v, fa)) {
					c.esc("make also kept elsewhere")
				}
				c.Makes = append(c.Makes, v)
			case *ssa.Const:
				if !v.IsNil() {
					c.Stored = true
				}
			default:
				c.Stored = true
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				c.esc("field address used")
				continue
			}
			c.value(r, fa.Parent(), fa.X)
		default:
			c.esc(fmt.Sprintf("field address used by %T", r))
		}
	}
}

// value classifies the uses of a channel loaded from the field.
func (c *Class) value(v ssa.Value, fn *ssa.Function, base ssa.Value) {
	node := c.nodes[fn]
	if node == nil {
		node = &Node{Fn: fn}
		node.G = node
		c.nodes[fn] = node
	}
	if c.bases != nil {
		c.bases[v] = base
	}
	for _, r := range *v.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Send:
			if r.Chan != v {
				c.escv(v, "sent as a value")
				continue
			}
			c.add(FieldOp{Op{Kind: Send, Instr: r, Node: node}, base})
		case *ssa.UnOp:
			if r.Op != token.ARROW {
				c.esc("operand")
				continue
			}
			c.add(FieldOp{Op{Kind: Recv, Instr: r, Node: node}, base})
		case *ssa.Select:
			for i, st := range r.States {
				if st.Send == v {
					c.escv(v, "sent as a value")
				}
				if st.Chan == v {
					k := SelectRecv
					if st.Dir == types.SendOnly {
						k = SelectSend
					}
					c.add(FieldOp{Op{Kind: k, Instr: r, Node: node, State: i}, base})
				}
			}
		case *ssa.BinOp:
			if c.wide != nil && c.nilTest(r, v) {
				continue
			}
			c.escv(v, fmt.Sprintf("used by %T", r))
		case *ssa.Go:
			if c.wide != nil && c.pass(r, v) {
				continue
			}
			c.escv(v, fmt.Sprintf("used by %T", r))
		case *ssa.Call:
			if b, ok := r.Call.Value.(*ssa.Builtin); ok && (b.Name() == "len" || b.Name() == "cap") {
				c.LenChecked = true
				continue
			}
			if b, ok := r.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" {
				c.add(FieldOp{Op{Kind: Close, Instr: r, Node: node}, base})
				continue
			}
			if c.wide != nil && c.pass(r, v) {
				continue
			}
			c.escv(v, "passed to a call")
		case *ssa.Defer:
			if b, ok := r.Call.Value.(*ssa.Builtin); ok && b.Name() == "close" {
				c.add(FieldOp{Op{Kind: DeferClose, Instr: r, Node: node}, base})
				continue
			}
			if c.wide != nil && c.pass(r, v) {
				continue
			}
			c.escv(v, "passed to a deferred call")
		case *ssa.ChangeType:
			c.value(r, fn, base)
		case *ssa.Return:
			// An accessor's result: its calls are followed as loads.
			if f, _ := Accessor(fn); f != c.Field || !c.closed[fn] {
				c.escv(v, "returned by a function that is not a closed accessor")
			} else if !slices.Contains(c.Accessors, fn) {
				c.Accessors = append(c.Accessors, fn)
			}
		case *ssa.Store:
			if c.wide != nil && c.store(r, v, fn, base) {
				continue
			}
			c.escv(v, fmt.Sprintf("used by %T", r))
		case *ssa.MapUpdate:
			// A make stored in the class's map (WideMaps).
			if c.Elem && r.Value == v && r.Key != v && c.isMapLoad(r.Map) {
				continue
			}
			c.escv(v, fmt.Sprintf("used by %T", r))
		case *ssa.Phi:
			// The get-or-create of a map class: the looked-up channel or
			// the one made for an absent key, followed once.
			if c.Elem && c.getOrCreate(r) {
				if !c.maps[r] {
					c.maps[r] = true
					c.value(r, fn, base)
				}
				continue
			}
			c.escv(v, fmt.Sprintf("used by %T", r))
		default:
			c.escv(v, fmt.Sprintf("used by %T", r))
		}
	}
}
