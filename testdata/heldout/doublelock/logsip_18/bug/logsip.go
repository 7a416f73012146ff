// Package bug is a held-out kernel (issue 14): a logger wrapping the
// standard library's log.Logger whose SetOutput, holding the wrapper's
// mutex, calls l.SetOutput meaning the embedded logger's method, but the
// wrapper's own method shadows it, so the call re-enters and blocks on the
// mutex it holds.
//
// Upstream: rdeusser/logsip#18 ("all goroutines are asleep - deadlock")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: the stack trace shows (*Logger).SetOutput blocked in
// Mutex.Lock at logsip.go:118, called from (*Logger).SetOutput at line 120:
// the method locks l.mu and then calls l.SetOutput(w), which resolves to
// itself rather than to the embedded *log.Logger's SetOutput. Every program
// that sets the output deadlocks on that call. The rest of the logger (its
// level and prefixes) is our reduction.
//
// Fix (our reading; the issue was closed without the diff in the thread):
// the wrapper calls l.Logger.SetOutput(w), the embedded logger's method.
package bug

import (
	"io"
	"log"
	"os"
	"sync"
)

// Level is a log level.
type Level int

// Log levels.
const (
	DebugLevel Level = iota
	InfoLevel
	WarnLevel
	ErrorLevel
)

// Logger is a levelled logger.
type Logger struct {
	*log.Logger
	mu         sync.Mutex
	Level      Level
	WarnPrefix string
}

// New returns a logger writing to stderr.
func New() *Logger {
	return &Logger{Logger: log.New(os.Stderr, "", log.LstdFlags), Level: InfoLevel, WarnPrefix: "[WARN] "}
}

// SetOutput sets the output destination.
func (l *Logger) SetOutput(w io.Writer) {
	l.mu.Lock() // heldout:site
	defer l.mu.Unlock()
	l.SetOutput(w) // heldout:site
}

// Warn logs at warning level.
func (l *Logger) Warn(v ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Level <= WarnLevel {
		l.Logger.Print(append([]interface{}{l.WarnPrefix}, v...)...)
	}
}
