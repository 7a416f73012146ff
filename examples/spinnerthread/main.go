// Command spinnerthread is the seeds' spinner_thread.py (Fluent Python
// ch. 18): a thread (here a goroutine) animates a text spinner while the
// main thread blocks in a slow function; a shared signal tells the
// spinner to stop, since, as in Python, a thread cannot be killed from
// outside. Compare spinneraio, where the spinner is a task that is
// cancelled.
//
// How many frames the spinner draws depends on the real clock, in CPython
// as here, so the output is checked against testdata/want.re, not a
// want.txt: the seed's lines exactly and 8 to 31 frames in the seed's
// order (asyncgo demo applies it; TestLikeCPython applies it to this
// program and to CPython running testdata/spinner_thread.py side by side).
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// signal is the seed's Signal class: go turns false to stop the spinner.
type signal struct{ stop atomic.Bool }

// thread mimics threading.Thread: its String is Python's repr.
type thread struct {
	name    string
	target  func()
	started bool
	done    chan struct{}
}

var threadSeq int

// newThread names the thread as Python 3.10+ does: Thread-N (target).
func newThread(target func(), targetName string) *thread {
	threadSeq++
	return &thread{name: fmt.Sprintf("Thread-%d (%s)", threadSeq, targetName), target: target, done: make(chan struct{})}
}

func (th *thread) start() {
	th.started = true
	go func() {
		defer close(th.done)
		th.target()
	}()
}

func (th *thread) join() { <-th.done }

func (th *thread) String() string {
	state := "initial"
	if th.started {
		state = "started"
	}
	return fmt.Sprintf("<Thread(%s, %s)>", th.name, state)
}

// spin writes msg behind a turning bar until sig says stop.
func spin(w io.Writer, msg string, sig *signal, tick time.Duration) {
	var status string
	for i := 0; ; i++ {
		status = string(`|/-\`[i%4]) + " " + msg
		io.WriteString(w, status)
		io.WriteString(w, strings.Repeat("\x08", len(status)))
		time.Sleep(tick)
		if sig.stop.Load() {
			break
		}
	}
	io.WriteString(w, strings.Repeat(" ", len(status))+strings.Repeat("\x08", len(status)))
}

// slowFunction pretends to wait for I/O, blocking the thread.
func slowFunction(d time.Duration) int {
	time.Sleep(d)
	return 42
}

func supervisor(w io.Writer, tick, slow time.Duration) int {
	sig := new(signal)
	spinner := newThread(func() { spin(w, "thinking!", sig, tick) }, "spin")
	fmt.Fprintln(w, "spinner object:", spinner)
	spinner.start()
	result := slowFunction(slow)
	sig.stop.Store(true)
	spinner.join()
	return result
}

func run(w io.Writer, tick, slow time.Duration) {
	result := supervisor(w, tick, slow)
	fmt.Fprintln(w, "Answer:", result)
}

func main() {
	run(os.Stdout, 100*time.Millisecond, 3*time.Second)
}
