// Package fixed is the fixed version of select/graw_13: the provider makes
// the engine's stop channel. The issue proposes make(chan bool); the buffer
// of one is our mend, so that Stop does not block when Run has already
// returned on a scrape error.
package fixed

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
	e := &Engine{
		op:           op,
		bot:          bot,
		dir:          dir,
		monitors:     list.New(),
		userMonitors: make(map[string]*list.Element),
		stopSig:      make(chan bool, 1),
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
		case <-e.stopSig:
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
	e.stopSig <- true
}
