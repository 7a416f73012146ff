package chanblock_test

import (
	"testing"

	"github.com/asyncgo/asyncgo/analyzer/chanblock"
	"golang.org/x/tools/go/analysis/analysistest"
)

// TestNilParamFields runs nilParamFields' kernels (nilparamfield.go): a
// channel field set only from a parameter the package passes as nil, used
// by a plain send or receive, beside the fixed shape and look-alikes.
func TestNilParamFields(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), chanblock.Analyzer, "nilparam")
}
