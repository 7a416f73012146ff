package stuckoff

import "context"

func fetch() int { return 1 }

// Reported by the stuck checker when on (testdata/src/stuck's ctxLeak);
// silent with -chanblock.stuck=false.
func ctxLeak(ctx context.Context) (int, error) {
	ch := make(chan int)
	go func() {
		ch <- fetch()
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
