package deadlockleak_test

import (
	"strings"
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/deadlock/vettest"
	"github.com/asyncgo/asyncgo/analyzer/deadlockleak"
)

func TestMain(m *testing.M) { vettest.Main(m, deadlockleak.Analyzer) }

func TestDeadlockleak(t *testing.T) {
	fixes := 0
	for _, d := range vettest.Run(t, "testdata", "a") {
		if len(d.Related) < 3 {
			t.Errorf("%d: want related information for the select, the winning case and the return, got %q", d.Line, d.Related)
		}
		for _, f := range d.Fixes {
			fixes++
			if !strings.HasSuffix(f, `", 1"`) {
				t.Errorf("%d: fix %q does not add a buffer of one", d.Line, f)
			}
		}
	}
	if fixes != 4 {
		t.Errorf("got %d suggested fixes, want 4 (one per single-send leak)", fixes)
	}
}
