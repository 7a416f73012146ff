// Package fixed is the fixed version of chansend/restatesdkgo_141: the read
// loop's send also waits on the invocation's context, so it returns once the
// invocation is over and its request context is cancelled.
package fixed

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
			select {
			case restateCtx.readChan <- readResult{nRead: read, buf: tempBuf}:
			case <-restateCtx.Done():
				BufPool.Put(tempBuf)
				return
			}
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
