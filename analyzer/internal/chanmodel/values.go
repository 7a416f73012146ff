package chanmodel

import (
	"fmt"
	"go/token"
	"go/types"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

// Values carried through the channel. A receiver that tests a received
// value against nil, or a field of it (v.Err != nil, for a struct element
// or a pointer to one), used to take both ways whatever was sent. Each
// send now records, for each field the receivers test, whether the value
// it sends has it nil, not nil, or unknown: a composite literal built at
// the send (ch <- T{Err: err}, ch <- &T{Err: err}) whose field is a
// constant nil, left out (the zero value), or a value known not to be nil
// there (errors.New, fmt.Errorf, an error the sender tested against nil
// on the way: errres.go's nonNil); the value itself when it is nil or
// such a value. A value from elsewhere (another call's result, a
// parameter, a variable) is unknown in every field. The explorer carries
// each send's record to the receive that takes the value (rendezvous, or
// the buffer in FIFO order, as the spec's channels are), and a receive
// from a closed, empty channel gets the zero value. The receiver's test
// of that field of that receive, in its frame (or through a parameter of
// a function it called with it), then goes the way the value decides;
// unknown stays both ways.

// fieldOf keys, in known, whether field k (-1: the value itself) of what
// receive op (instr, state) last received is nil (0) or not (1).
type fieldOf struct {
	in    ssa.Instruction
	state int
	k     int
}

// recvAt names the receive a received value comes from.
type recvAt struct {
	in    ssa.Instruction
	state int
}

// values is what the model knows of the values on the channel: set by
// findValues when a receiver tests one against nil.
type values struct {
	tested map[int]bool          // fields tested (-1: the value itself)
	recv   map[ssa.Value]recvAt  // received values
	descs  []map[int]int64       // known fields per record; 0 is the zero value
	of     map[opKey]int         // each send's record, -1 unknown
	copies map[*ssa.Store]recvAt // stores of a received value in a variable (holds)
}

// holds reports whether st is the only store to a, whose fields are
// otherwise only read.
func holds(a *ssa.Alloc, st *ssa.Store) bool {
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.Store:
			if r != st {
				return false
			}
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return false
			}
		case *ssa.FieldAddr:
			for _, rr := range *r.Referrers() {
				if ld, ok := rr.(*ssa.UnOp); !ok || ld.Op != token.MUL {
					if _, ok := rr.(*ssa.DebugRef); !ok {
						return false
					}
				}
			}
		default:
			return false
		}
	}
	return true
}

// copyVal runs st, when it stores a received value in its variable: the
// variable's fields are known as the receive's are.
func (m *model) copyVal(f *frame, st *ssa.Store) {
	from, ok := m.vals.copies[st]
	if !ok {
		return
	}
	a := st.Addr.(*ssa.Alloc)
	for k := range m.vals.tested {
		to := fieldOf{a, 0, k}
		if r, ok := f.known[fieldOf{from.in, from.state, k}]; ok {
			f.known[to] = r
		} else {
			delete(f.known, to)
		}
	}
}

// findValues sets m.vals when a receiver of the channel tests a received
// value, or a field of it, against nil.
func (m *model) findValues() {
	v := &values{tested: map[int]bool{}, recv: map[ssa.Value]recvAt{}, of: map[opKey]int{}}
	for _, n := range m.ch.Nodes {
		for _, op := range n.Ops {
			for _, r := range receivedValues(op) {
				v.recv[r] = recvAt{op.Instr, op.State}
				nilTests(r, v.tested)
				// A struct value stored in its variable (for r := range ch
				// { if r.err != nil ... }): the variable's fields are the
				// value's, from the store on.
				for _, u := range *r.Referrers() {
					st, ok := u.(*ssa.Store)
					if !ok || st.Val != r {
						continue
					}
					if a, ok := st.Addr.(*ssa.Alloc); ok && holds(a, st) {
						if v.copies == nil {
							v.copies = map[*ssa.Store]recvAt{}
						}
						v.copies[st] = recvAt{op.Instr, op.State}
						v.recv[a] = recvAt{a, 0}
						nilTests(a, v.tested)
					}
				}
			}
		}
	}
	if len(v.tested) == 0 {
		return
	}
	elem := m.ch.Make.Type().Underlying().(*types.Chan).Elem()
	zero := map[int]int64{}
	_, ptr := elem.Underlying().(*types.Pointer)
	for k := range v.tested {
		if ptr && k >= 0 {
			continue // a nil pointer has no fields: reading one panics
		}
		if t := fieldType(elem, k); t != nil && nillable(t) {
			zero[k] = 0
		}
	}
	v.descs = append(v.descs, zero)
	for _, n := range m.ch.Nodes {
		for _, op := range n.Ops {
			x := sent(op)
			if x == nil {
				continue
			}
			d := sentFields(x, op.Instr, v.tested)
			id := -1
			if len(d) > 0 {
				id = len(v.descs)
				v.descs = append(v.descs, d)
			}
			v.of[opKey{op.Instr, op.State}] = id
		}
	}
	m.vals = v
	dbg("values: %v", v)
}

// nilTests adds to tested the fields of r compared with nil: r itself,
// a field of a struct r, a field r points to.
func nilTests(r ssa.Value, tested map[int]bool) {
	if r.Referrers() == nil {
		return
	}
	_, isVar := r.(*ssa.Alloc)
	for _, u := range *r.Referrers() {
		if _, ok := u.(*ssa.FieldAddr); isVar && !ok {
			continue // the variable itself is not the value
		}
		switch u := u.(type) {
		case *ssa.BinOp:
			if nilCmp(u) != nil {
				tested[-1] = true
			}
		case *ssa.Field:
			if comparedNil(u) {
				tested[u.Field] = true
			}
		case *ssa.FieldAddr:
			for _, l := range *u.Referrers() {
				if ld, ok := l.(*ssa.UnOp); ok && ld.Op == token.MUL && comparedNil(ld) {
					tested[u.Field] = true
				}
			}
		}
	}
}

// nilCmp returns the operand b compares with nil (== or !=), or nil.
func nilCmp(b *ssa.BinOp) ssa.Value {
	if b.Op != token.EQL && b.Op != token.NEQ {
		return nil
	}
	switch {
	case isNil(b.Y) && !isNil(b.X):
		return b.X
	case isNil(b.X) && !isNil(b.Y):
		return b.Y
	}
	return nil
}

func comparedNil(v ssa.Value) bool {
	for _, u := range *v.Referrers() {
		if b, ok := u.(*ssa.BinOp); ok && nilCmp(b) == v {
			return true
		}
	}
	return false
}

// fieldType returns the type of field k of elem (a struct or a pointer
// to one), or elem for -1.
func fieldType(elem types.Type, k int) types.Type {
	if k < 0 {
		return elem
	}
	t := elem.Underlying()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem().Underlying()
	}
	s, ok := t.(*types.Struct)
	if !ok || k >= s.NumFields() {
		return nil
	}
	return s.Field(k).Type()
}

func nillable(t types.Type) bool {
	switch t.Underlying().(type) {
	case *types.Pointer, *types.Interface, *types.Slice, *types.Map, *types.Chan, *types.Signature:
		return true
	}
	return false
}

// sentFields returns what the send at of x tells of the tested fields.
func sentFields(x ssa.Value, at ssa.Instruction, tested map[int]bool) map[int]int64 {
	d := map[int]int64{}
	nilness := func(v ssa.Value, blk *ssa.BasicBlock) (int64, bool) {
		switch {
		case isNil(v):
			return 0, true
		case nonNil(v, blk):
			return 1, true
		}
		return 0, false
	}
	if tested[-1] {
		if r, ok := nilness(x, at.Block()); ok {
			d[-1] = r
		}
	}
	var a *ssa.Alloc
	switch y := x.(type) {
	case *ssa.Alloc: // &T{...}
		a = y
		if tested[-1] {
			d[-1] = 1
		}
	case *ssa.UnOp: // T{...}
		if y.Op == token.MUL {
			a, _ = y.X.(*ssa.Alloc)
		}
	}
	if a == nil || a.Block() != at.Block() {
		return d
	}
	stores, ok := literal(a, at)
	if !ok {
		return d
	}
	for k := range tested {
		if k < 0 {
			continue
		}
		t := fieldType(a.Type().(*types.Pointer).Elem(), k)
		if t == nil || !nillable(t) {
			continue
		}
		st, set := stores[k]
		if !set {
			d[k] = 0 // left out: the zero value
			continue
		}
		if r, ok := nilness(st.Val, st.Block()); ok {
			d[k] = r
		}
	}
	return d
}

// literal returns the stores to a's fields when a is a composite literal
// built in at's block before at and used by nothing else than its field
// stores, a load and at: each field stored at most once, before at.
func literal(a *ssa.Alloc, at ssa.Instruction) (map[int]*ssa.Store, bool) {
	stores := map[int]*ssa.Store{}
	for _, r := range *a.Referrers() {
		switch r := r.(type) {
		case *ssa.DebugRef:
		case *ssa.UnOp:
			if r.Op != token.MUL {
				return nil, false
			}
			for _, u := range *r.Referrers() {
				if u != at {
					if _, ok := u.(*ssa.DebugRef); !ok {
						return nil, false
					}
				}
			}
		case *ssa.FieldAddr:
			for _, rr := range *r.Referrers() {
				st, ok := rr.(*ssa.Store)
				if !ok || st.Addr != r || stores[r.Field] != nil || st.Block() != at.Block() || !before(st, at) {
					return nil, false
				}
				stores[r.Field] = st
			}
		default:
			if r != at {
				return nil, false
			}
		}
	}
	return stores, true
}

// sendDesc returns the record of what send op o sends, -1 unknown.
func (m *model) sendDesc(o opInfo) int {
	if m.vals == nil || o.ch != 0 {
		return -1
	}
	if d, ok := m.vals.of[opKey{o.op.Instr, o.op.State}]; ok {
		return d
	}
	return -1
}

// received records in f what receive o got: record d (-1 unknown).
func (m *model) received(f *frame, o *opInfo, d int) {
	if m.vals == nil || o == nil || o.ch != 0 || (o.kind != chanuse.Recv && o.kind != chanuse.SelectRecv) {
		return
	}
	for k := range m.vals.tested {
		delete(f.known, fieldOf{o.op.Instr, o.op.State, k})
	}
	if d < 0 {
		return
	}
	for k, v := range m.vals.descs[d] {
		f.known[fieldOf{o.op.Instr, o.op.State, k}] = v
	}
}

// pushVal and popVal keep the records of the buffer's values (copied on
// write).
func (s *state) pushVal(d int) {
	s.vals = append(append([]int(nil), s.vals...), d)
}

func (s *state) popVal() int {
	if len(s.vals) == 0 {
		return -1
	}
	d := s.vals[0]
	s.vals = append([]int(nil), s.vals[1:]...)
	return d
}

// nilField evaluates w == nil or w != nil (x) when w is a received value
// or a field of one whose record f (or a caller it was passed from)
// knows.
func (e *explorer) nilField(f *frame, x *ssa.BinOp) (int64, bool) {
	if e.m.vals == nil {
		return 0, false
	}
	w := nilCmp(x)
	if w == nil {
		return 0, false
	}
	k := -1
	switch y := w.(type) {
	case *ssa.Field:
		k, w = y.Field, y.X
	case *ssa.UnOp:
		if fa, ok := y.X.(*ssa.FieldAddr); ok && y.Op == token.MUL {
			k, w = fa.Field, fa.X
		}
	}
	for i := 0; i < maxFrames; i++ {
		p, ok := w.(*ssa.Parameter)
		if !ok {
			break
		}
		cf, arg := e.argOf(f, p)
		if cf == nil {
			return 0, false
		}
		f, w = cf, arg
	}
	at, ok := e.m.vals.recv[w]
	if !ok {
		return 0, false
	}
	r, ok := f.known[fieldOf{at.in, at.state, k}]
	if !ok {
		return 0, false
	}
	if x.Op == token.EQL {
		return 1 - r, true
	}
	return r, true
}

func (v *values) String() string { return fmt.Sprintf("tested %v descs %v", v.tested, v.descs) }
