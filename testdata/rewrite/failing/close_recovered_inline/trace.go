// Command asynccorpus runs every async program of the rewriter's
// differential corpus for //asyncgo:async functions and prints its trace.
// It is built twice, from the sources (-tags asyncgo_direct) and lowered,
// and the traces must match. Every loop runs on a virtual clock, so the
// traces are deterministic.
package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// trace records what a program observes.
type trace struct{ b strings.Builder }

func (t *trace) log(format string, args ...any) { fmt.Fprintf(&t.b, format+"\n", args...) }

var programs = map[string]func(){}

func register(name string, p func()) bool { programs[name] = p; return true }

// out is the trace of the program running.
var out *trace

// epoch is where every virtual clock starts.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// logf logs a line of the running program, with the loop's virtual time.
// (It takes the loop; a helper taking the task is fine too as long as it
// only reads it: see note in a07_tasks.go.)
func logf(l *aio.Loop, format string, args ...any) {
	out.log("%v %s", l.Now().Sub(epoch), fmt.Sprintf(format, args...))
}

var errBoom = errors.New("boom")

// describe prints an error the same way in both modes: a panic's stack
// differs, its value does not.
func describe(err error) string {
	var pe *aio.PanicError
	if errors.As(err, &pe) {
		return fmt.Sprintf("panic(%v)", pe.Value)
	}
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// run runs c on a loop with a virtual clock and logs its outcome.
func run[R any](c *aio.Coroutine[R]) {
	r, err := aio.Run(c, aio.WithVirtualClock(epoch))
	out.log("run -> %v %s", r, describe(err))
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
		out = &trace{}
		func() {
			defer func() {
				if v := recover(); v != nil {
					out.log("driver panic: %v", v)
				}
			}()
			programs[n]()
		}()
		fmt.Printf("=== %s\n%s", n, out.b.String())
	}
}
