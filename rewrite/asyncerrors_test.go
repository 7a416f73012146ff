package rewrite_test

import (
	"testing"
)

const asyncHeader = "package p\n\nimport (\n\t\"time\"\n\n\t\"github.com/asyncgo/asyncgo/runtime/aio\"\n)\n\n//asyncgo:async\nfunc A(c *aio.Coroutine[int], q *aio.Queue[int], l *aio.Lock) *aio.Coroutine[int] {\n\treturn aio.Async(func(t *aio.Task) (int, error) {\n"

// TestAsyncUnsupported checks that a call that may suspend and is not
// lowered yet, and any other use of the task, is a positioned error
// naming the call, never a direct-mode call left in a Step.
func TestAsyncUnsupported(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"gather", "\t\trs, err := aio.Gather(t, c)\n\t\treturn len(rs), err\n", "p.go:12:14: cannot lower aio.Gather yet"},
		{"waitfor", "\t\treturn aio.WaitFor(t, c, time.Second)\n", "p.go:12:10: cannot lower aio.WaitFor yet"},
		{"shield", "\t\treturn aio.Shield(t, c)\n", "p.go:12:10: cannot lower aio.Shield yet"},
		{"queue-get", "\t\treturn q.Get(t)\n", "p.go:12:10: cannot lower aio.Queue.Get yet"},
		{"lock", "\t\tif err := l.Acquire(t); err != nil {\n\t\t\treturn 0, err\n\t\t}\n\t\treturn 1, nil\n", "p.go:12:13: cannot lower aio.Lock.Acquire yet"},
		{"tothread", "\t\treturn aio.ToThread(t, func() (int, error) { return 1, nil })\n", "p.go:12:10: cannot lower aio.ToThread yet"},
		{"timeout", "\t\terr := aio.Timeout(t, time.Second, func(*aio.TimeoutScope) error { return nil })\n\t\treturn 0, err\n", "p.go:12:10: cannot lower aio.Timeout yet"},
		{"user-func", "\t\treturn helper(t)\n", "p.go:12:10: cannot lower the call of helper: it is passed t, so it may suspend"},
		{"user-func-onward", "\t\t_ = name(t)\n\t\treturn len(onward(t)), nil\n", "p.go:13:14: cannot lower the call of onward: it is passed t, so it may suspend"},
		{"user-func-capture", "\t\t_ = capture(t)\n\t\treturn 0, nil\n", "p.go:12:7: cannot lower the call of capture"},
		{"stored", "\t\tx := t\n\t\t_ = x\n\t\treturn 0, nil\n", "p.go:12:8: t may only be passed to aio.Await, aio.Sleep and aio.CreateTask"},
		{"closure", "\t\tf := func() { aio.Sleep(t, 0) }\n\t\tf()\n\t\treturn 0, nil\n", "p.go:12:27: cannot use t inside a function literal"},
		{"defer-await", "\t\tdefer aio.Await(t, c)\n\t\treturn 0, nil\n", "p.go:12:3: cannot defer a suspension: aio.Await would suspend while the async body unwinds"},
		{"go-sleep", "\t\tgo aio.Sleep(t, 0)\n\t\treturn 0, nil\n", "p.go:12:3: cannot suspend in a go statement: aio.Sleep"},
		{"two", "\t\treturn f(aio.Sleep(t, 0)) + f(aio.Sleep(t, 1)), nil\n", "p.go:12:3: a statement may hold only one suspension"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := asyncHeader + c.body + "\t})\n}\n\nvar _ = time.Second\n\nfunc helper(t *aio.Task) (int, error) { return 0, aio.Sleep(t, 0) }\n\nfunc name(t *aio.Task) string { return t.Name() }\n\nfunc onward(t *aio.Task) string { helper(t); return name(t) }\n\nfunc capture(t *aio.Task) func() string { return func() string { return t.Name() } }\n\nfunc f(error) int { return 1 }\n"
			dir := tempPackage(t, map[string]string{"p.go": src})
			wantRejected(t, dir, c.want)
		})
	}
}

// TestAsyncBadForm checks the form an async function must have.
func TestAsyncBadForm(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"not-async", "package p\n\nimport \"github.com/asyncgo/asyncgo/runtime/aio\"\n\n//asyncgo:async\nfunc A() *aio.Coroutine[int] {\n\tc := aio.Async(func(t *aio.Task) (int, error) { return 1, nil })\n\treturn c\n}\n",
			"p.go:6:1: A: an async function's body must be a single `return aio.Async(func(t *aio.Task) (R, error) { ... })`"},
		{"misplaced", "package p\n\nimport \"github.com/asyncgo/asyncgo/runtime/aio\"\n\nfunc A() *aio.Coroutine[int] {\n\t//asyncgo:async\n\treturn aio.Async(func(t *aio.Task) (int, error) { return 1, nil })\n}\n",
			"p.go:6:2: //asyncgo:async must be in the doc comment of a function declaration"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := tempPackage(t, map[string]string{"p.go": c.src})
			wantRejected(t, dir, c.want)
		})
	}
}
