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

// The struct form (ours): a pool's workers range over its jobs field and
// defer Done on its WaitGroup field; Close waits first and closes after.
type rangePool struct {
	wg   sync.WaitGroup
	jobs chan string
}

func newRangePool(n int) *rangePool {
	p := &rangePool{jobs: make(chan string)}
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

func (p *rangePool) work() {
	defer p.wg.Done()
	for j := range p.jobs {
		fmt.Println(j)
	}
}

func (p *rangePool) Submit(j string) { p.jobs <- j }

func (p *rangePool) Close() {
	p.wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which calls wg.Done \(line \d+\) only after its range over field jobs of rangePool \(line \d+\) ends, but field jobs of rangePool is closed only after this Wait`
	close(p.jobs)
}

type rangePoolFixed struct {
	wg   sync.WaitGroup
	jobs chan string
}

func newRangePoolFixed(n int) *rangePoolFixed {
	p := &rangePoolFixed{jobs: make(chan string)}
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

func (p *rangePoolFixed) work() {
	defer p.wg.Done()
	for j := range p.jobs {
		fmt.Println(j)
	}
}

func (p *rangePoolFixed) Submit(j string) { p.jobs <- j }

func (p *rangePoolFixed) Close() {
	close(p.jobs)
	p.wg.Wait()
}

// The group form (ours): workers started with WaitGroup.Go range over the
// jobs; the group counts each until its range ends.
func groupCloseAfterWaitPool(items []string, n int) {
	jobs := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Go(func() {
			for j := range jobs {
				fmt.Println(j)
			}
		})
	}
	for _, it := range items {
		jobs <- it
	}
	wg.Wait() // want `Wait waits for the function started with the group's Go at line \d+, which returns only once its range over this channel \(line \d+\) ends, but groupCloseAfterWaitPool closes the channel only after this Wait`
	close(jobs)
}

func groupCloseAfterWaitPoolFixed(items []string, n int) {
	jobs := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Go(func() {
			for j := range jobs {
				fmt.Println(j)
			}
		})
	}
	for _, it := range items {
		jobs <- it
	}
	close(jobs)
	wg.Wait()
}
