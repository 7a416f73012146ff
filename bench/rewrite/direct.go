package rewrite

import "github.com/asyncgo/asyncgo/runtime/coro"

// DirectAverager is Averager in direct mode (not annotated).
func DirectAverager() *coro.Generator[float64, float64, Result] {
	return coro.New(func(co *coro.Co[float64, float64]) Result {
		var total, avg float64
		var n int
		for {
			term := co.Yield(avg)
			if term < 0 {
				break
			}
			total += term
			n++
			avg = total / float64(n)
		}
		return Result{n, avg}
	})
}

// DirectCounter is Counter in direct mode.
func DirectCounter() *coro.Generator[int, struct{}, int] {
	return coro.New(func(co *coro.Co[int, struct{}]) int {
		for i := 0; ; i++ {
			co.Yield(i)
		}
	})
}

// handAverager is the averager written by hand as a coro.Machine.
type handAverager struct {
	started    bool
	total, avg float64
	n          int
}

func (h *handAverager) Resume(sent float64, thrown error) (float64, bool, Result, error) {
	if thrown != nil {
		return 0, true, Result{}, thrown
	}
	if !h.started {
		h.started = true
		return h.avg, false, Result{}, nil
	}
	if sent < 0 {
		return 0, true, Result{h.n, h.avg}, nil
	}
	h.total += sent
	h.n++
	h.avg = h.total / float64(h.n)
	return h.avg, false, Result{}, nil
}

// HandAverager wraps the hand-written machine in a Generator.
func HandAverager() *coro.Generator[float64, float64, Result] {
	return coro.FromMachine[float64, float64, Result](&handAverager{})
}

// DirectSummer is Summer in direct mode.
func DirectSummer() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		total := 0
		for {
			total += co.Yield(total)
		}
	})
}

// DirectOnce is Once in direct mode.
func DirectOnce() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		co.Yield(1)
		return 0
	})
}
