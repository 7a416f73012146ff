package real

import (
	"fmt"
	"sync"
)

// Synthetic (the "wait before close" ordering issue 14 names; no upstream
// reference reduced): workers range over a jobs channel and are counted
// on a WaitGroup; the function closes the channel only after wg.Wait. The
// ranges end only when the channel is closed, so no worker calls Done and
// Wait never returns. Fix: close(jobs) before wg.Wait.
func closeAfterWaitPool(items []string, n int) {
	jobs := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				fmt.Println(j)
			}
		}()
	}
	for _, it := range items {
		jobs <- it
	}
	wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which calls wg.Done \(line \d+\) only after its range over this channel \(line \d+\) ends, but closeAfterWaitPool closes the channel only after this Wait \(line \d+\)`
	close(jobs)
}

func closeAfterWaitPoolFixed(items []string, n int) {
	jobs := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				fmt.Println(j)
			}
		}()
	}
	for _, it := range items {
		jobs <- it
	}
	close(jobs)
	wg.Wait()
}

// Done after the loop rather than deferred, and the close deferred to the
// function's return: the same wait.
func deferredCloseAfterWait(items []string) {
	jobs := make(chan string, len(items))
	defer close(jobs)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		for j := range jobs {
			fmt.Println(j)
		}
		wg.Done()
	}()
	for _, it := range items {
		jobs <- it
	}
	wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which calls wg.Done \(line \d+\) only after its range`
}

// A worker that counts each job done rather than its own end is not held
// back by the range: left alone.
func doneEachJob(items []string) {
	jobs := make(chan string, len(items))
	var wg sync.WaitGroup
	go func() {
		for j := range jobs {
			fmt.Println(j)
			wg.Done()
		}
	}()
	for _, it := range items {
		wg.Add(1)
		jobs <- it
	}
	wg.Wait()
	close(jobs)
}
