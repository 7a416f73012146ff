package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Text is a named string type ranged over.
type Text string

// NameBox has a generator method Items beside a function NameBox_Items:
// their machines must not collide.
type NameBox struct{ n int }

func pairOf() (int, error) { return 7, nil }

// InnerConsts declares constants in inner blocks: each shadows the outer
// one only in its block (the spec, "Declarations and scope").
//
//asyncgo:generator
func InnerConsts() *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		const k = 1
		{
			const k = 2
			co.Yield(fmt.Sprint("inner ", k))
		}
		{
			const k, j = 3, iota
			co.Yield(fmt.Sprint("second ", k, j))
		}
		co.Yield(fmt.Sprint("outer ", k))
		return k
	})
}

// Blanks uses the blank identifier on every left-hand side, and as a type
// parameter.
//
//asyncgo:generator
func Blanks[_ any, T any](x T) *coro.Generator[string, string, int] {
	return coro.New(func(co *coro.Co[string, string]) int {
		v, _ := pairOf()
		co.Yield(fmt.Sprint(v))
		if _, err := co.YieldErr("err?"); err != nil {
			co.Yield("caught " + err.Error())
		}
		ch := make(chan int, 1)
		ch <- 3
		select {
		case _, ok := <-ch:
			co.Yield(fmt.Sprint("ok ", ok))
		}
		var _ = co.Yield("blank var")
		_ = co.Yield("blank assign")
		for _, r := range Text("hé") {
			co.Yield(fmt.Sprint(r))
		}
		return v
	})
}

// UserNames holds names the lowering also uses: a local Resume, string
// literals spelled like its placeholders and labels, a named string type.
//
//asyncgo:generator
func UserNames(x int) *coro.Generator[string, string, string] {
	return coro.New(func(co *coro.Co[string, string]) string {
		Resume := 5
		s := "_agP1_" + fmt.Sprint(x) + "_agSent"
		co.Yield(s)
		co.Yield(fmt.Sprint(Resume, " _agP2_"))
		for i, r := range Text("añ") {
			co.Yield(fmt.Sprint(i, r))
		}
		return s + "_agP3_"
	})
}

// Items is a generator method.
//
//asyncgo:generator
func (b *NameBox) Items() *coro.Generator[string, string, int] {
	return coro.New(func(co *coro.Co[string, string]) int {
		co.Yield("method")
		return b.n
	})
}

// NameBox_Items is a function named like the method.
//
//asyncgo:generator
func NameBox_Items() *coro.Generator[string, string, int] {
	return coro.New(func(co *coro.Co[string, string]) int {
		co.Yield("function")
		return 1
	})
}

var _ = register("names/consts", func(t *trace) { all(t, InnerConsts()) })
var _ = register("names/blanks", func(t *trace) { all(t, Blanks[int](1.5)) })
var _ = register("names/blanks-throw", func(t *trace) { drive(t, Blanks[int]("s"), []any{"n", "t", "n", "n", "n"}) })
var _ = register("names/user", func(t *trace) { all(t, UserNames(4)) })
var _ = register("names/method", func(t *trace) { all(t, (&NameBox{4}).Items()) })
var _ = register("names/function", func(t *trace) { all(t, NameBox_Items()) })
