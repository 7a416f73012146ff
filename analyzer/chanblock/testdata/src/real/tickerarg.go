package real

import (
	"sync"
	"time"
)

// A ticker kept in a field and handed to the goroutine as an argument
// (session 25, closevar; the shape of InVisionApp/go-health#35 with the
// ticker read from the field by the starter): the refresher loops on a
// plain receive from its parameter's C, Stop stops the field's ticker,
// which does not close C, so the refresher waits forever.
type tickCache struct {
	mu      sync.Mutex
	data    map[string]string
	load    func() map[string]string
	refresh *time.Ticker
}

func (c *tickCache) Start(every time.Duration) {
	c.refresh = time.NewTicker(every)
	go c.refresher(c.refresh)
}

func (c *tickCache) refresher(t *time.Ticker) {
	for {
		<-t.C // want `this goroutine waits on the ticker's channel in a loop it never leaves, and the ticker is stopped at line \d+`
		d := c.load()
		c.mu.Lock()
		c.data = d
		c.mu.Unlock()
	}
}

func (c *tickCache) Stop() { c.refresh.Stop() }

// The fix: a quit channel closed beside the Stop.
type tickCacheFixed struct {
	mu      sync.Mutex
	data    map[string]string
	load    func() map[string]string
	refresh *time.Ticker
	quit    chan struct{}
}

func (c *tickCacheFixed) Start(every time.Duration) {
	c.refresh = time.NewTicker(every)
	c.quit = make(chan struct{})
	go c.refresher(c.refresh, c.quit)
}

func (c *tickCacheFixed) refresher(t *time.Ticker, quit chan struct{}) {
	for {
		select {
		case <-t.C:
		case <-quit:
			return
		}
		d := c.load()
		c.mu.Lock()
		c.data = d
		c.mu.Unlock()
	}
}

func (c *tickCacheFixed) Stop() { c.refresh.Stop(); close(c.quit) }

// A look-alike: the field's ticker is handed to a goroutine that runs
// for the program's life, and nothing stops it.
type tickForever struct {
	beat  *time.Ticker
	pulse func()
}

func (f *tickForever) Start() {
	f.beat = time.NewTicker(time.Second)
	go f.run(f.beat)
}

func (f *tickForever) run(t *time.Ticker) {
	for range t.C {
		f.pulse()
	}
}
