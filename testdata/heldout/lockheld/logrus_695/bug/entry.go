// Package bug is a held-out kernel (issue 14): logrus' Entry.log, which
// locks the logger's mutex, fires the hooks and unlocks it with plain
// calls. A hook that panics leaves the mutex locked; when the caller
// survives the panic (a server that recovers per request), the next log
// call on the logger blocks for ever, and with it every goroutine that
// logs.
//
// Upstream: sirupsen/logrus#695 ("Fix deadlock on panics at Entry.log")
// Round: 14
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: the PR: "a panic inside some of the locking blocks could cause the
// whole logger to deadlock. One of the ways this could happen is for a
// hook to cause a panic, when this happens the lock is never unlocked".
// Entry.log (lock, Hooks.Fire, unlock; format; lock, write, unlock),
// LevelHooks.Fire, MutexWrap and the Logger follow entry.go, hooks.go and
// logger.go of the time; the formatter is reduced to a string, and the
// panicking hook and the recovering request handler are ours.
//
// Fix: Entry.log moves each locked block into its own method (fireHooks,
// write) that unlocks with defer, so a panic unwinds through the Unlock.
package bug

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Level is a logging priority.
type Level uint32

// Levels.
const (
	PanicLevel Level = iota
	FatalLevel
	ErrorLevel
	WarnLevel
	InfoLevel
	DebugLevel
)

// Hook is called for every entry at one of its levels.
type Hook interface {
	Levels() []Level
	Fire(*Entry) error
}

// LevelHooks are the hooks of a logger by level.
type LevelHooks map[Level][]Hook

// Add registers a hook for its levels.
func (hooks LevelHooks) Add(hook Hook) {
	for _, level := range hook.Levels() {
		hooks[level] = append(hooks[level], hook)
	}
}

// Fire runs every hook registered for level.
func (hooks LevelHooks) Fire(level Level, entry *Entry) error {
	for _, hook := range hooks[level] {
		if err := hook.Fire(entry); err != nil {
			return err
		}
	}
	return nil
}

// MutexWrap is a mutex that logging can turn off.
type MutexWrap struct {
	lock     sync.Mutex
	disabled bool
}

// Lock locks unless locking is disabled.
func (mw *MutexWrap) Lock() {
	if !mw.disabled {
		mw.lock.Lock()
	}
}

// Unlock unlocks unless locking is disabled.
func (mw *MutexWrap) Unlock() {
	if !mw.disabled {
		mw.lock.Unlock()
	}
}

// Logger writes entries to Out.
type Logger struct {
	Out   io.Writer
	Hooks LevelHooks
	Level Level
	mu    MutexWrap
}

// Entry is one log line being built.
type Entry struct {
	Logger  *Logger
	Data    map[string]interface{}
	Time    time.Time
	Level   Level
	Message string
}

func (entry Entry) format() []byte {
	return []byte(fmt.Sprintf("time=%q level=%d msg=%q\n", entry.Time.Format(time.RFC3339), entry.Level, entry.Message))
}

func (entry Entry) log(level Level, msg string) {
	entry.Time = time.Now()
	entry.Level = level
	entry.Message = msg

	entry.Logger.mu.Lock()                        // heldout:site
	err := entry.Logger.Hooks.Fire(level, &entry) // heldout:site
	entry.Logger.mu.Unlock()
	if err != nil {
		entry.Logger.mu.Lock()
		fmt.Fprintf(entry.Logger.Out, "Failed to fire hook: %v\n", err)
		entry.Logger.mu.Unlock()
	}

	serialized := entry.format()
	entry.Logger.mu.Lock()
	if _, err := entry.Logger.Out.Write(serialized); err != nil {
		fmt.Fprintf(entry.Logger.Out, "Failed to write to log, %v\n", err)
	}
	entry.Logger.mu.Unlock()
}

// Info logs at InfoLevel.
func (logger *Logger) Info(msg string) {
	if logger.Level >= InfoLevel {
		Entry{Logger: logger}.log(InfoLevel, msg)
	}
}

// requestIDHook tags entries with the request id found in their data.
type requestIDHook struct{}

func (requestIDHook) Levels() []Level { return []Level{InfoLevel, WarnLevel, ErrorLevel} }

func (requestIDHook) Fire(e *Entry) error {
	id := e.Data["request_id"].(string) // panics when the entry has no id
	_ = id
	return nil
}

// handle serves one request, recovering from any panic in it.
func handle(logger *Logger, path string) {
	defer func() { _ = recover() }()
	logger.Info("GET " + path)
}

// Serve handles two requests with a logger whose hook panics.
func Serve(out io.Writer) {
	logger := &Logger{Out: out, Hooks: make(LevelHooks), Level: InfoLevel}
	logger.Hooks.Add(requestIDHook{})
	handle(logger, "/healthz")
	handle(logger, "/metrics")
}
