// Package fixed is the fixed version of lockorder/syncthing_4821: the
// logger formats before it locks.
package fixed

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
	s := fmt.Sprintln(vals...)
	l.mut.Lock()
	defer l.mut.Unlock()
	io.WriteString(l.out, "DEBUG: "+s)
}

// Matcher matches paths against ignore patterns.
type Matcher struct {
	mut      sync.Mutex
	patterns []string
	curHash  string
}

func (m *Matcher) String() string {
	m.mut.Lock()
	defer m.mut.Unlock()
	return fmt.Sprintf("Matcher/%v", m.patterns)
}

// Load reads new patterns and logs the change.
func (m *Matcher) Load(patterns []string) {
	m.mut.Lock()
	defer m.mut.Unlock()
	m.patterns = patterns
	l.Debugln("loaded", len(patterns), "patterns")
}

// Walk logs the matcher it walks with.
func Walk(m *Matcher) {
	l.Debugln("walking with", m)
}
