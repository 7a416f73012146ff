package onevaluereach

import "sync"

// Workers' goroutines block in the helper w.waitStop(), which receives
// from w.stop. Stop sends one value: one worker wakes, the others wait in
// waitStop forever, and Stop's wg.Wait never returns.
type Workers struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func NewWorkers(n int) *Workers {
	w := &Workers{stop: make(chan struct{})}
	for i := 0; i < n; i++ {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			w.waitStop()
		}()
	}
	return w
}

func (w *Workers) waitStop() {
	<-w.stop
}

func (w *Workers) Stop() {
	w.stop <- struct{}{} // want `one value is sent on field stop of Workers, but 2 or more goroutines wait for it`
	w.wg.Wait()
}

// FixedWorkers closes stop.
type FixedWorkers struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func NewFixedWorkers(n int) *FixedWorkers {
	w := &FixedWorkers{stop: make(chan struct{})}
	for i := 0; i < n; i++ {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			w.waitStop()
		}()
	}
	return w
}

func (w *FixedWorkers) waitStop() {
	<-w.stop
}

func (w *FixedWorkers) Stop() {
	close(w.stop)
	w.wg.Wait()
}

// Drainer runs one goroutine that waits in the helper: one value wakes
// it. Silent.
type Drainer struct {
	stop chan struct{}
	done chan struct{}
}

func NewDrainer() *Drainer {
	d := &Drainer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(d.done)
		d.waitStop()
	}()
	return d
}

func (d *Drainer) waitStop() {
	<-d.stop
}

func (d *Drainer) Stop() {
	d.stop <- struct{}{}
	<-d.done
}
