// Package stuckleaks: the interleaving checker beside deadlockleak.
package stuckleaks

import "context"

func fetch() (int, error) { return 1, nil }

// ctxLeak is deadlockleak's classic leak: the send blocks once the select
// has left through ctx.Done. deadlockleak reports it; chanblock's checker
// finds the same witness and stays silent.
func ctxLeak(ctx context.Context) (int, error) {
	ch := make(chan int)
	go func() {
		v, _ := fetch()
		ch <- v
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// threeIntoOne: three answers into a buffer of one, read once: the third
// send blocks whatever the order. Only the checker reports it.
func threeIntoOne() int {
	ch := make(chan int, 1)
	for range 3 {
		go func() {
			v, _ := fetch()
			ch <- v // want `this send can block forever`
		}()
	}
	return <-ch
}
