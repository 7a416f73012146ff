package main

import (
	"github.com/asyncgo/asyncgo/runtime/coro"
)

// initFirst depends on initBase through InitGen's body: package
// initialisation must run mkBase first (Go spec, Package initialization).
var initFirst = runInit(InitGen())

var initBase = mkBase()

func mkBase() []int { return []int{3, 4} }

// InitGen yields the elements of initBase.
//
//asyncgo:generator
func InitGen() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		for _, b := range initBase {
			co.Yield(b)
		}
		return len(initBase)
	})
}

func runInit(g *coro.Generator[int, struct{}, int]) []int {
	var out []int
	for v := range g.All() {
		out = append(out, v)
	}
	r, _ := g.Result()
	return append(out, r)
}

var _ = register("init/order", func(t *trace) { t.log("initFirst %v", initFirst) })
