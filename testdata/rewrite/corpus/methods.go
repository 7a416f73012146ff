package main

import (
	"fmt"
	"strings"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Counter has generator methods on a value and on a pointer receiver.
type Counter struct {
	name string
	n    int
}

// ByValue increments a copy of the receiver: the caller's counter does not
// change.
//
//asyncgo:generator
func (c Counter) ByValue() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		for range 2 {
			c.n++
			co.Yield(c.n)
		}
		return c.n
	})
}

// ByPointer increments the caller's counter across suspensions.
//
//asyncgo:generator
func (c *Counter) ByPointer() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		for range 2 {
			c.n++
			co.Yield(c.n)
		}
		return c.n
	})
}

// Words is a named slice type with a generator method.
type Words []string

// Upper yields each word upper-cased and counts letters.
//
//asyncgo:generator
func (w Words) Upper() *coro.Generator[string, struct{}, int] {
	return coro.New(func(co *coro.Co[string, struct{}]) int {
		n := 0
		for _, s := range w {
			co.Yield(strings.ToUpper(s))
			n += len(s)
		}
		return n
	})
}

// Outer embeds Counter: the pointer method is promoted.
type Outer struct {
	*Counter
	tag string
}

var _ = register("methods/value-pointer", func(t *trace) {
	c := Counter{name: "c"}
	all(t, c.ByValue())
	t.log("after value: %d", c.n)
	all(t, c.ByPointer())
	t.log("after pointer: %d", c.n)
	f := c.ByPointer // a method value binds &c now
	c.n = 100
	all(t, f())
	t.log("after method value: %d", c.n)
})
var _ = register("methods/named-slice", func(t *trace) { all(t, Words{"go", "py"}.Upper()) })
var _ = register("methods/promoted", func(t *trace) {
	o := Outer{&Counter{name: "in"}, "out"}
	all(t, o.ByPointer())
	all(t, o.ByValue())
	t.log("%s %d", o.tag, o.n)
	g := (*Counter).ByPointer // a method expression
	all(t, g(o.Counter))
	t.log(fmt.Sprint(o.n))
})
