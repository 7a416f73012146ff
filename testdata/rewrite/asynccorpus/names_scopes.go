package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Names and scopes across awaits (Go spec, "Declarations and scope"):
// shadowed variables in inner blocks and in if/switch/for headers keep
// their own values across a suspension; the blank identifier; locals
// named like packages and builtins; inner consts and types; closures
// capturing locals, including per-iteration loop variables (Go 1.22).

// Shadows shadows x in every kind of block, awaiting in each.
//
//asyncgo:async
func Shadows() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		var log []string
		x := 1
		{
			x := x * 10
			v, _ := aio.Await(t, Inc(x))
			x += v
			log = append(log, fmt.Sprint("block ", x))
		}
		if x, err := aio.Await(t, Inc(x+100)); err == nil {
			aio.Sleep(t, 0)
			log = append(log, fmt.Sprint("if ", x))
		} else {
			return "", err
		}
		switch x := x + 1000; {
		case x > 0:
			x, _ := aio.Await(t, Inc(x))
			log = append(log, fmt.Sprint("switch ", x))
		}
		for x := 0; x < 2; x++ {
			x := x * 7
			aio.Sleep(t, 0)
			log = append(log, fmt.Sprint("for ", x))
		}
		err := errors.New("outer err")
		if _, err := aio.Await(t, Inc(0)); err == nil {
			log = append(log, "inner err nil")
		}
		log = append(log, fmt.Sprint("outer x ", x, " ", err))
		return strings.Join(log, "; "), nil
	})
}

var _ = register("names_shadowing", func() { run(Shadows()) })

// Blanks uses the blank identifier wherever it may stand.
//
//asyncgo:async
func Blanks() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		_, _ = aio.Await(t, Inc(1))
		_ = aio.Sleep(t, 0)
		aio.Await(t, Inc(2))
		v, _ := aio.Await(t, Inc(3))
		_, err := aio.Await(t, Inc(4))
		for _, w := range []int{v, v} {
			_, _ = aio.Await(t, Inc(w))
		}
		for range 2 {
			_ = aio.Sleep(t, time.Millisecond)
		}
		var _ = v
		var _, y = 1, v
		return y, err
	})
}

var _ = register("names_blank", func() { run(Blanks()) })

// Builtins names locals after packages, builtins and the task's methods,
// in inner blocks, around awaits.
//
//asyncgo:async
func Builtins() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		res := ""
		{
			fmt := "not the package"
			len := 3
			v, _ := aio.Await(t, Inc(len))
			res += fmt + " " + strings.Repeat("!", v)
		}
		{
			errors := []string{"a", "b"}
			time := 2
			aio.Sleep(t, 0)
			res += fmt.Sprint(errors, time)
		}
		{
			const iota = 7 // a constant named iota
			n, _ := aio.Await(t, Inc(iota))
			res += fmt.Sprint(" iota ", n)
		}
		Name, Loop := "name", "loop"
		aio.Sleep(t, 0)
		res += " " + Name + Loop
		return res, nil
	})
}

var _ = register("names_builtins", func() { run(Builtins()) })

// InnerDecls declares consts and types in inner blocks and uses them
// across awaits.
//
//asyncgo:async
func InnerDecls() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		const k = 1
		s := ""
		{
			const k = 2
			v, _ := aio.Await(t, Inc(k))
			s += fmt.Sprint("inner k ", k, " ", v)
		}
		v, _ := aio.Await(t, Inc(k))
		{
			// A type declared in a block that does not suspend (one
			// that does is a positioned error: its values would have to
			// be kept in the machine, outside the block).
			type point struct{ x, y int }
			p := point{k, v}
			s += fmt.Sprintf("; outer k %d point %+v", k, p)
		}
		return s, nil
	})
}

var _ = register("names_inner_decls", func() { run(InnerDecls()) })

// Closures captures locals in closures that do not suspend: the closures
// see and change the same variables the body sees across awaits; each
// iteration of a loop has its own loop variables.
//
//asyncgo:async
func Closures() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		count := 0
		add := func(n int) int { count += n; return count }
		v, _ := aio.Await(t, Inc(add(1)))
		add(v)
		aio.Sleep(t, 0)
		var fs []func() int
		for i := 0; i < 3; i++ {
			w, _ := aio.Await(t, Inc(i*10))
			fs = append(fs, func() int { return i*100 + w })
			i := i // shadowed inside the body
			fs = append(fs, func() int { return -i })
		}
		for _, s := range []string{"p", "q"} {
			aio.Sleep(t, 0)
			fs = append(fs, func() int { return len(s) + count })
		}
		var got []int
		for _, f := range fs {
			got = append(got, f())
		}
		sort.Ints(got)
		counter := func() func() int {
			c := 0
			return func() int { c++; return c }
		}()
		counter()
		aio.Sleep(t, 0)
		return fmt.Sprint(count, got, counter()), nil
	})
}

var _ = register("names_closures", func() { run(Closures()) })

// LookAlikes has locals and strings that look like what the rewriter
// generates (names starting with _ag are reserved: a positioned error).
//
//asyncgo:async
func LookAlikes() *aio.Coroutine[string] {
	return aio.Async(func(t *aio.Task) (string, error) {
		agm, _Agpc, Thrown := 1, 2, "task?"
		Step := func() int { return agm + _Agpc }
		v, _ := aio.Await(t, Inc(Step()))
		s := fmt.Sprint("_agS1 _agW _agDone ", Thrown, v)
		aio.Sleep(t, 0)
		return s + "_agRet", nil
	})
}

var _ = register("names_lookalikes", func() { run(LookAlikes()) })
