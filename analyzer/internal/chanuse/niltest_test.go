package chanuse_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
)

const nilTestSrc = `package p

// watch tests its optional receiver for nil (go-etcd#98's Watch).
func watch(receiver chan int, n int) int {
	if receiver == nil {
		return 0
	}
	for i := 0; i < n; i++ {
		receiver <- i
	}
	return n
}

func watchPrefix(n int) {
	receiver := make(chan int)
	go func() {
		for range receiver {
		}
	}()
	watch(receiver, n)
}

// run is a goroutine's body testing its optional result channel: the
// branch on which it is nil is a way out no send is on.
func run(res chan int) {
	if res == nil {
		return
	}
	res <- 1
}

func start() int {
	res := make(chan int)
	go run(res)
	return <-res
}

// other compares the channel with another channel: an escape.
func other(a, b chan int) bool { return a == b }

func compared() {
	c := make(chan int)
	_ = other(c, nil)
	go func() { c <- 1 }()
	<-c
}
`

// A nil test of the channel in the maker's goroutine is no escape; one in
// a goroutine it starts, or a comparison with another channel, is.
func TestNilTests(t *testing.T) {
	pkg := build(t, nilTestSrc)
	ch := chanuse.Follow(makeIn(pkg.Func("watchPrefix")))
	sends := 0
	for _, n := range ch.Nodes {
		for _, op := range n.Ops {
			if op.Kind == chanuse.Send && n.Fn.Name() == "watch" {
				sends++
			}
		}
	}
	if ch.Escapes || sends != 1 {
		t.Errorf("watchPrefix: escapes %v, %d sends in watch, want no escape and 1", ch.Escapes, sends)
	}
	if ch := chanuse.Follow(makeIn(pkg.Func("start"))); !ch.Escapes {
		t.Errorf("start: a nil test in the started goroutine does not escape")
	}
	if ch := chanuse.Follow(makeIn(pkg.Func("compared"))); !ch.Escapes {
		t.Errorf("compared: a comparison with another channel does not escape")
	}
}
