package futures_test

import (
	"os"
	"testing"

	"github.com/asyncgo/asyncgo/runtime/futures"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	futures.WorkerMain() // the ProcessPool tests' workers serve here
	// Race-enabled workers would sleep a second at exit by default.
	os.Setenv("GORACE", os.Getenv("GORACE")+" atexit_sleep_ms=0")
	goleak.VerifyTestMain(m)
}
