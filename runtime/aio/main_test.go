package aio_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/asyncgo/asyncgo/internal/testbound"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// deadline bounds every wait of the tests.
const deadline = testbound.Deadline

// within runs f, failing the test if it does not return within the
// deadline.
func within(t *testing.T, f func()) {
	t.Helper()
	testbound.Within(t, func() struct{} { f(); return struct{}{} })
}
