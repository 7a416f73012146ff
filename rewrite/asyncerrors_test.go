package rewrite_test

import (
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/rewrite"
)

const asyncHeader = "package p\n\nimport (\n\t\"time\"\n\n\t\"github.com/asyncgo/asyncgo/runtime/aio\"\n)\n\n//asyncgo:async\nfunc A(c *aio.Coroutine[int], q *aio.Queue[int], l *aio.Lock) *aio.Coroutine[int] {\n\treturn aio.Async(func(t *aio.Task) (int, error) {\n"

// TestAsyncUnsupported checks that a call that may suspend and is not
// lowered yet (a scope whose callback is not a function literal or holds a
// defer, a label of a callback also declared in the body, AsCompleted other than
// as a range loop's expression, a method reached through an embedded
// field), and any other use of the task, is a positioned error naming the
// call, never a direct-mode call left in a Step; inside a function literal,
// a call that may suspend the task, and any use but a method call, an
// aio.CreateTask or a helper that does not suspend.
func TestAsyncUnsupported(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"timeout-func-value", "\t\tcb := func(*aio.TimeoutScope) error { return nil }\n\t\terr := aio.Timeout(t, time.Second, cb)\n\t\treturn 0, err\n", "p.go:13:10: cannot lower aio.Timeout with a callback that is not a function literal"},
		{"timeout-at-method-value", "\t\tvar x scoped\n\t\terr := aio.TimeoutAt(t, time.Time{}, x.body)\n\t\treturn 0, err\n", "p.go:13:10: cannot lower aio.TimeoutAt with a callback that is not a function literal"},
		{"taskgroup-defer", "\t\terr := aio.WithTaskGroup(t, func(*aio.TaskGroup) error {\n\t\t\tdefer println()\n\t\t\treturn aio.Sleep(t, 0)\n\t\t})\n\t\treturn 0, err\n", "p.go:13:4: cannot lower a defer inside the callback of aio.WithTaskGroup"},
		{"timeout-label-clash", "\tL:\n\t\taio.Sleep(t, 0)\n\t\terr := aio.Timeout(t, time.Second, func(*aio.TimeoutScope) error {\n\tL:\n\t\t\tif aio.Sleep(t, 0) != nil {\n\t\t\t\tgoto L\n\t\t\t}\n\t\t\treturn nil\n\t\t})\n\t\tif err != nil {\n\t\t\tgoto L\n\t\t}\n\t\treturn 0, err\n", "p.go:15:2: cannot lower the label L: the body declares it too, and the callback of aio.Timeout is inlined into the body"},
		{"timeout-closure-inside", "\t\terr := aio.Timeout(t, time.Second, func(*aio.TimeoutScope) error {\n\t\t\tf := func() error { return aio.Sleep(t, 0) }\n\t\t\treturn f()\n\t\t})\n\t\treturn 0, err\n", "p.go:13:31: cannot call aio.Sleep with t inside a function literal"},
		{"defer-timeout", "\t\tdefer aio.Timeout(t, time.Second, func(*aio.TimeoutScope) error { return nil })\n\t\treturn 0, nil\n", "p.go:12:3: cannot defer a suspension: aio.Timeout would suspend while the async body unwinds"},
		{"go-taskgroup", "\t\tgo aio.WithTaskGroup(t, func(*aio.TaskGroup) error { return nil })\n\t\treturn 0, nil\n", "p.go:12:3: cannot suspend in a go statement: aio.WithTaskGroup"},
		{"two-scopes", "\t\treturn f(aio.Timeout(t, 1, func(*aio.TimeoutScope) error { return nil })) + f(aio.WithTaskGroup(t, func(*aio.TaskGroup) error { return nil })), nil\n", "p.go:12:3: a statement may hold only one suspension"},
		{"resume-op", "\t\tvar a aio.LockAcquire\n\t\ta.Start(t, l)\n\t\treturn 0, a.Result()\n", "p.go:13:3: cannot lower aio.LockAcquire.Start yet"},
		{"as-completed-value", "\t\tit := aio.AsCompleted(t, []*aio.Handle[int]{})\n\t\t_ = it\n\t\treturn 0, nil\n", "p.go:12:9: cannot lower aio.AsCompleted here: a lowered async body iterates over it only as the range expression of a for loop"},
		{"as-completed-call", "\t\taio.AsCompleted(t, []*aio.Handle[int]{})(func(*aio.Handle[int], error) bool { return false })\n\t\treturn 0, nil\n", "p.go:12:3: cannot lower aio.AsCompleted here"},
		{"embedded", "\t\tvar x locked\n\t\treturn 0, x.Acquire(t)\n", "p.go:13:13: cannot lower aio.Lock.Acquire called through an embedded field: call it on the field"},
		{"user-func", "\t\treturn helper(t)\n", "p.go:12:10: cannot lower the call of helper: it is passed t, so it may suspend"},
		{"user-func-onward", "\t\t_ = name(t)\n\t\treturn len(onward(t)), nil\n", "p.go:13:14: cannot lower the call of onward: it is passed t, so it may suspend"},
		{"user-func-capture", "\t\t_ = capture(t)\n\t\treturn 0, nil\n", "p.go:12:7: cannot lower the call of capture"},
		{"stored", "\t\tx := t\n\t\t_ = x\n\t\treturn 0, nil\n", "p.go:12:8: t may only be passed to the calls of aio a lowered body can make"},
		{"closure", "\t\tf := func() { aio.Sleep(t, 0) }\n\t\tf()\n\t\treturn 0, nil\n", "p.go:12:17: cannot call aio.Sleep with t inside a function literal in a lowered async body: it may suspend, and a function literal cannot suspend the lowered body"},
		{"closure-deferred-await", "\t\tdefer func() { aio.Await(t, c) }()\n\t\treturn 0, nil\n", "p.go:12:18: cannot call aio.Await with t inside a function literal in a lowered async body: it may suspend, and a function literal cannot suspend the lowered body"},
		{"closure-method", "\t\tfunc() { _ = l.Acquire(t) }()\n\t\treturn 0, nil\n", "p.go:12:16: cannot call aio.Lock.Acquire with t inside a function literal in a lowered async body: it may suspend"},
		{"closure-helper", "\t\tg := func() { helper(t) }\n\t\tg()\n\t\treturn 0, nil\n", "p.go:12:17: cannot call helper with t inside a function literal in a lowered async body: it may suspend, and a function literal cannot suspend the lowered body"},
		{"closure-helper-onward", "\t\tg := func() string { return onward(t) }\n\t\t_ = g\n\t\treturn 0, nil\n", "p.go:12:31: cannot call onward with t inside a function literal"},
		{"closure-as-completed", "\t\tfunc() {\n\t\t\tfor range aio.AsCompleted(t, []*aio.Handle[int]{}) {\n\t\t\t}\n\t\t}()\n\t\treturn 0, nil\n", "p.go:13:14: cannot call aio.AsCompleted with t inside a function literal"},
		{"closure-timeout", "\t\tg := func() error { return aio.Timeout(t, time.Second, func(*aio.TimeoutScope) error { return nil }) }\n\t\t_ = g\n\t\treturn 0, nil\n", "p.go:12:30: cannot call aio.Timeout with t inside a function literal"},
		{"closure-go", "\t\tgo func() { aio.Sleep(t, 0) }()\n\t\treturn 0, nil\n", "p.go:12:15: cannot call aio.Sleep with t inside a function literal"},
		{"closure-nested-async", "\t\td := aio.Async(func(u *aio.Task) (int, error) { return 0, aio.Sleep(t, 0) })\n\t\treturn aio.Await(t, d)\n", "p.go:12:61: cannot call aio.Sleep with t inside a function literal"},
		{"closure-passed", "\t\tfunc() { func(u *aio.Task) { _ = u }(t) }()\n\t\treturn 0, nil\n", "p.go:12:12: cannot call func(u *aio.Task) { _ = u } with t inside a function literal"},
		{"closure-stored", "\t\tfunc() { x := t; _ = x }()\n\t\treturn 0, nil\n", "p.go:12:17: cannot use t this way inside a function literal in a lowered async body"},
		{"closure-returned", "\t\tget := func() *aio.Task { return t }\n\t\t_ = get\n\t\treturn 0, nil\n", "p.go:12:36: cannot use t this way inside a function literal in a lowered async body"},
		{"closure-method-value", "\t\tget := func() func() string { return t.Name }\n\t\t_ = get\n\t\treturn 0, nil\n", "p.go:12:40: cannot use t this way inside a function literal"},
		{"defer-await", "\t\tdefer aio.Await(t, c)\n\t\treturn 0, nil\n", "p.go:12:3: cannot defer a suspension: aio.Await would suspend while the async body unwinds"},
		{"go-sleep", "\t\tgo aio.Sleep(t, 0)\n\t\treturn 0, nil\n", "p.go:12:3: cannot suspend in a go statement: aio.Sleep"},
		{"two", "\t\treturn f(aio.Sleep(t, 0)) + f(aio.Sleep(t, 1)), nil\n", "p.go:12:3: a statement may hold only one suspension"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := asyncHeader + c.body + "\t})\n}\n\nvar _ = time.Second\n\nfunc helper(t *aio.Task) (int, error) { return 0, aio.Sleep(t, 0) }\n\nfunc name(t *aio.Task) string { return t.Name() }\n\nfunc onward(t *aio.Task) string { helper(t); return name(t) }\n\nfunc capture(t *aio.Task) func() string { return func() string { return t.Name() } }\n\nfunc f(error) int { return 1 }\n\ntype locked struct{ aio.Lock }\n\ntype scoped struct{}\n\nfunc (scoped) body(*aio.TimeoutScope) error { return nil }\n"
			dir := tempPackage(t, map[string]string{"p.go": src})
			wantRejected(t, dir, c.want)
		})
	}
}

// TestAsyncTaskInClosures checks that the uses of the task that do not
// suspend are lowered inside function literals too (deferred, stored,
// nested, in a go statement), referring to the Step's task.
func TestAsyncTaskInClosures(t *testing.T) {
	body := "\t\tdefer func() { _ = t.Name() + name(t) }()\n" +
		"\t\tstop := func() bool { return t.Cancel() }\n" +
		"\t\tspawn := func() *aio.Handle[int] { return aio.CreateTask(t, c, aio.Name(t.Name())) }\n" +
		"\t\tgo func() { _ = func() *aio.Loop { return t.Loop() }() }()\n" +
		"\t\tn, err := aio.Await(t, spawn())\n" +
		"\t\tstop()\n" +
		"\t\treturn n, err\n"
	src := asyncHeader + body + "\t})\n}\n\nvar _ = time.Second\n\nfunc name(t *aio.Task) string { return t.Name() }\n"
	dir := tempPackage(t, map[string]string{"p.go": src})
	files, err := rewrite.Package(dir)
	if err != nil {
		t.Fatal(err)
	}
	gen := string(files[len(files)-1].New)
	for _, want := range []string{"_agT.Name() + name(_agT)", "return _agT.Cancel()", "aio.CreateTask(_agT, ", "return _agT.Loop()"} {
		if !strings.Contains(gen, want) {
			t.Errorf("the lowered body lacks %q:\n%s", want, gen)
		}
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
