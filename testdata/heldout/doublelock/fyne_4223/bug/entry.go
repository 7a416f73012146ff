// Package bug is a held-out kernel (issue 14): a widget calls the user's
// OnChanged callback while holding its property lock, and the callback
// calls back into the widget, which takes the lock again.
//
// Upstream: fyne-io/fyne#4223 ("fixed entry OnChanged callback in propery lock", fixes fyne-io/fyne#4209)
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: when text is selected and deleted or cut, Entry erases the selection
// and fires OnChanged inside e.propertyLock. An OnChanged that touches the
// entry (here it clamps the text with SetText, which takes propertyLock)
// blocks forever on the lock its own caller holds, freezing the UI.
//
// Fix: the callback is read under the lock and called after unlocking.
package bug

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
	e.propertyLock.Lock() // heldout:site
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
	if e.OnChanged != nil {
		e.OnChanged(e.Text) // heldout:site
	}
	e.propertyLock.Unlock()
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
