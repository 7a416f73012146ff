// Package bug is a held-out kernel (issue 14): a one-shot mode of run()
// that returns a nil result channel, on which main's select waits.
//
// Upstream: pganalyze/collector#592 ("Fix hang for --discover-log-location flag")
// Round: 3
// Seen: 2026-11-27, development set (helpers read this round-3 kernel to tune the analyzers, after round 3 was measured; round 4 stays held out)
//
// Bug: run() returns a testRunSuccess channel that main selects on (with
// the signal channel) to learn how a test run ended. The
// --discover-log-location path of run() prints what it found and returns
// without creating that channel (missed when #384 added it), so main
// selects on a nil channel and the collector hangs until it is killed.
// The review thread explains the nil-channel select; the options and the
// other branches of run() are our reduction.
//
// Fix: the discover-log-location branch creates testRunSuccess with a
// buffer of one and sends true on it.
package bug

import (
	"context"
	"os"
	"sync"
)

// CollectionOpts are the command-line options.
type CollectionOpts struct {
	DiscoverLogLocation bool
	TestRun             bool
	TestRunLogs         bool
}

type server struct{ name string }

type logger interface {
	PrintInfo(format string, args ...any)
	PrintError(format string, args ...any)
}

func discoverLogLocation(ctx context.Context, servers []*server, opts CollectionOpts, l logger) {
	for _, s := range servers {
		l.PrintInfo("%s: log location is /var/log/postgresql", s.name)
	}
}

func testRun(ctx context.Context, servers []*server, l logger) bool { return len(servers) > 0 }

func run(ctx context.Context, wg *sync.WaitGroup, opts CollectionOpts, l logger, servers []*server) (keepRunning bool, testRunSuccess chan bool) {
	if opts.DiscoverLogLocation {
		discoverLogLocation(ctx, servers, opts, l)
		return // heldout:site
	}

	if opts.TestRun {
		testRunSuccess = make(chan bool, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			testRunSuccess <- testRun(ctx, servers, l)
		}()
		return
	}

	keepRunning = true
	return
}

// Main is the collector's main, returning the exit code.
func Main(opts CollectionOpts, l logger, servers []*server, sigs <-chan os.Signal, reload func()) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	exitCode := 0

	keepRunning, testRunSuccess := run(ctx, &wg, opts, l, servers)
	if keepRunning {
		for sig := range sigs {
			if sig == os.Interrupt {
				break
			}
			reload()
		}
		cancel()
		wg.Wait()
		return exitCode
	}

	select {
	case success := <-testRunSuccess: // heldout:site
		if !success {
			exitCode = 1
		}
	case <-sigs:
		l.PrintError("interrupted")
		exitCode = 1
	}
	cancel()
	wg.Wait()
	return exitCode
}
