// Package fixed is the fixed version of chansend/containerd_4310: done has a
// buffer of one, so the goroutine waiting for the logger process can send
// after cancel has returned.
package fixed

import (
	"fmt"
	"io"
	"log"
	"os/exec"
	"syscall"
	"time"
)

const binaryIOProcTermTimeout = 12 * time.Second

type binaryIO struct {
	cmd      *exec.Cmd
	out, err pipe
}

type pipe struct {
	r io.ReadCloser
	w io.WriteCloser
}

func (p *pipe) Close() error {
	var err error
	if p.w != nil {
		err = p.w.Close()
	}
	if p.r != nil {
		if rerr := p.r.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Close closes the container's pipes and stops the logger process.
func (b *binaryIO) Close() error {
	var first error
	for _, p := range []*pipe{&b.out, &b.err} {
		if err := p.Close(); err != nil && first == nil {
			first = err
		}
	}
	if err := b.cancel(); err != nil && first == nil {
		first = err
	}
	return first
}

func (b *binaryIO) cancel() error {
	if b.cmd == nil || b.cmd.Process == nil {
		return nil
	}
	// Send SIGTERM first, so logger process has a chance to flush and exit properly
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		log.Printf("failed to send SIGTERM: %v", err)
		return b.cmd.Process.Kill()
	}

	done := make(chan error, 1)
	go func() {
		done <- b.cmd.Wait()
	}()

	select {
	case err := <-done:
		return err
	case <-time.After(binaryIOProcTermTimeout):
		log.Printf("failed to wait for shim logger process to exit, killing")
		if err := b.cmd.Process.Kill(); err != nil {
			return fmt.Errorf("failed to kill shim logger process: %w", err)
		}
		return nil
	}
}
