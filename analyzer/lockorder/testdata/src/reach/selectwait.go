package reach

import "sync"

// A goroutine holding p.mu selects on two channels whose every sender
// locks p.mu first.
type pump struct {
	mu    sync.Mutex
	data  chan int
	quit  chan struct{}
	count int
}

func newPump() *pump {
	return &pump{data: make(chan int), quit: make(chan struct{})}
}

func (p *pump) wait() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	select { // want `this goroutine blocks in a select while holding p.mu \(locked at line \d+\), but every goroutine that could complete a case locks it first`
	case v := <-p.data:
		return v
	case <-p.quit:
		return -1
	}
}

func (p *pump) feed(v int) {
	p.mu.Lock()
	p.count++
	p.mu.Unlock()
	p.data <- v
}

func (p *pump) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.quit)
}

// --- look-alikes that must stay silent ---

// One case's waker needs no lock.
type pump2 struct {
	mu   sync.Mutex
	data chan int
	quit chan struct{}
}

func newPump2() *pump2 {
	return &pump2{data: make(chan int), quit: make(chan struct{})}
}

func (p *pump2) wait() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	select { // ok: stop closes quit without the lock
	case v := <-p.data:
		return v
	case <-p.quit:
		return -1
	}
}

func (p *pump2) feed(v int) {
	p.mu.Lock()
	p.mu.Unlock()
	p.data <- v
}

func (p *pump2) stop() { close(p.quit) }

// A default case: the select never blocks.
type pump3 struct {
	mu   sync.Mutex
	data chan int
}

func newPump3() *pump3 { return &pump3{data: make(chan int)} }

func (p *pump3) poll() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	select { // ok: default
	case v := <-p.data:
		return v
	default:
		return 0
	}
}

func (p *pump3) feed(v int) {
	p.mu.Lock()
	p.mu.Unlock()
	p.data <- v
}
