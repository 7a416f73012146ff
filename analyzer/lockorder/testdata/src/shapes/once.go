package shapes

import (
	"os"
	"sync"
)

// Upstream: AvengeMedia/DankMaterialShell#3361
//
// The logging package built its logger once: GetLogger ran the setup in a
// package-level sync.Once, and the setup, when a log file was configured,
// called SetLogFile, which starts with GetLogger to reach the logger.
// Inside Once.Do, that second GetLogger calls Do on the same Once, which
// waits for the running setup to return, and the setup is the caller:
// every command run with --log-file died with "all goroutines are
// asleep". Fix: SetLogFile uses the logger under construction instead of
// calling GetLogger from inside the setup.
type dankLogger struct {
	file *os.File
}

var (
	dankOnce   sync.Once
	dankLog    *dankLogger
	dankEnvLog = os.Getenv("DMS_LOG_FILE")
)

func DankGetLogger() *dankLogger {
	dankOnce.Do(func() { // want `dankOnce.Do is called again from inside its own function inside the function literal`
		dankLog = &dankLogger{}
		if dankEnvLog != "" {
			DankSetLogFile(dankEnvLog)
		}
	})
	return dankLog
}

func DankSetLogFile(path string) {
	l := DankGetLogger()
	f, err := os.Create(path)
	if err == nil {
		l.file = f
	}
}

// The fix: the setup opens the file on the logger it is building.
var (
	dankFixedOnce sync.Once
	dankFixedLog  *dankLogger
)

func DankGetLoggerFixed() *dankLogger {
	dankFixedOnce.Do(func() {
		dankFixedLog = &dankLogger{}
		if dankEnvLog != "" {
			dankSetLogFileOn(dankFixedLog, dankEnvLog)
		}
	})
	return dankFixedLog
}

func DankSetLogFileFixed(path string) {
	dankSetLogFileOn(DankGetLoggerFixed(), path)
}

func dankSetLogFileOn(l *dankLogger, path string) {
	f, err := os.Create(path)
	if err == nil {
		l.file = f
	}
}

// Upstream: DataDog/dd-trace-go#3683
//
// The telemetry client started its background flusher in a sync.Once
// field, and the once-function, when the recorder queue was already full,
// flushed through a helper that starts the flusher first, calling Do on
// the same Once: the test that filled the queue hung. Fix: the helper
// that needs the flusher running is not called from inside the Once.
type ddClient struct {
	startOnce sync.Once
	queue     []int
	started   bool
}

func (c *ddClient) start() {
	c.startOnce.Do(func() { // want `c.startOnce.Do is called again from inside its own function inside the function literal`
		c.started = true
		if len(c.queue) >= 16 {
			c.flush()
		}
	})
}

func (c *ddClient) flush() {
	c.start()
	c.queue = c.queue[:0]
}

// The fix: the once-function drains the queue itself.
type ddClientFixed struct {
	startOnce sync.Once
	queue     []int
	started   bool
}

func (c *ddClientFixed) start() {
	c.startOnce.Do(func() {
		c.started = true
		if len(c.queue) >= 16 {
			c.drain()
		}
	})
}

func (c *ddClientFixed) drain() { c.queue = c.queue[:0] }

func (c *ddClientFixed) flush() {
	c.start()
	c.drain()
}

// A look-alike: two Onces, one started from the other's function.
type ddTwoOnces struct {
	a, b sync.Once
	n    int
}

func (t *ddTwoOnces) initB() { t.b.Do(func() { t.n++ }) }

func (t *ddTwoOnces) initA() {
	t.a.Do(func() {
		t.initB()
	})
}

// A once wrapper in a package variable re-entered from the function it
// wraps (the sync.OnceValue form of the same bug): the wrapped function
// asks for the value it is computing. (Set in init: a package-level
// initializer referring to itself does not compile.)
var onceConfig func() map[string]string

func init() { onceConfig = sync.OnceValue(loadConfig) }

func loadConfig() map[string]string {
	cfg := map[string]string{"a": "1"}
	if cfg["include"] != "" {
		for k, v := range onceConfig() { // want `onceConfig \(a sync.OnceFunc/OnceValue wrapper\) is called again from inside its own function inside loadConfig`
			cfg[k] = v
		}
	}
	return cfg
}

// A look-alike: the wrapped function reads another wrapper.
var (
	onceBase    = sync.OnceValue(func() int { return 1 })
	onceDerived = sync.OnceValue(func() int { return onceBase() + 1 })
)

func useDerived() int { return onceDerived() }
