// Package bug is a held-out kernel (issue 14): a logging helper that
// read-locks the log configuration and calls a printer that read-locks it
// again.
//
// Upstream: couchbase/sync_gateway#1492 ("Avoid nested read locks in logging.go")
// Round: 3
//
// Bug: LogTo (and the other level helpers) take logLock.RLock to check
// whether the key is enabled and then call printf, which takes
// logLock.RLock again to read the logger. A goroutine that changes the
// log keys (UpdateLogKeys takes logLock.Lock) between the two RLocks
// leaves both stuck: the writer waits for the first read lock, the second
// RLock waits behind the writer. It intermittently hung unit tests
// (#1491). The set of helpers is reduced to LogTo, Warn and printf.
//
// Fix: printf no longer locks; every caller already holds the read lock.
package bug

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
	logLock.Lock() // heldout:site
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
		printf(fgYellow+key+": "+reset+format, args...) // heldout:site
	}
}

// Warn logs a warning, whatever the keys.
func Warn(format string, args ...any) {
	logLock.RLock()
	defer logLock.RUnlock()
	if logger != nil {
		printf(fgRed+"WARNING: "+format+reset, args...) // heldout:site
	}
}

const (
	fgRed    = "\x1b[31m"
	fgYellow = "\x1b[33m"
	reset    = "\x1b[0m"
)

func printf(format string, args ...any) {
	logLock.RLock() // heldout:site
	defer logLock.RUnlock()
	if logNoTime {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
		return
	}
	logger.Printf(format, args...)
}
