// Command corpus runs every generator program of the rewriter's
// differential corpus and prints its trace. It is built twice, from the
// sources (-tags asyncgo_direct) and lowered, and the traces must match.
package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// trace records what a program observes.
type trace struct{ b strings.Builder }

func (t *trace) log(format string, args ...any) { fmt.Fprintf(&t.b, format+"\n", args...) }

var programs = map[string]func(t *trace){}

func register(name string, p func(t *trace)) bool { programs[name] = p; return true }

// errBoom is thrown into generators.
var errBoom = errors.New("boom")

// describe prints an error the same way in both modes: a panic's stack
// differs, its value does not.
func describe(err error) string {
	var pe *coro.PanicError
	if errors.As(err, &pe) {
		return fmt.Sprintf("panic(%v)", pe.Value)
	}
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// drive runs g with a script: "n" Next, "s:V" Send, "t" Throw errBoom,
// "c" Close; then it reports the result.
func drive[Y, S, R any](t *trace, g *coro.Generator[Y, S, R], script []any) {
	for _, op := range script {
		switch op := op.(type) {
		case string:
			switch op {
			case "n":
				y, err := g.Next()
				t.log("next -> %v %s", y, describe(err))
			case "t":
				y, err := g.Throw(errBoom)
				t.log("throw -> %v %s", y, describe(err))
			case "c":
				t.log("close -> %s", describe(g.Close()))
			}
		case S:
			y, err := g.Send(op)
			t.log("send %v -> %v %s", op, y, describe(err))
		}
	}
	r, ok := g.Result()
	t.log("result %v %v state %v err %s", r, ok, g.State(), describe(g.Err()))
}

// all runs g to exhaustion with Next (bounded).
func all[Y, S, R any](t *trace, g *coro.Generator[Y, S, R]) {
	var s []any
	for range 200 {
		s = append(s, "n")
	}
	drive(t, g, s[:0])
	for i := 0; i < 200; i++ {
		y, err := g.Next()
		if err != nil {
			t.log("end %s", describe(err))
			break
		}
		t.log("y %v", y)
	}
	r, ok := g.Result()
	t.log("result %v %v", r, ok)
}

func main() {
	names := make([]string, 0, len(programs))
	for n := range programs {
		names = append(names, n)
	}
	sort.Strings(names)
	only := ""
	if len(os.Args) > 1 {
		only = os.Args[1]
	}
	for _, n := range names {
		if only != "" && n != only {
			continue
		}
		t := &trace{}
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.log("driver panic: %v", v)
				}
			}()
			programs[n](t)
		}()
		fmt.Printf("=== %s\n%s", n, t.b.String())
	}
}
