package chanuse_test

import (
	"go/types"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

const accessorSrc = `package p

// closed: every call of in and out is the package's own.
type closed struct{ ch chan int }

func (c *closed) in() chan<- int  { return c.ch }
func (c *closed) out() <-chan int { return c.ch }

// byValue: a value receiver, kept in a local by the method.
type byValue struct{ ch chan int }

func (b byValue) get() chan int { return b.ch }

// dynamic: put in an interface, so Get may be called from anywhere.
type dynamic struct{ ch chan int }

func (d *dynamic) Get() chan int { return d.ch }

// exported: an exported method of a type other packages reach.
type Exported struct{ ch chan int }

func (e *Exported) Get() chan int { return e.ch }

// uncalled: an accessor nothing in the package calls.
type uncalled struct{ ch chan int }

func (u *uncalled) get() chan int { return u.ch }

// notAccessor: returns one of two channels.
type notAccessor struct{ a, b chan int }

func (n *notAccessor) pick(x bool) chan int {
	if x {
		return n.a
	}
	return n.b
}

// leaky: an accessor whose result one caller hands to a goroutine's
// parameter, which the class does not follow.
type leaky struct{ ch chan int }

func (l *leaky) get() <-chan int { return l.ch }

func drain(ch <-chan int) {
	for range ch {
	}
}

func use(e *Exported, x bool) {
	l := &leaky{ch: make(chan int)}
	go drain(l.get())
	l.ch <- 1

	c := &closed{ch: make(chan int)}
	go func() { c.in() <- 1 }()
	<-c.out()
	b := byValue{ch: make(chan int)}
	close(b.get())
	d := &dynamic{ch: make(chan int)}
	var i interface{ Get() chan int } = d
	_ = i
	<-d.Get()
	<-e.Get()
	u := &uncalled{ch: make(chan int)}
	<-u.ch
	n := &notAccessor{a: make(chan int), b: make(chan int)}
	<-n.pick(x)
}
`

// A call of an accessor the package alone can call is a load of its
// field: the callers' operations are the class's, and the accessor's
// return is no escape. Accessors others may call, or none does, leave
// the field escaping.
func TestAccessors(t *testing.T) {
	pkg := build(t, accessorSrc)
	// The package's source functions, with the methods of every type
	// (an uncalled method is not reachable from the package's members).
	funcs := ssautil.AllFunctions(pkg.Prog)
	for _, m := range pkg.Members {
		if tm, ok := m.(*ssa.Type); ok {
			ms := pkg.Prog.MethodSets.MethodSet(types.NewPointer(tm.Type()))
			for i := 0; i < ms.Len(); i++ {
				funcs[pkg.Prog.MethodValue(ms.At(i))] = true
			}
		}
	}
	var own []*ssa.Function
	for fn := range funcs {
		if fn.Pkg == pkg && fn.Synthetic == "" {
			own = append(own, fn)
		}
	}
	classes := chanuse.Fields(pkg.Pkg, chanuse.NewSealed(pkg.Pkg), own)
	field := func(typ, name string) *chanuse.Class {
		st := pkg.Pkg.Scope().Lookup(typ).Type().Underlying().(*types.Struct)
		for i := 0; i < st.NumFields(); i++ {
			if st.Field(i).Name() == name {
				return classes[st.Field(i)]
			}
		}
		t.Fatalf("no field %s.%s", typ, name)
		return nil
	}
	kinds := func(c *chanuse.Class) map[chanuse.Kind]int {
		m := map[chanuse.Kind]int{}
		for _, op := range c.Ops {
			m[op.Kind]++
		}
		return m
	}
	if c := field("closed", "ch"); c == nil || c.Escapes || len(c.Accessors) != 2 || kinds(c)[chanuse.Send] != 1 || kinds(c)[chanuse.Recv] != 1 {
		t.Errorf("closed.ch: want a send and a receive through two accessors, no escape; got %+v", c)
	}
	if c := field("closed", "ch"); c.HandsOut(c.Accessors[0]) || c.HandsOut(c.Accessors[1]) {
		t.Errorf("closed.ch: its accessors hand the channel to none but the class")
	}
	if c := field("leaky", "ch"); c == nil || !c.Escapes || len(c.Accessors) != 1 || !c.HandsOut(c.Accessors[0]) {
		t.Errorf("leaky.ch: want an escape through the accessor's call passed to go drain; got %+v", c)
	}
	if c := field("byValue", "ch"); c == nil || c.Escapes || kinds(c)[chanuse.Close] != 1 {
		t.Errorf("byValue.ch: want the close through the value accessor, no escape; got %+v", c)
	}
	for _, typ := range []string{"dynamic", "uncalled"} {
		if c := field(typ, "ch"); c == nil || !c.Escapes || len(c.Accessors) != 0 {
			t.Errorf("%s.ch: want an escape through its accessor; got %+v", typ, c)
		}
	}
	if c := field("Exported", "ch"); c != nil && !c.Escapes {
		t.Errorf("Exported.ch: want an escape through its exported accessor; got %+v", c)
	}
	if c := field("notAccessor", "a"); c == nil || !c.Escapes {
		t.Errorf("notAccessor.a: returned with another field, want an escape; got %+v", c)
	}
}
