// Command parallelcorpus runs every program of the rewriter's differential
// corpus for //asyncgo:parallel and prints its trace. It is built twice,
// from the sources (-tags asyncgo_direct: the loops run sequentially, the
// functions' closures on the parallel executor) and lowered, and the
// traces must match.
package main

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// trace records what a program observes.
type trace struct{ b strings.Builder }

func (t *trace) log(format string, args ...any) { fmt.Fprintf(&t.b, format+"\n", args...) }

var programs = map[string]func(t *trace){}

func register(name string, p func(t *trace)) bool { programs[name] = p; return true }

func main() {
	futures.WorkerMain() // the process pool program's workers serve here
	// Two workers whatever the machine: the loops run in parallel.
	futures.SetParallelExecutor(futures.NewThreadPool(futures.MaxWorkers(2)))
	names := make([]string, 0, len(programs))
	for n := range programs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if len(os.Args) > 1 && n != os.Args[1] {
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
