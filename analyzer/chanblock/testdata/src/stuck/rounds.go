package stuck

import (
	"runtime"
	"testing"
)

// A collecting loop that is the last statement of an enclosing loop's
// body leaves straight back to the enclosing header (sync/atomic's
// TestValueConcurrent): it is still a counted loop, run as many times as
// the loop that started the senders.

func checkOne(x int) bool { return x >= 0 }

// A buffer of p, p senders, p receives, once per test.
func TestRounds(t *testing.T) {
	tests := [][]int{{1, 2}, {3, 4}}
	p := 4 * runtime.GOMAXPROCS(0)
	if testing.Short() {
		p /= 2
	}
	for _, test := range tests {
		done := make(chan bool, p)
		for i := 0; i < p; i++ {
			go func() {
				ok := true
				for _, x := range test {
					if !checkOne(x) {
						ok = false
						break
					}
				}
				done <- ok
			}()
		}
		for i := 0; i < p; i++ {
			if !<-done {
				t.FailNow()
			}
		}
	}
}

// Unbuffered, one sender per item, summed per round.
func sumRounds(xs []int, seeds []int) int {
	total := 0
	for range seeds {
		ch := make(chan int)
		for _, x := range xs {
			go func() { ch <- x * x }()
		}
		for range xs {
			total += <-ch
		}
	}
	return total
}

// A helper method sends; the count is a field read once before the rounds.
type pool struct{ size int }

func (p *pool) answer(ch chan<- int, i int) { ch <- i }

func (p *pool) rounds(n int) int {
	size := p.size
	got := 0
	for r := 0; r < n; r++ {
		ch := make(chan int, size)
		for i := 0; i < size; i++ {
			go p.answer(ch, i)
		}
		for i := 0; i < size; i++ {
			got += <-ch
		}
	}
	return got
}

// Look-alike: in each round the first answer wins and the others' sends
// on the unbuffered channel block forever.
func firstPerRound(xs []int, seeds []int) int {
	total := 0
	for range seeds {
		ch := make(chan int)
		for _, x := range xs {
			go func() { ch <- x * x }() // want `this send can block forever: firstPerRound returns`
		}
		total += <-ch
	}
	return total
}
