// Command asyncgo is the asyncgo command line: it rewrites annotated generator
// and async functions into state machines, lints packages for blocking calls
// and deadlocks, and runs the demo.
//
// Each subcommand lives in its own file of this package and registers itself
// with register from an init function, so the parts of the tool stay apart.
package main

import (
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/urfave/cli/v2"
)

var commands []*cli.Command

// register adds a subcommand to the asyncgo CLI.
func register(c *cli.Command) { commands = append(commands, c) }

func newApp() *cli.App {
	cmds := append([]*cli.Command(nil), commands...)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	return &cli.App{
		Name:     "asyncgo",
		Usage:    "Python's generators, asyncio and concurrent.futures for Go, kept safe",
		Commands: cmds,
		// Subcommands choose their own exit codes (gofmt's and vet's conventions).
		ExitErrHandler: func(*cli.Context, error) {},
	}
}

// exitCode is the status a subcommand's error exits with: the code of a
// cli.ExitCoder, 2 for any other error, 0 for none.
func exitCode(err error) int {
	var ec cli.ExitCoder
	switch {
	case errors.As(err, &ec):
		return ec.ExitCode()
	case err != nil:
		return 2
	}
	return 0
}

func main() {
	if err := newApp().Run(os.Args); err != nil {
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(os.Stderr, "asyncgo:", msg)
		}
		os.Exit(exitCode(err))
	}
}
