package chanmodel

import (
	"fmt"
	"os"
)

var debug = os.Getenv("CHANMODEL_DEBUG") != ""

func dbg(format string, args ...any) {
	if debug {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}
