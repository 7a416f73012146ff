package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestRecvVariants runs the session-25 chanrecv variants (each a
// development kernel's bug written the way another programmer would: the
// channel in an embedded struct or behind an accessor, the closer started
// by a helper, the wait a range or a select loop, the goroutine a method)
// beside their fixed twins, and look-alikes that must stay silent.
func TestRecvVariants(t *testing.T) {
	pkgs := []string{"recvvar/lookalike"}
	for _, v := range []string{"rangefield", "embedded", "helperspawn", "selectloop", "goparam", "timermap", "recvaccessor", "recvresult", "servedmethod", "tickerselect", "startaccessor"} {
		pkgs = append(pkgs, "recvvar/"+v, "recvvar/"+v+"fixed")
	}
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, pkgs...)
}
