package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// RecoverVar recovers in a function literal held in a variable and
// deferred through it: recover is called directly by the deferred
// function, so it stops the panic (Go spec, Handling panics).
//
//asyncgo:generator
func RecoverVar(t *trace) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) (res string) {
		h := func() {
			if r := recover(); r != nil {
				t.log("h recovered %v", r)
				res = "recovered by h"
			}
		}
		defer h()
		co.Yield(1)
		panic("through a variable")
	})
}

// RecoverParenLit defers a parenthesised literal that recovers.
//
//asyncgo:generator
func RecoverParenLit(t *trace) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) (res string) {
		defer (func() {
			t.log("paren recovered %v", recover())
			res = "recovered in parens"
		})()
		co.Yield(1)
		panic("paren")
	})
}

// RecoverParenCall calls (recover)() in a deferred literal.
//
//asyncgo:generator
func RecoverParenCall(t *trace) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) (res string) {
		defer func() {
			t.log("(recover)() gave %v", (recover)())
			res = "recovered by (recover)()"
		}()
		co.Yield(1)
		panic("paren call")
	})
}

// RecoverNested calls recover in a function called by the deferred
// function: that recover returns nil and the panic goes on.
//
//asyncgo:generator
func RecoverNested(t *trace) *coro.Generator[int, struct{}, string] {
	return coro.New(func(co *coro.Co[int, struct{}]) (res string) {
		defer func() {
			inner := func() any { return recover() }
			t.log("nested recover gave %v", inner())
		}()
		co.Yield(1)
		panic("not stopped")
	})
}

var _ = register("panics/recover-var", func(t *trace) { all(t, RecoverVar(t)) })
var _ = register("panics/recover-paren-lit", func(t *trace) { all(t, RecoverParenLit(t)) })
var _ = register("panics/recover-paren-call", func(t *trace) { all(t, RecoverParenCall(t)) })
var _ = register("panics/recover-nested", func(t *trace) { all(t, RecoverNested(t)) })
