// Package bug is a held-out kernel (issue 14): a GraphQL executor resolves
// the fields of a selection in parallel goroutines counted in a WaitGroup;
// each goroutine defers a recover that turns a resolver panic into a query
// error, but calls Done only after the resolver returns normally, so a
// panicking resolver leaves the executor waiting for ever.
//
// Upstream: graph-gophers/graphql-go#82 ("hangs when panic occurs")
// Round: 9
// Seen: 2026-11-27, development set (helpers read this round-9 kernel to tune the analyzers, after round 9 was measured)
//
// Bug: execSelections with async set adds one to wg per field and starts
// a goroutine doing `defer r.handlePanic(ctx)`, then execFieldSelection,
// then wg.Done(). handlePanic recovers the panic and records it as an
// error, so the goroutine returns quietly without reaching wg.Done(); the
// issue: "wg.Done() will not be executed if panic occurs in
// r.execFieldSelection", and the request hangs in wg.Wait. Field
// collection and result marshalling are reduced to a resolver func per
// field.
//
// Fix: the goroutine defers wg.Done() ahead of the recover, so Done runs
// on the panic path too.
package bug

import (
	"context"
	"fmt"
	"sync"
)

// QueryError is an error reported in the response.
type QueryError struct {
	Message string
	Path    []string
}

func (e *QueryError) Error() string { return e.Message }

// Resolver resolves one field.
type Resolver func(ctx context.Context) (interface{}, error)

type selectedField struct {
	name     string
	resolver Resolver
}

type fieldWithResolver struct {
	field *selectedField
	out   interface{}
}

// Request is one query being executed.
type Request struct {
	mu   sync.Mutex
	Errs []*QueryError
}

// AddError records err in the response.
func (r *Request) AddError(err *QueryError) {
	r.mu.Lock()
	r.Errs = append(r.Errs, err)
	r.mu.Unlock()
}

func (r *Request) handlePanic(ctx context.Context) {
	if value := recover(); value != nil {
		r.AddError(&QueryError{Message: fmt.Sprintf("graphql: panic occurred: %v", value)})
	}
}

func (r *Request) execFieldSelection(ctx context.Context, f *selectedField, out *interface{}) {
	v, err := f.resolver(ctx)
	if err != nil {
		r.AddError(&QueryError{Message: err.Error(), Path: []string{f.name}})
		return
	}
	*out = v
}

// ExecSelections resolves fields, in parallel when async is set, and
// returns their values by name.
func (r *Request) ExecSelections(ctx context.Context, sels []*selectedField, async bool) map[string]interface{} {
	fields := make([]*fieldWithResolver, len(sels))
	for i, s := range sels {
		fields[i] = &fieldWithResolver{field: s}
	}

	if async {
		var wg sync.WaitGroup
		wg.Add(len(fields))
		for _, f := range fields {
			go func(f *fieldWithResolver) {
				defer r.handlePanic(ctx)
				r.execFieldSelection(ctx, f.field, &f.out) // heldout:site
				wg.Done()
			}(f)
		}
		wg.Wait() // heldout:site
	} else {
		for _, f := range fields {
			func() {
				defer r.handlePanic(ctx)
				r.execFieldSelection(ctx, f.field, &f.out)
			}()
		}
	}

	out := make(map[string]interface{}, len(fields))
	for _, f := range fields {
		out[f.field.name] = f.out
	}
	return out
}
