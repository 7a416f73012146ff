// Package bug is a held-out kernel (issue 14): lock-order inversion through
// fmt's implicit call of String() on a logged value.
//
// Upstream: syncthing/syncthing#4821 ("lib/ignore, lib/logger: Fix race and potential dead-locks when logging")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: the logger formats its arguments while holding its own mutex, and
// the Matcher's String method locks the matcher; the matcher logs (so
// takes the logger's mutex) while it holds its own. One goroutine logs a
// Matcher (logger.mut, then Matcher.mut), another loads patterns (Matcher.mut,
// then logger.mut).
//
// Fix: the logger formats the message before it takes its mutex.
package bug

import (
	"fmt"
	"io"
	"sync"
)

type logger struct {
	mut    sync.Mutex
	out    io.Writer
	debugs map[string]bool
}

var l = &logger{debugs: map[string]bool{"ignore": true}}

// Debugln logs its arguments at debug level.
func (l *logger) Debugln(vals ...any) {
	l.mut.Lock()
	defer l.mut.Unlock()
	s := fmt.Sprintln(vals...) // heldout:site
	io.WriteString(l.out, "DEBUG: "+s)
}

// Matcher matches paths against ignore patterns.
type Matcher struct {
	mut      sync.Mutex
	patterns []string
	curHash  string
}

func (m *Matcher) String() string {
	m.mut.Lock() // heldout:site
	defer m.mut.Unlock()
	return fmt.Sprintf("Matcher/%v", m.patterns)
}

// Load reads new patterns and logs the change.
func (m *Matcher) Load(patterns []string) {
	m.mut.Lock()
	defer m.mut.Unlock()
	m.patterns = patterns
	l.Debugln("loaded", len(patterns), "patterns") // heldout:site
}

// Walk logs the matcher it walks with.
func Walk(m *Matcher) {
	l.Debugln("walking with", m)
}
