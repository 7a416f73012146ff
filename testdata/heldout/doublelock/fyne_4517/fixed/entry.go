// Package fixed is the fixed version of doublelock/fyne_4517: OnChanged
// is called after the property lock is released.
package fixed

import (
	"sync"
)

// KeyName names a key.
type KeyName string

// The keys the entry handles here.
const (
	KeyBackspace KeyName = "BackSpace"
	KeyDelete    KeyName = "Delete"
)

// KeyEvent is a key press.
type KeyEvent struct {
	Name KeyName
}

// Clipboard holds copied text.
type Clipboard interface {
	SetContent(string)
}

// Entry is a single-line text input.
type Entry struct {
	propertyLock sync.RWMutex

	Text        string
	PlaceHolder string
	OnChanged   func(string)

	selectStart, selectEnd int
	selecting              bool
	refreshes              int
}

// NewEntry returns an empty entry.
func NewEntry() *Entry {
	return &Entry{}
}

// Refresh redraws the entry.
func (e *Entry) Refresh() {
	e.propertyLock.RLock()
	e.refreshes++
	e.propertyLock.RUnlock()
}

// SetPlaceHolder sets the text shown while the entry is empty.
func (e *Entry) SetPlaceHolder(text string) {
	e.propertyLock.Lock()
	e.PlaceHolder = text
	e.propertyLock.Unlock()
	e.Refresh()
}

// SetText replaces the text.
func (e *Entry) SetText(text string) {
	e.propertyLock.Lock()
	e.Text = text
	e.selecting = false
	e.propertyLock.Unlock()
	e.Refresh()
}

func (e *Entry) setFieldsAndRefresh(f func()) {
	e.propertyLock.Lock()
	f()
	e.propertyLock.Unlock()
	e.Refresh()
}

// eraseSelection removes the selected text; the lock is held.
func (e *Entry) eraseSelection() {
	if !e.selecting {
		return
	}
	start, end := e.selectStart, e.selectEnd
	if start > end {
		start, end = end, start
	}
	if end > len(e.Text) {
		end = len(e.Text)
	}
	e.Text = e.Text[:start] + e.Text[end:]
	e.selecting = false
}

func (e *Entry) selectedText() string {
	start, end := e.selectStart, e.selectEnd
	if start > end {
		start, end = end, start
	}
	if end > len(e.Text) {
		end = len(e.Text)
	}
	return e.Text[start:end]
}

// cutToClipboard moves the selection to the clipboard.
func (e *Entry) cutToClipboard(clipboard Clipboard) {
	e.propertyLock.RLock()
	clipboard.SetContent(e.selectedText())
	e.propertyLock.RUnlock()
	e.setFieldsAndRefresh(e.eraseSelection)
	e.propertyLock.RLock()
	content, onChanged := e.Text, e.OnChanged
	e.propertyLock.RUnlock()
	if onChanged != nil {
		onChanged(content)
	}
}

// selectingKeyHandler handles a key while text is selected.
func (e *Entry) selectingKeyHandler(key *KeyEvent) bool {
	switch key.Name {
	case KeyBackspace, KeyDelete:
		e.setFieldsAndRefresh(e.eraseSelection)
		e.propertyLock.RLock()
		content, onChanged := e.Text, e.OnChanged
		e.propertyLock.RUnlock()
		if onChanged != nil {
			onChanged(content)
		}
		return true
	}
	return false
}

// TypedKey handles a key press.
func (e *Entry) TypedKey(key *KeyEvent) {
	e.propertyLock.RLock()
	selecting := e.selecting
	e.propertyLock.RUnlock()
	if selecting && e.selectingKeyHandler(key) {
		return
	}
}

// newPlaceholderEntry is issue 4516's program: a placeholder appears
// once the text is deleted.
func newPlaceholderEntry() *Entry {
	str := "hello"
	entry := NewEntry()
	entry.SetText(str)
	entry.OnChanged = func(s string) {
		if entry.Text == "" {
			entry.SetPlaceHolder("bye")
		} else {
			str = s
		}
	}
	return entry
}
