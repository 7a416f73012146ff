package chanuse_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/internal/chanuse"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

const src = `package p

type op struct{ done chan int }

func (o *op) run()        { o.done <- 1 }
func wait(c chan int) int { return <-c }

func field() int {
	o := &op{done: make(chan int)}
	go o.run()
	return wait(o.done)
}

func returned() chan int {
	c := make(chan int)
	go func() { c <- 1 }()
	return c
}

func watch(n int) (<-chan int, func(), error) {
	if n < 0 {
		return nil, nil, nil
	}
	c := make(chan int)
	go func() { c <- n }()
	return c, func() {}, nil
}

func watcher() int {
	c, stop, err := watch(1)
	if err != nil {
		return 0
	}
	defer stop()
	return <-c
}

var global chan int

func escapes() {
	c := make(chan int)
	global = c
}
`

// build type-checks and builds one file of Go source as package p, with
// the sanity checks on.
func build(t *testing.T, src string) *ssa.Package {
	return buildMode(t, src, false, ssa.SanityCheckFunctions)
}

// buildMode builds src as package p; fromSource type-checks its imports
// from source (for standard packages whose export data lacks what the
// test needs).
func buildMode(t *testing.T, src string, fromSource bool, mode ssa.BuilderMode) *ssa.Package {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	imp := importer.Default()
	if fromSource {
		imp = importer.ForCompiler(fset, "source", nil)
	}
	pkg, _, err := ssautil.BuildPackage(&types.Config{Importer: imp}, fset, types.NewPackage("p", ""), []*ast.File{f}, mode)
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

func makeIn(fn *ssa.Function) *ssa.MakeChan {
	for _, b := range fn.Blocks {
		for _, in := range b.Instrs {
			if mc, ok := in.(*ssa.MakeChan); ok {
				return mc
			}
		}
	}
	return nil
}

// The channel in a struct field reaches the method run as a goroutine
// (its send) and the helper the maker calls (its receive).
func TestFollowField(t *testing.T) {
	pkg := build(t, src)
	ch := chanuse.Follow(makeIn(pkg.Func("field")))
	if ch.Escapes || ch.Field == nil || ch.Field.Name() != "done" {
		t.Fatalf("escapes %v, field %v", ch.Escapes, ch.Field)
	}
	var send, recv *chanuse.Node
	for _, n := range ch.Nodes {
		for _, op := range n.Ops {
			switch op.Kind {
			case chanuse.Send:
				send = n
			case chanuse.Recv:
				recv = n
			}
		}
	}
	if send == nil || send.Fn.Name() != "run" || send.Go == nil || send.G != send {
		t.Errorf("send: %+v", send)
	}
	if recv == nil || recv.Fn.Name() != "wait" || recv.Call == nil || recv.G != ch.Nodes[0] {
		t.Errorf("receive: %+v", recv)
	}
}

// A channel the maker returns is recorded, not an escape; one stored in a
// package variable escapes.
func TestReturnsAndEscapes(t *testing.T) {
	pkg := build(t, src)
	if ch := chanuse.Follow(makeIn(pkg.Func("returned"))); ch.Escapes || len(ch.Returns) != 1 {
		t.Errorf("returned: escapes %v, returns %d", ch.Escapes, len(ch.Returns))
	}
	if ch := chanuse.Follow(makeIn(pkg.Func("escapes"))); !ch.Escapes {
		t.Errorf("a channel stored in a package variable does not escape")
	}
}

// A channel returned as one result of a tuple is recorded with its index,
// and followed in the caller through the call's extract of that result.
func TestTupleResult(t *testing.T) {
	pkg := build(t, src)
	mc := makeIn(pkg.Func("watch"))
	ch := chanuse.Follow(mc)
	if ch.Escapes || len(ch.Returns) != 1 || ch.Result != 0 {
		t.Fatalf("watch: escapes %v, returns %d, result %d", ch.Escapes, len(ch.Returns), ch.Result)
	}
	var call *ssa.Call
	for _, b := range pkg.Func("watcher").Blocks {
		for _, in := range b.Instrs {
			if c, ok := in.(*ssa.Call); ok && c.Call.StaticCallee() == pkg.Func("watch") {
				call = c
			}
		}
	}
	cc := chanuse.FollowResult(call, mc)
	recvs := 0
	for _, op := range cc.Nodes[0].Ops {
		if op.Kind == chanuse.Recv {
			recvs++
		}
	}
	if cc.Escapes || recvs != 1 {
		t.Errorf("watcher: escapes %v, %d receives, want 1", cc.Escapes, recvs)
	}
}

const signalSrc = `package p

import (
	"os"
	"os/signal"
)

var global chan os.Signal

func notified() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	defer signal.Stop(c)
	<-c
}

func both() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	global = c
}
`

// A channel handed to signal.Notify (and signal.Stop) counts as escaped,
// but only to Notify: OnlyNotified tells the runtime is its other sender.
// Stored elsewhere as well, it is opaque.
func TestNotified(t *testing.T) {
	pkg := buildMode(t, signalSrc, true, 0)
	ch := chanuse.Follow(makeIn(pkg.Func("notified")))
	if !ch.Escapes || !ch.OnlyNotified() || len(ch.Notified) != 1 {
		t.Errorf("notified: escapes %v, only notified %v, %d Notify calls", ch.Escapes, ch.OnlyNotified(), len(ch.Notified))
	}
	recvs := 0
	for _, n := range ch.Nodes {
		for _, op := range n.Ops {
			if op.Kind == chanuse.Recv {
				recvs++
			}
		}
	}
	if recvs != 1 {
		t.Errorf("notified: %d receives, want 1", recvs)
	}
	if ch := chanuse.Follow(makeIn(pkg.Func("both"))); !ch.Escapes || ch.OnlyNotified() {
		t.Errorf("both: escapes %v, only notified %v", ch.Escapes, ch.OnlyNotified())
	}
}

const groupSrc = `package p

import (
	"sync"
	"time"
)

func grouped() int {
	var wg sync.WaitGroup
	c := make(chan int)
	wg.Go(func() { c <- 1 })
	return <-c
}

func later() int {
	c := make(chan int)
	time.AfterFunc(time.Second, func() { c <- 1 })
	return <-c
}
`

// A function literal handed to sync.WaitGroup.Go is a new goroutine,
// started at the Go call, not an escape.
func TestGroupGo(t *testing.T) {
	pkg := buildMode(t, groupSrc, true, 0)
	ch := chanuse.Follow(makeIn(pkg.Func("grouped")))
	if ch.Escapes || len(ch.Nodes) != 2 {
		t.Fatalf("grouped: escapes %v, %d nodes", ch.Escapes, len(ch.Nodes))
	}
	n := ch.Nodes[1]
	if n.Go != nil || n.Call != nil || n.G != n || n.Start == nil || n.Group() == nil || len(n.Ops) != 1 || n.Ops[0].Kind != chanuse.Send {
		t.Errorf("the literal: go %v, call %v, own goroutine %v, start %v, group %v, ops %v", n.Go, n.Call, n.G == n, n.Start, n.Group(), n.Ops)
	}
	// time.AfterFunc's function runs in a goroutine of its own, counted
	// by no group.
	ch = chanuse.Follow(makeIn(pkg.Func("later")))
	if ch.Escapes || len(ch.Nodes) != 2 {
		t.Fatalf("later: escapes %v, %d nodes", ch.Escapes, len(ch.Nodes))
	}
	n = ch.Nodes[1]
	// The literal's one free variable is bound to the variable c (the
	// cell holding the channel), and nothing is bound to a nil variable.
	mk := n.Start.(*ssa.Call).Call.Args[1].(*ssa.MakeClosure)
	if cell, ok := chanuse.Bound(mk, n.Fn.FreeVars[0]).(*ssa.Alloc); !ok || cell.Comment != "c" || chanuse.Bound(mk, nil) != nil {
		t.Errorf("Bound(the AfterFunc literal, its free variable) = %v, want the cell of c", chanuse.Bound(mk, n.Fn.FreeVars[0]))
	}
	if n.Go != nil || n.Call != nil || n.G != n || n.Start == nil || n.Group() != nil || len(n.Ops) != 1 || n.Ops[0].Kind != chanuse.Send {
		t.Errorf("the AfterFunc literal: go %v, call %v, own goroutine %v, start %v, group %v, ops %v", n.Go, n.Call, n.G == n, n.Start, n.Group(), n.Ops)
	}
}

const startsSrc = `package p

type sub interface{ On(func(int)) }

func half(c chan int) { c <- 1 }

func twice() int {
	c := make(chan int)
	go half(c)
	go half(c)
	return <-c
}

func local() int {
	c := make(chan int)
	half := func() { c <- 1 }
	go half()
	go half()
	return <-c
}

func handed(s sub) int {
	c := make(chan int)
	s.On(func(v int) { c <- v })
	return <-c
}
`

// A function started twice is two goroutines, each with its own send;
// a literal handed to an interface's method, or kept in a variable and
// started twice, escapes, except under FollowCallbacks, where it is a
// Callback node, or two goroutines.
func TestStartsAndCallbacks(t *testing.T) {
	pkg := buildMode(t, startsSrc, false, 0)
	ch := chanuse.Follow(makeIn(pkg.Func("twice")))
	sends := map[*chanuse.Node]int{}
	for g, ops := range ch.Goroutines() {
		for _, op := range ops {
			if op.Kind == chanuse.Send {
				sends[g]++
			}
		}
	}
	if ch.Escapes || len(sends) != 2 {
		t.Errorf("twice: escapes %v, sends per goroutine %v, want two goroutines sending", ch.Escapes, sends)
	}
	// A literal kept in a variable and started twice escapes under
	// Follow, and is two goroutines under FollowCallbacks.
	lc := makeIn(pkg.Func("local"))
	if ch := chanuse.Follow(lc); !ch.Escapes {
		t.Errorf("local: a literal started twice does not escape under Follow")
	}
	ch = chanuse.FollowCallbacks(lc)
	gs := 0
	for _, n := range ch.Nodes {
		if n.Go != nil && len(n.Ops) == 1 && n.Ops[0].Kind == chanuse.Send {
			gs++
		}
	}
	if ch.Escapes || gs != 2 {
		t.Errorf("local: escapes %v, %d sending goroutines, want 2", ch.Escapes, gs)
	}
	mc := makeIn(pkg.Func("handed"))
	if ch := chanuse.Follow(mc); !ch.Escapes {
		t.Errorf("handed: a literal handed to an interface's method does not escape under Follow")
	}
	ch = chanuse.FollowCallbacks(mc)
	if ch.Escapes || len(ch.Nodes) != 2 {
		t.Fatalf("handed: escapes %v, %d nodes", ch.Escapes, len(ch.Nodes))
	}
	n := ch.Nodes[1]
	if !n.Callback || n.G != n || n.Start == nil || n.Go != nil || n.Call != nil || len(n.Ops) != 1 || n.Ops[0].Kind != chanuse.Send {
		t.Errorf("the callback: callback %v, own goroutine %v, start %v, ops %v", n.Callback, n.G == n, n.Start, n.Ops)
	}
}
