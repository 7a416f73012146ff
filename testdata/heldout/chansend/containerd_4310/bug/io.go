// Package bug is a held-out kernel (issue 14): a shim's binary logging
// driver stops its logger process with SIGTERM and waits for it in a
// goroutine that reports Wait's result on an unbuffered channel; when the
// process outlives the grace period the driver kills it and returns, and
// the waiting goroutine blocks for ever on its send.
//
// Upstream: containerd/containerd#4310 ("Process I/O: Fix goroutine leak")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: binaryIO.cancel signals the logger with SIGTERM, starts
// `go func() { done <- b.cmd.Wait() }()` with done unbuffered, and
// selects on done and a timer of binaryIOProcTermTimeout; on the timer it
// kills the process and returns. The PR: "The goroutine executing
// b.cmd.Wait() can leak if it time outs and there is no corresponding
// reader for the done channel." The pipes and Close are reduced to what
// cancel needs; the struct layout is our reduction of pkg/process/io.go.
//
// Fix: done is made with a buffer of one ("an asynchronous buffered
// channel"), so the late send completes.
package bug

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

	done := make(chan error) // heldout:site
	go func() {
		done <- b.cmd.Wait() // heldout:site
	}()

	select {
	case err := <-done:
		return err
	case <-time.After(binaryIOProcTermTimeout):
		log.Printf("failed to wait for shim logger process to exit, killing")
		if err := b.cmd.Process.Kill(); err != nil {
			return fmt.Errorf("failed to kill shim logger process: %w", err)
		}
		return nil // heldout:site
	}
}
