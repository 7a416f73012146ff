// Package fixed is the fixed version of close/gocui_25: Close closes the
// stop channel.
package fixed

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
	close(g.stop)
	g.screen.Fini()
}

// StartTicking redraws the views that animate.
func (g *Gui) StartTicking() {
	go func() {
		ticker := time.NewTicker(50 * time.Millisecond)
		defer ticker.Stop()
		for {
			select {
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
			select {
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
