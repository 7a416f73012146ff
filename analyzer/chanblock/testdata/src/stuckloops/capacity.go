package stuckloops

import "errors"

// Capacities the bounded model cannot fill: a constant over 64, a size
// from a parameter or a setting. No send blocks for room there; a receive
// nothing answers still waits.

type job interface {
	Run() (int, error)
}

// A size from the caller: the producer gives up at the first failing job,
// and the collector takes one value per job.
func gather(jobs []job, size int) []int {
	res := make(chan int, size)
	go func() {
		for _, j := range jobs {
			v, err := j.Run()
			if err != nil {
				return
			}
			res <- v
		}
	}()
	var out []int
	for range jobs {
		out = append(out, <-res) // want `this receive can block forever`
	}
	return out
}

// Fixed: a failure is a value too.
func gatherFixed(jobs []job, size int) []int {
	res := make(chan int, size)
	go func() {
		for _, j := range jobs {
			v, err := j.Run()
			if err != nil {
				v = -1
			}
			res <- v
		}
	}()
	var out []int
	for range jobs {
		out = append(out, <-res)
	}
	return out
}

// A large constant buffer, the checks in a named function: a fatal
// failure returns without the close the collector ranges to.
func check(jobs []job, errs chan<- error, fatal func(error) bool) {
	for _, j := range jobs {
		if _, err := j.Run(); err != nil {
			if fatal(err) {
				return
			}
			errs <- err
		}
	}
	close(errs)
}

func failures(jobs []job, fatal func(error) bool) []error {
	errs := make(chan error, 128)
	go check(jobs, errs, fatal)
	var all []error
	for err := range errs { // want `this range loop can block forever`
		all = append(all, err)
	}
	return all
}

// Fixed: the close is deferred.
func checkFixed(jobs []job, errs chan<- error, fatal func(error) bool) {
	defer close(errs)
	for _, j := range jobs {
		if _, err := j.Run(); err != nil {
			if fatal(err) {
				return
			}
			errs <- err
		}
	}
}

func failuresFixed(jobs []job, fatal func(error) bool) []error {
	errs := make(chan error, 128)
	go checkFixed(jobs, errs, fatal)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return all
}

// Look-alike: the first error returns, the rest wait in a buffer sized
// for them (a setting of the pool): nothing blocks.
type pool struct {
	depth int
}

func (p *pool) firstErr(jobs []job) error {
	errs := make(chan error, p.depth)
	for _, j := range jobs {
		go func() {
			_, err := j.Run()
			errs <- err
		}()
	}
	for range jobs {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// Look-alike: a big constant buffer and an early return.
func firstErr128(jobs []job) error {
	errs := make(chan error, 100)
	for _, j := range jobs {
		go func() {
			_, err := j.Run()
			errs <- err
		}()
	}
	for range jobs {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// One field read twice: a value receiver's pages, the buffer sized and
// the pages collected by len(b.urls); the fetcher stops at the first
// failure.
type fetcher interface {
	Get(url string) (string, error)
}

type fetchBatch struct {
	urls []string
	f    fetcher
}

func (b fetchBatch) all() []string {
	bodies := make(chan string, len(b.urls))
	go func() {
		for _, u := range b.urls {
			body, err := b.f.Get(u)
			if err != nil {
				return
			}
			bodies <- body
		}
	}()
	out := make([]string, 0, len(b.urls))
	for range b.urls {
		out = append(out, <-bodies) // want `this receive can block forever`
	}
	return out
}

// Fixed: an empty body for a failure.
func (b fetchBatch) allFixed() []string {
	bodies := make(chan string, len(b.urls))
	go func() {
		for _, u := range b.urls {
			body, err := b.f.Get(u)
			if err != nil {
				body = ""
			}
			bodies <- body
		}
	}()
	out := make([]string, 0, len(b.urls))
	for range b.urls {
		out = append(out, <-bodies)
	}
	return out
}

// Look-alike: a package variable read by the make and both loops is one
// count (time's TestAfterQueuing).
var delays = []int{3, 1, 2}

func ordered(after func(int) int) []int {
	res := make(chan int, len(delays))
	for _, d := range delays {
		go func() { res <- after(d) }()
	}
	var out []int
	for range delays {
		out = append(out, <-res)
	}
	return out
}

// The same through a pointer receiver's field.
type fanout struct{ parts []string }

func (f *fanout) join(get func(string) string) []string {
	res := make(chan string, len(f.parts))
	for _, p := range f.parts {
		go func() { res <- get(p) }()
	}
	var out []string
	for range f.parts {
		out = append(out, <-res)
	}
	return out
}

// Look-alike: workers loop while the values they take say so (true for
// work, false to stop), the buffer sized by the caller: the model does not
// track the values, so it does not follow the loop.
func churn(n, workers int) {
	work := make(chan bool, n+workers)
	result := make(chan int)
	for i := 0; i < n; i++ {
		work <- true
	}
	for i := 0; i < workers; i++ {
		work <- false
	}
	for i := 0; i < workers; i++ {
		go func() {
			c := 0
			for <-work {
				c++
			}
			result <- c
		}()
	}
	for i := 0; i < workers; i++ {
		<-result
	}
}

var errStale = errors.New("stale")

// Look-alike: a poller reports problems into a large buffer until told
// to stop; the caller drains one only when the buffer holds one
// (len > 0), so its receive never waits.
func pollProblems(probe func() (bool, error)) error {
	problems := make(chan error, 100)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				stale, err := probe()
				if err != nil {
					problems <- err
					return
				}
				if stale {
					problems <- errStale
				}
			}
		}
	}()
	close(stop)
	if len(problems) > 0 {
		return <-problems
	}
	return nil
}
