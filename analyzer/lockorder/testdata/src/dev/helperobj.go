package dev

import "sync"

// Upstream: fyne-io/fyne#5114
//
// A widget's CreateRenderer read-locked the widget and, still holding
// the lock, built its renderer, a new object pointing back at the widget,
// and asked it to lay out; the renderer read the widget's visibility
// through that field, which read-locks the widget again. A SetText from
// another goroutine queued between the two RLocks blocks the second one
// behind itself. The renderer's field is set once, in the literal, so the
// lock it reaches is the widget's own, not some other widget of its type.
type baseWidget struct {
	propLock sync.RWMutex
	hidden   bool
}

func (w *baseWidget) Visible() bool {
	w.propLock.RLock()
	defer w.propLock.RUnlock()
	return !w.hidden
}

type textButton struct {
	baseWidget
	text string
}

type textButtonRenderer struct {
	button    *textButton
	label     string
	labelShow bool
}

func (r *textButtonRenderer) refresh() {
	r.labelShow = r.label != "" && r.button.Visible()
}

func (b *textButton) CreateRenderer() *textButtonRenderer {
	b.propLock.RLock()
	defer b.propLock.RUnlock()
	r := &textButtonRenderer{button: b, label: b.text}
	r.refresh() // want `b.baseWidget.propLock is read-locked again inside complit.refresh .*while this goroutine already holds a read lock on it .*if a writer calls Lock in between`
	return r
}

func (b *textButton) SetText(s string) {
	b.propLock.Lock()
	b.text = s
	b.propLock.Unlock()
}

// The fix: the fields are copied under the lock, released before the
// renderer reads the widget.
type textButtonOK struct {
	baseWidget
	text string
}

type textButtonRendererOK struct {
	button    *textButtonOK
	label     string
	labelShow bool
}

func (r *textButtonRendererOK) refresh() {
	r.labelShow = r.label != "" && r.button.Visible()
}

func (b *textButtonOK) CreateRenderer() *textButtonRendererOK {
	b.propLock.RLock()
	r := &textButtonRendererOK{button: b, label: b.text}
	b.propLock.RUnlock()
	r.refresh()
	return r
}

func (b *textButtonOK) SetText(s string) {
	b.propLock.Lock()
	b.text = s
	b.propLock.Unlock()
}

// A variant: a plain mutex, and a walker object whose field is set after
// its allocation; the walker's method calls a method of the tree that
// locks it: a double lock on the caller's own tree.
type treeIndex struct {
	mu    sync.Mutex
	nodes map[string][]string
}

func (t *treeIndex) children(n string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.nodes[n]
}

type treeWalker struct {
	tree *treeIndex
	seen int
}

func (w *treeWalker) walk(n string) {
	for _, c := range w.tree.children(n) {
		w.seen++
		_ = c
	}
}

func (t *treeIndex) Count(root string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	w := new(treeWalker)
	w.tree = t
	w.walk(root) // want `t.mu is locked again inside .*walk .*while this goroutine already holds it`
	return w.seen
}

// A variant: a struct value on the stack, two steps down (the checker
// points at the registry it checks), and a write lock held.
type certStore struct {
	mu    sync.RWMutex
	certs map[string]bool
}

func (s *certStore) has(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.certs[name]
}

type certChecker struct {
	store *certStore
}

type certJob struct {
	check *certChecker
	name  string
}

func (j *certJob) run() bool {
	return j.check.store.has(j.name)
}

func (s *certStore) Renew(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ck certChecker
	ck.store = s
	job := certJob{check: &ck, name: name}
	return job.run() // want `s.mu is read-locked inside .*run .*while this goroutine holds its write lock`
}

// A look-alike: the helper's field is set on two paths, once to another
// store, so the lock it reaches may be one this goroutine does not hold.
func (s *certStore) RenewFrom(other *certStore, name string, useOther bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	ck := &certChecker{}
	if useOther {
		ck.store = other
	} else {
		ck.store = s
	}
	job := &certJob{check: ck, name: name}
	return job.run()
}
