package dev

import (
	"fmt"
	"io"
	"sync"
)

// Upstream: syncthing/syncthing#4821
//
// The logger formatted its ...any arguments while holding its mutex, and
// a matcher's String method locks the matcher; the matcher logged while
// holding its own mutex. Logging a matcher takes logger then matcher,
// loading patterns takes matcher then logger. The operand reaches fmt
// through the logger's variadic parameter, so its String runs inside the
// logger's call, with the logger's lock held. Fix: the logger formats
// before it locks.
type logSink struct {
	mu  sync.Mutex
	out io.Writer
}

var logs = &logSink{}

func (l *logSink) debugln(vals ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.out, fmt.Sprintln(vals...))
}

type matcher struct {
	mu       sync.Mutex
	patterns []string
}

func (m *matcher) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fmt.Sprint(len(m.patterns))
}

func (m *matcher) load(ps []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.patterns = ps
	logs.debugln("loaded", len(ps)) // want `lock order inversion: load locks m.mu .* then logs.mu inside logs.debugln .*while walk locks logs.mu .* then m.mu`
}

func walk(m *matcher) {
	logs.debugln("walking with", m)
}

// The fix: the message is formatted before the logger's lock.
type logSinkOK struct {
	mu  sync.Mutex
	out io.Writer
}

var logsOK = &logSinkOK{}

func (l *logSinkOK) debugln(vals ...any) {
	s := fmt.Sprintln(vals...)
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.out, s)
}

type matcherOK struct {
	mu       sync.Mutex
	patterns []string
}

func (m *matcherOK) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fmt.Sprint(len(m.patterns))
}

func (m *matcherOK) load(ps []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.patterns = ps
	logsOK.debugln("loaded", len(ps))
}

func walkOK(m *matcherOK) {
	logsOK.debugln("walking with", m)
}

// A variant written differently: a printf-style helper under a package
// mutex, forwarded once more, and an error whose Error method locks the
// connection it describes; the connection reports while holding its lock.
var reportMu sync.Mutex

func reportf(format string, args ...any) {
	reportMu.Lock()
	defer reportMu.Unlock()
	fmt.Printf(format, args...)
}

func warnf(format string, args ...any) { reportf("warn: "+format, args...) }

type conn struct {
	mu    sync.Mutex
	state string
}

type connError struct{ c *conn }

func (e connError) Error() string {
	e.c.mu.Lock()
	defer e.c.mu.Unlock()
	return "conn in state " + e.c.state
}

func (c *conn) fail() {
	warnf("failed: %v\n", connError{c}) // want `lock order inversion by lock class: fail locks reportMu .* then .*c.mu inside .*Error \(passed to warnf, .*while setState locks c.mu .* then reportMu`
}

func (c *conn) setState(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state = s
	warnf("state %s\n", s)
}

// Not an inversion: the operand's String locks nothing, and a locked
// value is only formatted after the helper released its lock.
type plain struct{ n int }

func (p plain) String() string { return fmt.Sprint(p.n) }

func logPlain(p plain) { logsOK.debugln("plain", p) }
