// Command asyncvet runs asyncgo's analyzers under go vet. From a clone of
// asyncgo (the module is not published yet, so @latest does not resolve):
//
//	go install ./cmd/asyncvet
//	go vet -vettool=$(command -v asyncvet) ./...
//
// It accepts go vet's flags, and a flag per analyzer to choose which run
// (for example -lockorder=false); `asyncvet help` lists them.
package main

import (
	"golang.org/x/tools/go/analysis/unitchecker"

	"github.com/asyncgo/asyncgo/analyzer/suite"
)

func main() {
	tuneGC()
	unitchecker.Main(suite.Analyzers()...)
}
