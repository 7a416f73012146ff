package real

import (
	"context"
	"errors"
	"sync"
)

// hashicorp/vault#12933: the restore workers report each lease on result
// and each failure on errs, both sized by len(existing), the number of
// namespaces; Restore waits for leaseCount reports and returns on the first
// error. The workers that report after it has gone, past the buffer, block
// forever. Fix: both channels are sized by leaseCount.
type sizedLeaseStore interface {
	load(ctx context.Context, id string) error
}

type sizedRestorer struct {
	store  sizedLeaseStore
	quitCh chan struct{}
}

func (m *sizedRestorer) collect() (map[string][]string, int) { return nil, 0 }

func (m *sizedRestorer) restore(ctx context.Context) error {
	existing, leaseCount := m.collect()
	broker := make(chan string)
	quit := make(chan bool)
	errs := make(chan error, len(existing))
	result := make(chan struct{}, len(existing))
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case id, ok := <-broker:
					if !ok {
						return
					}
					if err := m.store.load(ctx, id); err != nil {
						errs <- err // want `this goroutine sends with a plain send on a channel whose buffer \(line \d+\) is not sized by the count restore receives`
						continue
					}
					result <- struct{}{} // want `this goroutine sends with a plain send on a channel whose buffer \(line \d+\) is not sized by the count restore receives`
				case <-quit:
					return
				case <-m.quitCh:
					return
				}
			}
		}()
	}
	go func() {
		for _, ids := range existing {
			for _, id := range ids {
				select {
				case <-quit:
					return
				case broker <- id:
				}
			}
		}
		close(broker)
	}()
	for i := 0; i < leaseCount; i++ {
		select {
		case err := <-errs:
			close(quit)
			return err
		case <-m.quitCh:
			close(quit)
			return nil
		case <-result:
		}
	}
	wg.Wait()
	return nil
}

// The fixed restore: both buffers hold leaseCount reports, the count the
// loop waits for.
func (m *sizedRestorer) restoreFixed(ctx context.Context) error {
	existing, leaseCount := m.collect()
	broker := make(chan string)
	quit := make(chan bool)
	errs := make(chan error, leaseCount)
	result := make(chan struct{}, leaseCount)
	for i := 0; i < 64; i++ {
		go func() {
			for {
				select {
				case id, ok := <-broker:
					if !ok {
						return
					}
					if err := m.store.load(ctx, id); err != nil {
						errs <- err
						continue
					}
					result <- struct{}{}
				case <-quit:
					return
				}
			}
		}()
	}
	go func() {
		for _, ids := range existing {
			for _, id := range ids {
				select {
				case <-quit:
					return
				case broker <- id:
				}
			}
		}
		close(broker)
	}()
	for i := 0; i < leaseCount; i++ {
		select {
		case err := <-errs:
			close(quit)
			return err
		case <-result:
		}
	}
	return nil
}

type sizedJob struct{ n int }

type sizedResult struct {
	v   int
	err error
}

// A pool of a configured number of workers reports one result per job on a
// channel with room for one per worker; the caller waits for one result
// per job and gives up on its context.
func sizedPool(ctx context.Context, jobs []sizedJob, workers int, do func(sizedJob) (int, error)) ([]int, error) {
	queue := make(chan sizedJob, len(jobs))
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	results := make(chan sizedResult, workers)
	for w := 0; w < workers; w++ {
		go func() {
			for j := range queue {
				v, err := do(j)
				results <- sizedResult{v, err} // want `this goroutine sends with a plain send on a channel whose buffer \(line \d+\) is not sized by the count sizedPool receives`
			}
		}()
	}
	var out []int
	for range jobs {
		select {
		case r := <-results:
			out = append(out, r.v)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return out, nil
}

// The same pool leaving its loop with a break on the first failure, and
// returning without draining.
func sizedPoolBreak(jobs []sizedJob, workers int, do func(sizedJob) (int, error)) error {
	queue := make(chan sizedJob, len(jobs))
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	results := make(chan sizedResult, workers)
	for w := 0; w < workers; w++ {
		go func() {
			for j := range queue {
				v, err := do(j)
				results <- sizedResult{v, err} // want `this goroutine sends with a plain send on a channel whose buffer \(line \d+\) is not sized by the count sizedPoolBreak receives`
			}
		}()
	}
	var failed error
	for i := 0; i < len(jobs); i++ {
		r := <-results
		if r.err != nil {
			failed = r.err
			break
		}
	}
	return failed
}

// Look-alike: the buffer holds one result per job, the count waited for
// (a range over the jobs): every worker's send fits after the caller left.
func sizedPoolFits(ctx context.Context, jobs []sizedJob, workers int, do func(sizedJob) (int, error)) error {
	queue := make(chan sizedJob, len(jobs))
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	results := make(chan sizedResult, len(jobs))
	for w := 0; w < workers; w++ {
		go func() {
			for j := range queue {
				v, err := do(j)
				results <- sizedResult{v, err}
			}
		}()
	}
	for range jobs {
		select {
		case r := <-results:
			if r.err != nil {
				return r.err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Look-alike: room for one more than the count waited for.
func sizedPoolSpare(jobs []sizedJob, workers int, do func(sizedJob) (int, error)) error {
	queue := make(chan sizedJob, len(jobs))
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	n := len(jobs)
	results := make(chan sizedResult, n+1)
	for w := 0; w < workers; w++ {
		go func() {
			for j := range queue {
				v, err := do(j)
				results <- sizedResult{v, err}
			}
		}()
	}
	for i := 0; i < n; i++ {
		if r := <-results; r.err != nil {
			return r.err
		}
	}
	return nil
}

// Look-alike: the workers offer their result in a select on the caller's
// context, so they give up once it is done.
func sizedPoolSelect(ctx context.Context, jobs []sizedJob, workers int, do func(sizedJob) (int, error)) error {
	queue := make(chan sizedJob, len(jobs))
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	results := make(chan sizedResult, workers)
	for w := 0; w < workers; w++ {
		go func() {
			for j := range queue {
				v, err := do(j)
				select {
				case results <- sizedResult{v, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	for range jobs {
		select {
		case r := <-results:
			if r.err != nil {
				return r.err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Look-alike: one goroutine per item, each sending once, over the items
// the buffer is sized by; the caller waits for a count of its own.
func sizedPerItem(items []string, want int, get func(string) error) error {
	errc := make(chan error, len(items))
	for _, it := range items {
		go func(it string) {
			errc <- get(it)
		}(it)
	}
	for i := 0; i < want; i++ {
		if err := <-errc; err != nil {
			return err
		}
	}
	return nil
}

// Look-alike: the receive loop is never left early; it takes every value.
func sizedPoolAll(jobs []sizedJob, workers int, do func(sizedJob) (int, error)) error {
	queue := make(chan sizedJob, len(jobs))
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	results := make(chan sizedResult, workers)
	for w := 0; w < workers; w++ {
		go func() {
			for j := range queue {
				v, err := do(j)
				results <- sizedResult{v, err}
			}
		}()
	}
	var errs []error
	for i := 0; i < len(jobs); i++ {
		r := <-results
		errs = append(errs, r.err)
	}
	return errors.Join(errs...)
}

// Look-alike: the results channel is closed once the workers are done and
// ranged over; the caller's early return is the range's own business.
func sizedPoolClosed(jobs []sizedJob, workers int, do func(sizedJob) (int, error)) error {
	queue := make(chan sizedJob, len(jobs))
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	results := make(chan sizedResult, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				v, err := do(j)
				results <- sizedResult{v, err}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	for r := range results {
		if r.err != nil {
			return r.err
		}
	}
	return nil
}

// Look-alike: a stream the caller receives from until it has enough,
// started once and sending once: one goroutine, one send.
func sizedSingle(ctx context.Context, n int, get func() error) error {
	done := make(chan error, n)
	go func() {
		done <- get()
	}()
	for i := 0; i < 1; i++ {
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Look-alike (net's TestDNSFlood): two lookups per name, each sending once
// on a channel with room for 2*n, and a loop waiting for 2*n answers that
// gives up on a deadline: the size and the count are the same product,
// computed twice.
func sizedTwice(n int, lookup func(int) error, deadline <-chan struct{}) error {
	c := make(chan error, 2*n)
	for i := 0; i < n; i++ {
		go func() { c <- lookup(i) }()
		go func() { c <- lookup(-i) }()
	}
	for i := 0; i < 2*n; i++ {
		select {
		case <-deadline:
			return errors.New("deadline exceeded")
		case err := <-c:
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// Look-alike (nats-server's mqttBenchPubQoS1): each reader reports once,
// its last act even from inside its read loop, on a channel with room for
// one per reader; the count waited for is kept in a counter of its own.
func sizedReader(read func() (int, error), dch chan<- error) {
	for i := 0; i < 10; {
		n, err := read()
		if err != nil {
			dch <- err
			return
		}
		i += n
	}
	dch <- nil
}

func sizedReaders(numSubs int, read func() (int, error)) error {
	dch := make(chan error, 1+numSubs)
	go sizedReader(read, dch)
	waiting := 1
	start := func() {
		go func() {
			sizedReader(read, dch)
		}()
	}
	for i := 0; i < numSubs; i++ {
		start()
		waiting++
	}
	for i := 0; i < waiting; i++ {
		if err := <-dch; err != nil {
			return err
		}
	}
	return nil
}
