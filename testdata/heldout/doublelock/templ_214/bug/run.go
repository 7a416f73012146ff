// Package bug is a held-out kernel (issue 14): `templ generate --watch
// --cmd` restarts the user's command after each change. Run locks the
// package's mutex over the map of running commands and, when a command
// for the same input is already running, calls KillAll to stop it; KillAll
// locks the same mutex again, so the first rebuild after a change hangs
// in KillAll and the watcher never restarts the command.
//
// Upstream: a-h/templ#214 ("fix: hang after m.Lock in KillAll (caused by #181)")
// Round: 16
//
// Bug: the package-level mutex and map, KillAll and Run follow
// cmd/templ/generatecmd/run after a-h/templ#181; os/exec and the process
// group signals are reduced to a Process interface and a start func, and
// the watcher loop to Rebuild. That Run reached KillAll with the lock held
// is the PR's description; the exact lines before it are our reduction.
//
// Fix: the PR stops the running commands before Run takes the mutex (and
// renames KillAll to Stop).
package bug

import (
	"context"
	"strings"
	"sync"
)

// Process is a started command.
type Process interface {
	Signal(sig string) error
}

// Starter starts an executable with args in dir.
type Starter func(ctx context.Context, dir, executable string, args []string) (Process, error)

var (
	m       = &sync.Mutex{}
	running = map[string]Process{}
)

// KillAll stops every running command.
func KillAll() (err error) {
	m.Lock() // heldout:site
	defer m.Unlock()
	for _, p := range running {
		if err = p.Signal("TERM"); err != nil {
			return err
		}
		if err = p.Signal("KILL"); err != nil {
			return err
		}
	}
	running = map[string]Process{}
	return
}

// Run (re)starts the command line input in workingDir.
func Run(ctx context.Context, start Starter, workingDir, input string) (p Process, err error) {
	m.Lock()
	defer m.Unlock()
	if _, ok := running[input]; ok {
		if err = KillAll(); err != nil { // heldout:site
			return nil, err
		}
	}
	parts := strings.Fields(input)
	executable := parts[0]
	args := []string{}
	if len(parts) > 1 {
		args = append(args, parts[1:]...)
	}
	p, err = start(ctx, workingDir, executable, args)
	if err != nil {
		return nil, err
	}
	running[input] = p
	return p, nil
}

type fakeProcess struct{ signals []string }

func (f *fakeProcess) Signal(sig string) error {
	f.signals = append(f.signals, sig)
	return nil
}

func fakeStart(ctx context.Context, dir, executable string, args []string) (Process, error) {
	return &fakeProcess{}, nil
}

// Rebuild runs the command after the first build and after each change.
func Rebuild(ctx context.Context, changes <-chan struct{}) error {
	if _, err := Run(ctx, fakeStart, ".", "go run ."); err != nil {
		return err
	}
	for range changes {
		if _, err := Run(ctx, fakeStart, ".", "go run ."); err != nil {
			return err
		}
	}
	return KillAll()
}

// Watch feeds Rebuild one change.
func Watch(ctx context.Context) error {
	changes := make(chan struct{})
	go func() {
		defer close(changes)
		changes <- struct{}{}
	}()
	return Rebuild(ctx, changes)
}
