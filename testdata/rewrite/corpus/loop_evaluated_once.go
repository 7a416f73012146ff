package main

import (
	"fmt"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// EvaluatedOnce changes what each range expression names while ranging
// over it across suspensions: the range expression is evaluated once,
// before the loop (Go spec, For statements with range clause).
//
//asyncgo:generator
func EvaluatedOnce() *coro.Generator[string, struct{}, string] {
	return coro.New(func(co *coro.Co[string, struct{}]) string {
		n := 3
		for i := range n {
			n = 0
			co.Yield(fmt.Sprint("int ", i, " n ", n))
		}
		xs := []int{1, 2, 3}
		for i, x := range xs {
			xs = append(xs, x*10)
			xs[len(xs)-1-i] = -1
			co.Yield(fmt.Sprint("slice ", i, x, len(xs)))
		}
		s := "ab"
		for i, r := range s {
			s = "zzzz"
			co.Yield(fmt.Sprintf("string %d %c", i, r))
		}
		m := map[string]int{"a": 1, "b": 2, "c": 3}
		seen := 0
		for k := range m {
			for other := range m {
				if other != k {
					delete(m, other)
				}
			}
			seen++
			co.Yield("map")
		}
		ch := make(chan int, 3)
		ch <- 1
		ch <- 2
		for v := range ch {
			if v == 2 {
				close(ch)
			}
			co.Yield(fmt.Sprint("chan ", v))
		}
		return fmt.Sprint("map entries seen ", seen, " left ", len(m), " ", xs)
	})
}

var _ = register("loops/evaluated-once", func(t *trace) { all(t, EvaluatedOnce()) })
