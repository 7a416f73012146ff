// Package bug is a held-out kernel (issue 14): Close sends one value on a
// stop channel that two goroutines wait on.
//
// Upstream: jesseduffield/gocui#25 ("fix goroutine leak": "`g.stop <- struct{}{}` can only interrupt one `<-g.stop`.")
// Round: 2
// Seen: 2026-11-27, development set (helpers read this round-2 kernel to tune the analyzers; round 3 stays held out)
//
// Bug: MainLoop starts an event-polling goroutine and StartTicking a ticker
// goroutine; both select on g.stop. Close sends one value on g.stop, so one
// of the two goroutines keeps running (or blocks on its next send) after
// the GUI is closed, one leak per GUI.
//
// Fix: Close closes g.stop.
package bug

import "time"

// Event is a terminal event.
type Event struct{ Key rune }

// Screen is the terminal.
type Screen interface {
	PollEvent() Event
	Fini()
}

// Gui is the terminal UI.
type Gui struct {
	screen     Screen
	gEvents    chan Event
	userEvents chan func(*Gui) error
	stop       chan struct{}
}

// NewGui returns a new Gui on screen.
func NewGui(screen Screen) *Gui {
	return &Gui{
		screen:     screen,
		gEvents:    make(chan Event, 20),
		userEvents: make(chan func(*Gui) error, 20),
		stop:       make(chan struct{}),
	}
}

// Close finalizes the library.
func (g *Gui) Close() {
	go func() {
		g.stop <- struct{}{} // heldout:site
	}()
	g.screen.Fini()
}

// StartTicking redraws the views that animate.
func (g *Gui) StartTicking() {
	go func() {
		ticker := time.NewTicker(50 * time.Millisecond)
		defer ticker.Stop()
		for {
			select { // heldout:site
			case <-ticker.C:
				g.userEvents <- func(*Gui) error { return nil }
			case <-g.stop:
				return
			}
		}
	}()
}

// MainLoop runs the main loop until an error is returned.
func (g *Gui) MainLoop() error {
	go func() {
		for {
			select { // heldout:site
			case <-g.stop:
				return
			default:
				g.gEvents <- g.screen.PollEvent()
			}
		}
	}()
	for {
		select {
		case ev := <-g.gEvents:
			if ev.Key == 'q' {
				return nil
			}
		case f := <-g.userEvents:
			if err := f(g); err != nil {
				return err
			}
		}
	}
}
