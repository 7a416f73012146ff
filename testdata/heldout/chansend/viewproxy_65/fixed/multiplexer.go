// Package fixed is the fixed version of chansend/viewproxy_65: the error
// channel has room for every worker's error, and is closed once the
// workers are done.
package fixed

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
	errCh := make(chan error, len(r.requestables))

	results := make([]*Result, len(r.requestables))

	for i, f := range r.requestables {
		wg.Add(1)
		go func(ctx context.Context, requestable Requestable, i int, wg *sync.WaitGroup) {
			defer wg.Done()
			result, err := r.fetchUrl(ctx, "GET", requestable.URL(), r.Header)
			if err != nil {
				errCh <- err
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
		defer close(errCh)
		wg.Wait()
	})(&wg)

	select {
	case err, ok := <-errCh:
		if !ok {
			// Every worker finished without an error.
			<-done
			return results, nil
		}
		cancel()
		return make([]*Result, 0), err
	case <-done:
		return results, nil
	case <-ctx.Done():
		return make([]*Result, 0), fmt.Errorf("multiplexer timed out: %w", ctx.Err())
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
