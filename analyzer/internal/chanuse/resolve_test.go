package chanuse_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
)

const resolveSrc = `package p

import "io"

type job interface{ run() }
type two interface{ go2() }

type one struct{}

func (*one) run() {}
func (*one) go2() {}

type other struct{}

func (other) go2() {}

var start = func() {}
var twice = func() {}
var Open = func() {}
var leaked = func() {}

func init() { twice = func() {} }

func calls(j job, t two, w io.Writer) {
	j.run()
	t.go2()
	w.Write(nil)
	start()
	twice()
	Open()
	leaked()
}

func make2() (job, two, two, any) { return &one{}, other{}, &one{}, &leaked }
`

// Callee resolves an interface method call to the one type the package
// converts that implements it, and a function variable set once; an
// interface of another package, two implementations, a variable set
// twice, exported, or handed out by address stay unresolved.
func TestCallee(t *testing.T) {
	pkg := build(t, resolveSrc)
	var got []string
	for _, b := range pkg.Func("calls").Blocks {
		for _, in := range b.Instrs {
			if c, ok := in.(*ssa.Call); ok {
				name := "nil"
				if fn := chanuse.Callee(pkg, &c.Call); fn != nil {
					name = fn.String()
				}
				got = append(got, name)
			}
		}
	}
	want := []string{"(*p.one).run", "nil", "nil", "p.init$1", "nil", "nil", "nil"}
	if len(got) != len(want) {
		t.Fatalf("got %d calls %q, want %q", len(got), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("call %d: Callee = %s, want %s", i, got[i], want[i])
		}
	}
}
