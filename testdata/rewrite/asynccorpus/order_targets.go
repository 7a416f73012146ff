package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Assignment targets of an await's two results (Go spec, "Assignment
// statements": the operands of index expressions and pointer
// indirections on the left are evaluated, in the usual order, with the
// expressions on the right; then the assignments are carried out left to
// right): map entries, slice elements with calls in the index, struct
// fields through pointers, a blank.

type slot struct {
	v   string
	err error
}

// at logs and returns i.
func at(name string, i int) int { out.log("index %s", name); return i }

// Named returns name after a turn, logging.
//
//asyncgo:async
func Named(name string) *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		out.log("named %s", name)
		aio.Sleep(t, 0)
		return name, nil
	})
}

// Targets awaits into each kind of target.
//
//asyncgo:async
func Targets() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		m := map[string]string{}
		var err error
		m["k"], err = aio.Await(t, Named("map"))
		xs := make([]string, 3)
		errs := make([]error, 3)
		xs[at("a", 1)], errs[at("b", 2)] = aio.Await(t, Named("slice"))
		s := &slot{}
		s.v, s.err = aio.Await(t, Named("field"))
		ps := []*slot{{}, {}}
		ps[at("c", 1)].v, _ = aio.Await(t, Named("pointer field"))
		arr := [2]string{}
		arr[at("d", 0)], err = aio.Await(t, Named("array"))
		return fmt.Sprint(m, xs, errs, *s, *ps[1], arr, err), nil
	})
}

var _ = register("order_assign_targets", func() { run(Targets()) })
