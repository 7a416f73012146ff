package aio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asyncgo/asyncgo/runtime/aio"
)

// The resumable operations beyond the primitives' waits (resume.go),
// each run twice by a task: through the direct-mode function, and stepped
// by a lowered body (a script); the main task cancels it while it waits,
// or lets it fail or time out. Both runs must log the same lines, at the
// same virtual times and in the same order against the other tasks, and
// that log must be what asyncio does (want, from Python's documentation
// of each call).

// opLog is what a case logs, each line with the loop's virtual time.
type opLog struct {
	l     *aio.Loop
	lines []string
}

func (o *opLog) printf(format string, args ...any) {
	o.lines = append(o.lines, fmt.Sprintf("%v ", o.l.Now().Sub(time.Unix(0, 0)))+fmt.Sprintf(format, args...))
}

// opCase is one operation, called directly (direct) or stepped by a
// lowered body (lowered: the operation started, and its outcome once
// over), in a task that main spawns and drives.
type opCase struct {
	name    string
	direct  func(t *aio.Task, o *opEnv) string
	lowered func(o *opEnv) (start func(t *aio.Task) stepper, result func() string)
	main    func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error
	want    string
}

// opEnv is what a case's tasks share.
type opEnv struct {
	opLog
	hs  []*aio.Handle[int]
	any any
}

// sleeper returns a coroutine that sleeps ms milliseconds, logging its
// end, and returns ms, or fails with errBoom if fail.
func (o *opEnv) sleeper(name string, ms int, fail bool) *aio.Coroutine[int] {
	return aio.Async(func(t *aio.Task) (int, error) {
		if err := aio.Sleep(t, time.Duration(ms)*time.Millisecond); err != nil {
			o.printf("%s: %v", name, err)
			return 0, err
		}
		o.printf("%s: end", name)
		if fail {
			return 0, errBoom
		}
		return ms, nil
	})
}

var errBoom = errors.New("boom")

func (o *opEnv) tasks(t *aio.Task, specs ...int) []*aio.Handle[int] {
	o.hs = nil
	for i, ms := range specs {
		fail := ms < 0
		o.hs = append(o.hs, aio.CreateTask(t, o.sleeper(fmt.Sprint("c", i), max(ms, -ms), fail), aio.Name(fmt.Sprint("c", i))))
	}
	return o.hs
}

func awaitables(hs []*aio.Handle[int]) []aio.Awaitable[int] {
	var as []aio.Awaitable[int]
	for _, h := range hs {
		as = append(as, h)
	}
	return as
}

func handleNames(hs []*aio.Handle[int]) string {
	var s []string
	for _, h := range hs {
		s = append(s, h.Name())
	}
	return strings.Join(s, ",")
}

// cancelAfter is a main that spawns the body, cancels it after ms
// milliseconds (never if ms < 0) and logs how it ended: the body logs
// the operation's outcome and returns, so a cancellation delivered to it
// is handled, and the task finishes (Python's task that catches
// CancelledError).
func cancelAfter(ms int) func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
	return func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
		h := spawn()
		if ms >= 0 {
			if err := aio.Sleep(t, time.Duration(ms)*time.Millisecond); err != nil {
				return err
			}
			o.printf("cancel %v", h.Cancel())
		}
		_, err := aio.Await(t, h)
		o.printf("body: %v", err)
		aio.Sleep(t, 100*time.Millisecond) // the children end
		return nil
	}
}

var opCases = []opCase{
	{
		name: "gather-cancelled",
		direct: func(t *aio.Task, o *opEnv) string {
			rs, err := aio.Gather(t, awaitables(o.tasks(t, 10, 20))...)
			return fmt.Sprint(rs, err)
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.Gathering[int]
			return func(t *aio.Task) stepper { a.Start(t, awaitables(o.tasks(t, 10, 20))...); return &a },
				func() string { rs, err := a.Result(); return fmt.Sprint(rs, err) }
		},
		main: cancelAfter(15),
		want: "10ms c0: end|15ms cancel true|15ms c1: aio: cancelled|15ms op: [] aio: cancelled|15ms body: <nil>",
	},
	{
		name: "gather-errors",
		direct: func(t *aio.Task, o *opEnv) string {
			rs, errs, err := aio.GatherErrors(t, awaitables(o.tasks(t, -10, 20, 5))...)
			return fmt.Sprint(rs, errs, err)
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.Gathering[int]
			return func(t *aio.Task) stepper { a.StartErrors(t, awaitables(o.tasks(t, -10, 20, 5))...); return &a },
				func() string { rs, errs, err := a.ResultErrors(); return fmt.Sprint(rs, errs, err) }
		},
		main: cancelAfter(-1),
		want: "5ms c2: end|10ms c0: end|20ms c1: end|20ms op: [0 20 5] [boom <nil> <nil>] <nil>|20ms body: <nil>",
	},
	{
		name: "wait-first-exception",
		direct: func(t *aio.Task, o *opEnv) string {
			done, pending, err := aio.Wait(t, o.tasks(t, 30, -10, 20), aio.FirstException)
			return handleNames(done) + " " + handleNames(pending) + " " + fmt.Sprint(err)
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.Waiting[*aio.Handle[int]]
			return func(t *aio.Task) stepper { a.Start(t, o.tasks(t, 30, -10, 20), aio.FirstException); return &a },
				func() string {
					done, pending, err := a.Result()
					return handleNames(done) + " " + handleNames(pending) + " " + fmt.Sprint(err)
				}
		},
		main: cancelAfter(-1),
		want: "10ms c1: end|10ms op: c1 c0,c2 <nil>|10ms body: <nil>|20ms c2: end|30ms c0: end",
	},
	{
		name: "wait-timeout-cancelled",
		direct: func(t *aio.Task, o *opEnv) string {
			done, pending, err := aio.WaitTimeout(t, o.tasks(t, 30, 10), aio.AllCompleted, 50*time.Millisecond)
			return handleNames(done) + " " + handleNames(pending) + " " + fmt.Sprint(err)
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.Waiting[*aio.Handle[int]]
			return func(t *aio.Task) stepper {
					a.StartTimeout(t, o.tasks(t, 30, 10), aio.AllCompleted, 50*time.Millisecond)
					return &a
				}, func() string {
					done, pending, err := a.Result()
					return handleNames(done) + " " + handleNames(pending) + " " + fmt.Sprint(err)
				}
		},
		main: cancelAfter(20),
		want: "10ms c1: end|20ms cancel true|20ms op:   aio: cancelled|20ms body: <nil>|30ms c0: end",
	},
	{
		name: "wait-for-timeout",
		direct: func(t *aio.Task, o *opEnv) string {
			v, err := aio.WaitFor(t, aio.Awaitable[int](o.tasks(t, 30)[0]), 10*time.Millisecond)
			return fmt.Sprint(v, err, t.Cancelling())
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.WaitingFor[int]
			var task *aio.Task
			return func(t *aio.Task) stepper {
					task = t
					a.Start(t, o.tasks(t, 30)[0], 10*time.Millisecond)
					return &a
				}, func() string {
					v, err := a.Result()
					return fmt.Sprint(v, err, task.Cancelling())
				}
		},
		main: cancelAfter(-1),
		want: "10ms c0: aio: cancelled|10ms op: 0 aio: timed out 0|10ms body: <nil>",
	},
	{
		name: "wait-for-zero",
		direct: func(t *aio.Task, o *opEnv) string {
			v, err := aio.WaitFor(t, aio.Awaitable[int](o.tasks(t, 30)[0]), 0)
			return fmt.Sprint(v, err, o.hs[0].Cancelled())
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.WaitingFor[int]
			return func(t *aio.Task) stepper { a.Start(t, o.tasks(t, 30)[0], 0); return &a },
				func() string { v, err := a.Result(); return fmt.Sprint(v, err, o.hs[0].Cancelled()) }
		},
		main: cancelAfter(-1),
		want: "0s op: 0 aio: timed out true|0s body: <nil>",
	},
	{
		name: "shield-cancelled",
		direct: func(t *aio.Task, o *opEnv) string {
			v, err := aio.Shield(t, aio.Awaitable[int](o.tasks(t, 30)[0]))
			return fmt.Sprint(v, err)
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.Shielding[int]
			return func(t *aio.Task) stepper { a.Start(t, o.tasks(t, 30)[0]); return &a },
				func() string { v, err := a.Result(); return fmt.Sprint(v, err) }
		},
		main: cancelAfter(10),
		want: "10ms cancel true|10ms op: 0 aio: cancelled|10ms body: <nil>|30ms c0: end",
	},
	{
		name: "as-completed-cancelled",
		direct: func(t *aio.Task, o *opEnv) string {
			var got []string
			for h, err := range aio.AsCompleted(t, o.tasks(t, 20, 10, 10, 40)) {
				if err != nil {
					got = append(got, err.Error())
					break
				}
				got = append(got, h.Name())
				o.printf("took %s", h.Name())
			}
			return strings.Join(got, ",")
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			// The loop: one stage per iteration, added as it goes.
			var a aio.Completions[*aio.Handle[int]]
			var got []string
			s := new(script)
			var iterate func()
			iterate = func() {
				s.then(func(*aio.Task) stepper { return &a }, func() error {
					h, err, ok := a.Next()
					switch {
					case !ok:
					case err != nil:
						got = append(got, err.Error())
					default:
						got = append(got, h.Name())
						o.printf("took %s", h.Name())
						iterate()
					}
					return nil
				})
			}
			iterate()
			return func(t *aio.Task) stepper {
					a.Start(t, o.tasks(t, 20, 10, 10, 40))
					return s.asOp()
				}, func() string {
					a.Stop(nil)
					return strings.Join(got, ",")
				}
		},
		main: cancelAfter(30),
		want: "10ms c1: end|10ms c2: end|10ms took c1|10ms took c2|20ms c0: end|20ms took c0|30ms cancel true|30ms op: c1,c2,c0,aio: cancelled|30ms body: <nil>|40ms c3: end",
	},
	{
		name: "run-in-executor-cancelled",
		direct: func(t *aio.Task, o *opEnv) string {
			v, err := aio.RunInExecutor(t, nil, o.any.(func(context.Context) (string, error)))
			return fmt.Sprint(v, err)
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.InExecutor[string]
			return func(t *aio.Task) stepper { a.Start(t, nil, o.any.(func(context.Context) (string, error))); return &a },
				func() string { v, err := a.Result(); return fmt.Sprint(v, err) }
		},
		main: func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
			started, stopped := make(chan struct{}), make(chan string, 1)
			o.any = func(ctx context.Context) (string, error) {
				close(started)
				<-ctx.Done()
				stopped <- fmt.Sprint(context.Cause(ctx))
				return "late", nil
			}
			h := spawn()
			if _, err := aio.ToThread(t, func() (unit, error) { <-started; return unit{}, nil }); err != nil {
				return err
			}
			o.printf("cancel %v", h.Cancel())
			_, err := aio.Await(t, h)
			o.printf("body: %v; the call stopped by %v", err, <-stopped)
			return nil
		},
		want: "0s cancel true|0s op: aio: cancelled|0s body: <nil>; the call stopped by aio: cancelled",
	},
	{
		name: "read-cancelled",
		direct: func(t *aio.Task, o *opEnv) string {
			line, err := o.any.(*aio.StreamReader).ReadLine(t)
			return fmt.Sprintf("%q %v", line, err)
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.Reading
			return func(t *aio.Task) stepper { a.StartLine(t, o.any.(*aio.StreamReader)); return &a },
				func() string { line, err := a.Result(); return fmt.Sprintf("%q %v", line, err) }
		},
		main: func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
			peer := make(chan net.Conn, 1)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			defer ln.Close()
			go func() {
				c, _ := ln.Accept()
				peer <- c
			}()
			r, w, err := aio.OpenConnection(t, ln.Addr().String())
			if err != nil {
				return err
			}
			defer w.Close()
			c := <-peer
			defer c.Close()
			o.any = r
			h := spawn()
			aio.Sleep(t, 0)
			aio.Sleep(t, 0)
			o.printf("cancel %v", h.Cancel())
			_, err = aio.Await(t, h)
			o.printf("body: %v", err)
			c.Write([]byte("after\n"))
			line, err := r.ReadLine(t)
			o.printf("next read %q %v", line, err)
			return nil
		},
		want: "0s cancel true|0s op: \"\" aio: cancelled|0s body: <nil>|0s next read \"after\\n\" <nil>",
	},
	{
		name: "barrier",
		direct: func(t *aio.Task, o *opEnv) string {
			i, err := o.any.(*aio.Barrier).Wait(t)
			return fmt.Sprint(i, err)
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.BarrierWait
			return func(t *aio.Task) stepper { a.Start(t, o.any.(*aio.Barrier)); return &a },
				func() string { i, err := a.Result(); return fmt.Sprint(i, err) }
		},
		main: func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
			b := aio.NewBarrier(2)
			o.any = b
			h := spawn()
			aio.Sleep(t, time.Millisecond)
			o.printf("cancel %v; %v", h.Cancel(), b)
			aio.Await(t, h)
			o.printf("after the cancel: %v", b)
			h = spawn()
			aio.Sleep(t, time.Millisecond)
			i, err := b.Wait(t)
			o.printf("main passes %d %v", i, err)
			aio.Await(t, h)
			h = spawn()
			aio.Sleep(t, time.Millisecond)
			o.printf("reset %v", b.Reset(t))
			aio.Await(t, h)
			h = spawn()
			aio.Sleep(t, time.Millisecond)
			o.printf("abort %v", b.Abort(t))
			aio.Await(t, h)
			h = spawn()
			aio.Await(t, h)
			o.printf("%v", b)
			return nil
		},
		want: "1ms cancel true; <Barrier [filling, waiters:1/2]>|1ms op: 0 aio: cancelled|1ms after the cancel: <Barrier [filling, waiters:0/2]>|2ms main passes 1 <nil>|2ms op: 0 <nil>|3ms reset <nil>|3ms op: 0 aio: barrier is broken|4ms abort <nil>|4ms op: 0 aio: barrier is broken|4ms op: 0 aio: barrier is broken|4ms <Barrier [broken]>",
	},
	{
		name: "drain-cancelled",
		direct: func(t *aio.Task, o *opEnv) string {
			return fmt.Sprint(o.any.(*aio.StreamWriter).Drain(t))
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.Draining
			return func(t *aio.Task) stepper { a.Start(t, o.any.(*aio.StreamWriter)); return &a },
				func() string { return fmt.Sprint(a.Result()) }
		},
		main: func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			defer ln.Close()
			peer := make(chan net.Conn, 1)
			go func() {
				c, _ := ln.Accept()
				peer <- c
			}()
			_, w, err := aio.OpenConnection(t, ln.Addr().String())
			if err != nil {
				return err
			}
			defer w.Close()
			c := <-peer
			defer c.Close()
			// More than the peer's and our socket buffers hold: the writes
			// stall until the peer reads.
			w.Write(make([]byte, 16<<20))
			o.any = w
			h := spawn()
			aio.Sleep(t, 0)
			aio.Sleep(t, 0)
			o.printf("cancel %v", h.Cancel())
			_, err = aio.Await(t, h)
			o.printf("body: %v", err)
			read := make(chan int64)
			go func() {
				n, _ := io.CopyN(io.Discard, c, 16<<20)
				read <- n
			}()
			o.printf("drain again: %v, buffered %d", w.Drain(t), w.Buffered())
			o.printf("the peer read %d", <-read)
			return nil
		},
		want: "0s cancel true|0s op: aio: cancelled|0s body: <nil>|0s drain again: <nil>, buffered 0|0s the peer read 16777216",
	},
	{
		name: "open-connection-refused",
		direct: func(t *aio.Task, o *opEnv) string {
			r, w, err := aio.OpenConnection(t, o.any.(string))
			return fmt.Sprint(r, w, errors.Is(err, syscall.ECONNREFUSED))
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.Connecting
			return func(t *aio.Task) stepper { a.Start(t, o.any.(string)); return &a },
				func() string { r, w, err := a.Result(); return fmt.Sprint(r, w, errors.Is(err, syscall.ECONNREFUSED)) }
		},
		main: func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			o.any = ln.Addr().String()
			ln.Close() // nothing listens there now
			return cancelAfter(-1)(t, o, spawn)
		},
		want: "0s op: <nil> <nil> true|0s body: <nil>",
	},
	{
		name: "queue-join-cancelled",
		direct: func(t *aio.Task, o *opEnv) string {
			return fmt.Sprint(o.any.(*aio.Queue[int]).Join(t))
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.QueueJoin[int]
			return func(t *aio.Task) stepper { a.Start(t, o.any.(*aio.Queue[int])); return &a },
				func() string { return fmt.Sprint(a.Result()) }
		},
		main: func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
			q := aio.NewQueue[int](0)
			q.PutNowait(1)
			q.PutNowait(2)
			o.any = q
			h := spawn()
			aio.Sleep(t, time.Millisecond)
			q.GetNowait()
			q.TaskDone()
			o.printf("cancel %v", h.Cancel())
			aio.Await(t, h)
			h = spawn()
			aio.Sleep(t, time.Millisecond)
			q.GetNowait()
			q.TaskDone() // the last one: the joiner wakes
			_, err := aio.Await(t, h)
			o.printf("joined: %v", err)
			h = spawn() // nothing unfinished: no wait
			_, err = aio.Await(t, h)
			return err
		},
		want: "1ms cancel true|1ms op: aio: cancelled|2ms op: <nil>|2ms joined: <nil>|2ms op: <nil>",
	},
	{
		name: "condition-wait-for-cancelled",
		direct: func(t *aio.Task, o *opEnv) string {
			c := o.any.(*aio.Condition)
			if err := c.Acquire(t); err != nil {
				return err.Error()
			}
			defer c.Release()
			err := c.WaitFor(t, func() bool { return len(o.hs) > 0 })
			return fmt.Sprint(err, c.Locked())
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			// Acquire, then WaitFor, as two operations of one stage each.
			var a aio.LockAcquire
			var w aio.ConditionWait
			var err error
			s := new(script)
			s.then(func(t *aio.Task) stepper { a.StartCondition(t, o.any.(*aio.Condition)); return &a }, func() error {
				err = a.Result()
				return err
			})
			s.then(func(t *aio.Task) stepper {
				w.StartFor(t, o.any.(*aio.Condition), func() bool { return len(o.hs) > 0 })
				return &w
			}, func() error { err = w.Result(); return nil })
			return func(*aio.Task) stepper { return s.asOp() }, func() string {
				c := o.any.(*aio.Condition)
				defer c.Release()
				return fmt.Sprint(err, c.Locked())
			}
		},
		main: func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
			c := aio.NewCondition(nil)
			o.any = c
			h := spawn()
			aio.Sleep(t, time.Millisecond)
			c.Acquire(t)
			c.NotifyAll() // the predicate is still false: it waits again
			c.Release()
			aio.Sleep(t, time.Millisecond)
			c.Acquire(t)
			o.printf("cancel %v, while main holds the lock", h.Cancel())
			aio.Sleep(t, time.Millisecond)
			c.Release()
			aio.Await(t, h)
			o.printf("locked after %v", c.Locked())
			h = spawn()
			aio.Sleep(t, time.Millisecond)
			c.Acquire(t)
			o.hs = []*aio.Handle[int]{nil}
			c.Notify(1)
			c.Release()
			_, err := aio.Await(t, h)
			return err
		},
		want: "2ms cancel true, while main holds the lock|3ms op: aio: cancelled true|3ms locked after false|4ms op: <nil> true",
	},
	{
		name: "read-exactly-eof",
		direct: func(t *aio.Task, o *opEnv) string {
			p, err := o.any.(*aio.StreamReader).ReadExactly(t, 10)
			var inc *aio.IncompleteReadError
			errors.As(err, &inc)
			return fmt.Sprintf("%q %v %q", p, err, inc.Partial)
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.Reading
			return func(t *aio.Task) stepper { a.StartExactly(t, o.any.(*aio.StreamReader), 10); return &a },
				func() string {
					p, err := a.Result()
					var inc *aio.IncompleteReadError
					errors.As(err, &inc)
					return fmt.Sprintf("%q %v %q", p, err, inc.Partial)
				}
		},
		main: func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
			srv, err := aio.StartServer(t, "127.0.0.1:0", func(t *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error {
				w.WriteString("abc")
				return w.Close() // after the data: the reader sees the end
			})
			if err != nil {
				return err
			}
			defer srv.Close()
			r, w, err := aio.OpenConnection(t, srv.Addr().String())
			if err != nil {
				return err
			}
			defer w.Close()
			o.any = r
			return cancelAfter(-1)(t, o, spawn)
		},
		want: "0s op: \"\" aio: 3 bytes read on a total of 10 expected bytes \"abc\"|0s body: <nil>",
	},
	{
		name: "serve-forever-cancelled",
		direct: func(t *aio.Task, o *opEnv) string {
			err := o.any.(*aio.Server).ServeForever(t)
			return fmt.Sprint(err, o.any.(*aio.Server).IsServing())
		},
		lowered: func(o *opEnv) (func(*aio.Task) stepper, func() string) {
			var a aio.Closing
			return func(t *aio.Task) stepper { a.StartServe(t, o.any.(*aio.Server)); return &a },
				func() string { return fmt.Sprint(a.Result(), o.any.(*aio.Server).IsServing()) }
		},
		main: func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
			srv, err := aio.StartServer(t, "127.0.0.1:0", func(t *aio.Task, r *aio.StreamReader, w *aio.StreamWriter) error { return nil })
			if err != nil {
				return err
			}
			o.any = srv
			return cancelAfter(5)(t, o, spawn)
		},
		want: "5ms cancel true|5ms op: aio: cancelled false|5ms body: <nil>",
	},
	{
		name:    "sleep",
		direct:  func(t *aio.Task, o *opEnv) string { return fmt.Sprint(aio.Sleep(t, 10*time.Millisecond)) },
		lowered: sleeperOp(10 * time.Millisecond),
		main:    cancelAfter(-1),
		want:    "10ms op: <nil>|10ms body: <nil>",
	},
	{
		name:    "sleep-cancelled",
		direct:  func(t *aio.Task, o *opEnv) string { return fmt.Sprint(aio.Sleep(t, 100*time.Millisecond)) },
		lowered: sleeperOp(100 * time.Millisecond),
		main:    cancelAfter(15),
		want:    "15ms cancel true|15ms op: aio: cancelled|15ms body: <nil>",
	},
	{
		// Python: cancel() cancels the future sleep waits on, so the
		// task gets CancelledError even if uncancel() withdraws the
		// request before it runs.
		name:    "sleep-cancel-withdrawn",
		direct:  func(t *aio.Task, o *opEnv) string { return fmt.Sprint(aio.Sleep(t, 100*time.Millisecond)) },
		lowered: sleeperOp(100 * time.Millisecond),
		main: func(t *aio.Task, o *opEnv, spawn func() *aio.Handle[unit]) error {
			h := spawn()
			if err := aio.Sleep(t, 15*time.Millisecond); err != nil {
				return err
			}
			sleeping := aio.AllTasks(t.Loop())[0] // the most recent task: h's
			o.printf("cancel %v, uncancel %d", h.Cancel(), sleeping.Uncancel())
			_, err := aio.Await(t, h)
			o.printf("body: %v", err)
			return nil
		},
		want: "15ms cancel true, uncancel 0|15ms op: aio: cancelled|15ms body: <nil>",
	},
}

// sleeperOp is the lowered form of Sleep(t, d).
func sleeperOp(d time.Duration) func(o *opEnv) (func(*aio.Task) stepper, func() string) {
	return func(o *opEnv) (func(*aio.Task) stepper, func() string) {
		var s aio.Sleeper
		return func(t *aio.Task) stepper { s.Start(t, d); return &s },
			func() string { return fmt.Sprint(s.Result()) }
	}
}

// asOp makes a script an operation of another script: its stages run as
// one, and it is over when they are.
func (s *script) asOp() stepper { return scriptOp{s} }

type scriptOp struct{ s *script }

func (o scriptOp) Step(t *aio.Task, thrown error) (aio.Waitable, bool) {
	w, done, _, _ := o.s.Step(t, thrown)
	return w, !done
}

// runOp runs c with the operation called directly or lowered.
func runOp(t *testing.T, c opCase, lowered bool) string {
	o := &opEnv{}
	check(t, func(task *aio.Task) error {
		o.l = task.Loop()
		spawn := func() *aio.Handle[unit] {
			if !lowered {
				return aio.CreateTask(task, aio.Async(func(t *aio.Task) (unit, error) {
					o.printf("op: %s", c.direct(t, o))
					return unit{}, nil
				}))
			}
			start, result := c.lowered(o)
			var outcome string
			s := new(script).then(start, func() error { outcome = result(); return nil })
			s.do(func() { o.printf("op: %s", outcome) })
			return aio.CreateTask(task, aio.FromMachine[unit](s))
		}
		return c.main(task, o, spawn)
	})
	return strings.Join(o.lines, "|")
}

func TestOpsDirectAndLowered(t *testing.T) {
	for _, c := range opCases {
		t.Run(c.name, func(t *testing.T) {
			direct := runOp(t, c, false)
			lowered := runOp(t, c, true)
			if direct != c.want {
				t.Errorf("direct:\n%s\nwant:\n%s", strings.ReplaceAll(direct, "|", "\n"), strings.ReplaceAll(c.want, "|", "\n"))
			}
			if lowered != direct {
				t.Errorf("lowered differs from direct:\n%s\ndirect:\n%s", strings.ReplaceAll(lowered, "|", "\n"), strings.ReplaceAll(direct, "|", "\n"))
			}
		})
	}
}
