// Package bug is a held-out kernel (issue 14): a command runner waits for
// the command on an unbuffered channel or a timer, and when the timer
// fires first the goroutine that ran the command blocks forever on its
// send.
//
// Upstream: BishopFox/sliver#1089 ("fix goroutine leak")
// Round: 4
//
// Bug: the runner starts the work in a goroutine that reports on an
// unbuffered done channel and selects on done and a timer. If the timer
// fires first the runner returns, nobody receives from done again, and
// the goroutine blocks on its send forever, one leaked goroutine per
// timed-out request. The thread states the bug but not the code around
// it: the request/response types and the runner are our reduction.
//
// Fix: done has a buffer of one, so the late send completes (our reading
// of the PR, which describes the unbuffered channel as the cause).
package bug

import (
	"errors"
	"time"
)

// ErrTimeout is returned when the command outlives its timeout.
var ErrTimeout = errors.New("command timed out")

// ExecReq asks the implant to run a command.
type ExecReq struct {
	Path    string
	Args    []string
	Timeout time.Duration
}

// ExecResp is the command's result.
type ExecResp struct {
	Stdout []byte
	Status int
	Err    error
}

// Runner runs a command to completion.
type Runner interface {
	Run(path string, args []string) ([]byte, int, error)
}

type execHandler struct {
	runner Runner
}

func (h *execHandler) handle(req *ExecReq) *ExecResp {
	done := make(chan *ExecResp)
	go func() {
		out, status, err := h.runner.Run(req.Path, req.Args)
		done <- &ExecResp{Stdout: out, Status: status, Err: err} // heldout:site
	}()

	timer := time.NewTimer(req.Timeout)
	defer timer.Stop()
	select {
	case resp := <-done:
		return resp
	case <-timer.C:
		return &ExecResp{Err: ErrTimeout} // heldout:site
	}
}
