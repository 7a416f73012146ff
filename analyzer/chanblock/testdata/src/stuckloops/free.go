package stuckloops

import (
	"bufio"
	"io"
	"strings"
	"time"
)

// Free loops: the way out depends on values the model does not track (a
// scanner, a read's error, a poll). The checker runs them 0 to 2 times
// when no count on the channel has to match theirs.

// A scanner feeding one receive: no line matches and the receive waits;
// two match and the second send waits.
func firstMatch(r io.Reader, pat string) string {
	found := make(chan string)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if strings.Contains(sc.Text(), pat) {
				found <- sc.Text() // want `this send can block forever`
			}
		}
	}()
	return <-found // want `this receive can block forever`
}

// Fixed: one send at most, and the close answers when nothing matched.
func firstMatchFixed(r io.Reader, pat string) string {
	found := make(chan string)
	go func() {
		defer close(found)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if strings.Contains(sc.Text(), pat) {
				found <- sc.Text()
				return
			}
		}
	}()
	return <-found
}

// A source read until it ends, by a method started on its own: it closes
// the output at the end but not when a read fails, and the receiver
// ranges to a close that then never comes.
type source interface {
	Next() (int, error)
}

type pump struct{ src source }

func (p *pump) run(out chan<- int) {
	for {
		v, err := p.src.Next()
		if err == io.EOF {
			close(out)
			return
		}
		if err != nil {
			return
		}
		out <- v
	}
}

func total(src source) int {
	out := make(chan int)
	p := &pump{src: src}
	go p.run(out)
	t := 0
	for v := range out { // want `this range loop can block forever: run returns`
		t += v
	}
	return t
}

// Fixed: the pump closes its output when the source ends.
func (p *pump) runClosing(out chan<- int) {
	defer close(out)
	for {
		v, err := p.src.Next()
		if err != nil {
			return
		}
		out <- v
	}
}

func totalFixed(src source) int {
	out := make(chan int)
	p := &pump{src: src}
	go p.runClosing(out)
	t := 0
	for v := range out {
		t += v
	}
	return t
}

// A poll loop that may stop before it takes the one signal: the
// signaller's send then waits for ever.
func waitReady(poll func() bool, start func()) {
	ready := make(chan struct{})
	go func() {
		start()
		ready <- struct{}{} // want `this send can block forever`
	}()
	for !poll() {
		select {
		case <-ready:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Fixed: room for the signal.
func waitReadyFixed(poll func() bool, start func()) {
	ready := make(chan struct{}, 1)
	go func() {
		start()
		ready <- struct{}{}
	}()
	for !poll() {
		select {
		case <-ready:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Look-alike: a retry loop before the one send; every way on sends once.
func retried(try func() error) {
	done := make(chan bool)
	go func() {
		for {
			if err := try(); err == nil {
				break
			}
			time.Sleep(time.Millisecond)
		}
		done <- true
	}()
	<-done
}

// Look-alike: a reader ranging to the close takes any count.
func lines(r io.Reader) []string {
	out := make(chan string)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			out <- sc.Text()
		}
	}()
	var all []string
	for l := range out {
		all = append(all, l)
	}
	return all
}

// Look-alike: workers started per task, each retrying until it succeeds
// and then sending once; the collector takes one per task.
func retryAll(tasks []func() error) {
	done := make(chan bool)
	for _, t := range tasks {
		go func() {
			for {
				if err := t(); err == nil {
					break
				}
				time.Sleep(time.Millisecond)
			}
			done <- true
		}()
	}
	for range tasks {
		<-done
	}
}
