package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

type mvBox struct{ name string }

func (b mvBox) Name() string   { return b.name }
func (b *mvBox) PName() string { return b.name }

// MethodValues binds method values and function values before
// suspensions and changes the receivers after: a value receiver is
// copied when the method value is evaluated, a pointer one is not.
//
//asyncgo:generator
func MethodValues() *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) string {
		b := mvBox{"first"}
		byValue := b.Name
		byPointer := b.PName
		fn := fmt.Sprint
		co.Yield(byValue() + " " + byPointer())
		b.name = "second"
		fn = fmt.Sprintln
		co.Yield(byValue() + " " + byPointer())
		return fn("fn", 1)
	})
}

var _ = register("order/method-values", func(t *trace) { all(t, MethodValues()) })
