// Package fixed is the fixed version of rwr/syncgateway_1492: printf
// relies on its callers' read lock instead of taking it again.
package fixed

import (
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
)

var (
	logLock   sync.RWMutex
	logger    = log.New(os.Stderr, "", log.Lmicroseconds)
	logKeys   = map[string]bool{}
	logNoTime bool
)

// UpdateLogKeys replaces (or extends) the set of enabled log keys.
func UpdateLogKeys(keys []string, replace bool) {
	logLock.Lock()
	defer logLock.Unlock()
	if replace {
		logKeys = map[string]bool{}
	}
	for _, key := range keys {
		key = strings.TrimSuffix(key, "+")
		logKeys[key] = true
	}
}

// LogTo logs a message if logging of the given key is enabled.
func LogTo(key string, format string, args ...any) {
	logLock.RLock()
	defer logLock.RUnlock()
	if logger != nil && logKeys[key] {
		printf(fgYellow+key+": "+reset+format, args...)
	}
}

// Warn logs a warning, whatever the keys.
func Warn(format string, args ...any) {
	logLock.RLock()
	defer logLock.RUnlock()
	if logger != nil {
		printf(fgRed+"WARNING: "+format+reset, args...)
	}
}

const (
	fgRed    = "\x1b[31m"
	fgYellow = "\x1b[33m"
	reset    = "\x1b[0m"
)

// printf must be called with logLock held (for reading).
func printf(format string, args ...any) {
	if logNoTime {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
		return
	}
	logger.Printf(format, args...)
}
