package coro

import (
	"iter"
	"testing"

	"github.com/asyncgo/asyncgo/runtime/coro"
)

// Every benchmark resumes a suspended body b.N times; the body counts up.

func BenchmarkCoroNext(b *testing.B) {
	g := coro.New(func(co *coro.Co[int, struct{}]) int {
		for i := 0; ; i++ {
			co.Yield(i)
		}
	})
	defer g.Close()
	b.ReportAllocs()
	for b.Loop() {
		g.Next()
	}
}

func BenchmarkCoroSend(b *testing.B) {
	g := coro.New(func(co *coro.Co[int, int]) int {
		total := 0
		for {
			total += co.Yield(total)
		}
	})
	defer g.Close()
	g.Next()
	b.ReportAllocs()
	for b.Loop() {
		g.Send(1)
	}
}

// BenchmarkCoroCreate measures making, starting and closing a generator.
func BenchmarkCoroCreate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		g := coro.New(func(co *coro.Co[int, int]) int {
			co.Yield(1)
			return 0
		})
		g.Next()
		g.Close()
	}
}

// BenchmarkIterPullCreate is BenchmarkCoroCreate with iter.Pull: make,
// start and stop a one-value iterator.
func BenchmarkIterPullCreate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		next, stop := iter.Pull(func(yield func(int) bool) { yield(1) })
		next()
		stop()
	}
}

func BenchmarkIterPull(b *testing.B) {
	next, stop := iter.Pull(func(yield func(int) bool) {
		for i := 0; yield(i); i++ {
		}
	})
	defer stop()
	b.ReportAllocs()
	for b.Loop() {
		next()
	}
}

// BenchmarkIterPullSend is iter.Pull doing Send's work: a value goes in
// through a shared variable and the running total comes out.
func BenchmarkIterPullSend(b *testing.B) {
	var sent int
	next, stop := iter.Pull(func(yield func(int) bool) {
		total := 0
		for yield(total) {
			total += sent
		}
	})
	defer stop()
	next()
	b.ReportAllocs()
	for b.Loop() {
		sent = 1
		next()
	}
}

// BenchmarkGoroutineChannelNext is a goroutine producing the count on an
// unbuffered channel: BenchmarkCoroNext's work, one receive per value.
func BenchmarkGoroutineChannelNext(b *testing.B) {
	out, done := make(chan int), make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case out <- i:
			case <-done:
				return
			}
		}
	}()
	defer close(done)
	b.ReportAllocs()
	for b.Loop() {
		<-out
	}
}

// BenchmarkGoroutineChannel is a goroutine doing Send's work: a value goes
// in on one channel and the running total comes out on another.
func BenchmarkGoroutineChannel(b *testing.B) {
	in, out := make(chan int), make(chan int)
	go func() {
		total := 0
		for s := range in {
			total += s
			out <- total
		}
		close(out)
	}()
	defer close(in)
	b.ReportAllocs()
	for b.Loop() {
		in <- 1
		<-out
	}
}

// summer is the hand-written state machine for the Send body above.
type summer struct{ total int }

func (s *summer) send(v int) int { s.total += v; return s.total }

func BenchmarkStateMachine(b *testing.B) {
	s := &summer{}
	b.ReportAllocs()
	for b.Loop() {
		s.send(1)
	}
}

// machineSummer is the same state machine behind coro.Machine: the cost of
// the Generator's semantics on top of a lowered body.
type machineSummer struct{ total int }

func (m *machineSummer) Resume(sent int, thrown error) (int, bool, int, error) {
	if thrown != nil {
		return 0, true, 0, thrown
	}
	m.total += sent
	return m.total, false, 0, nil
}

func BenchmarkMachineSend(b *testing.B) {
	g := coro.FromMachine[int, int, int](&machineSummer{})
	g.Next()
	b.ReportAllocs()
	for b.Loop() {
		g.Send(1)
	}
}
