package bug

import (
	"context"
	"sync"
)

// ForEachJob runs jobFunc for every index in [0, jobs) on up to
// parallelism goroutines, stopping at the first error, which it returns.
func ForEachJob(ctx context.Context, jobs, parallelism int, jobFunc func(ctx context.Context, idx int) error) error {
	if jobs == 0 {
		return nil
	}
	if parallelism > jobs {
		parallelism = jobs
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		mu       sync.Mutex
		next     int
		firstErr error
		wg       sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= jobs || firstErr != nil {
			return 0, false
		}
		next++
		return next - 1, true
	}
	for w := 0; w < parallelism; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				idx, ok := take()
				if !ok || ctx.Err() != nil {
					return
				}
				if err := jobFunc(ctx, idx); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}
