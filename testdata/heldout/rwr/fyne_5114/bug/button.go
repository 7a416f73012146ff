// Package bug is a held-out kernel (issue 14): a button widget whose
// CreateRenderer read-locks the widget's property lock and, still
// holding it, calls Visible, which read-locks the same lock; a SetText
// from another goroutine queued between the two RLocks blocks the
// second one, and the UI deadlocks.
//
// Upstream: fyne-io/fyne#5114 ("Deadlock in Button `CreateRenderer()`")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: the issue: "UI can deadlock due to acquiring the same read lock
// twice in a single goroutine. If any other goroutine acquires the same
// lock for write between the two reads - the second read will hang and
// never release the first". Its stack: BaseWidget.MinSize ->
// cache.Renderer -> Button.CreateRenderer -> buttonRenderer.
// updateIconAndText -> BaseWidget.Visible -> RWMutex.RLock. That
// CreateRenderer holds the read lock across updateIconAndText is our
// reading of that stack; the renderer cache and theme are reduced.
//
// Fix: ours, as the thread we read does not show it: CreateRenderer
// copies the fields it needs under the read lock and releases it before
// building the renderer, so Visible's RLock is never nested.
package bug

import (
	"sync"
)

// BaseWidget holds the state every widget shares.
type BaseWidget struct {
	propertyLock sync.RWMutex
	Hidden       bool
	impl         interface{ CreateRenderer() *buttonRenderer }
	renderer     *buttonRenderer
}

// Visible reports whether the widget is shown.
func (w *BaseWidget) Visible() bool {
	w.propertyLock.RLock() // heldout:site
	defer w.propertyLock.RUnlock()
	return !w.Hidden
}

// MinSize creates the renderer on first use and asks it.
func (w *BaseWidget) MinSize() (float32, float32) {
	if w.renderer == nil {
		w.renderer = w.impl.CreateRenderer()
	}
	return w.renderer.MinSize()
}

// Button is a clickable button.
type Button struct {
	BaseWidget
	Text     string
	Icon     string
	OnTapped func()
}

// NewButton returns a button.
func NewButton(text string, tapped func()) *Button {
	b := &Button{Text: text, OnTapped: tapped}
	b.impl = b
	return b
}

type buttonRenderer struct {
	button    *Button
	label     string
	icon      string
	labelShow bool
	iconShow  bool
}

// MinSize is the renderer's minimum size.
func (r *buttonRenderer) MinSize() (float32, float32) {
	w := float32(len(r.label)) * 8
	if r.iconShow {
		w += 16
	}
	return w + 8, 24
}

func (r *buttonRenderer) updateIconAndText() {
	r.labelShow = r.label != "" && r.button.Visible()
	r.iconShow = r.icon != "" && r.button.Visible()
}

// CreateRenderer builds the button's renderer.
func (b *Button) CreateRenderer() *buttonRenderer {
	b.propertyLock.RLock()
	defer b.propertyLock.RUnlock()
	r := &buttonRenderer{button: b, label: b.Text, icon: b.Icon}
	r.updateIconAndText() // heldout:site
	return r
}

// SetText changes the label.
func (b *Button) SetText(text string) {
	b.propertyLock.Lock() // heldout:site
	b.Text = text
	b.propertyLock.Unlock()
}
