// Package fixed is the fixed version of doublelock/templ_214: Run stops the
// running commands (KillAll, renamed Stop) before it takes the mutex.
package fixed

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

// Stop stops every running command.
func Stop() (err error) {
	m.Lock()
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
	if err = Stop(); err != nil {
		return nil, err
	}
	m.Lock()
	defer m.Unlock()
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
	return Stop()
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
