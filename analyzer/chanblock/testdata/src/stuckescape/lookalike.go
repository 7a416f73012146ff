package stuckescape

// Look-alikes: the channel handed out lets other packages complete the
// operation, so the checker stays silent.

// OpenWatch hands done out bidirectional: another package may close it.
type OpenWatch struct {
	done chan struct{}
}

// NewOpenWatch starts watching.
func NewOpenWatch() *OpenWatch {
	w := &OpenWatch{done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *OpenWatch) loop() {
	if err := setup(); err != nil {
		return
	}
	close(w.done)
}

// Done returns the done channel itself.
func (w *OpenWatch) Done() chan struct{} { return w.done }

// Wait waits for the end.
func (w *OpenWatch) Wait() { <-w.done }

// Trigger hands its channel out send-only: other packages may send on it
// or close it, so the package's own receive may be completed.
type Trigger struct {
	fire chan struct{}
}

// NewTrigger starts the trigger's goroutine.
func NewTrigger() *Trigger {
	t := &Trigger{fire: make(chan struct{})}
	go t.loop()
	return t
}

func (t *Trigger) loop() {
	if err := setup(); err != nil {
		return
	}
	t.fire <- struct{}{}
}

// C lets callers fire the trigger.
func (t *Trigger) C() chan<- struct{} { return t.fire }

// Wait waits for a firing.
func (t *Trigger) Wait() { <-t.fire }

// Feed hands its channel out receive-only: a send the package's own
// goroutine no longer receives may still be taken by a reader outside.
type Feed struct {
	items chan int
}

// NewFeed starts the feed's goroutine.
func NewFeed() *Feed {
	f := &Feed{items: make(chan int)}
	go f.loop()
	return f
}

func (f *Feed) loop() {
	if err := setup(); err != nil {
		return
	}
	for v := range f.items {
		_ = v
	}
}

// Items returns the channel of items.
func (f *Feed) Items() <-chan int { return f.items }

// Push adds an item.
func (f *Feed) Push(v int) { f.items <- v }

// Guarded compares its field with nil and closes it on every path.
type Guarded struct {
	done chan struct{}
}

// Start starts the work.
func (g *Guarded) Start() {
	g.done = make(chan struct{})
	go finish(g.done)
}

func finish(done chan struct{}) {
	defer close(done)
	_ = setup()
}

// Stop waits for the work when it was started.
func (g *Guarded) Stop() {
	if g.done != nil {
		<-g.done
	}
}
