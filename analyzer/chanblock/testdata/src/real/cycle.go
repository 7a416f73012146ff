package real

import "fmt"

// Upstream: mmcgrana/gobyexample#125 (and cmitsakis/workerpool-go#3, the
// same cycle through a library's queues)
//
// Bug: the worker-pool example sends every job on a bounded jobs channel
// and only then reads the results from a bounded results channel. Each
// worker receives a job and sends its result; once the results buffer is
// full every worker blocks in that send, nobody takes jobs any more, the
// jobs buffer fills, and main's next job send blocks: main waits for the
// workers and the workers wait for main. It works only while the number
// of jobs fits in the two buffers plus one per worker. Fix: send the jobs
// from a goroutine of their own (or read the results concurrently).
func workerPool(items []int, workers int) int {
	jobs := make(chan int, 2)
	results := make(chan int, 2)
	for w := 0; w < workers; w++ {
		go poolWorker(jobs, results)
	}
	for _, it := range items {
		jobs <- it // want `this loop sends jobs \(buffer of 2\) to the workers started at line \d+, which send each result \(line \d+\) on a channel with a buffer of 2 that only workerPool receives from, after this loop \(line \d+\)`
	}
	close(jobs)
	sum := 0
	for range items {
		sum += <-results
	}
	return sum
}

func poolWorker(jobs <-chan int, results chan<- int) {
	for j := range jobs {
		fmt.Println("job", j)
		results <- j * 2
	}
}

func workerPoolFixed(items []int, workers int) int {
	jobs := make(chan int, 2)
	results := make(chan int, 2)
	for w := 0; w < workers; w++ {
		go poolWorker(jobs, results)
	}
	go func() {
		for _, it := range items {
			jobs <- it
		}
		close(jobs)
	}()
	sum := 0
	for range items {
		sum += <-results
	}
	return sum
}

// Receiving a result per job inside the loop keeps the cycle open: left
// alone.
func workerPoolLockstep(items []int) int {
	jobs := make(chan int)
	results := make(chan int)
	go poolWorker(jobs, results)
	sum := 0
	for _, it := range items {
		jobs <- it
		sum += <-results
	}
	close(jobs)
	return sum
}

// A fixed number of jobs that the buffers cover: left alone.
func workerPoolFits() int {
	jobs := make(chan int, 4)
	results := make(chan int, 4)
	go poolWorker(jobs, results)
	for i := 0; i < 4; i++ {
		jobs <- i
	}
	close(jobs)
	sum := 0
	for i := 0; i < 4; i++ {
		sum += <-results
	}
	return sum
}
