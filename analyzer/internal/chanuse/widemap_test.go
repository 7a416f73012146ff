package chanuse_test

import (
	"go/types"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

const mapSrc = `package p

// Reg: made, stored by key, looked up, deleted, closed all on Close.
type Reg struct{ m map[string]chan int }

func (r *Reg) Add(k string) {
	ch := make(chan int, 1)
	r.m[k] = ch
	go func() { ch <- 1 }()
}

func (r *Reg) Get(k string) int {
	if ch, ok := r.m[k]; ok {
		return <-ch
	}
	return 0
}

func (r *Reg) Drop(k string) { delete(r.m, k) }

func (r *Reg) Close() {
	for _, ch := range r.m {
		close(ch)
	}
	r.m = map[string]chan int{}
}

// Out hands its map out.
type Out struct{ m map[string]chan int }

func (o *Out) Add(k string) { o.m[k] = make(chan int) }

func (o *Out) All() map[string]chan int { return o.m }

// Given stores a channel it is given.
type Given struct{ m map[string]chan int }

func (g *Given) Add(k string, ch chan int) { g.m[k] = ch }

// Passed passes a looked-up channel on.
type Passed struct{ m map[string]chan int }

func (p *Passed) Add(k string) { p.m[k] = make(chan int) }

func (p *Passed) Wait(k string) { wait(p.m[k]) }

func wait(ch chan int) { <-ch }

// Counted keys by a counter.
type Counted struct {
	m map[int]chan int
	n int
}

func (c *Counted) Add() { c.m[c.n] = make(chan int); c.n++ }
`

// WideMaps follows the channels kept as elements of a private map field:
// stores of the package's makes, lookups used only by operations, deletes
// and close-all ranges; it gives up on the map handed out, a channel of
// unknown origin, a looked-up channel passed on and a key the package
// computes.
func TestWideMaps(t *testing.T) {
	pkg := build(t, mapSrc)
	var own []*ssa.Function
	for _, m := range pkg.Members {
		switch m := m.(type) {
		case *ssa.Function:
			own = append(own, m)
			own = append(own, m.AnonFuncs...)
		case *ssa.Type:
			ms := pkg.Prog.MethodSets.MethodSet(types.NewPointer(m.Type()))
			for i := 0; i < ms.Len(); i++ {
				fn := pkg.Prog.MethodValue(ms.At(i))
				own = append(own, fn)
				own = append(own, fn.AnonFuncs...)
			}
		}
	}
	classes := chanuse.WideMaps(pkg.Pkg, chanuse.NewSealed(pkg.Pkg), own)
	class := func(typ string) *chanuse.Class {
		st := pkg.Pkg.Scope().Lookup(typ).Type().Underlying().(*types.Struct)
		return classes[st.Field(0)]
	}
	reg := class("Reg")
	if reg == nil || reg.Escapes || reg.Stored || !reg.Elem || len(reg.Makes) != 1 {
		t.Fatalf("Reg: want one followed make, got %+v", reg)
	}
	kinds := map[chanuse.MapKind]int{}
	for _, op := range reg.MapOps {
		kinds[op.Kind]++
	}
	if kinds[chanuse.MapStore] != 1 || kinds[chanuse.MapLookup] != 1 || kinds[chanuse.MapDelete] != 1 || kinds[chanuse.MapClear] != 1 {
		t.Errorf("Reg: map ops %v", kinds)
	}
	ops := map[chanuse.Kind]int{}
	for _, op := range reg.Ops {
		ops[op.Kind]++
	}
	if ops[chanuse.Send] != 1 || ops[chanuse.Recv] != 1 || ops[chanuse.Close] != 1 {
		t.Errorf("Reg: channel ops %v", ops)
	}
	for _, typ := range []string{"Out", "Passed", "Counted"} {
		if c := class(typ); c == nil || !c.Escapes {
			t.Errorf("%s: want given up (escapes)", typ)
		}
	}
	if c := class("Given"); c == nil || !c.Stored {
		t.Errorf("Given: want a channel of unknown origin (stored)")
	}
}
