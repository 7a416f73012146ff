// Package fixed is the fixed version of chansend/sliver_1089: done has
// room for the late result.
package fixed

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
	done := make(chan *ExecResp, 1)
	go func() {
		out, status, err := h.runner.Run(req.Path, req.Args)
		done <- &ExecResp{Stdout: out, Status: status, Err: err}
	}()

	timer := time.NewTimer(req.Timeout)
	defer timer.Stop()
	select {
	case resp := <-done:
		return resp
	case <-timer.C:
		return &ExecResp{Err: ErrTimeout}
	}
}
