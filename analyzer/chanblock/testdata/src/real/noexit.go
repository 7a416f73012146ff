package real

import (
	"fmt"
	"sync"
	"time"
)

// Upstream: golang/go#34862 (a user's program, closed as the language
// working as specified), and the loop shape of gocraft/health#8 and
// quipo/statsd#10.
//
// Bug: each worker is counted by wg.Add(1) and defers wg.Done, then loops
// in `for { select { case <-quit: ... } }`. The quit case only ends the
// select (a break inside a select leaves the select, not the loop), so no
// path of the worker ever returns: its deferred Done never runs, and the
// starter's wg.Wait after close(quit) blocks forever. Fix: return from the
// quit case (or break to a label on the loop).
func selectNoExit(n int) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go noExitWorker(&wg, quit)
	}
	time.Sleep(time.Second)
	close(quit)
	wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, but noExitWorker never returns \(no path leaves its loop; a break inside a select or switch ends only that statement\): its deferred wg.Done \(line \d+\) never runs, so this Wait blocks forever`
}

func noExitWorker(wg *sync.WaitGroup, quit chan struct{}) {
	defer wg.Done()
	for {
		select {
		case <-quit:
			fmt.Println("quitting")
			break
		default:
			fmt.Println("working")
		}
	}
}

func selectNoExitFixed(n int) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go exitWorker(&wg, quit)
	}
	time.Sleep(time.Second)
	close(quit)
	wg.Wait()
}

func exitWorker(wg *sync.WaitGroup, quit chan struct{}) {
	defer wg.Done()
	for {
		select {
		case <-quit:
			fmt.Println("quitting")
			return
		default:
			fmt.Println("working")
		}
	}
}

// The same shape through struct fields (ours, after gocraft/health#8's
// processing loop, whose stop case only broke out of the select): Stop
// closes quit and waits on done, which the loop closes in a defer, but the
// loop has no case that returns.
type sink struct {
	cmds chan string
	quit chan struct{}
	done chan struct{}
}

func newSink() *sink {
	s := &sink{cmds: make(chan string, 25), quit: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *sink) Emit(c string) { s.cmds <- c }

func (s *sink) Stop() {
	close(s.quit)
	<-s.done // want `nothing will close field done of sink: its only close is deferred in loop \(line \d+\), which never returns \(no path leaves its loop; a break inside a select or switch ends only that statement\), so this receive blocks forever`
}

func (s *sink) loop() {
	defer close(s.done)
	for {
		select {
		case <-s.quit:
			break
		case c := <-s.cmds:
			fmt.Println(c)
		}
	}
}

type sinkFixed struct {
	cmds chan string
	quit chan struct{}
	done chan struct{}
}

func newSinkFixed() *sinkFixed {
	s := &sinkFixed{cmds: make(chan string, 25), quit: make(chan struct{}), done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *sinkFixed) Emit(c string) { s.cmds <- c }

func (s *sinkFixed) Stop() {
	close(s.quit)
	<-s.done
}

func (s *sinkFixed) loop() {
	defer close(s.done)
loop:
	for {
		select {
		case <-s.quit:
			break loop
		case c := <-s.cmds:
			fmt.Println(c)
		}
	}
}

// A server whose Close waits for its accept loop on a WaitGroup field
// (ours): the loop selects on its input only, with no stop case at all.
type acceptor struct {
	wg    sync.WaitGroup
	conns chan int
	stop  chan struct{}
}

func newAcceptor() *acceptor {
	a := &acceptor{conns: make(chan int), stop: make(chan struct{})}
	a.wg.Add(1)
	go a.serve()
	return a
}

func (a *acceptor) serve() {
	defer a.wg.Done()
	for c := range time.Tick(time.Second) {
		select {
		case a.conns <- c.Second():
		}
	}
}

func (a *acceptor) Accept() int { return <-a.conns }

func (a *acceptor) Close() {
	close(a.stop)
	a.wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, but serve never returns`
}

type acceptorFixed struct {
	wg    sync.WaitGroup
	conns chan int
	stop  chan struct{}
}

func newAcceptorFixed() *acceptorFixed {
	a := &acceptorFixed{conns: make(chan int), stop: make(chan struct{})}
	a.wg.Add(1)
	go a.serve()
	return a
}

func (a *acceptorFixed) serve() {
	defer a.wg.Done()
	for c := range time.Tick(time.Second) {
		select {
		case a.conns <- c.Second():
		case <-a.stop:
			return
		}
	}
}

func (a *acceptorFixed) Accept() int { return <-a.conns }

func (a *acceptorFixed) Close() {
	close(a.stop)
	a.wg.Wait()
}

// A local done channel closed by a goroutine that never returns (ours).
func localNoExit(in chan int) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case v := <-in:
				if v < 0 {
					break
				}
				fmt.Println(v)
			}
		}
	}()
	<-done // want `nothing will close this channel: its only close is deferred in localNoExit\$1 \(line \d+\), which never returns`
}

func localNoExitFixed(in chan int) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case v := <-in:
				if v < 0 {
					return
				}
				fmt.Println(v)
			}
		}
	}()
	<-done
}

// Look-alikes left alone: a worker that ends only by panicking crashes the
// program rather than blocking its waiter, and one that recovers may
// return through its deferred recover.
func panicsOut(in chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := range time.Tick(time.Second) {
			if v.IsZero() {
				panic("zero time")
			}
		}
	}()
	wg.Wait()
}

func recovers(in chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() { recover() }()
		for v := range in {
			fmt.Println(10 / v)
		}
		for {
		}
	}()
	wg.Wait()
}

// Done written after the loop instead of deferred (ours): unreachable, so
// the same wait.
func doneAfterLoop(in chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		for {
			select {
			case v := <-in:
				if v == 0 {
					break
				}
			}
		}
		wg.Done()
	}()
	wg.Wait() // want `wg.Wait waits for the goroutine started at line \d+, but doneAfterLoop\$1 never returns \(no path leaves its loop; a break inside a select or switch ends only that statement\): its wg.Done, written after the loop, is never reached`
}

func doneAfterLoopFixed(in chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
	loop:
		for {
			select {
			case v := <-in:
				if v == 0 {
					break loop
				}
			}
		}
		wg.Done()
	}()
	wg.Wait()
}

// A goroutine that reports it has started and then serves forever is not
// waited for to end: left alone.
func startedSignal(in chan int) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		wg.Done()
		for v := range time.Tick(time.Second) {
			fmt.Println(v)
		}
	}()
	wg.Wait()
}

// The same loop started with WaitGroup.Go (ours): the group counts the
// function until it returns.
func groupNoExit(quit chan struct{}, in chan int) {
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-quit:
				break
			case v := <-in:
				fmt.Println(v)
			}
		}
	})
	close(quit)
	wg.Wait() // want `Wait waits for the function started with Go at line \d+, but groupNoExit\$1 never returns`
}

func groupNoExitFixed(quit chan struct{}, in chan int) {
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-quit:
				return
			case v := <-in:
				fmt.Println(v)
			}
		}
	})
	close(quit)
	wg.Wait()
}
