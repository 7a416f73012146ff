// Package bug is a held-out kernel (issue 14): a multiplexed fragment
// fetch whose workers report errors on an unbuffered channel that Do
// reads once; Do returns on the first error, so every other failing
// worker blocks on its send for ever and never reaches wg.Done, which in
// turn strands the goroutine waiting on the group.
//
// Upstream: BlakeWilliams/viewproxy#65 ("Use a buffered error channel and defer closing it")
// Round: 15
//
// Bug: Request.Do starts one goroutine per requestable; each fetches its
// URL and, on error, does errCh <- err with errCh := make(chan error). A
// helper goroutine waits on the WaitGroup and closes done. Do selects on
// errCh, done and ctx.Done() and returns after the first error (or the
// timeout). The PR: this "prevents goroutines stacking up when all
// fragment requests generate an error and pushing to the error channel
// would block and also hold up the wait group". Tracing, HMAC headers and
// body decoding are left out (our reduction).
//
// Fix: errCh has room for one error per requestable; our reading of
// "defer closing it" is that the goroutine waiting on the group closes
// errCh once every worker is done.
package bug

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Requestable is one fragment to fetch.
type Requestable interface {
	URL() string
	TimingLabel() string
}

// Tripper performs the HTTP round trip.
type Tripper interface {
	Request(req *http.Request) (*http.Response, error)
}

// Result is one fetched fragment.
type Result struct {
	Url         string
	Body        []byte
	StatusCode  int
	Duration    time.Duration
	TimingLabel string
}

// Request fetches several fragments in parallel.
type Request struct {
	Header       http.Header
	requestables []Requestable
	Timeout      time.Duration
	Tripper      Tripper
}

// WithRequestable adds a fragment to fetch.
func (r *Request) WithRequestable(requestable Requestable) {
	r.requestables = append(r.requestables, requestable)
}

// Do fetches every fragment, or returns the first error.
func (r *Request) Do(ctx context.Context) ([]*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()

	wg := sync.WaitGroup{}
	errCh := make(chan error)

	results := make([]*Result, len(r.requestables))

	for i, f := range r.requestables {
		wg.Add(1)
		go func(ctx context.Context, requestable Requestable, i int, wg *sync.WaitGroup) {
			defer wg.Done()
			result, err := r.fetchUrl(ctx, "GET", requestable.URL(), r.Header)
			if err != nil {
				errCh <- err // heldout:site
			} else {
				result.TimingLabel = requestable.TimingLabel()
			}
			results[i] = result
		}(ctx, f, i, &wg)
	}

	// wait for all responses to complete
	done := make(chan struct{})
	go (func(wg *sync.WaitGroup) {
		defer close(done)
		wg.Wait() // heldout:site
	})(&wg)

	select {
	case err := <-errCh:
		cancel()
		return make([]*Result, 0), err // heldout:site
	case <-done:
		return results, nil
	case <-ctx.Done():
		return make([]*Result, 0), fmt.Errorf("multiplexer timed out: %w", ctx.Err()) // heldout:site
	}
}

func (r *Request) fetchUrl(ctx context.Context, method string, url string, headers http.Header) (*Result, error) {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	for name, values := range headers {
		for _, value := range values {
			req.Header.Add(name, value)
		}
	}
	resp, err := r.Tripper.Request(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("status %d for %s", resp.StatusCode, url)
	}
	return &Result{Url: url, Body: body, StatusCode: resp.StatusCode, Duration: time.Since(start)}, nil
}
