package lockorder_test

import (
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
	"github.com/asyncgo/asyncgo/analyzer/lockorder"
)

func TestMain(m *testing.M) { vettest.Main(m, lockorder.Analyzer) }

func TestLockorder(t *testing.T) {
	diags := vettest.Run(t, "testdata", "a", "b")
	// Every report names the other side with its position.
	for _, d := range diags {
		if len(d.Related) == 0 {
			t.Errorf("%d: %s: no related information", d.Line, d.Message)
		}
		if strings.Count(d.Message, ":") < 1 {
			t.Errorf("%d: %s: the message does not say which interleaving deadlocks", d.Line, d.Message)
		}
	}
}
