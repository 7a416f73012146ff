// Package bug is a held-out kernel (issue 14): a bot engine whose stop
// channel the default provider never makes, so Stop sends on a nil
// channel for ever and the run loop's stop case can never fire.
//
// Upstream: turnage/graw#13 ("Engine from default provider cannot be stopped because stopSig is never initialized")
// Round: 15
//
// Bug: the provider builds the Engine with op, bot, dir, monitors and
// userMonitors but leaves stopSig nil. Run loops with for !e.stop and a
// select whose stop case is <-e.stopSig; Stop sends true on e.stopSig.
// On a nil channel the send blocks for ever and the select case is never
// ready, so, as the issue says, "calling Stop on the Engine will never
// reach the code to trigger e.stop = true in the Run method". The
// operator, bot and monitor interfaces are our reduction.
//
// Fix: the provider makes stopSig with the rest of the engine (the issue
// proposes make(chan bool); fixed/ gives it a buffer of one, our mend, so
// Stop cannot block after Run returned on an error).
package bug

import (
	"container/list"
	"time"
)

// Post is something the monitors found.
type Post struct {
	ID    string
	Title string
}

// Bot is the user's handler.
type Bot interface {
	Post(p *Post)
}

// Operator talks to reddit.
type Operator interface {
	Scrape(path string) ([]*Post, error)
}

// Monitor watches one listing.
type Monitor struct {
	Path string
	Last string
}

// Dir is where the engine sends what it found.
type Dir struct {
	Interval time.Duration
}

// Engine runs a bot.
type Engine struct {
	op           Operator
	bot          Bot
	dir          *Dir
	monitors     *list.List
	userMonitors map[string]*list.Element

	stopSig chan bool
	stop    bool
}

// defaultEngine is the provider's constructor.
func defaultEngine(op Operator, bot Bot, dir *Dir) *Engine {
	e := &Engine{ // heldout:site
		op:           op,
		bot:          bot,
		dir:          dir,
		monitors:     list.New(),
		userMonitors: make(map[string]*list.Element),
	}
	return e
}

// AddMonitor starts watching a listing.
func (e *Engine) AddMonitor(path string) {
	e.userMonitors[path] = e.monitors.PushBack(&Monitor{Path: path})
}

// Run polls the monitors until Stop.
func (e *Engine) Run() error {
	ticker := time.NewTicker(e.dir.Interval)
	defer ticker.Stop()
	for !e.stop {
		select {
		case <-e.stopSig: // heldout:site
			e.stop = true
		case <-ticker.C:
			if err := e.poll(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (e *Engine) poll() error {
	for el := e.monitors.Front(); el != nil; el = el.Next() {
		m := el.Value.(*Monitor)
		posts, err := e.op.Scrape(m.Path)
		if err != nil {
			return err
		}
		for _, p := range posts {
			e.bot.Post(p)
			m.Last = p.ID
		}
	}
	return nil
}

// Stop ends Run.
func (e *Engine) Stop() {
	e.stopSig <- true // heldout:site
}
