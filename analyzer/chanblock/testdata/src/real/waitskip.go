package real

import (
	"errors"
	"strings"
	"sync"
)

func skipCopyObject(key string) error { return errors.New("denied") }

// A loop that starts a reporting goroutine per listed object, read only
// after wg.Wait, whose body skips some objects with a test against a
// constant (`if name == "meta.json" { continue }`): the test ends no
// loop, so the loop is still bounded by nothing the buffer of 16 covers
// (mercuretechnologies/xprem#105: CreateUpdateFrom, 51 objects, 16 slots).
func skipCopyAll(keys []string) error {
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	for _, k := range keys {
		if k == "meta.json" || strings.HasSuffix(k, "/") {
			continue
		}
		wg.Add(1)
		go func(k string) {
			defer wg.Done()
			if err := skipCopyObject(k); err != nil {
				errc <- err // want `these goroutines, started in a loop \(line \d+\) with no bound the buffer of 16 covers, send on a channel that skipCopyAll receives from only after wg.Wait`
			}
		}(k)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		return err
	}
	return nil
}

// The same loop where the test against a constant does leave the loop: a
// loop that stops at the 8th object fits the buffer.
func skipCopyFirst(keys []string) error {
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	for i, k := range keys {
		if i == 8 {
			break
		}
		wg.Add(1)
		go func(k string) {
			defer wg.Done()
			if err := skipCopyObject(k); err != nil {
				errc <- err
			}
		}(k)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		return err
	}
	return nil
}

// The fixed copy: the buffer holds one report per key.
func skipCopyAllFixed(keys []string) error {
	var wg sync.WaitGroup
	errc := make(chan error, len(keys))
	for _, k := range keys {
		if k == "meta.json" {
			continue
		}
		wg.Add(1)
		go func(k string) {
			defer wg.Done()
			if err := skipCopyObject(k); err != nil {
				errc <- err
			}
		}(k)
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		return err
	}
	return nil
}

// A skip test in a loop the receiver drains while the goroutines run:
// nothing waits before receiving.
func skipCopyDrained(keys []string) error {
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	for _, k := range keys {
		if k == "meta.json" {
			continue
		}
		wg.Add(1)
		go func(k string) {
			defer wg.Done()
			if err := skipCopyObject(k); err != nil {
				errc <- err
			}
		}(k)
	}
	go func() { wg.Wait(); close(errc) }()
	var first error
	for err := range errc {
		if first == nil {
			first = err
		}
	}
	return first
}
