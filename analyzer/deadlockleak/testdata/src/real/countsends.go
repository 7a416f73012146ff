package real

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// More sends than receives on an unbuffered channel: the maker receives a
// bounded number of times, and the goroutines or callbacks it hands the
// channel to send more values than that on some path.

// Upstream: ansible/receptor#636. One copying half per direction, the
// same function started twice; each reports on done, which the bridge
// reads once before closing both ends: the second half blocks forever.
// Fix: room for both reports.
func copyHalf(dst io.Writer, src io.Reader, done chan bool) {
	_, _ = io.Copy(dst, src)
	done <- true // want `2 goroutines each send once on a channel with room for 0, and bridge receives at most 1 time`
}

func bridge(a, b io.ReadWriteCloser) {
	done := make(chan bool)
	go copyHalf(a, b, done)
	go copyHalf(b, a, done)
	<-done
	_ = a.Close()
	_ = b.Close()
}

func bridgeFixed(a, b io.ReadWriteCloser) {
	done := make(chan bool, 2)
	go copyHalf(a, b, done)
	go copyHalf(b, a, done)
	<-done
	_ = a.Close()
	_ = b.Close()
}

// A variant: a method of a pump started once per stream, its error read
// once by the caller, who returns it.
type pump struct{ name string }

func (p *pump) drain(r io.Reader, errc chan error) {
	_, err := io.Copy(io.Discard, r)
	errc <- err // want `2 goroutines each send once on a channel with room for 0, and drainStreams receives at most 1 time`
}

func drainStreams(p *pump, out, errOut io.Reader) error {
	errc := make(chan error)
	go p.drain(out, errc)
	go p.drain(errOut, errc)
	return <-errc
}

// The look-alike waits for both halves: silent.
func drainStreamsWaited(p *pump, out, errOut io.Reader) error {
	errc := make(chan error)
	go p.drain(out, errc)
	go p.drain(errOut, errc)
	err1, err2 := <-errc, <-errc
	return errors.Join(err1, err2)
}

// Upstream: enobufs/go-nats#2. The reply handler, run by the
// subscription, sends the decoding error but lacks the return after it,
// so it sends the reply too; Request has taken the first value and gone.
// Fix: return after the error's send.
type inbox interface {
	Subscribe(subject string, handler func(data []byte)) (func(), error)
}

func decodeReply(data []byte) (string, error) {
	if len(data) == 0 {
		return "", errors.New("empty reply")
	}
	return string(data), nil
}

type reply struct {
	body string
	err  error
}

func request(ib inbox, subject string) (string, error) {
	got := make(chan reply)
	unsub, err := ib.Subscribe(subject, func(data []byte) {
		body, err := decodeReply(data)
		if err != nil {
			got <- reply{err: err}
		}
		got <- reply{body: body} // want `one call of this callback sends again here after its send at line \d+ on every path \(a return is missing\), 2 values in all, but request receives at most 1 time`
	})
	if err != nil {
		return "", err
	}
	defer unsub()
	r := <-got
	return r.body, r.err
}

func requestFixed(ib inbox, subject string) (string, error) {
	got := make(chan reply)
	unsub, err := ib.Subscribe(subject, func(data []byte) {
		body, err := decodeReply(data)
		if err != nil {
			got <- reply{err: err}
			return
		}
		got <- reply{body: body}
	})
	if err != nil {
		return "", err
	}
	defer unsub()
	r := <-got
	return r.body, r.err
}

// A variant: a goroutine that reports a validation error and then its
// result, read once.
func validateAndRun(input string, run func(string) int) (int, error) {
	out := make(chan reply)
	go func() {
		if input == "" {
			out <- reply{err: errors.New("empty input")}
		}
		out <- reply{body: string(rune(run(input)))} // want `this goroutine sends again here after its send at line \d+ on every path`
	}()
	r := <-out
	return len(r.body), r.err
}

// The look-alike sends on exclusive branches: one value per run, silent.
func validateAndRunFixed(input string, run func(string) int) (int, error) {
	out := make(chan reply)
	go func() {
		if input == "" {
			out <- reply{err: errors.New("empty input")}
		} else {
			out <- reply{body: string(rune(run(input)))}
		}
	}()
	r := <-out
	return len(r.body), r.err
}

// Upstream: grafana/loki#21062. The producer goroutine runs the jobs
// through a function of the package that takes a func value; the jobs
// offer each result in a select that watches ctx, but the final error is
// sent plainly, after the reader has returned on ctx or on the first
// error. Fix: that send watches ctx too.
func forEachJob(ctx context.Context, n int, job func(ctx context.Context, i int) error) error {
	errc := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() { errc <- job(ctx, i) }()
	}
	var first error
	for i := 0; i < n; i++ {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func shardQuery(ctx context.Context, shards []string, run func(string) (string, error)) ([]string, error) {
	ch := make(chan reply)
	go func() {
		err := forEachJob(ctx, len(shards), func(ctx context.Context, i int) error {
			body, err := run(shards[i])
			select {
			case ch <- reply{body: body, err: err}:
			case <-ctx.Done():
			}
			return err
		})
		if err != nil {
			ch <- reply{err: err} // want `this goroutine sends on an unbuffered channel whose only receiver, the select in shardQuery \(line \d+\), can take another case and return first`
		}
		close(ch)
	}()
	var out []string
	for {
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case r, ok := <-ch:
			if !ok {
				return out, nil
			}
			if r.err != nil {
				return nil, r.err
			}
			out = append(out, r.body)
		}
	}
}

func shardQueryFixed(ctx context.Context, shards []string, run func(string) (string, error)) ([]string, error) {
	ch := make(chan reply)
	go func() {
		err := forEachJob(ctx, len(shards), func(ctx context.Context, i int) error {
			body, err := run(shards[i])
			select {
			case ch <- reply{body: body, err: err}:
			case <-ctx.Done():
			}
			return err
		})
		if err != nil {
			select {
			case ch <- reply{err: err}:
			case <-ctx.Done():
			}
		}
		close(ch)
	}()
	var out []string
	for {
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case r, ok := <-ch:
			if !ok {
				return out, nil
			}
			if r.err != nil {
				return nil, r.err
			}
			out = append(out, r.body)
		}
	}
}

// A variant: the jobs are handed to a worker pool behind an interface,
// and the summary is sent plainly after the pool is done; the reader
// gives up on ctx.
type jobPool interface {
	Run(jobs int, job func(i int))
}

func poolSum(ctx context.Context, p jobPool, n int) (int, error) {
	parts := make(chan int)
	go func() {
		p.Run(n, func(i int) {
			select {
			case parts <- i:
			case <-ctx.Done():
			}
		})
		parts <- -1 // want `this goroutine sends on an unbuffered channel whose only receiver, the select in poolSum \(line \d+\), can take another case and return first`
	}()
	sum := 0
	for {
		select {
		case v := <-parts:
			if v < 0 {
				return sum, nil
			}
			sum += v
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// The look-alike reads until the end marker with no other way out:
// silent.
func poolSumAll(p jobPool, n int) int {
	parts := make(chan int)
	go func() {
		p.Run(n, func(i int) { parts <- i })
		parts <- -1
	}()
	sum := 0
	for {
		v := <-parts
		if v < 0 {
			return sum
		}
		sum += v
	}
}

// The same class with the senders started in a loop: the first answer
// wins and the caller returns it, the other goroutines block forever
// (hedged lookups against several mirrors). Fix: room for every answer.
func firstMirror(mirrors []string, fetch func(string) int) int {
	answers := make(chan int)
	for _, m := range mirrors {
		go func() {
			answers <- fetch(m) // want `a goroutine started in a loop \(line \d+\) sends once on a channel with room for 0, and firstMirror receives at most 1 time`
		}()
	}
	return <-answers
}

func firstMirrorFixed(mirrors []string, fetch func(string) int) int {
	answers := make(chan int, len(mirrors))
	for _, m := range mirrors {
		go func() { answers <- fetch(m) }()
	}
	return <-answers
}

// Look-alike: one goroutine per round, and the round waits for its
// answer: silent.
func eachMirror(mirrors []string, fetch func(string) int) int {
	sum := 0
	answers := make(chan int)
	for _, m := range mirrors {
		go func() { answers <- fetch(m) }()
		sum += <-answers
	}
	return sum
}

// Look-alike: the loop starts one goroutine and leaves: silent.
func firstUsable(mirrors []string, ok func(string) bool, fetch func(string) int) int {
	answer := make(chan int)
	for _, m := range mirrors {
		if ok(m) {
			go func() { answer <- fetch(m) }()
			break
		}
	}
	return <-answer
}

// A variant of receptor#636 with the half kept in a variable and started
// twice.
func bridgeLocal(a, b io.ReadWriteCloser) {
	done := make(chan struct{})
	half := func(dst io.Writer, src io.Reader) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{} // want `2 goroutines each send once on a channel with room for 0, and bridgeLocal receives at most 1 time`
	}
	go half(a, b)
	go half(b, a)
	<-done
	_ = a.Close()
	_ = b.Close()
}

// Look-alike: both halves are waited for: silent.
func bridgeLocalWaited(a, b io.ReadWriteCloser) {
	done := make(chan struct{})
	half := func(dst io.Writer, src io.Reader) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go half(a, b)
	go half(b, a)
	<-done
	_ = a.Close()
	<-done
	_ = b.Close()
}

// Look-alikes: the last goroutine out signals. Each goroutine a loop
// starts sends only when a count they all share reaches the total, so
// one of them sends and the caller's one receive takes it: silent
// (a benchmark's subscribers in nats-server's jetstream_test.go).
func lastOutAtomic(jobs []func()) {
	done := make(chan bool)
	left := int32(len(jobs))
	for _, job := range jobs {
		go func() {
			job()
			if atomic.AddInt32(&left, -1) == 0 {
				done <- true
			}
		}()
	}
	<-done
}

func lastOutCounter(jobs []func()) {
	done := make(chan struct{})
	var mu sync.Mutex
	finished := 0
	for _, job := range jobs {
		go func() {
			job()
			mu.Lock()
			finished++
			last := finished == len(jobs)
			mu.Unlock()
			if last {
				done <- struct{}{}
			}
		}()
	}
	<-done
}

func lastOutAtomicType(jobs []func()) {
	done := make(chan bool)
	var seen atomic.Int64
	for _, job := range jobs {
		go func() {
			job()
			if seen.Add(1) >= int64(len(jobs)) {
				done <- true
			}
		}()
	}
	<-done
}

// A test of the goroutine's own result is no such guard: every
// goroutine whose fetch succeeds sends, and only the first is received.
func firstGoodMirror(mirrors []string, fetch func(string) (int, error)) int {
	answers := make(chan int)
	for _, m := range mirrors {
		go func() {
			if v, err := fetch(m); err == nil {
				answers <- v // want `a goroutine started in a loop \(line \d+\) sends once on a channel with room for 0, and firstGoodMirror receives at most 1 time`
			}
		}()
	}
	return <-answers
}
