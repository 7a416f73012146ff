package rewrite_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/rewrite"
)

// genBody builds a generator body from fuzz input: each byte picks a
// statement, some of which nest the statements that follow. Statements
// carry comments (before them, ending their first line, after a brace),
// which the lowered code must keep. Besides the statement forms, the
// shapes where lowering went wrong before: blank identifiers, constants
// shadowed in inner blocks, suspensions on the right of && and ||, jumps
// (continue, break, labelled, return) out of range-over-func loops whose
// iterator logs when it finishes, comparisons that panic on uncomparable
// interface values, string literals that look like generated names,
// labelled jumps out of nested loops, closures over hoisted variables,
// deferred recovers, type switches, select and fallthrough, and a
// two-valued suspension as the only argument of a call.
func genBody(b []byte, depth int, pos *int, out *strings.Builder, k *int) {
	for *pos < len(b) {
		c := b[*pos]
		*pos++
		*k++
		n := *k
		fmt.Fprintf(out, "// s%d before a statement\n", n)
		switch c % sweepForms {
		case 0:
			fmt.Fprintf(out, "co.Yield(%d + x) // t%d\n", n, n)
		case 1:
			fmt.Fprintf(out, "v = co.Yield(%d) /* t%d */\nx += v\n", n, n)
		case 2:
			if depth > 2 {
				continue
			}
			fmt.Fprintf(out, "if x%%2 == 0 { // t%d\n", n)
			genBody(b, depth+1, pos, out, k)
			fmt.Fprintf(out, "} else {\nx += %d\nco.Yield(-x)\n}\n", n)
		case 3:
			if depth > 2 {
				continue
			}
			fmt.Fprintf(out, "for i := 0; i < 2; i++ {\n// i%d in a loop\nco.Yield(i * %d)\n", n, n)
			genBody(b, depth+1, pos, out, k)
			fmt.Fprintf(out, "if x > %d {\nbreak\n}\n}\n", n*3)
		case 4:
			fmt.Fprintf(out, "defer t.log(\"defer %d x=%%d\", x)\n", n)
		case 5:
			fmt.Fprintf(out, "{\ns, err := co.YieldErr(%d)\nif err != nil {\nx += 100\n}\nx += s\n}\n", n)
		case 6:
			fmt.Fprintf(out, "if x > %d {\nreturn x\n}\n", 20+n)
		case 7:
			fmt.Fprintf(out, "switch x %% 3 { // t%d\ncase 0: // c%d\nco.Yield(%d)\n// d%d before a case\ncase 1:\nx++ // x%d\ndefault:\nx--\n}\n", n, n, n, n, n)
		case 8:
			fmt.Fprintf(out, "if x == %d {\npanic(\"p%d\")\n}\n", n%5, n)
		case 9:
			if depth > 2 {
				continue
			}
			fmt.Fprintf(out, "for _, w := range []int{1, 2} {\nx += w\n")
			genBody(b, depth+1, pos, out, k)
			fmt.Fprintf(out, "co.Yield(w)\n}\n")
			return
		case 10:
			fmt.Fprintf(out, "_, _ = co.YieldErr(%d)\nif _, err := co.YieldErr(-%d); err != nil {\nx += 7\n}\nv, _ = pair(x)\nx += v\n_ = co.Yield(x)\n", n, n)
		case 11:
			fmt.Fprintf(out, "{\nconst k = %d\nx += k\nco.Yield(k)\n}\nx += k\n", n+1)
		case 12:
			fmt.Fprintf(out, "if x%%3 == 0 && co.Yield(%d) > 2 {\nx++\n}\nif x > %d || co.Yield(-%d) == 0 {\nx--\n}\n{\nok := x%%2 == 1 && (x > 4 || co.Yield(%d) > 1)\nt.log(\"ok %d %%v\", ok)\n}\n", n, n, n, n+100, n)
		case 13:
			if depth > 2 {
				continue
			}
			fmt.Fprintf(out, "L%d:\nfor w := range seq(t, %d) {\nx += w\n", n, n%4+1)
			genBody(b, depth+1, pos, out, k)
			fmt.Fprintf(out, "co.Yield(w + %d)\nif x%%4 == 1 {\ncontinue L%d\n}\nif x%%5 == 2 {\nbreak L%d\n}\nif x > %d {\nreturn x\n}\n}\n", n, n, n, 30+n)
		case 14:
			fmt.Fprintf(out, "{\nvar a, b any = x, %d\nif x%%4 == 3 {\na, b = []int{x}, []int{x}\n}\nif co.Yield(%d) >= 0 && a == b {\nx += 2\n}\nswitch a {\ncase b:\nx++\n}\n}\n", n%3, n)
		case 15:
			fmt.Fprintf(out, "t.log(\"_agP%d_ _agSent x=%%d\", x)\nx += co.Yield(len(\"_agY_agR\") + %d)\n", n, n)
		case 16:
			fmt.Fprintf(out, "O%d:\nfor i := 0; i < 3; i++ {\nfor j := 0; j < 3; j++ {\nif co.Yield(i*10+j) == %d {\ncontinue O%d\n}\nif x > %d {\nbreak O%d\n}\nx++\n}\n}\n", n, n%7, n, 10+n, n)
		case 17:
			fmt.Fprintf(out, "{\nf := func() int { x += %d; return x }\nco.Yield(f())\nx += f()\n}\n", n)
		case 18:
			fmt.Fprintf(out, "defer func() {\nif r := recover(); r != nil {\nt.log(\"recovered %d %%T\", r)\n}\n}()\n", n)
		case 19:
			fmt.Fprintf(out, "{\nvar a any = x\nif x%%2 == 0 {\na = fmt.Sprint(x)\n}\nswitch a := a.(type) {\ncase int:\nx += co.Yield(a + %d)\ncase string:\nco.Yield(len(a))\n}\n}\n", n)
		case 20:
			fmt.Fprintf(out, "{\nch := make(chan int, 1)\nif x%%2 == 0 {\nch <- x\n}\nselect {\ncase w := <-ch:\nx += co.Yield(w + %d)\ndefault:\nco.Yield(-%d)\n}\n}\n", n, n)
		case 21:
			fmt.Fprintf(out, "switch {\ncase x%%2 == 0:\nco.Yield(%d)\nfallthrough\ncase x > 100:\nx++\ndefault:\nx--\n}\n", n)
		case 22:
			fmt.Fprintf(out, "for i := range 2 {\nx += co.Yield(%d + i)\ncontinue\n}\n", n)
		case 23:
			fmt.Fprintf(out, "for range 2 {\nco.Yield(-%d)\nbreak\n}\n", n)
		case 24:
			fmt.Fprintf(out, "if x > %d {\nif co.Yield(%d) > 3 {\nreturn x\n} else if co.Yield(-%d) > 1 {\nreturn -x\n} else {\nreturn 0\n}\n}\n", 30+n, n, n)
		case 25:
			fmt.Fprintf(out, "x += first(co.YieldErr(%d))\nif errNil(co.YieldErr(-%d)) {\nx++\n}\nfor i := 0; i < 2 && errNil(co.YieldErr(i + %d)); i++ {\nx += i\n}\n", n, n, n)
		}
	}
}

// fuzzHeader starts a fuzz program: imports, the trace and the helpers
// the statements use.
const fuzzHeader = `package main

import (
	"errors"
	"fmt"
	"iter"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

type trace struct{}

func (trace) log(f string, a ...any) { fmt.Printf(f+"\n", a...) }

func pair(x int) (int, string) { return x % 3, "_agP0_" }

// first and errNil take YieldErr's two results as their only argument.
func first(v int, _ error) int { return v }
func errNil(_ int, err error) bool { return err == nil }

// seq yields 1..n and logs when it finishes.
func seq(t trace, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		defer t.log("seq done")
		for i := 1; i <= n; i++ {
			if !yield(i) {
				t.log("seq stopped at %d", i)
				return
			}
		}
	}
}

func describe(err error) string {
	var pe *coro.PanicError
	if errors.As(err, &pe) {
		return fmt.Sprint("panic ", pe.Value)
	}
	return fmt.Sprint(err)
}

// drive runs g with ops: "n" Next, "t" Throw, "c" Close, an int Send,
// and closes it: a generator dropped while suspended would be closed by
// the garbage collector, running its deferred calls (which print) at a
// time that depends on the collector, in the middle of a later program's
// trace.
func drive(g *coro.Generator[int, int, int], ops ...any) {
	for _, op := range ops {
		switch op := op.(type) {
		case string:
			switch op {
			case "n":
				y, err := g.Next()
				fmt.Println("next", y, describe(err))
			case "t":
				y, err := g.Throw(errors.New("boom"))
				fmt.Println("throw", y, describe(err))
			case "c":
				fmt.Println("close", describe(g.Close()))
			}
		case int:
			y, err := g.Send(op)
			fmt.Println("send", op, y, describe(err))
		}
	}
	r, ok := g.Result()
	fmt.Println("result", r, ok, g.State(), describe(g.Err()))
	fmt.Println("end close", describe(g.Close()))
}
`

// fuzzGenerator is the generator function name built from body.
func fuzzGenerator(name string, body []byte) string {
	var b strings.Builder
	pos, k := 0, 0
	genBody(body, 0, &pos, &b, &k)
	return fmt.Sprintf(`
//asyncgo:generator
func %s(t trace) *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		x, v := 0, 0
		_ = v
		const k = 1
%s		return x*10 + k
	})
}
`, name, b.String())
}

// fuzzOps is the driver script built from script: the arguments of drive.
func fuzzOps(script []byte) string {
	var ops []string
	for _, c := range script {
		switch c % 4 {
		case 0:
			ops = append(ops, `"n"`)
		case 1:
			ops = append(ops, fmt.Sprint(int(c)%7))
		case 2:
			ops = append(ops, `"t"`)
		case 3:
			ops = append(ops, `"c"`)
		}
	}
	for range 4 {
		ops = append(ops, `"n"`)
	}
	return strings.Join(ops, ", ")
}

// fuzzProgram is the program FuzzLowering builds from its input.
func fuzzProgram(body, script []byte) string {
	return fuzzHeader + fuzzGenerator("G", body) + "\nfunc main() {\n\tdrive(G(trace{}), " + fuzzOps(script) + ")\n}\n"
}

// FuzzLowering builds generator programs from its input and checks that
// direct and lowered runs print the same trace.
func FuzzLowering(f *testing.F) {
	f.Add([]byte{0, 1, 2, 0, 3, 1, 4, 5}, []byte{0, 1, 5, 2, 0})
	f.Add([]byte{4, 3, 0, 9, 1, 7, 6, 8}, []byte{0, 9, 13, 3})
	f.Add([]byte{2, 2, 5, 0, 4, 3, 3, 1, 8, 0}, []byte{0, 2, 2, 1, 7})
	// The shapes added later: blanks, inner consts, short circuits, jumps
	// out of a range-over-func loop, panicking comparisons, look-alikes.
	f.Add([]byte{10, 11, 12, 13, 0, 1, 14, 15}, []byte{0, 1, 5, 9, 13, 0, 0})
	f.Add([]byte{13, 12, 14, 11, 10, 15, 4, 0}, []byte{0, 5, 9, 1, 0, 13})
	// A throw while suspended in a range-over-func loop passes through the
	// iterator (the first failure this generator found).
	f.Add([]byte{13, 12, 14, 11, 10, 15, 4, 0}, []byte{0, 5, 2, 9, 1, 0})
	f.Add([]byte{14, 14, 7, 12, 13, 13, 6, 10}, []byte{0, 13, 17, 3, 0})
	f.Add([]byte{25, 0, 25, 13, 25, 5}, []byte{0, 1, 2, 5, 0, 1})
	f.Fuzz(func(t *testing.T, body, script []byte) {
		if len(body) > 40 || len(script) > 20 {
			t.Skip()
		}
		src := fuzzProgram(body, script)
		dir := tempPackage(t, map[string]string{"main.go": src})
		files, err := rewrite.Package(dir)
		if err != nil {
			t.Fatalf("rewrite: %v\n%s", err, src)
		}
		want, got := commentTexts(t, "main.go", []byte(src)), commentTexts(t, "main_asyncgo.go", files[1].New)
		for c, n := range want {
			if got[c] != n {
				t.Fatalf("comment %q: %d times in the source, %d lowered\n%s", c, n, got[c], files[1].New)
			}
		}
		run := func(args ...string) string {
			cmd := exec.Command("go", append([]string{"run"}, append(args, ".")...)...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go run %v: %v\n%s\n%s", args, err, out, src)
			}
			return string(out)
		}
		direct := run("-tags", rewrite.DirectTag)
		lowered := run("-overlay", overlay(t, files))
		if direct != lowered {
			t.Fatalf("traces differ\n--- direct\n%s--- lowered\n%s--- program\n%s", direct, lowered, src)
		}
	})
}

var (
	sweepN    = flag.Int("sweep", 40, "TestSweep: how many random programs to build into one package and compare")
	sweepSeed = flag.Uint64("sweepseed", 1, "TestSweep: the seed of its random programs")
)

// sweepSettle runs, in TestSweep's programs, before each program: with
// SWEEP_SETTLE set it collects garbage and lets the cleanups of dropped
// generators run, so that output of a generator of an earlier program (its
// deferred calls run by a collector's close) lands in the next program's
// trace; without it the collector is off and such output never comes. A
// difference there is a harness that depends on the collector.
const sweepSettle = `
func settle() {
	if os.Getenv("SWEEP_SETTLE") == "" {
		debug.SetGCPercent(-1)
		return
	}
	for range 2 {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}
`

// sweepForms is how many statement forms genBody has.
const sweepForms = 26

// TestSweep is FuzzLowering's generator run in bulk: -sweep programs from
// a seeded random source (-sweepseed), all in one package, so that one
// direct and one lowered build compare them all (a fuzz execution builds
// two programs for one), and one go vet checks the lowered build. A
// difference names the program's body and script bytes, to add as a
// FuzzLowering seed once it is fixed.
func TestSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a package of random programs twice")
	}
	r := rand.New(rand.NewPCG(*sweepSeed, 0))
	type prog struct{ body, script []byte }
	progs := make([]prog, *sweepN)
	var src strings.Builder
	src.WriteString(strings.Replace(fuzzHeader, "\t\"iter\"\n", "\t\"iter\"\n\t\"os\"\n\t\"runtime\"\n\t\"runtime/debug\"\n\t\"time\"\n", 1))
	var calls strings.Builder
	for i := range progs {
		p := &progs[i]
		p.body = make([]byte, 3+r.IntN(12))
		for j := range p.body {
			p.body[j] = byte(r.IntN(sweepForms))
		}
		p.script = make([]byte, 2+r.IntN(7))
		for j := range p.script {
			p.script[j] = byte(r.IntN(32))
		}
		name := fmt.Sprintf("G%d", i)
		src.WriteString(fuzzGenerator(name, p.body))
		fmt.Fprintf(&calls, "\tsettle()\n\tfmt.Println(\"=== %d\")\n\tdrive(%s(trace{}), %s)\n", i, name, fuzzOps(p.script))
	}
	src.WriteString(sweepSettle + "\nfunc main() {\n" + calls.String() + "}\n")
	dir := tempPackage(t, map[string]string{"main.go": src.String()})
	files, err := rewrite.Package(dir)
	if err != nil {
		t.Fatalf("rewrite: %v", err)
	}
	run := func(env []string, args ...string) map[string]string {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", append([]string{"run"}, append(args, ".")...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go run %v: %v\n%s", args, err, out)
		}
		return splitTraces(string(out))
	}
	ov := overlay(t, files)
	vet := func(args ...string) (string, error) {
		cmd := exec.Command("go", append(append([]string{"vet"}, args...), ".")...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// The lowered build is vet-clean wherever the source is.
	if out, err := vet("-overlay", ov); err != nil {
		if _, derr := vet("-tags", rewrite.DirectTag); derr == nil {
			t.Errorf("go vet on the lowered programs: %v\n%s", err, out)
		}
	}
	// Nothing a program prints may depend on the garbage collector: the
	// direct run never collects, the lowered one collects (and runs the
	// cleanups of dropped generators) between programs.
	direct := run(nil, "-tags", rewrite.DirectTag)
	lowered := run([]string{"SWEEP_SETTLE=1"}, "-overlay", ov)
	if len(direct) != len(progs) {
		t.Fatalf("%d traces for %d programs", len(direct), len(progs))
	}
	for i, p := range progs {
		k := fmt.Sprint(i)
		if direct[k] != lowered[k] {
			t.Errorf("program %d (seed %d): traces differ; f.Add(%#v, %#v)\n--- direct\n%s--- lowered\n%s--- generator\n%s",
				i, *sweepSeed, p.body, p.script, direct[k], lowered[k], fuzzGenerator("G"+k, p.body))
		}
	}
	t.Logf("%d random programs, seed %d", len(progs), *sweepSeed)
}
