// Package bug is a held-out kernel (issue 14): a process-exit result sent
// on an unbuffered channel whose receiver may have returned on a signal.
//
// Upstream: siderolabs/talos#8231 ("chore: fix channel blocking on qemu launch")
//
// Bug: launchVM waits for QEMU in a goroutine that sends cmd.Wait()'s
// result on the unbuffered done; the launcher selects on done and on
// signals, and on a signal it kills QEMU and returns, so the goroutine's
// send, made once the killed process is reaped, has no receiver.
//
// Fix: done has a buffer of one.
package bug

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
)

// LaunchConfig describes one VM.
type LaunchConfig struct {
	QemuExecutable string
	Args           []string
}

func launchVM(config *LaunchConfig) error {
	cmd := exec.Command(config.QemuExecutable, config.Args...)
	if err := cmd.Start(); err != nil {
		return err
	}

	sigCh := make(chan os.Signal, 1)
	signal.Notify(sigCh, syscall.SIGINT, syscall.SIGTERM)

	done := make(chan error)
	go func() {
		done <- cmd.Wait() // heldout:site
	}()

	select {
	case sig := <-sigCh: // heldout:site
		cmd.Process.Kill()
		return &os.SyscallError{Syscall: "signal " + sig.String()}
	case err := <-done:
		return err
	}
}
