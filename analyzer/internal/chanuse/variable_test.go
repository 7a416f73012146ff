package chanuse_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

const variableSrc = `package p

func redeclared(x int, f func(int) int) {
	x = f(x)
	go func() { _ = x }()
}

func once(x int) {
	go func() { _ = x }()
}

func branch(x int, c bool, f func(int) int) {
	if c {
		x = f(x)
	}
	go func() { _ = x }()
}

func after(x int, f func(int) int) {
	go func() { _ = x }()
	x = f(x)
}

func writer(x int) {
	go func() { x = 2 }()
	go func() { _ = x }()
}

func loop(x int, f func(int) int) {
	for i := 0; i < 3; i++ {
		go func() { _ = x }()
		x = f(x)
	}
}
`

// The value a captured variable holds when its goroutine starts is the
// last store on the paths that reach the go statement; a store after it,
// or by another closure, may be what the goroutine reads.
func TestStoredBefore(t *testing.T) {
	pkg := build(t, variableSrc)
	// cell returns the variable fn's parameter x is spilled to, and the
	// first closure capturing it that a go statement starts.
	cell := func(name string) (*ssa.Parameter, *ssa.Alloc, *ssa.MakeClosure) {
		fn := pkg.Func(name)
		p := fn.Params[0]
		var a *ssa.Alloc
		for _, r := range *p.Referrers() {
			if st, ok := r.(*ssa.Store); ok {
				a = st.Addr.(*ssa.Alloc)
			}
		}
		for _, b := range fn.Blocks {
			for _, in := range b.Instrs {
				if g, ok := in.(*ssa.Go); ok {
					if mk, ok := g.Call.Value.(*ssa.MakeClosure); ok && mk.Bindings[0] == a {
						return p, a, mk
					}
				}
			}
		}
		t.Fatalf("%s: no go statement capturing x", name)
		return nil, nil, nil
	}
	for _, c := range []struct {
		name        string
		nvals       int  // values that reach the go statement
		param, hold bool // is the parameter one of them; does x hold it from there on
	}{
		{"redeclared", 1, false, false},
		{"once", 1, true, true},
		{"branch", 2, true, false},
		{"after", 1, true, false},
		{"loop", 2, true, false},
	} {
		p, a, mk := cell(c.name)
		vals, ok := chanuse.StoredBefore(a, mk)
		if !ok {
			t.Errorf("%s: StoredBefore not ok", c.name)
			continue
		}
		hasParam := false
		for _, v := range vals {
			hasParam = hasParam || v == p
		}
		if len(vals) != c.nvals || hasParam != c.param {
			t.Errorf("%s: StoredBefore = %v, want %d values, the parameter among them %v", c.name, vals, c.nvals, c.param)
		}
		if got := chanuse.Holds(a, p, mk); got != c.hold {
			t.Errorf("%s: Holds = %v, want %v", c.name, got, c.hold)
		}
	}
	// A closure that assigns the variable: nothing can be told.
	_, a, mk := cell("writer")
	if _, ok := chanuse.StoredBefore(a, mk); ok {
		t.Errorf("writer: StoredBefore ok, want not ok (a closure assigns x)")
	}
}
