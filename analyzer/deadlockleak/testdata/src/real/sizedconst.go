package real

import (
	"context"
	"sync"
	"testing"
)

// Session 25 (bufvar): hashicorp/vault#12933 with a constant buffer. A
// pool of eight checkers reports on reports (room for 32) for every host,
// and checkAll receives len(hosts) reports but returns on the first error
// or its context: with more than 32 hosts left, the reports past the
// buffer have no receiver, and their checkers block forever on the send
// (and the feeder with them). Fix: the buffer holds a report per host.
type scReport struct {
	host string
	err  error
}

func scCheckAll(ctx context.Context, hosts []string, check func(context.Context, string) error) error {
	jobs := make(chan string)
	reports := make(chan scReport, 32)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range jobs {
				reports <- scReport{h, check(ctx, h)} // want `this goroutine sends with a plain send on a channel whose buffer \(line \d+\) is not sized by the count scCheckAll receives`
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, h := range hosts {
			select {
			case jobs <- h:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := 0; i < len(hosts); i++ {
		select {
		case r := <-reports:
			if r.err != nil {
				return r.err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	wg.Wait()
	return nil
}

// The fix: room for every host's report.
func scCheckAllFixed(ctx context.Context, hosts []string, check func(context.Context, string) error) error {
	jobs := make(chan string)
	reports := make(chan scReport, len(hosts))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range jobs {
				reports <- scReport{h, check(ctx, h)}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, h := range hosts {
			select {
			case jobs <- h:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i := 0; i < len(hosts); i++ {
		select {
		case r := <-reports:
			if r.err != nil {
				return r.err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	wg.Wait()
	return nil
}

// Look-alike: the receiver waits for a constant count of reports that
// the constant buffer holds (four probes, room for eight); silent.
func scProbeFour(ctx context.Context, probe func(int) error) error {
	jobs := make(chan int)
	reports := make(chan error, 8)
	for i := 0; i < 2; i++ {
		go func() {
			for j := range jobs {
				reports <- probe(j)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for j := 0; j < 4; j++ {
			jobs <- j
		}
	}()
	for i := 0; i < 4; i++ {
		select {
		case err := <-reports:
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Look-alike (std's sync.TestRLocker, a false report of an intermediate
// build): a lockstep test whose one helper goroutine sends two values a
// round, n rounds, on one-slot channels; the test receives them round by
// round and leaves early only through t.Fatal, which ends it; silent.
func scLockstep(t *testing.T, wl *sync.RWMutex) {
	rl := wl.RLocker()
	wlocked := make(chan bool, 1)
	rlocked := make(chan bool, 1)
	n := 10
	go func() {
		for i := 0; i < n; i++ {
			rl.Lock()
			rlocked <- true
			wl.Lock()
			wlocked <- true
		}
	}()
	for i := 0; i < n; i++ {
		<-rlocked
		select {
		case <-wlocked:
			t.Fatal("write lock taken under a read lock")
		default:
		}
		rl.Unlock()
		<-wlocked
		wl.Unlock()
	}
}
