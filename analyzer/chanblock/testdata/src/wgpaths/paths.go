// Package wgpaths holds WaitGroups reached by longer access paths (a
// field of a struct kept behind a pointer field, a package variable) and
// Adds and Dones made in helpers, each beside its fix and look-alikes
// that must stay silent (session 25, mixvar).
package wgpaths

import (
	"context"
	"io"
	"log"
	"os"
	"sync"
)

// An uploader keeps its WaitGroup in a batch struct behind a pointer
// field. A worker whose context is done returns from the select before
// u.batch.wg.Done: UploadAll waits for ever (waitgroup/flowgo_3285 and
// istio_39526, the WaitGroup one struct further away).
type batch struct {
	wg   sync.WaitGroup
	mu   sync.Mutex
	errs []error
}

type Uploader struct {
	batch  *batch
	upload func(ctx context.Context, item string) error
	sem    chan struct{}
}

func NewUploader(n int, up func(context.Context, string) error) *Uploader {
	return &Uploader{batch: &batch{}, upload: up, sem: make(chan struct{}, n)}
}

func (u *Uploader) UploadAll(ctx context.Context, items []string) []error {
	for _, it := range items {
		u.batch.wg.Add(1)
		go func(it string) {
			select {
			case u.sem <- struct{}{}:
			case <-ctx.Done():
				log.Printf("upload of %s canceled", it)
				return // want `this goroutine, counted by wg.Add at line \d+, can return here without calling wg.Done`
			}
			if err := u.upload(ctx, it); err != nil {
				u.batch.mu.Lock()
				u.batch.errs = append(u.batch.errs, err)
				u.batch.mu.Unlock()
			}
			<-u.sem
			u.batch.wg.Done()
		}(it)
	}
	u.batch.wg.Wait()
	return u.batch.errs
}

// The fix: the Done is deferred.
type UploaderOK struct {
	batch  *batch
	upload func(ctx context.Context, item string) error
	sem    chan struct{}
}

func NewUploaderOK(n int, up func(context.Context, string) error) *UploaderOK {
	return &UploaderOK{batch: &batch{}, upload: up, sem: make(chan struct{}, n)}
}

func (u *UploaderOK) UploadAll(ctx context.Context, items []string) []error {
	for _, it := range items {
		u.batch.wg.Add(1)
		go func(it string) {
			defer u.batch.wg.Done()
			select {
			case u.sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			if err := u.upload(ctx, it); err != nil {
				u.batch.mu.Lock()
				u.batch.errs = append(u.batch.errs, err)
				u.batch.mu.Unlock()
			}
			<-u.sem
		}(it)
	}
	u.batch.wg.Wait()
	return u.batch.errs
}

// Look-alike: on the early return the worker hands the batch to a method
// that may call Done on its WaitGroup.
func (b *batch) abandon(err error) {
	b.mu.Lock()
	b.errs = append(b.errs, err)
	b.mu.Unlock()
	b.wg.Done()
}

type UploaderHanded struct {
	batch  *batch
	upload func(ctx context.Context, item string) error
}

func (u *UploaderHanded) UploadAll(ctx context.Context, items []string) []error {
	for _, it := range items {
		u.batch.wg.Add(1)
		go func(it string) {
			if err := u.upload(ctx, it); err != nil {
				u.batch.abandon(err)
				return
			}
			u.batch.wg.Done()
		}(it)
	}
	u.batch.wg.Wait()
	return u.batch.errs
}

// A client counts its requests in flight in a stats struct behind a
// pointer field; a failed read returns before the Done and Drain waits
// for ever (waitgroup/trickster_356, one struct further away).
type stats struct {
	inflight sync.WaitGroup
	mu       sync.Mutex
	bytes    int
}

type Client struct {
	stats *stats
	open  func(string) (io.ReadCloser, error)
}

func (c *Client) Fetch(url string) ([]byte, error) {
	c.stats.inflight.Add(1)
	r, err := c.open(url)
	if err != nil {
		return nil, err // want `this return skips wg.Done: the wg.Add\(1\) at line \d+ counts this call in flight`
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	c.stats.mu.Lock()
	c.stats.bytes += len(b)
	c.stats.mu.Unlock()
	c.stats.inflight.Done()
	return b, nil
}

func (c *Client) Drain() { c.stats.inflight.Wait() }

// The fix: the Done is deferred right after the Add.
type ClientOK struct {
	stats *stats
	open  func(string) (io.ReadCloser, error)
}

func (c *ClientOK) Fetch(url string) ([]byte, error) {
	c.stats.inflight.Add(1)
	defer c.stats.inflight.Done()
	r, err := c.open(url)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func (c *ClientOK) Drain() { c.stats.inflight.Wait() }

// Look-alike: the stats' count is also dropped by a release method
// another caller pairs with its own Add (an acquire/release API), so an
// early return may leave the Done to it.
type pooled struct {
	active sync.WaitGroup
	n      int
}

func (p *pooled) release() { p.active.Done() }

type PoolClient struct {
	pool *pooled
	open func(string) (io.ReadCloser, error)
}

func (c *PoolClient) Get(url string) (io.ReadCloser, error) {
	c.pool.active.Add(1)
	r, err := c.open(url)
	if err != nil {
		return nil, err
	}
	c.pool.active.Done()
	return r, nil
}

func (c *PoolClient) Release() { c.pool.release() }

func (c *PoolClient) Close() { c.pool.active.Wait() }

// Loaders counted by a package variable: a loader whose read fails
// returns before loaders.Done and WaitLoaded waits for ever.
var (
	loaders sync.WaitGroup
	loadMu  sync.Mutex
	loaded  = map[string][]byte{}
)

func load(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Printf("load %s: %v", path, err)
		return // want `this goroutine, counted by wg.Add at line \d+, can return here without calling wg.Done`
	}
	loadMu.Lock()
	loaded[path] = b
	loadMu.Unlock()
	loaders.Done()
}

func LoadAll(paths []string) {
	for _, p := range paths {
		loaders.Add(1)
		go load(p)
	}
}

func WaitLoaded() map[string][]byte {
	loaders.Wait()
	return loaded
}

// The fix: the Done is deferred.
var okLoaders sync.WaitGroup

func loadOK(path string) {
	defer okLoaders.Done()
	if _, err := os.ReadFile(path); err != nil {
		return
	}
}

func LoadAllOK(paths []string) {
	for _, p := range paths {
		okLoaders.Add(1)
		go loadOK(p)
	}
	okLoaders.Wait()
}

// Look-alike: the goroutine counts one package variable and drops
// another; the variable it returns early without is not the one the
// starter added to.
var (
	started  sync.WaitGroup
	finished sync.WaitGroup
)

func worker(path string) {
	started.Done()
	if _, err := os.ReadFile(path); err != nil {
		return
	}
	finished.Done()
}

func RunAll(paths []string) {
	for _, p := range paths {
		started.Add(1)
		go worker(p)
	}
	started.Wait()
}
