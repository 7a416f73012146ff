// Package bug is a held-out kernel (issue 14): a GraphQL subscription
// executor whose per-subscription goroutine sends an error response on
// the unbuffered response channel after the subscriber's context is
// done, when the transport has already stopped reading, so the goroutine
// blocks on that send for ever.
//
// Upstream: graph-gophers/graphql-go#626 ("Fixed goroutine leak in subscriptions")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: Subscribe returns c and starts a goroutine that waits (with
// reflect.Select, as upstream does) on ctx.Done() and on the resolver's
// event channel. For each event it resolves the selection under a
// one-second subCtx derived from ctx; if subCtx has ended it sends an
// error response with a plain c <- resp. The PR describes the order: an
// event is read, the subscriber disconnects and ctx is cancelled, the
// transport's reader (here serve, our reduction of graphql-transport-ws's
// connection loop) stops reading c on ctx.Done(), and the goroutine then
// blocks in the send.
//
// Fix: the error response is sent in a select that also watches
// ctx.Done(), like the data response already was.
package bug

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Response is one message of the subscription.
type Response struct {
	Data   []byte
	Errors []error
}

// Request holds what is needed to resolve one event.
type Request struct {
	Alias   string
	Resolve func(ctx context.Context, ev interface{}) ([]byte, error)
}

// Subscribe starts delivering the resolver's events as responses on the
// returned channel.
func (r *Request) Subscribe(ctx context.Context, events interface{}) <-chan *Response {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return sendAndReturnClosed(&Response{Errors: []error{ctxErr}})
	}

	result := reflect.ValueOf(events)
	c := make(chan *Response)
	if result.IsNil() {
		close(c)
		return c
	}

	go func() {
		for {
			chosen, resp, ok := reflect.Select([]reflect.SelectCase{
				{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())},
				{Dir: reflect.SelectRecv, Chan: result},
			})
			switch chosen {
			case 0:
				close(c)
				return
			case 1:
				if !ok {
					close(c)
					return
				}
				func() {
					subCtx, cancel := context.WithTimeout(ctx, time.Second)
					defer cancel()

					data, resolveErr := r.Resolve(subCtx, resp.Interface())
					out := []byte(fmt.Sprintf(`{"%s":%s}`, r.Alias, data))

					if err := subCtx.Err(); err != nil {
						c <- &Response{Errors: []error{err}} // heldout:site
						return
					}

					var errs []error
					if resolveErr != nil {
						errs = append(errs, resolveErr)
					}
					select {
					case <-subCtx.Done():
					case c <- &Response{Data: out, Errors: errs}:
					}
				}()
			}
		}
	}()

	return c
}

func sendAndReturnClosed(resp *Response) chan *Response {
	c := make(chan *Response, 1)
	c <- resp
	close(c)
	return c
}

// serve is the transport's side: it forwards responses until the
// connection's context ends, then stops reading.
func serve(ctx context.Context, responses <-chan *Response, write func(*Response) error) error {
	for {
		select {
		case <-ctx.Done(): // heldout:site
			return ctx.Err()
		case resp, more := <-responses:
			if !more {
				return errors.New("subscription ended")
			}
			if err := write(resp); err != nil {
				return err
			}
		}
	}
}
