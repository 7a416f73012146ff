package real

import (
	"context"
	"errors"
	"strconv"
	"sync"
)

func lookup(name string) (int, error) {
	if name == "" {
		return 0, errors.New("not found")
	}
	return len(name), nil
}

// Upstream: rclone/rclone#7037
//
// Bug: the lister starts one checker per slot of a channel buffered by
// the number of checkers; each ranges over the names and returns on an
// error; the lister then sends every name with a plain send and closes
// the channel. Once every checker has returned nothing receives, and the
// send blocks forever when the buffer is full. Fix: the send selects on
// the group's context, cancelled on the first error.
func listNames(names map[string]bool, checkers int, cb func(int) error) error {
	remotes := make(chan string, checkers)
	var wg sync.WaitGroup
	errs := make([]error, checkers)
	for i := 0; i < checkers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for name := range remotes {
				n, err := lookup(name)
				if err != nil {
					errs[i] = err
					return
				}
				if err := cb(n); err != nil {
					errs[i] = err
					return
				}
			}
		}(i)
	}
	for name := range names {
		remotes <- name // want `this loop feeds a pool of workers \(started in a loop, line \d+\) on a channel buffered by the number of workers, but each worker can leave its receive loop \(line \d+\) and return \(line \d+\) before the channel is closed`
	}
	close(remotes)
	wg.Wait()
	return errors.Join(errs...)
}

// Unbuffered, the workers leaving with a break.
func feedWorkers(jobs []string, workers int) {
	work := make(chan string)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if _, err := lookup(j); err != nil {
					break
				}
			}
		}()
	}
	for _, j := range jobs {
		work <- j // want `this loop feeds a pool of workers \(started in a loop, line \d+\) on a channel unbuffered`
	}
	close(work)
	wg.Wait()
}

// Fixed: the send gives up when a worker has failed and cancelled.
func listNamesFixed(names map[string]bool, checkers int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	remotes := make(chan string, checkers)
	var wg sync.WaitGroup
	for i := 0; i < checkers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range remotes {
				if _, err := lookup(name); err != nil {
					cancel()
					return
				}
			}
		}()
	}
loop:
	for name := range names {
		select {
		case remotes <- name:
		case <-ctx.Done():
			break loop
		}
	}
	close(remotes)
	wg.Wait()
	return ctx.Err()
}

// The workers keep ranging after an error: they drain the channel.
func feedWorkersDrain(jobs []string, workers int) error {
	work := make(chan string)
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if _, err := lookup(j); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					continue
				}
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	return first
}

// Sentinel values end the workers: the producer sends one per worker and
// does not close.
func feedWorkersSentinel(jobs []string, workers int) {
	work := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if j == "" {
					return
				}
				lookup(j)
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	for i := 0; i < workers; i++ {
		work <- ""
	}
	wg.Wait()
}

// A buffer for every job: the sends never wait.
func feedWorkersSized(jobs []string, workers int) {
	work := make(chan string, len(jobs))
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if _, err := lookup(j); err != nil {
					return
				}
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
}

// The buffer is the number of jobs, which the job loop counts to: the
// workers' loop is bounded by something else.
func feedWorkersCounted(jobs []string, workers int) {
	n := len(jobs)
	work := make(chan string, n)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				if _, err := lookup(j); err != nil {
					return
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- jobs[i]
	}
	close(work)
	wg.Wait()
}

// A worker told beforehand to take one job leaves after it, by design
// (the producer counts the workers that stay).
func feedOnce(jobs []int, workers int) {
	question := make(chan int)
	defer close(question)
	waiter := func(q <-chan int, once bool) {
		for x := range q {
			lookup(strconv.Itoa(x))
			if once {
				break
			}
		}
	}
	for i := 0; i < workers; i++ {
		go waiter(question, i%5 == 4)
	}
	for _, j := range jobs {
		question <- j
	}
}
