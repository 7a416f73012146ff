package main

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/asyncgo/asyncgo/internal/lsp"
)

// goplsNames are the names under which asyncgo is asyncgo lsp: a link
// to it named so stands for gopls where an editor takes a path and no
// arguments (VS Code's go.alternateTools).
var goplsNames = []string{"gopls", "asyncgo-gopls"}

func init() {
	if name := strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe"); slices.Contains(goplsNames, name) {
		os.Args = append([]string{os.Args[0], "lsp"}, os.Args[1:]...)
	}
	register(&cli.Command{
		Name:      "lsp",
		Usage:     "serve LSP on stdio: gopls with asyncgo's diagnostics and quick fixes",
		ArgsUsage: "[-gopls PATH] [-standalone] [-debounce D] [gopls flags] [serve [gopls serve flags]]",
		Description: `lsp is a language server for editors, used in place of gopls: it starts
gopls (from PATH, or -gopls PATH), passes every message between the editor
and gopls as it is, and adds asyncgo's diagnostics (source asyncgo/<analyzer>)
to gopls's, and asyncgo's suggested fixes to gopls's code actions as quick
fixes. The editor's unsaved buffers are analysed as they are typed.

It takes gopls's command line, so an editor can run it as it runs gopls:
gopls's flags and 'serve' (and its flags) are passed to gopls; any other gopls
command (version, check, ...) runs gopls itself with the same arguments.
Run through a link named asyncgo-gopls (or gopls), asyncgo is 'asyncgo lsp',
for editors that take the path of gopls but no arguments.

Flags of its own, before the gopls arguments:
  -gopls PATH     the gopls to run (default: gopls from PATH, else $GOPATH/bin)
  -standalone     run no gopls: publish asyncgo's diagnostics only
  -debounce D     how long typing must pause before an analysis (default 150ms)

The exit status is 0 after the editor's shutdown and exit, 1 after exit
without shutdown or the end of the input (as LSP says), 2 on a usage error.`,
		SkipFlagParsing: true,
		Action:          runLSP,
	})
}

// goplsValueFlags are the flags of gopls (and of gopls serve) that take a
// value, so that a value is not taken for a command.
var goplsValueFlags = []string{
	"debug", "listen", "listen.timeout", "logfile", "mode", "ocagent", "port",
	"profile.alloc", "profile.block", "profile.cpu", "profile.mem", "profile.trace",
	"remote", "remote.debug", "remote.listen.timeout", "remote.logfile",
}

// lspArgs is lsp's command line, split.
type lspArgs struct {
	gopls      string
	standalone bool
	debounce   time.Duration
	goplsArgs  []string // what gopls is run with
	command    string   // gopls's command: "" or "serve" for the server
	help       bool
}

// parseLSPArgs splits lsp's arguments into its own flags and gopls's.
func parseLSPArgs(args []string) (lspArgs, error) {
	var a lspArgs
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		isFlag := strings.HasPrefix(arg, "-") && arg != "-" && arg != "--"
		takeValue := func() (string, error) {
			if hasValue {
				return value, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("flag needs an argument: -%s", name)
			}
			i++
			return args[i], nil
		}
		switch {
		case a.command != "":
			a.goplsArgs = append(a.goplsArgs, arg)
		case isFlag && name == "gopls":
			v, err := takeValue()
			if err != nil {
				return a, err
			}
			a.gopls = v
		case isFlag && name == "standalone":
			a.standalone = !hasValue || value == "true"
		case isFlag && name == "debounce":
			v, err := takeValue()
			if err != nil {
				return a, err
			}
			d, err := time.ParseDuration(v)
			if err != nil {
				return a, fmt.Errorf("invalid value %q for flag -debounce: %v", v, err)
			}
			a.debounce = d
		case isFlag && (name == "h" || name == "help"):
			a.help = true
		case isFlag && slices.Contains(goplsValueFlags, name) && !hasValue:
			a.goplsArgs = append(a.goplsArgs, arg)
			if i+1 < len(args) {
				i++
				a.goplsArgs = append(a.goplsArgs, args[i])
			}
		case isFlag:
			a.goplsArgs = append(a.goplsArgs, arg)
		default:
			a.command = arg
			a.goplsArgs = append(a.goplsArgs, arg)
		}
	}
	return a, nil
}

// findGopls returns the gopls to run: from PATH, else from GOBIN or
// GOPATH/bin, where go install puts it.
func findGopls() string {
	if p, err := exec.LookPath("gopls"); err == nil {
		return p
	}
	dirs := []string{os.Getenv("GOBIN")}
	for _, d := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(d, "bin"))
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		p := filepath.Join(d, "gopls")
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			return p
		}
	}
	return "gopls"
}

func runLSP(c *cli.Context) error {
	a, err := parseLSPArgs(c.Args().Slice())
	if err != nil {
		return usageError(c, err, true)
	}
	if a.help {
		return cli.ShowCommandHelp(c.Lineage()[1], "lsp")
	}
	if a.gopls == "" && !a.standalone {
		a.gopls = findGopls()
	}
	if a.command != "" && a.command != "serve" {
		// gopls version, gopls check, ...: gopls itself answers.
		cmd := exec.Command(a.gopls, a.goplsArgs...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, c.App.Writer, c.App.ErrWriter
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return cli.Exit("", ee.ExitCode())
		}
		return err
	}

	srv := lsp.NewServer(lsp.Config{
		Gopls:      a.gopls,
		GoplsArgs:  a.goplsArgs,
		Standalone: a.standalone,
		Debounce:   a.debounce,
		Log:        c.App.ErrWriter,
	})
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		<-sigs // killed: end gopls, then exit
		srv.Close()
		os.Exit(1)
	}()
	err = srv.Serve(context.Background(), os.Stdin, os.Stdout)
	switch {
	case errors.Is(err, lsp.ErrNoShutdown):
		return cli.Exit("", 1)
	case err != nil:
		return cli.Exit(err.Error(), 2)
	}
	return nil
}
