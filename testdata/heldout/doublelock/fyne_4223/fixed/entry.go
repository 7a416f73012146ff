// Package fixed is the fixed version of doublelock/fyne_4223: OnChanged is
// called after the property lock is released.
package fixed

import "sync"

// Clipboard is the system clipboard.
type Clipboard interface {
	SetContent(string)
}

// Entry is a text entry widget.
type Entry struct {
	propertyLock sync.RWMutex
	Text         string
	OnChanged    func(string)

	selecting      bool
	selectRowCol   int
	cursorRowCol   int
	refreshPending bool
}

// SetText sets the entry's text.
func (e *Entry) SetText(text string) {
	e.propertyLock.Lock()
	e.Text = text
	e.cursorRowCol = len(text)
	e.propertyLock.Unlock()
	e.Refresh()
}

// Refresh redraws the widget.
func (e *Entry) Refresh() { e.refreshPending = true }

func (e *Entry) selection() (int, int) {
	if e.selectRowCol < e.cursorRowCol {
		return e.selectRowCol, e.cursorRowCol
	}
	return e.cursorRowCol, e.selectRowCol
}

// eraseSelection removes the selected text; e.propertyLock is held.
func (e *Entry) eraseSelection() {
	start, end := e.selection()
	e.Text = e.Text[:start] + e.Text[end:]
	e.cursorRowCol = start
	e.selecting = false
}

// cutToClipboard copies the selection to the clipboard and deletes it.
func (e *Entry) cutToClipboard(clipboard Clipboard) {
	if !e.selecting {
		return
	}
	e.propertyLock.Lock()
	start, end := e.selection()
	clipboard.SetContent(e.Text[start:end])
	e.eraseSelection()
	cb, text := e.OnChanged, e.Text
	e.propertyLock.Unlock()
	if cb != nil {
		cb(text)
	}
	e.Refresh()
}

// NewLimitedEntry returns an entry that keeps at most max characters.
func NewLimitedEntry(max int) *Entry {
	e := &Entry{}
	e.OnChanged = func(s string) {
		if len(s) > max {
			e.SetText(s[:max])
		}
	}
	return e
}
