package real

import (
	"errors"
	"sync"
)

// Upstream: cilium/tetragon#2119. A starter counts a goroutine that hands
// its ready WaitGroup to a helper; the helper validates its input first
// and returns the error before it reaches the Done, so the starter's Wait
// never returns. Fix: Done before each early return (or defer it).

type subFeed struct {
	mu    sync.Mutex
	subs  map[chan int]bool
	names []string
}

func (f *subFeed) listen(names []string, ready *sync.WaitGroup) error {
	for _, n := range names {
		if n == "" {
			return errors.New("empty name") // want `this return skips ready.Done: the goroutine started at line \d+, counted by wg.Add at line \d+, hands its WaitGroup to listen`
		}
	}
	ch := make(chan int, 1)
	f.mu.Lock()
	f.subs[ch] = true
	f.mu.Unlock()
	if ready != nil {
		ready.Done()
	}
	for v := range ch {
		f.names = append(f.names, string(rune(v)))
	}
	return nil
}

func (f *subFeed) start(names []string) error {
	var ready sync.WaitGroup
	var startErr error
	ready.Add(1)
	go func() {
		if err := f.listen(names, &ready); err != nil {
			startErr = err
		}
	}()
	ready.Wait()
	return startErr
}

// The fix: every early return marks the WaitGroup Done first.
func (f *subFeed) listenFixed(names []string, ready *sync.WaitGroup) error {
	for _, n := range names {
		if n == "" {
			if ready != nil {
				ready.Done()
			}
			return errors.New("empty name")
		}
	}
	if ready != nil {
		ready.Done()
	}
	return nil
}

func (f *subFeed) startFixed(names []string) error {
	var ready sync.WaitGroup
	var startErr error
	ready.Add(1)
	go func() {
		startErr = f.listenFixed(names, &ready)
	}()
	ready.Wait()
	return startErr
}

// A variant: the WaitGroup is a field of the starter, the helper a plain
// function, and the skip a switch case.
type kindLoader struct {
	wg   sync.WaitGroup
	done bool
}

func loadKind(kind int, wg *sync.WaitGroup) {
	switch kind {
	case 0:
		return // want `this return skips wg.Done`
	default:
		wg.Done()
	}
}

func (l *kindLoader) run(kind int) {
	l.wg.Add(1)
	go func() {
		loadKind(kind, &l.wg)
	}()
	l.wg.Wait()
	l.done = true
}

// A look-alike that must stay silent: the helper defers the Done, and
// another hands the WaitGroup to a goroutine of its own, which calls it.
func loadKindDeferred(kind int, wg *sync.WaitGroup) {
	defer wg.Done()
	if kind == 0 {
		return
	}
}

func loadKindHanded(kind int, wg *sync.WaitGroup) {
	if kind == 0 {
		go func() { wg.Done() }()
		return
	}
	wg.Done()
}

func (l *kindLoader) runQuiet(kind int) {
	l.wg.Add(2)
	go func() {
		loadKindDeferred(kind, &l.wg)
	}()
	go func() {
		loadKindHanded(kind, &l.wg)
	}()
	l.wg.Wait()
	l.done = true
}
