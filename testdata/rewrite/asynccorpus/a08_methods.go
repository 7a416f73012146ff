package main

import (
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// Account is changed by async methods.
type Account struct{ balance int }

// Deposit adds v after a delay.
//
//asyncgo:async
func (a *Account) Deposit(v int) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if err := aio.Sleep(t, time.Duration(v)*time.Millisecond); err != nil {
			return a.balance, err
		}
		a.balance += v
		return a.balance, nil
	})
}

// Box holds a value of any type.
type Box[T any] struct{ v T }

// Get returns the box's value after a yield.
//
//asyncgo:async
func (b Box[T]) Get() *aio.Coroutine[T] {
	return aio.Async(func(t *aio.Task) (T, error) {
		aio.Sleep(t, 0)
		return b.v, nil
	})
}

// Bank deposits in parallel and reads boxes.
//
//asyncgo:async
func Bank() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		acc := &Account{}
		h1 := aio.CreateTask(t, acc.Deposit(30))
		h2 := aio.CreateTask(t, acc.Deposit(10))
		v2, _ := aio.Await(t, h2)
		v1, _ := aio.Await(t, h1)
		s, _ := aio.Await(t, Box[string]{"box"}.Get())
		logf(t.Loop(), "deposits %d %d, %s", v2, v1, s)
		return acc.balance, nil
	})
}

var _ = register("methods_generic", func() { run(Bank()) })
