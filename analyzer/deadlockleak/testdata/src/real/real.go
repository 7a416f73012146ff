// Package real holds kernels of goroutine leaks fixed in large Go projects,
// reduced and rewritten (no upstream code is copied): each positive kernel
// names the upstream issue or pull request, the bug and the fix, and sits
// beside its fixed look-alike, which must not be reported.
package real

import (
	"context"
	"errors"
	"time"
)

func slow() error       { time.Sleep(time.Millisecond); return nil }
func result() int       { return 1 }
func startProxy() error { return nil }

// etcd-io/etcd#11302 (functional agent, runEtcd): the agent starts a proxy
// in a goroutine that reports on an unbuffered errc and waits for it with a
// one-minute timer; when the timer wins, the goroutine blocks on its send.
// Fix: errc gets a buffer of one.
func etcdRunAgent() error {
	errc := make(chan error)
	go func() {
		errc <- startProxy() // want `this goroutine sends on an unbuffered channel whose only receiver, the select in etcdRunAgent`
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Minute):
		return errors.New("timed out")
	}
}

func etcdRunAgentFixed() error {
	errc := make(chan error, 1)
	go func() { errc <- startProxy() }()
	select {
	case err := <-errc:
		return err
	case <-time.After(time.Minute):
		return errors.New("timed out")
	}
}

// kubernetes/kubernetes#114070 (etcd migrate server): one goroutine sleeps
// for the grace period and then sends on timedout; a second goroutine, the
// only receiver, waits for either stopped or timedout and returns on
// stopped. When the server stops in time, the first goroutine's send has no
// receiver left. Fix: timedout buffered. (Receiver in another goroutine.)
func k8sMigrateStop(wait func() error, kill func()) error {
	stopped := make(chan bool)
	timedout := make(chan bool)
	go func() {
		time.Sleep(time.Second)
		timedout <- true // want `this goroutine sends on an unbuffered channel whose only receiver, the select in k8sMigrateStop\$2`
	}()
	go func() {
		select {
		case <-stopped:
			return
		case <-timedout:
			kill()
			return
		}
	}()
	err := wait()
	stopped <- true
	return err
}

func k8sMigrateStopFixed(wait func() error, kill func()) error {
	stopped := make(chan bool)
	timedout := make(chan bool, 1)
	go func() {
		time.Sleep(time.Second)
		timedout <- true
	}()
	go func() {
		select {
		case <-stopped:
			return
		case <-timedout:
			kill()
			return
		}
	}()
	err := wait()
	stopped <- true
	return err
}

// prometheus/prometheus#213 (leveldb AppendSamples): two goroutines each
// report on their own error channel, and the caller receives from the
// first and returns its error before receiving from the second, whose
// goroutine then blocks (400 of them in a dump). Fix: buffered error
// channels. (Several receive sites, plain receives.)
func promAppend() error {
	indexErr := make(chan error)
	watermarkErr := make(chan error)
	go func() { indexErr <- slow() }()
	go func() {
		watermarkErr <- slow() // want `this goroutine sends on an unbuffered channel that promAppend receives from only on some paths: when it returns at line 105`
	}()
	if err := <-indexErr; err != nil {
		return err
	}
	return <-watermarkErr
}

func promAppendFixed() error {
	indexErr := make(chan error, 1)
	watermarkErr := make(chan error, 1)
	go func() { indexErr <- slow() }()
	go func() { watermarkErr <- slow() }()
	if err := <-indexErr; err != nil {
		return err
	}
	return <-watermarkErr
}

// abtreece/confd#487 (Consul backend WatchPrefix): a goroutine lists keys
// and sends the response on respChan while the watcher selects on it, on
// ctx.Done and on stopChan; either of the other two returns and strands the
// sender. Fix: buffer respChan (or select on ctx in the sender).
type watchResp struct {
	index uint64
	err   error
}

func confdWatch(ctx context.Context, stop chan bool) (uint64, error) {
	respChan := make(chan watchResp)
	go func() {
		respChan <- watchResp{index: 1} // want `the select in confdWatch`
	}()
	select {
	case <-stop:
		return 0, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	case r := <-respChan:
		return r.index, r.err
	}
}

func confdWatchFixed(ctx context.Context, stop chan bool) (uint64, error) {
	respChan := make(chan watchResp)
	go func() {
		select {
		case respChan <- watchResp{index: 1}:
		case <-ctx.Done():
		}
	}()
	select {
	case <-stop:
		return 0, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	case r := <-respChan:
		return r.index, r.err
	}
}

// google/cadvisor#2549 (runner): a done channel the worker sends on, and
// a timeout case whose body is empty: the function falls out of the
// select and returns. Fix: done buffered. (Empty select case.)
func cadvisorRun(timeout time.Duration) {
	done := make(chan bool)
	go func() {
		_ = slow()
		done <- true // want `the select in cadvisorRun`
	}()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

func cadvisorRunFixed(timeout time.Duration) {
	done := make(chan bool, 1)
	go func() {
		_ = slow()
		done <- true
	}()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

// etcd-io/etcd#14289 (v3_watch_restore_test): the goroutine may send on
// the unbuffered channel from several places, and the test's receive is a
// select with a timeout. Every send can be stranded. Fix: buffered channel.
func etcdWatchRestore(check func() (bool, error)) error {
	errc := make(chan error)
	go func() {
		ok, err := check()
		if err != nil {
			errc <- err // want `the select in etcdWatchRestore`
			return
		}
		if !ok {
			errc <- errors.New("no progress") // want `the select in etcdWatchRestore`
			return
		}
		errc <- nil // want `the select in etcdWatchRestore`
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(10 * time.Second):
		return errors.New("timeout")
	}
}

// buildbuddy-io/buildbuddy#4984 (scheduler client): an error channel the
// registration goroutine sends on, received by a separate goroutine that
// stops at context cancellation. The kernel keeps the channel in a field of
// a struct the constructor allocates and splits the two sides into methods
// (the packaging is ours). Fix: buffer of one. (Channel in a struct field,
// receiver in a method run as a goroutine.)
type schedClient struct {
	errc  chan error
	count int
}

func (c *schedClient) register() {
	c.errc <- slow() // want `this goroutine sends on an unbuffered channel \(field errc\) whose only receiver, the select in run`
}

func (c *schedClient) run(ctx context.Context) {
	select {
	case err := <-c.errc:
		_ = err
		c.count++
	case <-ctx.Done():
	}
}

func buildbuddyStart(ctx context.Context) {
	c := &schedClient{errc: make(chan error)}
	go c.run(ctx)
	go c.register()
}

type schedClientFixed struct{ errc chan error }

func (c *schedClientFixed) register() { c.errc <- slow() }

func (c *schedClientFixed) run(ctx context.Context) {
	select {
	case <-c.errc:
	case <-ctx.Done():
	}
}

func buildbuddyStartFixed(ctx context.Context) {
	c := &schedClientFixed{errc: make(chan error, 1)}
	go c.run(ctx)
	go c.register()
}

// erigontech/erigon#16665, fixed by #16782 (sentinel httpreqresp Do): the
// handler runs in a goroutine that sends the response on ans; the caller
// waits for it or for the request's context. The kernel moves the wait into
// a helper (ours), which returns on cancellation. Fix: ans buffered.
// (Receiver in a helper function.)
func awaitResponse(ctx context.Context, ans chan int) (int, error) {
	select {
	case r := <-ans:
		return r, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func erigonDo(ctx context.Context) (int, error) {
	ans := make(chan int)
	go func() {
		ans <- result() // want `the select in awaitResponse`
	}()
	return awaitResponse(ctx, ans)
}

func erigonDoFixed(ctx context.Context) (int, error) {
	ans := make(chan int, 1)
	go func() { ans <- result() }()
	return awaitResponse(ctx, ans)
}

// rakyll/coop#5: a helper runs two goroutines that both write to one
// channel and reads it once: the other writer always leaks. Fix: buffered
// channel of two. (More senders than capacity plus receives.)
func coopFirst() int {
	out := make(chan int)
	go func() { out <- result() }()
	go func() {
		out <- result() // want `2 goroutines each send once on a channel with room for 0, and coopFirst receives at most 1 time`
	}()
	return <-out
}

func coopFirstFixed() int {
	out := make(chan int, 2)
	go func() { out <- result() }()
	go func() { out <- result() }()
	return <-out
}

// topfreegames/pitaya#316 ("ensure that the channel is of sufficient
// size"): three goroutines report into a channel with room for one and the
// caller takes the first answer only: one sender blocks forever. Fix:
// capacity equal to the number of senders. (Buffered capacity.)
func pitayaFirst() int {
	out := make(chan int, 1)
	go func() { out <- result() }()
	go func() { out <- result() }()
	go func() {
		out <- result() // want `3 goroutines each send once on a channel with room for 1, and pitayaFirst receives at most 1 time`
	}()
	return <-out
}

func pitayaFirstFixed() int {
	out := make(chan int, 3)
	go func() { out <- result() }()
	go func() { out <- result() }()
	go func() { out <- result() }()
	return <-out
}

// kubernetes/kubernetes#135751 (pluginmanager test): goroutines started in a
// loop each signal on an unbuffered channel; the test waits for each signal
// with a timeout and gives up on the first timeout. Fix: buffered channel.
// (Senders in a loop, select in a loop.)
func k8sPluginStarts(n int, fail func()) {
	started := make(chan struct{})
	for i := 0; i < n; i++ {
		go func() {
			started <- struct{}{} // want `the select in k8sPluginStarts`
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case <-started:
		case <-time.After(time.Second):
			fail()
			return
		}
	}
}

func k8sPluginStartsFixed(n int, fail func()) {
	started := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		go func() { started <- struct{}{} }()
	}
	for i := 0; i < n; i++ {
		select {
		case <-started:
		case <-time.After(time.Second):
			fail()
			return
		}
	}
}

// --- look-alikes that must stay silent ---

// Goroutines started in a loop and as many receives in a loop: the
// receive loop's exit before n receives is not a real path.
func countedReceives(n int) int {
	out := make(chan int)
	for i := 0; i < n; i++ {
		go func() { out <- result() }()
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-out
	}
	return sum
}

// The field's struct escapes to a registry: someone else may receive.
var registry []*schedClient

func escapesViaStruct(ctx context.Context) {
	c := &schedClient{errc: make(chan error)}
	registry = append(registry, c)
	go c.register()
	select {
	case <-c.errc:
	case <-ctx.Done():
	}
}

// Two receives for two senders.
func twoForTwo() int {
	out := make(chan int)
	go func() { out <- result() }()
	go func() { out <- result() }()
	return <-out + <-out
}

// A deferred drain.
func deferredDrain(ctx context.Context) error {
	errc := make(chan error)
	go func() { errc <- slow() }()
	defer func() { <-errc }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// nats-server's TestMonitorRoutezRace (a false positive once): a polling
// loop whose select has a default, and which leaves only when the receive
// has set its done flag; the loop's exit is not a way around the receive.
func pollUntilDone(poll func()) {
	doneCh := make(chan struct{})
	go func() {
		defer func() { doneCh <- struct{}{} }()
		poll()
	}()
	done := false
	for !done {
		poll()
		select {
		case <-doneCh:
			done = true
		default:
		}
	}
}

// codeskyblue/go-sh#26: a helper runs f in a goroutine and returns the
// unbuffered channel the goroutine sends f's error on; WaitTimeout selects
// on that channel and a timer, and on timeout the goroutine blocks forever.
// Fix: the helper's channel gets a buffer of one. (Channel returned by a
// helper, receiver in the caller.)
func goRun(f func() error) chan error {
	ch := make(chan error)
	go func() {
		ch <- f() // want `this goroutine sends on an unbuffered channel whose only receiver, the select in shWaitTimeout`
	}()
	return ch
}

func shWaitTimeout(wait func() error, timeout time.Duration) error {
	select {
	case <-time.After(timeout):
		return errors.New("timeout")
	case err := <-goRun(wait):
		return err
	}
}

func goRunFixed(f func() error) chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

func shWaitTimeoutFixed(wait func() error, timeout time.Duration) error {
	select {
	case <-time.After(timeout):
		return errors.New("timeout")
	case err := <-goRunFixed(wait):
		return err
	}
}

// ethersphere/bee#3529 (feeds sequence asyncGet): the getter returns a
// receive-only channel its goroutine sends the chunk on; the caller waits
// for the chunk or for its context. Fix: buffer of one (the review also
// suggested selecting on ctx in the sender).
func asyncGet(ctx context.Context) <-chan int {
	c := make(chan int)
	go func() {
		c <- result() // want `the select in beeAt`
	}()
	return c
}

func beeAt(ctx context.Context) (int, error) {
	select {
	case v := <-asyncGet(ctx):
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func asyncGetFixed(ctx context.Context) <-chan int {
	c := make(chan int)
	go func() {
		select {
		case c <- result():
		case <-ctx.Done():
		}
	}()
	return c
}

func beeAtFixed(ctx context.Context) (int, error) {
	select {
	case v := <-asyncGetFixed(ctx):
		return v, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// A caller that always receives what the helper's goroutine sends.
func alwaysWaits(wait func() error) error { return <-goRunFixed(wait) }

// A caller that hands the channel on: not followed.
func handsOn(wait func() error) chan error { return goRun(wait) }

// A variant of the kubernetes/kubernetes#135751 kernel (the variant is
// ours): the waiter gives up after three timeouts instead of one, leaving
// the counted loop with the sender still blocked. (Select in a retry loop.)
func retryWait() bool {
	ready := make(chan struct{})
	go func() {
		ready <- struct{}{} // want `the select in retryWait`
	}()
	for attempt := 0; attempt < 3; attempt++ {
		select {
		case <-ready:
			return true
		case <-time.After(time.Second):
		}
	}
	return false
}

func retryWaitFixed() bool {
	ready := make(chan struct{}, 1)
	go func() { ready <- struct{}{} }()
	for attempt := 0; attempt < 3; attempt++ {
		select {
		case <-ready:
			return true
		case <-time.After(time.Second):
		}
	}
	return false
}

// chromedp/chromedp#162 (sel: use buffered chan for error): Selector.run
// starts a goroutine that sends its error on an unbuffered channel and
// returns the channel; Do waits for it or for the context, and when the
// context wins the goroutine blocks forever. Fix: a buffered channel. The
// kernel reaches run through a wrapper that only returns its channel
// (ours). (Helper's channel through a wrapper.)
type selector struct{ poll func() error }

func (s *selector) run() chan error {
	ch := make(chan error)
	go func() {
		ch <- s.poll() // want `this goroutine sends on an unbuffered channel whose only receiver, the select in Do`
	}()
	return ch
}

func (s *selector) start() chan error { return s.run() }

func (s *selector) Do(ctx context.Context) error {
	select {
	case err := <-s.start():
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

type selectorFixed struct{ poll func() error }

func (s *selectorFixed) run() chan error {
	ch := make(chan error, 1)
	go func() { ch <- s.poll() }()
	return ch
}

func (s *selectorFixed) start() chan error { return s.run() }

func (s *selectorFixed) Do(ctx context.Context) error {
	select {
	case err := <-s.start():
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
