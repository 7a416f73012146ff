// Package fixed is the fixed version of rwr/fyne_5114 (the fix is ours):
// CreateRenderer releases the read lock before calling Visible.
package fixed

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
	w.propertyLock.RLock()
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
	r := &buttonRenderer{button: b, label: b.Text, icon: b.Icon}
	b.propertyLock.RUnlock()
	r.updateIconAndText()
	return r
}

// SetText changes the label.
func (b *Button) SetText(text string) {
	b.propertyLock.Lock()
	b.Text = text
	b.propertyLock.Unlock()
}
