package chanuse_test

import (
	"go/types"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

const wideSrc = `package p

// Passed: the field's channel goes to a goroutine's parameter and, from
// there, to a helper's.
type Passed struct{ ch chan int }

func NewPassed() *Passed {
	p := &Passed{ch: make(chan int)}
	go p.loop(p.ch)
	return p
}

func (p *Passed) loop(ch chan int) { helper(ch) }

func helper(ch chan int) { ch <- 1 }

func (p *Passed) Get() int {
	if p.ch == nil {
		return 0
	}
	return <-p.ch
}

// Recv is handed out receive-only, Send send-only, Both as it is.
type Recv struct{ ch chan int }

func (r *Recv) C() <-chan int { return r.ch }

type Send struct{ ch chan int }

func (s *Send) C() chan<- int { return s.ch }

type Both struct{ ch chan int }

func (b *Both) C() chan int { return b.ch }

// Foreign: passed to another package's function.
type Foreign struct{ ch chan int }

func (f *Foreign) Len() int { return len(f.ch) + cap(f.ch) + count(f.ch) }

var count = func(ch chan int) int { return 0 }
`

// WideFields follows a field's channel into the package's functions it
// is passed to, counts nil comparisons as no use, and records what other
// packages may do with a channel an exported method hands out, where
// Fields gives up.
func TestWideFields(t *testing.T) {
	pkg := build(t, wideSrc)
	var own []*ssa.Function
	for _, m := range pkg.Members {
		switch m := m.(type) {
		case *ssa.Function:
			own = append(own, m)
			own = append(own, m.AnonFuncs...)
		case *ssa.Type:
			ms := pkg.Prog.MethodSets.MethodSet(types.NewPointer(m.Type()))
			for i := 0; i < ms.Len(); i++ {
				own = append(own, pkg.Prog.MethodValue(ms.At(i)))
			}
		}
	}
	sealed := chanuse.NewSealed(pkg.Pkg)
	narrow := chanuse.Fields(pkg.Pkg, sealed, own)
	wide := chanuse.WideFields(pkg.Pkg, sealed, own)
	field := func(classes map[*types.Var]*chanuse.Class, typ string) *chanuse.Class {
		st := pkg.Pkg.Scope().Lookup(typ).Type().Underlying().(*types.Struct)
		return classes[st.Field(0)]
	}
	for _, typ := range []string{"Passed", "Recv", "Send", "Both"} {
		if c := field(narrow, typ); c == nil || !c.Escapes {
			t.Errorf("Fields: %s.ch should escape; got %+v", typ, c)
		}
	}
	p := field(wide, "Passed")
	if p == nil || p.Escapes {
		t.Fatalf("WideFields: Passed.ch should be followed; got %+v", p)
	}
	kinds := map[chanuse.Kind]ssa.Value{}
	for _, op := range p.Ops {
		kinds[op.Kind] = op.Base
	}
	send, ok := kinds[chanuse.Send]
	if !ok || kinds[chanuse.Recv] == nil {
		t.Fatalf("WideFields: Passed.ch wants the helper's send and Get's receive; got %+v", p.Ops)
	}
	if prm, ok := send.(*ssa.Parameter); !ok || prm.Parent().Name() != "helper" {
		t.Errorf("WideFields: the helper's send should have its parameter as Base; got %v", send)
	}
	// The argument of go p.loop(p.ch) maps to the object it was loaded from.
	for _, b := range pkg.Func("NewPassed").Blocks {
		for _, in := range b.Instrs {
			if g, ok := in.(*ssa.Go); ok {
				if base := p.Base(g.Call.Args[1]); base == nil || base != g.Call.Args[0] {
					t.Errorf("WideFields: Base of the go statement's channel argument = %v, want the object %v", base, g.Call.Args[0])
				}
			}
		}
	}
	if c := field(wide, "Recv"); c == nil || c.Escapes || c.Outside != chanuse.OutRecv || !c.OutsideCompletes(chanuse.Send) || c.OutsideCompletes(chanuse.Recv) {
		t.Errorf("WideFields: Recv.ch should be handed out receive-only; got %+v", c)
	}
	if c := field(wide, "Send"); c == nil || c.Escapes || c.Outside != chanuse.OutSend || !c.OutsideCompletes(chanuse.Recv) || c.OutsideCompletes(chanuse.Send) {
		t.Errorf("WideFields: Send.ch should be handed out send-only; got %+v", c)
	}
	if c := field(wide, "Both"); c == nil || !c.Escapes {
		t.Errorf("WideFields: Both.ch is handed out bidirectional and should escape; got %+v", c)
	}
	if c := field(wide, "Foreign"); c == nil || !c.Escapes {
		t.Errorf("WideFields: Foreign.ch is passed to a function value and should escape; got %+v", c)
	}
}

// A local channel that escapes its maker records the first use that made
// it escape, for the census.
func TestEscapeWhy(t *testing.T) {
	pkg := build(t, `package p

var sink chan int

func f() {
	ch := make(chan int)
	go func() { ch <- 1 }()
	sink = ch
}
`)
	for _, b := range pkg.Func("f").Blocks {
		for _, in := range b.Instrs {
			if mc, ok := in.(*ssa.MakeChan); ok {
				if ch := chanuse.Follow(mc); !ch.Escapes || ch.Why != "stored in a global or another's field" {
					t.Errorf("Follow: want an escape by the global's store; got %v %q", ch.Escapes, ch.Why)
				}
			}
		}
	}
}

// WideFields follows the channel through a local snapshot its goroutine
// captures, and a make kept in a local too; a snapshot variable given
// another channel escapes.
func TestWideLocals(t *testing.T) {
	pkg := build(t, `package p

type Snap struct{ ch chan int }

func (s *Snap) Start() {
	s.ch = make(chan int)
	ch := s.ch
	go func() { close(ch) }()
}

func (s *Snap) Wait() { <-s.ch }

type Kept struct{ ch chan int }

func NewKept() *Kept {
	ch := make(chan int)
	k := &Kept{ch: ch}
	go send(ch)
	return k
}

func send(ch chan int) { ch <- 1 }

func (k *Kept) Get() int { return <-k.ch }

type Swap struct{ a, b chan int }

func (s *Swap) Start(x bool) {
	s.a, s.b = make(chan int), make(chan int)
	ch := s.a
	if x {
		ch = s.b
	}
	go func() { close(ch) }()
}
`)
	var own []*ssa.Function
	for _, m := range pkg.Members {
		switch m := m.(type) {
		case *ssa.Function:
			own = append(own, m)
		case *ssa.Type:
			ms := pkg.Prog.MethodSets.MethodSet(types.NewPointer(m.Type()))
			for i := 0; i < ms.Len(); i++ {
				fn := pkg.Prog.MethodValue(ms.At(i))
				own = append(own, fn)
				own = append(own, fn.AnonFuncs...)
			}
		}
	}
	wide := chanuse.WideFields(pkg.Pkg, chanuse.NewSealed(pkg.Pkg), own)
	field := func(typ string) *chanuse.Class {
		st := pkg.Pkg.Scope().Lookup(typ).Type().Underlying().(*types.Struct)
		return wide[st.Field(0)]
	}
	has := func(c *chanuse.Class, k chanuse.Kind) bool {
		for _, op := range c.Ops {
			if op.Kind == k {
				return true
			}
		}
		return false
	}
	if c := field("Snap"); c == nil || c.Escapes || !has(c, chanuse.Close) || !has(c, chanuse.Recv) {
		t.Errorf("Snap.ch: want the captured snapshot's close and Wait's receive; got %+v", c)
	}
	if c := field("Kept"); c == nil || c.Escapes || !has(c, chanuse.Send) || !has(c, chanuse.Recv) {
		t.Errorf("Kept.ch: want the helper's send through the kept make and Get's receive; got %+v", c)
	}
	if c := field("Swap"); c == nil || !c.Escapes {
		t.Errorf("Swap.a: its snapshot may hold another channel, want an escape; got %+v", c)
	}
}
