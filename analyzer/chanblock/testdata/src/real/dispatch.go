package real

import (
	"log"
	"time"
)

// nix-community/queued-build-hook#2: the daemon's main loop selects
// between new requests and worker completions; for a request it does a
// plain send into the workers' buffered request channel, and each worker
// reports its completion with a plain send on an unbuffered channel only
// the main loop receives. Once the request buffer is full the loop waits
// in its send, takes no completion, the workers wait in theirs, and
// nobody drains the requests. Fix: the completion is sent from a new
// goroutine. (A dispatcher that receives results in another case of the
// loop that sends the jobs.)
type buildReq struct {
	drv   string
	tag   string
	tries int
}

func reportDone(done chan<- *buildReq, r *buildReq, hook func(*buildReq) error) {
	defer func() {
		done <- r
	}()
	for r.tries > 0 {
		if err := hook(r); err == nil {
			return
		}
		r.tries--
		time.Sleep(time.Second)
	}
	log.Printf("dropped %s", r.drv)
}

func runBuildDaemon(reqs <-chan *buildReq, hook func(*buildReq) error, workers int) {
	inProgress := map[string]int{}
	done := make(chan *buildReq)
	work := make(chan *buildReq, 256)
	for i := 0; i < workers; i++ {
		go func() {
			for {
				r := <-work
				reportDone(done, r, hook)
			}
		}()
	}
	for {
		select {
		case r := <-reqs:
			inProgress[r.tag]++
			work <- r // want `this send of a job \(buffer of 256\) to the workers started at line \d+ blocks the loop that also receives their results \(line \d+, a select case\)`
		case r := <-done:
			inProgress[r.tag]--
		}
	}
}

func reportDoneFixed(done chan<- *buildReq, r *buildReq, hook func(*buildReq) error) {
	defer func() {
		go func() { done <- r }()
	}()
	for r.tries > 0 {
		if err := hook(r); err == nil {
			return
		}
		r.tries--
		time.Sleep(time.Second)
	}
	log.Printf("dropped %s", r.drv)
}

func runBuildDaemonFixed(reqs <-chan *buildReq, hook func(*buildReq) error, workers int) {
	inProgress := map[string]int{}
	done := make(chan *buildReq)
	work := make(chan *buildReq, 256)
	for i := 0; i < workers; i++ {
		go func() {
			for {
				r := <-work
				reportDoneFixed(done, r, hook)
			}
		}()
	}
	for {
		select {
		case r := <-reqs:
			inProgress[r.tag]++
			work <- r
		case r := <-done:
			inProgress[r.tag]--
		}
	}
}

// The same mistake written another way: workers range over the jobs and
// send a number back in the loop; the dispatcher stops when its input is
// closed, and the result case sums.
func sumSquares(in <-chan int, workers int) int {
	results := make(chan int, 4)
	jobs := make(chan int, 16)
	defer close(jobs)
	for i := 0; i < workers; i++ {
		go func() {
			for x := range jobs {
				results <- x * x
			}
		}()
	}
	total := 0
	for {
		select {
		case x, ok := <-in:
			if !ok {
				return total
			}
			jobs <- x // want `this send of a job \(buffer of 16\) to the workers started at line \d+ blocks the loop that also receives their results`
		case r := <-results:
			total += r
		}
	}
}

// Look-alike: the job is offered in a case of the same select, so the
// loop keeps taking results while the jobs buffer is full.
func sumSquaresSelect(in <-chan int, workers int) int {
	results := make(chan int, 4)
	jobs := make(chan int, 16)
	defer close(jobs)
	for i := 0; i < workers; i++ {
		go func() {
			for x := range jobs {
				results <- x * x
			}
		}()
	}
	total := 0
	var pending []int
	for {
		var out chan int
		var next int
		if len(pending) > 0 {
			out, next = jobs, pending[0]
		}
		select {
		case x, ok := <-in:
			if !ok {
				return total
			}
			pending = append(pending, x)
		case out <- next:
			pending = pending[1:]
		case r := <-results:
			total += r
		}
	}
}

// Look-alike: each job send is followed by the receive of its result, so
// at most one job is ever queued.
func sumSquaresLockstep(in <-chan int, workers int) int {
	results := make(chan int, 4)
	jobs := make(chan int, 16)
	defer close(jobs)
	for i := 0; i < workers; i++ {
		go func() {
			for x := range jobs {
				results <- x * x
			}
		}()
	}
	total := 0
	for {
		select {
		case x, ok := <-in:
			if !ok {
				return total
			}
			jobs <- x
			total += <-results
		case <-time.After(time.Second):
		}
	}
}
