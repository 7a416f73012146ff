package stuckloops

import (
	"bufio"
	"container/list"
	"io"
)

// Look-alikes: a free loop whose count another loop on the other side
// must match. The model cannot correlate the two counts, so it gives up
// rather than report a mismatch the program may rule out.

// The sender counts what it sends; the receiver takes that many.
func countedReader(r io.Reader) []string {
	ch := make(chan string)
	n := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(r)
		c := 0
		for sc.Scan() {
			ch <- sc.Text()
			c++
		}
		n <- c
	}()
	var out []string
	for i := 0; i < 3; i++ {
		out = append(out, <-ch)
	}
	return out
}

// The receiver counts to the number of senders by the length it built.
func collectAll(xs []int) []int {
	ch := make(chan int)
	for _, x := range xs {
		go func() { ch <- x * 2 }()
	}
	var got []int
	for len(got) < len(xs) {
		got = append(got, <-ch)
	}
	return got
}

// Both sides walk one list: neither loop is counted, and their counts
// agree.
func walked(l *list.List) int {
	ch := make(chan int)
	go func() {
		for e := l.Front(); e != nil; e = e.Next() {
			ch <- e.Value.(int)
		}
	}()
	s := 0
	for e := l.Front(); e != nil; e = e.Next() {
		s += <-ch
	}
	return s
}

// A method whose loop sends one value per item it accepts, and a
// receiver that counts by a method of the same batch.
type batch struct{ items []int }

func (b *batch) more(i int) bool { return i < len(b.items) }

func (b *batch) feed(ch chan<- int) {
	for i := 0; b.more(i); i++ {
		ch <- b.items[i]
	}
}

func (b *batch) drain() int {
	ch := make(chan int)
	go b.feed(ch)
	s := 0
	for i := 0; b.more(i); i++ {
		s += <-ch
	}
	return s
}

// A loop driven by another channel goes round as that channel's senders
// decide: a stage forwarding what its input carries, fed one value by the
// caller, which takes one.
type stage struct{ f func(int) int }

func (s *stage) forward(in <-chan int, out chan<- int) {
	for v := range in {
		out <- s.f(v)
	}
}

func (s *stage) once(v int) int {
	in := make(chan int)
	out := make(chan int)
	go s.forward(in, out)
	in <- v
	r := <-out
	close(in)
	return r
}

// The same with a select loop until a stop channel closes.
func relayOne(v int) int {
	in := make(chan int)
	stop := make(chan struct{})
	out := make(chan int)
	go func() {
		for {
			select {
			case x := <-in:
				out <- x + 1
			case <-stop:
				return
			}
		}
	}()
	in <- v
	r := <-out
	close(stop)
	return r
}

// A goroutine per job a dispatcher ranging over a queue starts: one
// result per job, as many as the queue's sender made.
func dispatch(jobs []int, work func(int) int) int {
	queue := make(chan int)
	results := make(chan int)
	go func() {
		for j := range queue {
			go func() { results <- work(j) }()
		}
	}()
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	s := 0
	for range jobs {
		s += <-results
	}
	return s
}
