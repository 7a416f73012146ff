package dev

import "sync"

// Upstream: fyne-io/fyne#4223
//
// A text field fires its exported OnEdit hook while it holds its own lock.
// The package's clamping constructor installs a hook that captures the
// field and shortens the text through the field's setter, which takes
// that lock again. Anyone may store another hook, but this one is the
// package's own: with it in place the edit locks the field twice. Fix: the
// hook is read under the lock and called after it is released.
type textField struct {
	mu     sync.RWMutex
	text   string
	OnEdit func(string)
}

func (t *textField) Set(s string) {
	t.mu.Lock()
	t.text = s
	t.mu.Unlock()
}

func (t *textField) erase(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n <= len(t.text) {
		t.text = t.text[:len(t.text)-n]
	}
	if t.OnEdit != nil {
		t.OnEdit(t.text) // want `t.mu is locked again inside the function literal .* while this goroutine already holds it`
	}
}

func newClampedField(max int) *textField {
	t := &textField{}
	t.OnEdit = func(s string) {
		if len(s) > max {
			t.Set(s[:max])
		}
	}
	return t
}

// The fix: the hook runs after the lock is released.
type textFieldOK struct {
	mu     sync.RWMutex
	text   string
	OnEdit func(string)
}

func (t *textFieldOK) Set(s string) {
	t.mu.Lock()
	t.text = s
	t.mu.Unlock()
}

func (t *textFieldOK) erase(n int) {
	t.mu.Lock()
	if n <= len(t.text) {
		t.text = t.text[:len(t.text)-n]
	}
	hook, text := t.OnEdit, t.text
	t.mu.Unlock()
	if hook != nil {
		hook(text)
	}
}

func newClampedFieldOK(max int) *textFieldOK {
	t := &textFieldOK{}
	t.OnEdit = func(s string) {
		if len(s) > max {
			t.Set(s[:max])
		}
	}
	return t
}

// A variant written differently: the hook is a method value of the object
// set in a method (the receiver spilled to a variable), it is called from
// a helper the locked method calls, and the hook read-locks while the
// caller holds the write lock.
type window struct {
	mu      sync.RWMutex
	title   string
	OnClose func()
}

func (w *window) init() {
	w.OnClose = w.logTitle
}

func (w *window) logTitle() {
	w.mu.RLock()
	_ = w.title
	w.mu.RUnlock()
}

func (w *window) fireClose() {
	if cb := w.OnClose; cb != nil {
		cb()
	}
}

func (w *window) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.title = ""
	w.fireClose() // want `w.mu is read-locked inside w.fireClose .* while this goroutine holds its write lock`
}

// Look-alike negative: the hook the package stores captures another
// object (the form the field belongs to), not the field, so the field's
// lock held at the call is not the one the hook takes.
type form struct {
	mu    sync.Mutex
	dirty bool
}

func (f *form) touch() {
	f.mu.Lock()
	f.dirty = true
	f.mu.Unlock()
}

type input struct {
	mu       sync.Mutex
	value    string
	OnChange func()
}

func (in *input) set(v string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.value = v
	if in.OnChange != nil {
		in.OnChange()
	}
}

func (f *form) add() *input {
	in := &input{}
	in.OnChange = func() { f.touch() }
	return in
}
