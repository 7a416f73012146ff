// Package bug is a held-out kernel (issue 14): the quit command, run by the
// main loop, sends on a one-slot channel whose only receiver is that same
// loop.
//
// Upstream: gokcehan/lf#2674 ("Fix: Main loop blocked by double quit")
// Round: 14
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: lf's main loop selects over the UI's key events, directory loads
// and app.quitChan, a channel with one slot. Evaluating the "quit" command
// happens on the main loop itself and sends on quitChan. When the loop is
// busy and an impatient user presses q twice, both key events can be
// evaluated before the loop gets back to the quitChan case (select picks
// among ready cases at random): the first quit fills the slot, and the
// second send blocks for ever, since the only receiver is the goroutine
// that is sending (the PR: "A second quit before the loop reads the first
// one blocks forever"). Key mapping, the UI and the directory loader are
// our reduction of app.go and eval.go.
//
// Fix (our reading of the PR): the quit command's send no longer blocks
// when a quit is already pending.
package bug

// Expr is a parsed command.
type Expr interface {
	eval(app *App)
}

type callExpr struct {
	name string
}

func (e *callExpr) eval(app *App) {
	switch e.name {
	case "quit":
		app.quitChan <- struct{}{} // heldout:site
	case "down":
		app.nav.down()
	case "up":
		app.nav.up()
	}
}

type nav struct {
	pos     int
	dirChan chan string
	dirs    []string
}

func (n *nav) down() { n.pos++ }
func (n *nav) up()   { n.pos-- }

// UI delivers key events.
type UI interface {
	Events() <-chan string
	Close()
}

// App is lf's application state.
type App struct {
	ui       UI
	nav      *nav
	keys     map[string]Expr
	quitChan chan struct{}
	done     chan struct{}
}

// NewApp makes an app reading keys from ui.
func NewApp(ui UI) *App {
	return &App{
		ui:  ui,
		nav: &nav{dirChan: make(chan string)},
		keys: map[string]Expr{
			"q": &callExpr{"quit"},
			"j": &callExpr{"down"},
			"k": &callExpr{"up"},
		},
		quitChan: make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
}

// LoadDir reads a directory in the background and hands it to the loop.
func (app *App) LoadDir(path string) {
	go func() {
		select {
		case app.nav.dirChan <- path:
		case <-app.done:
		}
	}()
}

func (app *App) quit() {
	close(app.done)
	app.ui.Close()
}

// Loop is the main event loop.
func (app *App) Loop() {
	for {
		select {
		case <-app.quitChan:
			app.quit()
			return
		case d := <-app.nav.dirChan:
			app.nav.dirs = append(app.nav.dirs, d)
		case ev := <-app.ui.Events():
			if e, ok := app.keys[ev]; ok {
				e.eval(app)
			}
		}
	}
}
