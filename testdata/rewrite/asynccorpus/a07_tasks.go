package main

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Ticker logs every d milliseconds, n times.
//
//asyncgo:async
func Ticker(name string, n, d int) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		for i := range n {
			note(t, name, i)
			if d == 0 {
				aio.Sleep(t, 0)
			} else if err := aio.Sleep(t, time.Duration(d)*time.Millisecond); err != nil {
				return "", err
			}
		}
		return name, nil
	})
}

// note logs a tick with the task's name: a helper that only reads the
// task, which a lowered body may pass t to.
func note(t *aio.Task, name string, i int) {
	logf(t.Loop(), "%s tick %d (%s)", name, i, describeTask(t))
}

func describeTask(t *aio.Task) string { return t.Name() }

// Spawner interleaves tasks that sleep and yield.
//
//asyncgo:async
func Spawner() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		hs := []*aio.Handle[string]{
			aio.CreateTask(t, Ticker("a", 4, 300), aio.Name("ta")),
			aio.CreateTask(t, Ticker("b", 3, 500), aio.Name("tb")),
			aio.CreateTask(t, Ticker("c", 3, 0), aio.Name("tc")),
			aio.CreateTask(t, Ticker("d", 2, 0), aio.Name("td")),
		}
		s := ""
		for _, h := range hs {
			v, err := aio.Await(t, h)
			if err != nil {
				return "", err
			}
			s += v
		}
		return s, nil
	})
}

var _ = register("tasks_interleave", func() { run(Spawner()) })
