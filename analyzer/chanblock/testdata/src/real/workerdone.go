package real

import (
	"errors"
	"sync"
)

// Workers that count their items down one by one: the producer adds one
// per item it hands over, each worker calls Done after handling an item.
// A continue (or a return) on an error skips that item's Done and the
// producer's Wait never returns. (The per-item shape of istio/istio#39526's
// early return; go vet sees neither.)

type task struct{ id int }

func handle(t task) error {
	if t.id < 0 {
		return errors.New("bad task")
	}
	return nil
}

func runTasks(tasks []task) {
	var wg sync.WaitGroup
	ch := make(chan task)
	go func() {
		for t := range ch { // want `an iteration of this worker's loop over a channel \(line \d+\) can go on to the next item without calling wg.Done`
			if err := handle(t); err != nil {
				continue
			}
			wg.Done()
		}
	}()
	for _, t := range tasks {
		wg.Add(1)
		ch <- t
	}
	wg.Wait()
	close(ch)
}

// The fix: Done runs for every item, whatever handle returns.
func runTasksFixed(tasks []task) {
	var wg sync.WaitGroup
	ch := make(chan task)
	go func() {
		for t := range ch {
			_ = handle(t)
			wg.Done()
		}
	}()
	for _, t := range tasks {
		wg.Add(1)
		ch <- t
	}
	wg.Wait()
	close(ch)
}

// A variant written differently: a named worker method on a pool with a
// WaitGroup field, leaving on an error (the rest of the items, and this
// one, are never counted down).
type taskPool struct {
	wg    sync.WaitGroup
	queue chan task
}

func (p *taskPool) work() {
	for t := range p.queue {
		if err := handle(t); err != nil {
			return // want `an iteration of this worker's loop over a channel \(line \d+\) can return without calling wg.Done`
		}
		p.wg.Done()
	}
}

func newTaskPool() *taskPool {
	p := &taskPool{queue: make(chan task)}
	go p.work()
	return p
}

func (p *taskPool) submit(t task) {
	p.wg.Add(1)
	p.queue <- t
}

func (p *taskPool) flush() { p.wg.Wait() }

// Look-alike: the worker counts itself, not its items: Done on its way
// out when it meets the stop item, and the other items go round.
func runUntilStop(tasks []task) {
	var wg sync.WaitGroup
	ch := make(chan task)
	wg.Add(1)
	go func() {
		for t := range ch {
			if t.id == 0 {
				wg.Done()
				return
			}
			_ = handle(t)
		}
		wg.Done()
	}()
	for _, t := range tasks {
		ch <- t
	}
	ch <- task{}
	wg.Wait()
}

// Look-alike: the skipping iteration hands the WaitGroup to a helper,
// which counts the item down.
func retryLater(wg *sync.WaitGroup, t task) {
	defer wg.Done()
	_ = t
}

func runWithRetry(tasks []task) {
	var wg sync.WaitGroup
	ch := make(chan task)
	go func() {
		for t := range ch {
			if err := handle(t); err != nil {
				retryLater(&wg, t)
				continue
			}
			wg.Done()
		}
	}()
	for _, t := range tasks {
		wg.Add(1)
		ch <- t
	}
	wg.Wait()
	close(ch)
}
