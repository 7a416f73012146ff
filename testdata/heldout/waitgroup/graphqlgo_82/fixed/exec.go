// Package fixed is the fixed version of waitgroup/graphqlgo_82: each field
// goroutine defers wg.Done() before the recover, so a panicking resolver
// still counts down.
package fixed

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
				defer wg.Done()
				defer r.handlePanic(ctx)
				r.execFieldSelection(ctx, f.field, &f.out)
			}(f)
		}
		wg.Wait()
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
