// Package fixed is the fixed version of doublelock/logsip_18: SetOutput
// calls the embedded logger's SetOutput.
package fixed

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
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Logger.SetOutput(w)
}

// Warn logs at warning level.
func (l *Logger) Warn(v ...interface{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.Level <= WarnLevel {
		l.Logger.Print(append([]interface{}{l.WarnPrefix}, v...)...)
	}
}
