package stuckescape

// A channel handed out through an interface of the package as a
// receive-only value: whoever calls the method can only receive.

type waiter interface{ wait() <-chan struct{} }

// task closes done only when set-up succeeds; Join hangs on a failure,
// whatever the holders of wait's result do.
type task struct {
	done chan struct{}
}

func newTask() *task {
	t := &task{done: make(chan struct{})}
	go t.run()
	return t
}

func (t *task) run() {
	if err := setup(); err != nil {
		return
	}
	close(t.done)
}

func (t *task) wait() <-chan struct{} { return t.done }

// Join waits for the task.
func (t *task) Join() {
	<-t.done // want `this receive can block forever`
}

// fixedTask closes done on every path.
type fixedTask struct {
	done chan struct{}
}

func newFixedTask() *fixedTask {
	t := &fixedTask{done: make(chan struct{})}
	go t.run()
	return t
}

func (t *fixedTask) run() {
	defer close(t.done)
	_ = setup()
}

func (t *fixedTask) wait() <-chan struct{} { return t.done }

// Join waits for the task.
func (t *fixedTask) Join() { <-t.done }

type closer interface{ ch() chan struct{} }

// openTask hands done out bidirectional through an interface: a holder
// may close it, so Join stays silent.
type openTask struct {
	done chan struct{}
}

func newOpenTask() *openTask {
	t := &openTask{done: make(chan struct{})}
	go t.run()
	return t
}

func (t *openTask) run() {
	if err := setup(); err != nil {
		return
	}
	close(t.done)
}

func (t *openTask) ch() chan struct{} { return t.done }

// Join waits for the task.
func (t *openTask) Join() { <-t.done }

var (
	_ waiter = (*task)(nil)
	_ waiter = (*fixedTask)(nil)
	_ closer = (*openTask)(nil)
	_        = newTask
	_        = newFixedTask
	_        = newOpenTask
)
