package deadlock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock"
	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
)

func TestMain(m *testing.M) { vettest.Main(m, deadlock.Analyzer) }

func TestDeadlock(t *testing.T) {
	diags := vettest.Run(t, "testdata", "a", "b")
	for _, d := range diags {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information naming the other side", d.Line, d.Message)
		}
	}
}
