package rewrite_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/rewrite"
)

// asyncFunc is the source of an annotated async function name(params)
// returning int with body.
func asyncFunc(name, params, body string) string {
	return "\n//asyncgo:async\nfunc " + name + "(" + params + ") *aio.Coroutine[int] {\n\treturn aio.Async(func(t *aio.Task) (int, error) {\n" + body + "\t})\n}\n"
}

const aioFile = "package p\n\nimport \"github.com/asyncgo/asyncgo/runtime/aio\"\n"

// TestAsyncKeptMachines: which awaited calls keep their callee's machine.
// Whether a kept machine is sound shows in the traces of the async corpus
// (reuse_* programs, reuse_not_outliving among them); what a single build
// cannot show is a callee declared per build: kept in one, it would be
// kept in all (the generated file is the same), so only the callees of the
// awaiting file, or of files constrained by asyncgo_direct alone, are.
func TestAsyncKeptMachines(t *testing.T) {
	sleep := "\t\treturn n, aio.Sleep(t, 0)\n"
	awaits := ""
	for _, c := range []string{"Plain(1)", "Closure(2)", "Addr(3)", "Dots(4, 5)", "Linux(6)", "Tagged(7)", "Iter(8)", "(&box{}).Ptr(9)", "box{}.Val(10)", "Gen[int](11)"} {
		awaits += "\t\tif _, err := aio.Await(t, " + c + "); err != nil {\n\t\t\treturn 0, err\n\t\t}\n"
	}
	dir := tempPackage(t, map[string]string{
		"a.go": aioFile + "\nimport \"iter\"\n\ntype box struct{ n int }\n\nfunc seqOf(n int) iter.Seq[int] { return func(yield func(int) bool) { yield(n) } }\n" +
			asyncFunc("Plain", "n int", sleep) +
			asyncFunc("Closure", "n int", "\t\tf := func() int { return n }\n\t\treturn f(), aio.Sleep(t, 0)\n") +
			asyncFunc("Addr", "n int", "\t\tp := &n\n\t\treturn *p, aio.Sleep(t, 0)\n") +
			asyncFunc("Dots", "n ...int", "\t\treturn len(n), aio.Sleep(t, 0)\n") +
			asyncFunc("Iter", "n int", "\t\tfor v := range seqOf(n) {\n\t\t\tn += v\n\t\t}\n"+sleep) +
			asyncFunc("(b *box) Ptr", "n int", "\t\tb.n += n\n"+sleep) +
			asyncFunc("(b box) Val", "n int", "\t\tn += b.n\n"+sleep) +
			asyncFunc("Gen[T any]", "n int", sleep) +
			asyncFunc("All", "", awaits+"\t\treturn 0, nil\n"),
		"l_linux.go":        aioFile + asyncFunc("Linux", "n int", sleep),
		"l_other.go":        "//go:build !linux\n\n" + aioFile + asyncFunc("Linux", "n int", "\t\tf := func() int { return n }\n\t\treturn f(), nil\n"),
		"tagged.go":         "//go:build !windows\n\n" + aioFile + asyncFunc("Tagged", "n int", sleep),
		"tagged_windows.go": "//go:build windows\n\n" + aioFile + asyncFunc("Tagged", "n int", sleep),
	})
	files, err := rewrite.Package(dir)
	if err != nil {
		t.Fatal(err)
	}
	var gen string
	for _, f := range files {
		if filepath.Base(f.Path) == "a_asyncgo.go" {
			gen = string(f.New)
		}
	}
	if gen == "" {
		t.Fatal("a.go was not lowered")
	}
	for _, c := range []struct {
		call string
		kept bool
	}{
		{"Plain(1)", true}, {"Ptr(9)", true}, {"Val(10)", true}, {"Gen(11)", true},
		{"Closure(2)", false}, {"Addr(3)", false}, {"Dots(4, 5)", false}, {"Iter(8)", false},
		{"Linux(6)", false}, {"Tagged(7)", false},
	} {
		name := c.call[:strings.Index(c.call, "(")]
		args := c.call[len(name)+1 : len(c.call)-1]
		kept := strings.Contains(gen, "._agReuse("+args+")") || strings.Contains(gen, "._agReuse((&box{}), "+args+")") || strings.Contains(gen, "._agReuse(box{}, "+args+")")
		made := strings.Contains(gen, name+"("+args+"))") || strings.Contains(gen, name+"[int]("+args+"))")
		if kept != c.kept || made == c.kept {
			t.Errorf("%s: its machine kept %v, its coroutine made %v; want kept %v", c.call, kept, made, c.kept)
		}
	}
	if t.Failed() {
		t.Log(gen)
	}
}
