// Package fixed is the fixed version of buffered/lf_2674: a quit command
// issued while a quit is already pending is dropped instead of blocking
// the main loop.
package fixed

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
		select {
		case app.quitChan <- struct{}{}:
		default: // a quit is already pending
		}
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
