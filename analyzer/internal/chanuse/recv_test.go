package chanuse_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
)

const recvSrc = `package p

type job interface{ run() }

type worker struct{ out chan int }

func (w *worker) run() { w.out <- 1 }

type idle struct{}

func (idle) run() {}

func jobs() []job { return []job{idle{}} }

func viaRecv() int {
	w := &worker{out: make(chan int)}
	var j job = w
	go j.run()
	return <-w.out
}

func viaRecvHelper() int {
	w := &worker{out: make(chan int)}
	start(w)
	return <-w.out
}

func start(j job) { go j.run() }

func viaAny() int {
	w := &worker{out: make(chan int)}
	var a any = w
	keep(a)
	return <-w.out
}

func keep(any) {}

func asserted() int {
	w := &worker{out: make(chan int)}
	var j job = w
	j.(*worker).run()
	return <-w.out
}
`

// A struct holding the channel put in an interface of the package is
// followed into its own type's method called through the interface,
// directly or in a helper it is handed to; another package's interface
// (any), or a type assertion, escapes.
func TestFollowReceiver(t *testing.T) {
	pkg := build(t, recvSrc)
	for _, name := range []string{"viaRecv", "viaRecvHelper"} {
		ch := chanuse.Follow(makeIn(pkg.Func(name)))
		var send *chanuse.Node
		for _, n := range ch.Nodes {
			for _, op := range n.Ops {
				if op.Kind == chanuse.Send {
					send = n
				}
			}
		}
		if ch.Escapes || send == nil || send.Fn.String() != "(*p.worker).run" || send.Go == nil || send.G != send {
			t.Errorf("%s: escapes %v, send node %+v", name, ch.Escapes, send)
		}
	}
	for _, name := range []string{"viaAny", "asserted"} {
		if ch := chanuse.Follow(makeIn(pkg.Func(name))); !ch.Escapes {
			t.Errorf("%s: does not escape", name)
		}
	}
}
