package cluster_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/futures"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	futures.WorkerMain() // the local workers, and those started by hand, serve here
	// Race-enabled workers would sleep a second at exit by default.
	os.Setenv("GORACE", os.Getenv("GORACE")+" atexit_sleep_ms=0")
	goleak.VerifyTestMain(m)
}

// Registered at package level, so that worker processes have them too.
var (
	gcdFunc = futures.Register("test.gcd", func(_ context.Context, p [2]int) (int, error) { return gcd(p[0], p[1]), nil })
	fail    = futures.Register("test.fail", func(_ context.Context, msg string) (int, error) { return 0, errors.New(msg) })
	explode = futures.Register("test.panic", func(context.Context, string) (int, error) { panic("kaboom") })
	length  = futures.Register("test.length", func(_ context.Context, s string) (int, error) {
		if s == "" {
			return 0, errors.New("empty")
		}
		return len(s), nil
	})
)

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

var pairs = [][2]int{{1963309, 2265973}, {2030677, 3814172}, {1551645, 2229620}, {2039045, 2020802}, {1823712, 1924928}}

// shutdownWithin shuts ex down and waits, failing the test rather than
// hanging when a task never finishes.
func shutdownWithin(t *testing.T, ex futures.Executor, d time.Duration) {
	t.Helper()
	done := make(chan struct{})
	go func() { ex.Shutdown(true, true); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Errorf("Shutdown(wait) did not return within %v: a task never finished", d)
	}
}
