// Command asyncgo is the asyncgo command line: it rewrites annotated generator
// and async functions into state machines, lints packages (blocking calls in
// async code, deadlocks, locks held across a suspension, coroutines never
// awaited), and runs the demo.
//
// Each subcommand lives in its own file of this package and registers itself
// with register from an init function, so the parts of the tool stay apart.
//
// Usage errors follow the go command's conventions: an unknown command or a
// bad flag prints one error line and the short usage on standard error and
// exits with status 2; help asked for (-h, asyncgo help) goes to standard
// output with status 0.
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

// commandUsage is the short usage of a subcommand, printed after a usage
// error (the full help is 'asyncgo help <command>').
const commandUsage = `usage: {{template "usageTemplate" .}}{{if .VisibleFlags}}
options:{{template "visibleFlagTemplate" .}}{{end}}
Run 'asyncgo help {{.Name}}' for details.
`

// appUsage is the short usage of asyncgo itself.
const appUsage = `usage: {{.HelpName}} <command> [arguments]
commands:{{template "visibleCommandTemplate" .}}
Run 'asyncgo help <command>' for details.
`

func newApp() *cli.App {
	cmds := append([]*cli.Command(nil), commands...)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	for _, c := range cmds {
		// The subcommands take no subcommands: 'asyncgo lint help' lints
		// a package named help, it does not print the help.
		c.HideHelpCommand = true
		c.OnUsageError = usageError
		if c.ArgsUsage == "" && c.Before == nil {
			c.Before = noArgs
		}
	}
	cmds = append(cmds, &cli.Command{
		Name:      "help",
		Aliases:   []string{"h"},
		Usage:     "show the commands, or the help of one command",
		ArgsUsage: "[command]",
		Action:    help,
	})
	return &cli.App{
		Name:            "asyncgo",
		Usage:           "Python's generators, asyncio and concurrent.futures for Go, kept safe",
		Commands:        cmds,
		Flags:           []cli.Flag{cli.HelpFlag}, // not added with a help command of our own
		OnUsageError:    usageError,
		Action:          noCommand,
		HideHelpCommand: true, // the help command above replaces urfave/cli's
		// Subcommands choose their own exit codes (gofmt's and vet's conventions).
		ExitErrHandler: func(*cli.Context, error) {},
	}
}

// usageError reports a flag that cannot be parsed: one line naming the
// command and the error, then the command's short usage, on standard error;
// the exit status is 2.
func usageError(c *cli.Context, err error, isSubcommand bool) error {
	w := c.App.ErrWriter
	if isSubcommand {
		fmt.Fprintf(w, "%s: %v\n", c.Command.HelpName, err)
		cli.HelpPrinter(w, commandUsage, c.Command)
	} else {
		fmt.Fprintf(w, "%s: %v\n", c.App.Name, err)
		cli.HelpPrinter(w, appUsage, c.App)
	}
	return cli.Exit("", 2)
}

// noArgs rejects the arguments of a command that takes none, as a usage
// error.
func noArgs(c *cli.Context) error {
	if c.NArg() == 0 {
		return nil
	}
	return usageError(c, fmt.Errorf("unexpected argument %q", c.Args().First()), true)
}

// unknownCommand reports a command asyncgo does not have, with the list of
// those it has, on standard error; the exit status is 2.
func unknownCommand(c *cli.Context, name string) error {
	w := c.App.ErrWriter
	fmt.Fprintf(w, "%s: unknown command %q\n", c.App.Name, name)
	cli.HelpPrinter(w, appUsage, c.App)
	return cli.Exit("", 2)
}

// noCommand runs when no subcommand matched: the first argument is not a
// command, or there is none. Either is a usage error.
func noCommand(c *cli.Context) error {
	if c.Args().Present() {
		return unknownCommand(c, c.Args().First())
	}
	fmt.Fprintf(c.App.ErrWriter, "%s: no command given\n", c.App.Name)
	cli.HelpPrinter(c.App.ErrWriter, appUsage, c.App)
	return cli.Exit("", 2)
}

// help prints the full help of asyncgo or of the command named, on
// standard output.
func help(c *cli.Context) error {
	root := c.Lineage()[1] // the context the help command runs in
	switch c.NArg() {
	case 0:
		return cli.ShowAppHelp(root)
	case 1:
		name := c.Args().First()
		if c.App.Command(name) == nil {
			return unknownCommand(c, name)
		}
		return cli.ShowCommandHelp(root, name)
	}
	fmt.Fprintf(c.App.ErrWriter, "%s: help takes at most one command, got %d arguments\n", c.Command.HelpName, c.NArg())
	cli.HelpPrinter(c.App.ErrWriter, commandUsage, c.Command)
	return cli.Exit("", 2)
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
	serveVettool() // go vet runs asyncgo as its vet tool (lint.go)
	if err := newApp().Run(os.Args); err != nil {
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(os.Stderr, "asyncgo:", msg)
		}
		os.Exit(exitCode(err))
	}
}
