// Package bug is a held-out kernel (issue 14): Tekton's resolver
// framework runs a resolver in a goroutine that reports on two unbuffered
// channels while Reconcile waits in a select that also watches the
// resolution deadline; when the deadline wins, resolve returns and the
// goroutine, finishing later, blocks for ever on its send.
//
// Upstream: tektoncd/pipeline#10098 ("fix: resolve goroutine leak from unbuffered channels in resolver reconciler")
// Round: 16
//
// Bug: Reconciler.resolve makes errChan and resourceChan with no buffer,
// derives resolutionCtx with the resolver's timeout and starts a goroutine
// that validates the params, calls Resolve (git, OCI or HTTP fetches) and
// validates the result, sending an error or the resource. The select in
// resolve takes `<-resolutionCtx.Done()` when the resolver outlasts the
// deadline and returns through OnError; the goroutine's Resolve then
// fails with the cancelled context and `errChan <- ...` has no receiver.
// One goroutine leaks per timed-out request. Our reduction: the
// ResolutionRequest client and lister become a small interface, the
// error types are kept as structs, and knative's permanent error is a
// wrapper.
//
// Fix: both channels get a buffer of one, so the goroutine's single send
// always completes.
package bug

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Param is one resolution parameter.
type Param struct {
	Name  string
	Value string
}

// ResolutionRequest asks for a remote resource.
type ResolutionRequest struct {
	Namespace string
	Name      string
	Params    []Param
	done      bool
}

// IsDone reports whether the request has been answered.
func (rr *ResolutionRequest) IsDone() bool { return rr.done }

// ResolvedResource is what a resolver returns.
type ResolvedResource interface {
	Data() []byte
	Annotations() map[string]string
}

// Resolver is implemented by each resolver (git, bundles, http...).
type Resolver interface {
	GetName(ctx context.Context) string
	ValidateParams(ctx context.Context, params []Param) error
	Resolve(ctx context.Context, params []Param) (ResolvedResource, error)
}

// TimedResolution lets a resolver choose its own timeout.
type TimedResolution interface {
	GetResolutionTimeout(ctx context.Context, defaultTimeout time.Duration, params map[string]string) (time.Duration, error)
}

// requestClient reads and updates ResolutionRequests.
type requestClient interface {
	Get(ctx context.Context, namespace, name string) (*ResolutionRequest, error)
	MarkFailed(ctx context.Context, rr *ResolutionRequest, reason string) error
	PatchData(ctx context.Context, rr *ResolutionRequest, data []byte, annotations map[string]string) error
}

// InvalidRequestError is a request whose params do not validate.
type InvalidRequestError struct {
	ResolutionRequestKey string
	Message              string
}

func (e *InvalidRequestError) Error() string {
	return fmt.Sprintf("invalid resource request %q: %s", e.ResolutionRequestKey, e.Message)
}

// GetResourceError is a resolver that failed.
type GetResourceError struct {
	ResolverName string
	Key          string
	Original     error
}

func (e *GetResourceError) Error() string {
	return fmt.Sprintf("error getting %q %q: %v", e.ResolverName, e.Key, e.Original)
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }

const defaultMaximumResolutionDuration = time.Minute

// Reconciler runs the resolver for each ResolutionRequest.
type Reconciler struct {
	resolver Resolver
	client   requestClient
}

// Reconcile looks the request up and resolves it.
func (r *Reconciler) Reconcile(ctx context.Context, namespace, name string) error {
	rr, err := r.client.Get(ctx, namespace, name)
	if err != nil {
		return permanentError{err}
	}
	if rr.IsDone() {
		return nil
	}
	return r.resolve(ctx, namespace+"/"+name, rr)
}

func (r *Reconciler) resolve(ctx context.Context, key string, rr *ResolutionRequest) error {
	errChan := make(chan error)
	resourceChan := make(chan ResolvedResource)

	paramsMap := make(map[string]string)
	for _, p := range rr.Params {
		paramsMap[p.Name] = p.Value
	}

	timeoutDuration := defaultMaximumResolutionDuration
	if timed, ok := r.resolver.(TimedResolution); ok {
		var err error
		timeoutDuration, err = timed.GetResolutionTimeout(ctx, defaultMaximumResolutionDuration, paramsMap)
		if err != nil {
			return err
		}
	}

	resolutionCtx, cancelFn := context.WithTimeout(ctx, timeoutDuration)
	defer cancelFn()

	go func() {
		if err := r.resolver.ValidateParams(resolutionCtx, rr.Params); err != nil {
			errChan <- &InvalidRequestError{ResolutionRequestKey: key, Message: err.Error()} // heldout:site
			return
		}
		resource, err := r.resolver.Resolve(resolutionCtx, rr.Params)
		if err != nil {
			errChan <- &GetResourceError{ResolverName: r.resolver.GetName(resolutionCtx), Key: key, Original: err} // heldout:site
			return
		}
		if len(resource.Data()) == 0 {
			errChan <- &GetResourceError{ResolverName: r.resolver.GetName(resolutionCtx), Key: key, Original: errors.New("resolved resource is empty")} // heldout:site
			return
		}
		resourceChan <- resource // heldout:site
	}()

	select {
	case err := <-errChan:
		if err != nil {
			return r.OnError(ctx, rr, err)
		}
	case <-resolutionCtx.Done():
		if err := resolutionCtx.Err(); err != nil {
			return r.OnError(ctx, rr, err) // heldout:site
		}
	case resource := <-resourceChan:
		return r.client.PatchData(ctx, rr, resource.Data(), resource.Annotations())
	}

	return errors.New("unknown error")
}

// OnError fails the request for good.
func (r *Reconciler) OnError(ctx context.Context, rr *ResolutionRequest, err error) error {
	if rr == nil {
		return permanentError{err}
	}
	if err != nil {
		_ = r.client.MarkFailed(ctx, rr, err.Error())
		return permanentError{err}
	}
	return nil
}
