package real

import (
	"errors"
	"fmt"
	"sync"
)

// The WaitGroup and channel rules for goroutines a package starts through
// its own helpers: goSafe(f) (wrapstart.go) and a pool's Submit method.
// Each kernel is reported through both; each fixed twin stays silent.

// wsPool runs each job it is given on a goroutine of its own.
type wsPool struct{ started int }

// Submit starts job.
func (p *wsPool) Submit(job func()) {
	p.started++
	go job()
}

// waitBefore: the goroutine sends before its Done, the maker receives
// only after Wait.

func wsSendWrapped(xs []int) int {
	ch := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	goSafe(func() {
		defer wg.Done()
		ch <- len(xs) // want `this goroutine sends on an unbuffered channel that wsSendWrapped receives from only after wg.Wait`
	})
	wg.Wait()
	return <-ch
}

type wsSummer struct {
	pool *wsPool
	wg   sync.WaitGroup
}

func (s *wsSummer) sum(xs []int) int {
	ch := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	s.pool.Submit(func() {
		n := 0
		for _, x := range xs {
			n += x
		}
		ch <- n // want `this goroutine sends on an unbuffered channel that sum receives from only after wg.Wait`
		wg.Done()
	})
	wg.Wait()
	return <-ch
}

// Fixed: the value is taken before the Wait.
func (s *wsSummer) sumFixed(xs []int) int {
	ch := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	s.pool.Submit(func() {
		defer wg.Done()
		ch <- len(xs)
	})
	n := <-ch
	wg.Wait()
	return n
}

// closeAfter: the worker's Done waits for its range to end, and the
// channel is closed only after Wait.

func wsRangeWrapped(jobs []string) {
	ch := make(chan string)
	var wg sync.WaitGroup
	wg.Add(1)
	goSafe(func() {
		defer wg.Done()
		for j := range ch {
			fmt.Println(j)
		}
	})
	for _, j := range jobs {
		ch <- j
	}
	wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which calls wg.Done \(line \d+\) only after its range over this channel`
	close(ch)
}

func wsRangeSubmitted(p *wsPool, jobs []string) {
	ch := make(chan string)
	var wg sync.WaitGroup
	wg.Add(1)
	p.Submit(func() {
		for j := range ch {
			fmt.Println(j)
		}
		wg.Done()
	})
	for _, j := range jobs {
		ch <- j
	}
	wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, which calls wg.Done \(line \d+\) only after its range over this channel`
	close(ch)
}

// Fixed: close, then Wait.
func wsRangeSubmittedFixed(p *wsPool, jobs []string) {
	ch := make(chan string)
	var wg sync.WaitGroup
	wg.Add(1)
	p.Submit(func() {
		defer wg.Done()
		for j := range ch {
			fmt.Println(j)
		}
	})
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
}

// queueCycle: workers started through the helpers.

func wsWorkerPool(items []int, workers int) int {
	jobs := make(chan int, 2)
	results := make(chan int, 2)
	for w := 0; w < workers; w++ {
		goSafe(func() { poolWorker(jobs, results) })
	}
	for _, it := range items {
		jobs <- it // want `this loop sends jobs \(buffer of 2\) to the workers started at line \d+`
	}
	close(jobs)
	sum := 0
	for range items {
		sum += <-results
	}
	return sum
}

func wsWorkerPoolSubmitted(p *wsPool, items []int) int {
	jobs := make(chan int, 2)
	results := make(chan int, 2)
	for range 4 {
		p.Submit(func() {
			for j := range jobs {
				results <- j * 2
			}
		})
	}
	for _, it := range items {
		jobs <- it // want `this loop sends jobs \(buffer of 2\) to the workers started at line \d+`
	}
	close(jobs)
	sum := 0
	for range items {
		sum += <-results
	}
	return sum
}

// Fixed: the jobs are sent from a goroutine of their own.
func wsWorkerPoolSubmittedFixed(p *wsPool, items []int) int {
	jobs := make(chan int, 2)
	results := make(chan int, 2)
	for range 4 {
		p.Submit(func() {
			for j := range jobs {
				results <- j * 2
			}
		})
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

// handedUnclosed: the subscription, run through a helper, returns on a
// failed connect before starting the reader that closes the channel.

func wsCollect(src sseSource, name string) []string {
	out := make(chan string)
	goSafe(func() {
		r, err := src.Open(name)
		if err != nil {
			return
		}
		go func() {
			for {
				msg, err := r.Next()
				if err != nil {
					close(out)
					return
				}
				out <- msg
			}
		}()
	})
	var got []string
	for m := range out { // want `this range waits for the channel to be closed, and only a goroutine wsCollect\$1 starts closes it`
		got = append(got, m)
	}
	return got
}

func wsCollectSubmitted(p *wsPool, src sseSource, name string) []string {
	out := make(chan string)
	p.Submit(func() {
		r, err := src.Open(name)
		if err != nil {
			return
		}
		p.Submit(func() {
			defer close(out)
			for {
				msg, err := r.Next()
				if err != nil {
					return
				}
				out <- msg
			}
		})
	})
	var got []string
	for m := range out { // want `this range waits for the channel to be closed, and only a goroutine wsCollectSubmitted\$1 starts closes it`
		got = append(got, m)
	}
	return got
}

// Fixed: the connect error closes the channel too.
func wsCollectSubmittedFixed(p *wsPool, src sseSource, name string) []string {
	out := make(chan string)
	p.Submit(func() {
		r, err := src.Open(name)
		if err != nil {
			close(out)
			return
		}
		p.Submit(func() {
			defer close(out)
			for {
				msg, err := r.Next()
				if err != nil {
					return
				}
				out <- msg
			}
		})
	})
	var got []string
	for m := range out {
		got = append(got, m)
	}
	return got
}

// goroutineDone: a counted goroutine returns early without Done.

func wsCountWrapped(items []string, do func(string) error) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		goSafe(func() {
			if err := do(it); err != nil {
				return // want `this goroutine, counted by wg.Add at line \d+, can return here without calling wg.Done`
			}
			wg.Done()
		})
	}
	wg.Wait()
}

func (s *wsSummer) count(items []string, do func(string) error) {
	for _, it := range items {
		s.wg.Add(1)
		s.pool.Submit(func() {
			if err := do(it); err != nil {
				fmt.Println(err)
				return // want `this goroutine, counted by wg.Add at line \d+, can return here without calling wg.Done`
			}
			s.wg.Done()
		})
	}
	s.wg.Wait()
}

// Fixed: Done deferred.
func (s *wsSummer) countFixed(items []string, do func(string) error) {
	for _, it := range items {
		s.wg.Add(1)
		s.pool.Submit(func() {
			defer s.wg.Done()
			if err := do(it); err != nil {
				fmt.Println(err)
			}
		})
	}
	s.wg.Wait()
}

// handedDone: the goroutine hands its WaitGroup to a helper that skips
// Done on an error.

func wsFinish(wg *sync.WaitGroup, x int) error {
	if x < 0 {
		return errors.New("negative") // want `this return skips wg.Done: the goroutine started at line \d+, counted by wg.Add at line \d+, hands its WaitGroup to wsFinish`
	}
	wg.Done()
	return nil
}

func wsHanded(xs []int) {
	var wg sync.WaitGroup
	for _, x := range xs {
		wg.Add(1)
		goSafe(func() { _ = wsFinish(&wg, x) })
	}
	wg.Wait()
}

func wsFinishPool(wg *sync.WaitGroup, x int) error {
	if x < 0 {
		return errors.New("negative") // want `this return skips wg.Done: the goroutine started at line \d+, counted by wg.Add at line \d+, hands its WaitGroup to wsFinishPool`
	}
	wg.Done()
	return nil
}

func wsHandedSubmitted(p *wsPool, xs []int) {
	var wg sync.WaitGroup
	for _, x := range xs {
		wg.Add(1)
		p.Submit(func() {
			if err := wsFinishPool(&wg, x); err != nil {
				fmt.Println(err)
			}
		})
	}
	wg.Wait()
}

// Fixed: the helper's Done is deferred.
func wsFinishFixed(wg *sync.WaitGroup, x int) error {
	defer wg.Done()
	if x < 0 {
		return errors.New("negative")
	}
	return nil
}

func wsHandedSubmittedFixed(p *wsPool, xs []int) {
	var wg sync.WaitGroup
	for _, x := range xs {
		wg.Add(1)
		p.Submit(func() { _ = wsFinishFixed(&wg, x) })
	}
	wg.Wait()
}

// addAfterWait: the waiter is started through a helper before the tasks
// are counted.

func wsLoad(ids []string, fetch func(string) string) []string {
	out := make(chan string)
	var wg sync.WaitGroup
	goSafe(func() {
		wg.Wait()
		close(out)
	})
	for _, id := range ids {
		wg.Add(1) // want `this wg.Add runs after the goroutine started at line \d+ may already be in wg.Wait \(line \d+\) with the count at zero`
		go func() {
			defer wg.Done()
			out <- fetch(id)
		}()
	}
	var res []string
	for r := range out {
		res = append(res, r)
	}
	return res
}

func wsLoadSubmitted(p *wsPool, ids []string, fetch func(string) string) []string {
	out := make(chan string)
	var wg sync.WaitGroup
	p.Submit(func() {
		wg.Wait()
		close(out)
	})
	for _, id := range ids {
		wg.Add(1) // want `this wg.Add runs after the goroutine started at line \d+ may already be in wg.Wait \(line \d+\) with the count at zero`
		p.Submit(func() {
			defer wg.Done()
			out <- fetch(id)
		})
	}
	var res []string
	for r := range out {
		res = append(res, r)
	}
	return res
}

// Fixed: the tasks are counted first.
func wsLoadSubmittedFixed(p *wsPool, ids []string, fetch func(string) string) []string {
	out := make(chan string)
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		p.Submit(func() {
			defer wg.Done()
			out <- fetch(id)
		})
	}
	p.Submit(func() {
		wg.Wait()
		close(out)
	})
	var res []string
	for r := range out {
		res = append(res, r)
	}
	return res
}
