package rewrite_test

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLoweringRejects checks the constructs the lowering cannot give the
// meaning Go gives them: each is a positioned error, never code that runs
// differently.
func TestLoweringRejects(t *testing.T) {
	q := "package q\n\n// Hidden returns a value of an unnamed type with an unexported field.\nfunc Hidden() struct{ x int } { return struct{ x int }{1} }\n"
	cases := []struct{ name, src, want string }{
		{"sizeof", `package p

import (
	"unsafe"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

//asyncgo:generator
func G() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		return int(unsafe.Sizeof(co.Yield(1)))
	})
}
`, "p.go:12:14: cannot suspend inside unsafe.Sizeof"},
		{"unnamed-foreign", `package p

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
	"rw.test/q"
)

//asyncgo:generator
func G() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		h := q.Hidden()
		co.Yield(1)
		_ = h
		return 0
	})
}
`, "p.go:11:3: cannot keep h across a suspension: its type struct{x int} has the unexported member x of rw.test/q"},
		{"blank-receiver-param", `package p

import "github.com/asyncgo/asyncgo/runtime/coro"

type Box[T any] struct{}

//asyncgo:generator
func (b *Box[_]) G() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(1)
		return 0
	})
}
`, "p.go:8:14: a blank type parameter in a generator method's receiver"},
		{"defer-shadowed-type", `package p

import "github.com/asyncgo/asyncgo/runtime/coro"

type Flag bool

func set(Flag) {}

//asyncgo:generator
func G(n int) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(1)
		{
			type Flag int
			defer set(n > 1)
			_ = Flag(0)
		}
		return 0
	})
}
`, "p.go:15:14: cannot defer this call: argument 1: its type is spelled Flag, which is declared again in this scope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := tempPackage(t, map[string]string{"p.go": c.src})
			if err := os.MkdirAll(filepath.Join(dir, "q"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "q", "q.go"), []byte(q), 0o644); err != nil {
				t.Fatal(err)
			}
			wantRejected(t, dir, c.want)
		})
	}
}
