// Package bug is a held-out kernel (issue 14): each invocation of a
// Restate Go service runs a goroutine that reads the request stream and
// hands every chunk to the invocation over an unbuffered channel; once
// the handler has finished or suspended nobody receives any more, and the
// read loop blocks for ever on its next send.
//
// Upstream: restatedev/sdk-go#141 ("Suspected goroutine/buffer leak in per-invocation readInputLoop under heavy suspend/resume churn")
// Round: 10
// Seen: 2026-11-27, development set (helpers read this round-10 kernel to tune the analyzers, after round 10 was measured)
//
// Bug: internal/restatecontext's invoke starts `go
// restateCtx.readInputLoop(logger)`, which loops reading the
// bidirectional stream into a pooled buffer and does `restateCtx.readChan
// <- readResult{nRead: read, buf: tempBuf}`; only pollProgress, called
// while the handler awaits a result, receives from readChan. When the
// handler returns (or suspends, by panicking with a SuspensionError that
// invoke recovers), the invocation writes its output and returns, and the
// next chunk Restate sends leaves the loop parked on the send. The issue's
// goroutine dumps show 305 readInputLoops "[chan send, 49 minutes]" at
// that line. The state machine and the HTTP/2 stream are reduced to
// interfaces; serveInvocation stands for net/http cancelling the request
// context once the handler returns.
//
// Fix: the send is a select that also receives from restateCtx.Done(),
// putting the buffer back and returning when the invocation's context is
// done.
package bug

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
)

// BufPool holds the read buffers.
var BufPool = sync.Pool{New: func() interface{} { return make([]byte, 1024) }}

// SuspensionError is how a handler suspends while it waits.
type SuspensionError struct{}

func (SuspensionError) Error() string { return "suspended" }

// Progress tells pollProgress what the state machine needs next.
type Progress int

const (
	ReadFromInput Progress = iota
	AnyCompleted
	Suspended
)

// StateMachine is the shared-core VM driving the invocation.
type StateMachine interface {
	NotifyInput(buf []byte)
	NotifyInputClosed()
	DoProgress(handle int) Progress
	TakeOutput() []byte
	SysWriteOutput(out []byte) error
	SysEnd() error
}

// Handler is the user's service handler.
type Handler interface {
	Call(ctx *ctx, input []byte) ([]byte, error)
}

type readResult struct {
	nRead int
	buf   []byte
}

type ctx struct {
	context.Context
	stream       io.ReadWriter
	stateMachine StateMachine
	readChan     chan readResult
	input        []byte
	logger       *slog.Logger
}

func newContext(parent context.Context, sm StateMachine, input []byte, stream io.ReadWriter, logger *slog.Logger) *ctx {
	return &ctx{
		Context:      parent,
		stream:       stream,
		stateMachine: sm,
		readChan:     make(chan readResult),
		input:        input,
		logger:       logger,
	}
}

func (restateCtx *ctx) readInputLoop() {
	defer close(restateCtx.readChan)

	for {
		tempBuf := BufPool.Get().([]byte)
		read, err := restateCtx.stream.Read(tempBuf)
		if err != nil {
			BufPool.Put(tempBuf)
			if err != io.EOF {
				restateCtx.logger.Warn("Unexpected when reading input", "err", err)
			}
			return
		}
		if read != 0 {
			restateCtx.readChan <- readResult{nRead: read, buf: tempBuf} // heldout:site
		}
	}
}

// pollProgress drives the state machine until handle has completed,
// feeding it input from the read loop.
func (restateCtx *ctx) pollProgress(handle int) {
	for {
		switch restateCtx.stateMachine.DoProgress(handle) {
		case AnyCompleted:
			return
		case Suspended:
			panic(SuspensionError{})
		case ReadFromInput:
			if err := takeOutputAndWriteOut(restateCtx.stateMachine, restateCtx.stream); err != nil {
				panic(err)
			}
			res, ok := <-restateCtx.readChan
			if !ok {
				restateCtx.stateMachine.NotifyInputClosed()
				continue
			}
			restateCtx.stateMachine.NotifyInput(res.buf[:res.nRead])
			BufPool.Put(res.buf)
		}
	}
}

// Await blocks the handler until the operation behind handle completes.
func (restateCtx *ctx) Await(handle int) {
	restateCtx.pollProgress(handle)
}

func takeOutputAndWriteOut(sm StateMachine, conn io.Writer) error {
	_, err := conn.Write(sm.TakeOutput())
	return err
}

// ExecuteInvocation runs one invocation of handler over stream.
func ExecuteInvocation(parent context.Context, logger *slog.Logger, sm StateMachine, stream io.ReadWriter, input []byte, handler Handler) {
	restateCtx := newContext(parent, sm, input, stream, logger)
	invoke(restateCtx, handler)
}

func invoke(restateCtx *ctx, handler Handler) {
	// Run read loop on a goroutine
	go restateCtx.readInputLoop()

	defer func() {
		switch typ := recover().(type) {
		case nil:
		case SuspensionError:
			restateCtx.logger.Info("Suspending invocation")
		default:
			restateCtx.logger.Error("Invocation panicked", "err", typ)
		}
		// Consume remaining state machine output
		if err := takeOutputAndWriteOut(restateCtx.stateMachine, restateCtx.stream); err != nil {
			restateCtx.logger.Warn("Error when consuming output", "err", err)
		}
	}()

	out, err := handler.Call(restateCtx, restateCtx.input)
	if err != nil {
		panic(err)
	}
	if err := restateCtx.stateMachine.SysWriteOutput(out); err != nil {
		panic(err)
	}
	if err := restateCtx.stateMachine.SysEnd(); err != nil {
		panic(err)
	}
}

// serveInvocation stands for the HTTP/2 server: the request context is
// cancelled once the handler returns.
func serveInvocation(parent context.Context, logger *slog.Logger, sm StateMachine, stream io.ReadWriter, input []byte, handler Handler) error {
	if stream == nil {
		return errors.New("no stream")
	}
	reqCtx, cancel := context.WithCancel(parent)
	defer cancel()
	ExecuteInvocation(reqCtx, logger, sm, stream, input, handler)
	return nil
}
