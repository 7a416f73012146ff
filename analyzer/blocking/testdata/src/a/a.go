package a

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"

	"b"

	"github.com/asyncgo/asyncgo/runtime/aio"
	"github.com/asyncgo/asyncgo/runtime/coro"
	"github.com/asyncgo/asyncgo/runtime/futures"
)

var (
	mu  sync.Mutex
	rw  sync.RWMutex
	wg  sync.WaitGroup
	cnd = sync.NewCond(&mu)
)

func direct(t *aio.Task, conn net.Conn, cmd *exec.Cmd, f *futures.Future[int], ctx context.Context) {
	time.Sleep(time.Millisecond)    // want `time.Sleep blocks the event loop`
	http.Get("http://127.0.0.1/")   // want `http.Get blocks the event loop`
	net.Dial("tcp", "127.0.0.1:80") // want `net.Dial blocks the event loop`
	conn.Read(nil)                  // want `\(net.Conn\).Read blocks the event loop`
	conn.Write(nil)                 // want `\(net.Conn\).Write blocks the event loop`
	os.ReadFile("x")                // want `os.ReadFile blocks the event loop`
	cmd.Run()                       // want `\(\*exec.Cmd\).Run blocks the event loop`
	mu.Lock()                       // want `\(\*sync.Mutex\).Lock may block the event loop \(use an aio.Lock between tasks\)`
	mu.Unlock()
	rw.RLock() // want `\(\*sync.RWMutex\).RLock may block`
	rw.RUnlock()
	wg.Wait()                 // want `\(\*sync.WaitGroup\).Wait blocks the event loop`
	cnd.Wait()                // want `\(\*sync.Cond\).Wait blocks the event loop`
	f.Result(ctx)             // want `\(\*futures.Future\).Result blocks the event loop`
	<-time.After(time.Second) // want `a receive from time.After blocks the event loop`
	<-ctx.Done()              // want `a receive from ctx.Done\(\) blocks the event loop`
	os.Stdout.Write(nil)      // terminal output: not reported
}

func channels(t *aio.Task, in chan int) {
	done := make(chan int)
	done <- 1        // want `a send on unbuffered channel done blocks the event loop`
	<-done           // want `a receive from unbuffered channel done blocks the event loop`
	for range done { // want `a range over unbuffered channel done blocks the event loop`
	}
	select { // want `a select with no default case \(on unbuffered channel done, time.After\) blocks the event loop`
	case <-done:
	case <-time.After(time.Second):
	}
	select {} // want `select {} blocks the event loop`

	// Fine: buffering unknown, buffered, select with default.
	<-in
	buf := make(chan int, 1)
	buf <- 1
	<-buf
	select {
	case v := <-done:
		_ = v
	default:
	}
	select { // a case on a channel of unknown buffering may be ready
	case <-done:
	case <-in:
	}
	re := make(chan int)
	re = in // reassigned: buffering unknown
	<-re
}

func viaCallees(t *aio.Task) {
	b.Helper()  // want `time.Sleep blocks the event loop \(via b.Helper → b.inner → time.Sleep\)`
	b.Load("x") // want `os.ReadFile blocks the event loop \(via b.Load → os.ReadFile\)`
	local()     // want `a receive from unbuffered channel c blocks the event loop \(via local → wait → a receive from unbuffered channel c\)`
	b.Quick()
	b.Spawn()
	b.Later()
	lockOnly() // a brief critical section in a callee is not followed
	other(t)   // an async function: checked where it is defined
}

func local() { wait() } // want local:"blocks: a receive from unbuffered channel c via a.wait"

func wait() { // want wait:"blocks: a receive from unbuffered channel c"
	c := make(chan int)
	go func() { c <- 1 }()
	<-c
}

func lockOnly() {
	mu.Lock()
	defer mu.Unlock()
}

func other(t *aio.Task) {
	time.Sleep(time.Second) // want `time.Sleep blocks the event loop`
}

func notAsync() { // want notAsync:"blocks: time.Sleep"
	time.Sleep(time.Second) // not in async code
}

func negatives(t *aio.Task) {
	go time.Sleep(time.Second) // a goroutine may block
	go func() {
		time.Sleep(time.Second)
		mu.Lock()
		mu.Unlock()
	}()
	aio.ToThread(t, func() (int, error) { // work passed to a thread
		time.Sleep(time.Second)
		return 0, nil
	})
	fn := func() { time.Sleep(time.Second) } // not called here
	_ = fn
}

func closures() *aio.Coroutine[int] { // want closures:"blocks: time.Sleep"
	time.Sleep(time.Second) // building the coroutine is not async code
	return aio.Async(func(t *aio.Task) (int, error) {
		func() {
			time.Sleep(time.Second) // want `time.Sleep blocks the event loop`
		}()
		defer func() {
			wg.Wait() // want `\(\*sync.WaitGroup\).Wait blocks`
		}()
		return 0, nil
	})
}

func generator() *coro.Generator[int, int, int] {
	return coro.New(func(co *coro.Co[int, int]) int {
		time.Sleep(time.Second) // want `time.Sleep blocks the event loop`
		return co.Yield(1)
	})
}

func callback(l *aio.Loop) {
	l.CallSoon(func() {
		time.Sleep(time.Second) // want `time.Sleep blocks the event loop`
	})
}

// Running a loop inside a task blocks too, but the deadlock analyzer says
// why (a nested loop); blocking stays quiet rather than report it twice.
func nestedRun() *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		runHelper()
		return aio.Run(aio.Async(func(t *aio.Task) (int, error) { return 1, nil }))
	})
}

func runHelper() { aio.Run(aio.Async(func(t *aio.Task) (int, error) { return 1, nil })) }

// Made unbuffered, but then assigned through a pointer or by a range:
// buffering unknown.
func escapedChannels(t *aio.Task, chans []chan int) {
	addr := make(chan int)
	p := &addr
	*p = make(chan int, 1)
	<-addr
	ranged := make(chan int)
	for _, ranged = range chans {
	}
	<-ranged
	kept := make(chan int)
	<-kept // want `a receive from unbuffered channel kept blocks the event loop`
}
