package real

import (
	"context"
	"errors"
	"sync"
	"time"
)

// tendermint/tendermint#8871: one goroutine per witness fetches a block and
// answers in a select that gives up on ctx.Done(); the caller loops
// cap(ch) times on a plain receive. Once the context is canceled, a
// witness leaves without answering and the loop waits forever (holding
// the client's mutex). Fix: the receive also selects on ctx.Done().
type witness interface {
	Block(ctx context.Context, h int64) (int64, error)
}

type answer struct {
	block int64
	err   error
}

func firstBlock(ctx context.Context, ws []witness, h int64) (int64, error) {
	answers := make(chan answer, len(ws))
	for _, w := range ws {
		go func(w witness) {
			b, err := w.Block(ctx, h)
			select {
			case answers <- answer{b, err}:
			case <-ctx.Done():
			}
		}(w)
	}
	var last error
	for i := 0; i < cap(answers); i++ {
		a := <-answers // want `this plain receive waits for goroutines that offer their values only in a select that gives up when the context is canceled`
		if a.err == nil {
			return a.block, nil
		}
		last = a.err
	}
	return 0, last
}

// The fix: the collector gives up with its senders.
func firstBlockFixed(ctx context.Context, ws []witness, h int64) (int64, error) {
	answers := make(chan answer, len(ws))
	for _, w := range ws {
		go func(w witness) {
			b, err := w.Block(ctx, h)
			select {
			case answers <- answer{b, err}:
			case <-ctx.Done():
			}
		}(w)
	}
	var last error
	for range ws {
		select {
		case a := <-answers:
			if a.err == nil {
				return a.block, nil
			}
			last = a.err
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
	return 0, last
}

// A variant: two probes, each giving up after a timeout, and a caller that
// takes both results with plain receives.
func probeBoth(a, b func() bool, limit time.Duration) (bool, bool) {
	res := make(chan bool)
	probe := func(f func() bool) {
		select {
		case res <- f():
		case <-time.After(limit):
		}
	}
	go probe(a)
	go probe(b)
	x := <-res // want `this plain receive waits for goroutines that offer their values only in a select that gives up when the timer fires`
	y := <-res // want `this plain receive waits for goroutines`
	return x, y
}

// Another variant: workers in a loop over a job list that stop on a
// context kept in the job, and a counting loop that sums their output.
type sumJob struct {
	ctx   context.Context
	parts [][]int
}

func (j *sumJob) total() int {
	sums := make(chan int, 4)
	for _, p := range j.parts {
		go func() {
			n := 0
			for _, v := range p {
				n += v
			}
			select {
			case sums <- n:
			case <-j.ctx.Done():
				return
			}
		}()
	}
	t := 0
	for range j.parts {
		t += <-sums // want `this plain receive waits for goroutines`
	}
	return t
}

// Look-alikes that stay silent: the channel is closed once every sender
// is done (the range ends), and senders that give up on a stop channel
// the collector closes itself after its receives.
func collectClosed(ctx context.Context, ws []witness, h int64) []int64 {
	out := make(chan int64)
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func(w witness) {
			defer wg.Done()
			b, err := w.Block(ctx, h)
			if err != nil {
				return
			}
			select {
			case out <- b:
			case <-ctx.Done():
			}
		}(w)
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	var bs []int64
	for b := range out {
		bs = append(bs, b)
	}
	return bs
}

func collectOwnStop(ws []witness, h int64) (int64, error) {
	stop := make(chan struct{})
	defer close(stop)
	got := make(chan int64)
	for _, w := range ws {
		go func(w witness) {
			b, _ := w.Block(context.Background(), h)
			select {
			case got <- b:
			case <-stop:
			}
		}(w)
	}
	if len(ws) == 0 {
		return 0, errors.New("no witnesses")
	}
	return <-got, nil
}
