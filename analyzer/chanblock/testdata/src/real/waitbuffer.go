package real

import (
	"errors"
	"sync"
)

type wfRun struct{ id int }

func listJobs(r wfRun) ([]string, error) { return nil, errors.New("rate limited") }

// Upstream: fchimpan/gh-workflow-stats#67
//
// Bug: one goroutine per workflow run fetches the run's jobs and sends
// them on a channel buffered to min(len(runs), 100); the function waits
// for all goroutines with wg.Wait and only then drains the channel. With
// more than 100 runs the buffer fills, the 101st goroutine blocks in its
// send before its deferred wg.Done, and wg.Wait never returns ("all
// goroutines are asleep"). Fix: size the buffer to len(runs) (or drain
// while the goroutines run, closing the channel after Wait in a goroutine).
func fetchJobs(runs []wfRun) []string {
	jobsCh := make(chan []string, min(len(runs), 100))
	var wg sync.WaitGroup
	wg.Add(len(runs))
	for _, run := range runs {
		go func(run wfRun) {
			defer wg.Done()
			jobs, err := listJobs(run)
			if err != nil {
				return
			}
			jobsCh <- jobs // want `these goroutines, started in a loop \(line \d+\) with no bound the buffer of 100 covers, send on a channel that fetchJobs receives from only after wg.Wait \(line \d+\), and call wg.Done only after the send \(line \d+\)`
		}(run)
	}
	wg.Wait()
	close(jobsCh)
	var all []string
	for jobs := range jobsCh {
		all = append(all, jobs...)
	}
	return all
}

func fetchJobsFixed(runs []wfRun) []string {
	jobsCh := make(chan []string, len(runs))
	var wg sync.WaitGroup
	wg.Add(len(runs))
	for _, run := range runs {
		go func(run wfRun) {
			defer wg.Done()
			jobs, err := listJobs(run)
			if err != nil {
				return
			}
			jobsCh <- jobs
		}(run)
	}
	wg.Wait()
	close(jobsCh)
	var all []string
	for jobs := range jobsCh {
		all = append(all, jobs...)
	}
	return all
}

// The first-error variant (ours): a buffer of one for the errors of many
// goroutines, read after Wait. The second failure blocks.
func firstErrorAfterWait(runs []wfRun) error {
	errCh := make(chan error, 1)
	var wg sync.WaitGroup
	for _, run := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := listJobs(run); err != nil {
				errCh <- err // want `these goroutines, started in a loop \(line \d+\) with no bound the buffer of 1 covers`
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errCh:
		return err
	default:
		return nil
	}
}

// A loop bounded by a constant within the buffer fits it: left alone.
func fitsBufferAfterWait() []string {
	out := make(chan string, 4)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- "x"
		}()
	}
	wg.Wait()
	close(out)
	var all []string
	for s := range out {
		all = append(all, s)
	}
	return all
}

// So does a range over a literal no longer than the buffer.
func literalAfterWait() []string {
	out := make(chan string, 3)
	var wg sync.WaitGroup
	for _, s := range []string{"a", "b", "c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out <- s
		}()
	}
	wg.Wait()
	close(out)
	var all []string
	for s := range out {
		all = append(all, s)
	}
	return all
}
