package real

import (
	"errors"
	"io"
	"log"
	"strings"
	"sync"
)

// rakyll/gotest#44: the runner counts its output reader with wg.Add(1)
// and defers wg.Wait, then starts the child process; when the start fails
// it returns before the go statement that would call Done, and the
// deferred Wait never returns. Fix: start the reader first. (A deferred
// Wait on a local WaitGroup runs at every return after it.)
type proc interface {
	Start() error
	Wait() error
}

func drain(wg *sync.WaitGroup, r io.Reader) {
	defer wg.Done()
	_, _ = io.Copy(io.Discard, r)
}

func runChild(p proc, r io.Reader) error {
	var wg sync.WaitGroup
	wg.Add(1) // want `wg.Add\(1\) here is not matched on the path to the return \(which runs the deferred wg.Wait\) at line \d+`
	defer wg.Wait()
	if err := p.Start(); err != nil {
		return err
	}
	go drain(&wg, r)
	return p.Wait()
}

func runChildFixed(p proc, r io.Reader) error {
	var wg sync.WaitGroup
	wg.Add(1)
	defer wg.Wait()
	go drain(&wg, r)
	if err := p.Start(); err != nil {
		return err
	}
	return p.Wait()
}

// The same mistake written another way: the Wait is in a deferred
// literal that also closes the results, and the early exit is a continue
// out of a validation loop that ends in a return.
func collectLines(inputs []string, out chan<- string) error {
	var wg sync.WaitGroup
	wg.Add(1) // want `wg.Add\(1\) here is not matched on the path to the return \(which runs the deferred wg.Wait\)`
	defer func() {
		wg.Wait()
		close(out)
	}()
	for _, in := range inputs {
		if in == "" {
			return errors.New("empty input")
		}
	}
	go func() {
		defer wg.Done()
		for _, in := range inputs {
			out <- strings.ToUpper(in)
		}
	}()
	return nil
}

// Look-alike: the same early return with no deferred Wait. Nobody waits
// on the local WaitGroup once the function has returned.
func runChildNoWait(p proc, r io.Reader) error {
	var wg sync.WaitGroup
	wg.Add(1)
	if err := p.Start(); err != nil {
		return err
	}
	go drain(&wg, r)
	err := p.Wait()
	wg.Wait()
	return err
}

// Look-alike: the Wait is deferred only after the early return, so that
// return does not run it.
func runChildLateDefer(p proc, r io.Reader) error {
	var wg sync.WaitGroup
	wg.Add(1)
	if err := p.Start(); err != nil {
		return err
	}
	defer wg.Wait()
	go drain(&wg, r)
	return p.Wait()
}

// Look-alike: the early return undoes the Add itself.
func runChildUndo(p proc, r io.Reader) error {
	var wg sync.WaitGroup
	wg.Add(1)
	defer wg.Wait()
	if err := p.Start(); err != nil {
		wg.Done()
		return err
	}
	go drain(&wg, r)
	return p.Wait()
}

// istio/istio#39526: the warm-up adds len(bases) to the WaitGroup and
// starts one fetcher per base plus a goroutine that waits for all of them
// and then releases a write lock; a fetcher that fails returns before its
// wg.Done, so the waiter and everyone behind the lock block forever. Fix:
// defer wg.Done. (wg.Add(n) before a loop counts every goroutine it
// starts; the Wait is in another literal that shares the variable.)
var (
	warmMu sync.RWMutex
	warmed = map[string][]byte{}
)

func warmAll(bases []string, fetch func(string) ([]byte, error)) {
	warmMu.Lock()
	wg := sync.WaitGroup{}
	wg.Add(len(bases))
	got := make([][]byte, len(bases))
	go func() {
		wg.Wait()
		for i, b := range bases {
			warmed[b] = got[i]
		}
		warmMu.Unlock()
	}()
	for i, b := range bases {
		go func() {
			data, err := fetch(b)
			if err != nil {
				log.Printf("warm %s: %v", b, err)
				return // want `this goroutine, counted by wg.Add at line \d+, can return here without calling wg.Done`
			}
			got[i] = data
			wg.Done()
		}()
	}
}

func warmAllFixed(bases []string, fetch func(string) ([]byte, error)) {
	warmMu.Lock()
	wg := sync.WaitGroup{}
	wg.Add(len(bases))
	got := make([][]byte, len(bases))
	go func() {
		wg.Wait()
		for i, b := range bases {
			warmed[b] = got[i]
		}
		warmMu.Unlock()
	}()
	for i, b := range bases {
		go func() {
			defer wg.Done()
			data, err := fetch(b)
			if err != nil {
				log.Printf("warm %s: %v", b, err)
				return
			}
			got[i] = data
		}()
	}
}

// The same mistake with a named worker that gets the WaitGroup as a
// parameter, counted by one Add of the slice's length, and the waiter's
// Wait in the function itself.
func checkOne(wg *sync.WaitGroup, url string, ok []bool, i int, probe func(string) error) {
	if err := probe(url); err != nil {
		return // want `this goroutine, counted by wg.Add at line \d+, can return here without calling wg.Done`
	}
	ok[i] = true
	wg.Done()
}

func checkAll(urls []string, probe func(string) error) []bool {
	ok := make([]bool, len(urls))
	var wg sync.WaitGroup
	wg.Add(len(urls))
	for i, u := range urls {
		go checkOne(&wg, u, ok, i, probe)
	}
	wg.Wait()
	return ok
}

// Look-alike: the failing path calls Done itself before returning.
func checkAllEarlyDone(urls []string, probe func(string) error) []bool {
	ok := make([]bool, len(urls))
	var wg sync.WaitGroup
	wg.Add(len(urls))
	for i, u := range urls {
		go func() {
			if err := probe(u); err != nil {
				wg.Done()
				return
			}
			ok[i] = true
			wg.Done()
		}()
	}
	wg.Wait()
	return ok
}
