// Package fixed is the fixed version of chansend/talos_8231: done has room
// for the exit result.
package fixed

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

	done := make(chan error, 1)
	go func() {
		done <- cmd.Wait()
	}()

	select {
	case sig := <-sigCh:
		cmd.Process.Kill()
		return &os.SyscallError{Syscall: "signal " + sig.String()}
	case err := <-done:
		return err
	}
}
