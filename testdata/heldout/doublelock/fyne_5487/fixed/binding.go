// Package fixed is the fixed version of doublelock/fyne_5487: Set releases
// the lock before it notifies the listeners.
package fixed

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
		key.(DataListener).DataChanged()
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
	b.lock.RLock()
	defer b.lock.RUnlock()
	return b.val.Interface(), nil
}

// Set stores v and notifies the listeners if it changed.
func (b *boundUntyped) Set(v any) error {
	b.lock.Lock()
	if b.val.Interface() == v {
		b.lock.Unlock()
		return nil
	}
	b.val.Set(reflect.ValueOf(&v).Elem())
	b.lock.Unlock()
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
