package aio

import (
	"log/slog"
	"os"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
)

// Option configures a loop made by NewLoop or Run.
type Option func(*Loop)

// WithDebug turns debug mode on or off (Python's loop.set_debug). In
// debug mode a task step or callback that holds the loop longer than the
// slow-step threshold (100ms unless WithSlowStep says otherwise) is logged
// with the task's name and the stack where it was at the time: typically a
// blocking call that should have been awaited; tasks still pending at
// Close are logged; and while the loop runs, coroutines are tracked (see
// TrackCoroutines) and reported to the loop's logger, unless tracking is
// on already. Setting the environment variable ASYNCGO_DEBUG=1 turns debug
// mode on for every loop.
func WithDebug(on bool) Option { return func(l *Loop) { l.debug = on } }

// WithSlowStep sets the slow-step threshold of debug mode and turns debug
// mode on.
func WithSlowStep(d time.Duration) Option {
	return func(l *Loop) { l.debug, l.slow = true, d }
}

// WithLogger sets the logger of the loop's reports: slow steps, errors
// never retrieved, panicking callbacks. The default is slog.Default().
func WithLogger(logger *slog.Logger) Option { return func(l *Loop) { l.logger = logger } }

// WithVirtualClock gives the loop a virtual clock that reads start at
// first and advances only when every task waits on a timer and no I/O or
// executor work is in flight: then it jumps to the next timer. Programs
// that sleep (simulations, tests) run at once, and deterministically.
// While work on other goroutines is in flight the virtual clock stands
// still. A loop with a virtual clock and nothing at all to do waits for
// CallSoonThreadsafe, as any loop does.
func WithVirtualClock(start time.Time) Option {
	return func(l *Loop) { l.virtual, l.epoch = true, start }
}

// WithExecutor sets the loop's default executor, used by ToThread and by
// RunInExecutor with a nil executor (Python's set_default_executor). The
// loop shuts it down when it closes. The default is a futures.ThreadPool
// made on first use.
func WithExecutor(ex futures.Executor) Option { return func(l *Loop) { l.executor = ex } }

// debugEnv is ASYNCGO_DEBUG, Python's PYTHONASYNCIODEBUG.
var debugEnv = os.Getenv("ASYNCGO_DEBUG") != ""
