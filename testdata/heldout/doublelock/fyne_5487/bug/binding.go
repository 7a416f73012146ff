// Package bug is a held-out kernel (issue 14): an untyped data binding
// that notifies its listeners while it still holds its write lock, so a
// listener that reads the value back blocks on the binding's read lock
// in the goroutine that holds the write lock.
//
// Upstream: fyne-io/fyne#5487 ("Fix deadlock in untyped binding")
// Round: 5
// Seen: 2026-11-27, development set (helpers read this round-5 kernel to tune the analyzers, after round 5 was measured; round 6 stays held out)
//
// Bug: boundUntyped.Set takes the binding's lock, stores the value and
// triggers the listeners before unlocking. Listeners are called in the
// setting goroutine, and a listener's DataChanged typically calls Get,
// which takes the read lock: RLock waits for the write lock its own
// goroutine holds. The PR says "Unlock before triggering callbacks for
// untyped bind"; the listener and the base type are our reduction.
//
// Fix: Set unlocks before it triggers, on every path.
package bug

import (
	"reflect"
	"sync"
)

// DataListener is told when a binding changes.
type DataListener interface {
	DataChanged()
}

type base struct {
	listeners sync.Map // DataListener -> bool
	lock      sync.RWMutex
}

// AddListener registers l.
func (b *base) AddListener(l DataListener) {
	b.listeners.Store(l, true)
	l.DataChanged()
}

func (b *base) trigger() {
	b.listeners.Range(func(key, _ any) bool {
		key.(DataListener).DataChanged() // heldout:site
		return true
	})
}

type boundUntyped struct {
	base
	val reflect.Value
}

// NewUntyped returns a binding holding nil.
func NewUntyped() *boundUntyped {
	return &boundUntyped{val: reflect.ValueOf(new(any)).Elem()}
}

// Get returns the value.
func (b *boundUntyped) Get() (any, error) {
	b.lock.RLock() // heldout:site
	defer b.lock.RUnlock()
	return b.val.Interface(), nil
}

// Set stores v and notifies the listeners if it changed.
func (b *boundUntyped) Set(v any) error {
	b.lock.Lock() // heldout:site
	defer b.lock.Unlock()
	if b.val.Interface() == v {
		return nil
	}
	b.val.Set(reflect.ValueOf(&v).Elem())
	b.trigger()
	return nil
}

// labelUpdater shows the binding's value.
type labelUpdater struct {
	data *boundUntyped
	text func(any)
}

func (l *labelUpdater) DataChanged() {
	v, err := l.data.Get()
	if err == nil {
		l.text(v)
	}
}

// Bind shows data's value with show whenever it changes.
func Bind(data *boundUntyped, show func(any)) {
	data.AddListener(&labelUpdater{data: data, text: show})
}
