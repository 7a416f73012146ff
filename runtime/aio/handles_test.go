package aio_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

func TestCallSoonCancel(t *testing.T) {
	var log []string
	check(t, func(t *aio.Task) error {
		l := t.Loop()
		a := l.CallSoon(func() { log = append(log, "a") })
		b := l.CallSoon(func() { log = append(log, "b") })
		l.CallSoon(func() { log = append(log, "c") })
		if !b.Cancel() || !b.Cancelled() {
			return fmt.Errorf("Cancel of a queued CallSoon")
		}
		aio.Sleep(t, 0)
		if a.Cancel() {
			return fmt.Errorf("Cancel of a call that ran reported true")
		}
		return nil
	})
	if got := strings.Join(log, " "); got != "a c" {
		t.Fatalf("calls %q; want a c", got)
	}
}

func TestRemoveDoneCallback(t *testing.T) {
	var log []string
	check(t, func(t *aio.Task) error {
		f := aio.NewFuture[int](t.Loop())
		f.AddDoneCallback(func(*aio.Future[int]) { log = append(log, "kept") })
		c := f.AddDoneCallback(func(*aio.Future[int]) { log = append(log, "removed") })
		if !f.RemoveDoneCallback(c) || f.RemoveDoneCallback(c) {
			return fmt.Errorf("RemoveDoneCallback: want true once")
		}
		h := aio.CreateTask(t, after(1, nil))
		hc := h.AddDoneCallback(func(*aio.Handle[int]) { log = append(log, "task") })
		f.SetResult(1)
		late := f.AddDoneCallback(func(*aio.Future[int]) { log = append(log, "late") })
		if f.RemoveDoneCallback(late) {
			return fmt.Errorf("RemoveDoneCallback of a callback scheduled at once reported true")
		}
		aio.Await(t, h)
		aio.Sleep(t, 0)
		if h.RemoveDoneCallback(hc) {
			return fmt.Errorf("RemoveDoneCallback of a task's callback that ran reported true")
		}
		return nil
	})
	if got := strings.Join(log, " "); got != "kept late task" {
		t.Fatalf("callbacks %q; want kept late task", got)
	}
}

func TestAllTasksAndCurrentTask(t *testing.T) {
	check(t, func(t *aio.Task) error {
		if aio.CurrentTask(t.Loop()) != t {
			return fmt.Errorf("CurrentTask is not the running task")
		}
		var inCallback *aio.Task = t
		t.Loop().CallSoon(func() { inCallback = aio.CurrentTask(t.Loop()) })
		a := aio.CreateTask(t, after(5, nil), aio.Name("a"))
		b := aio.CreateTask(t, after(5, nil), aio.Name("b"))
		aio.Sleep(t, 0)
		if inCallback != nil {
			return fmt.Errorf("CurrentTask in a callback = %v; want nil", inCallback)
		}
		var names []string
		for _, task := range aio.AllTasks(t.Loop()) {
			names = append(names, task.Name())
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"Task-1", "a", "b"}) {
			return fmt.Errorf("AllTasks = %v", names)
		}
		for _, task := range aio.AllTasks(t.Loop()) {
			if task != t {
				task.Cancel()
			}
		}
		aio.Await(t, a)
		if !a.Cancelled() || !b.Cancelled() {
			return fmt.Errorf("tasks cancelled through AllTasks: %v %v", a.Cancelled(), b.Cancelled())
		}
		aio.Sleep(t, 0)
		if ts := aio.AllTasks(t.Loop()); len(ts) != 1 || ts[0] != t || t.Done() {
			return fmt.Errorf("AllTasks after: %v", ts)
		}
		return nil
	})
}

func ExampleLoop_CallSoon() {
	l := aio.NewLoop()
	defer l.Close()
	l.CallSoon(func() { fmt.Println("first") })
	second := l.CallSoon(func() { fmt.Println("second") })
	l.CallSoon(l.Stop)
	second.Cancel()
	l.RunForever()
	// Output:
	// first
}

func ExampleFuture_RemoveDoneCallback() {
	aio.Run(aio.Async(func(t *aio.Task) (int, error) {
		f := aio.NewFuture[string](t.Loop())
		f.AddDoneCallback(func(f *aio.Future[string]) { v, _ := f.Result(); fmt.Println("done:", v) })
		c := f.AddDoneCallback(func(*aio.Future[string]) { fmt.Println("never") })
		f.RemoveDoneCallback(c)
		f.SetResult("ok")
		return 0, aio.Sleep(t, 0)
	}), virtual)
	// Output:
	// done: ok
}

func ExampleAllTasks() {
	aio.Run(aio.Async(func(t *aio.Task) (int, error) {
		aio.CreateTask(t, say("never", time.Hour), aio.Name("sleeper"))
		aio.Sleep(t, 0)
		for _, task := range aio.AllTasks(t.Loop()) {
			fmt.Println(task.Name(), task == aio.CurrentTask(t.Loop()))
		}
		return 0, nil
	}), virtual)
	// Output:
	// sleeper false
	// Task-1 true
}

func ExampleCreateGroupTask() {
	aio.Run(aio.Async(func(t *aio.Task) (int, error) {
		var h *aio.Handle[string]
		err := aio.WithTaskGroup(t, func(g *aio.TaskGroup) error {
			h = aio.CreateGroupTask(g, say("hello", time.Second))
			return nil
		})
		v, _ := h.Result() // a string: no type assertion
		fmt.Println(v, err)
		return 0, nil
	}), virtual)
	// Output:
	// hello
	// hello <nil>
}
