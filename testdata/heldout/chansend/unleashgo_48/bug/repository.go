// Package bug is a held-out kernel (issue 14): Client.Close sends on the
// repository's close channel, which newRepository never made, so the send
// blocks forever and the sync goroutine never stops.
//
// Upstream: Unleash/unleash-go-sdk#48 ("Deadlock in Client.Close")
// Round: 19
//
// Bug: the repository keeps a `close chan bool` that its sync goroutine
// selects on next to the refresh ticker, and Close stops the goroutine by
// sending true on it. newRepository never initialised the field, so the
// field is nil: the sync loop's case on it is never ready and Close's send
// blocks for ever (the issue's trace: "goroutine 20 [chan send (nil
// chan)]: (*repository).Close ... (*Client).Close"). Reduced from
// repository.go and client.go of unleash-client-go v3; the HTTP fetch, the
// etag, the backup storage and the metrics reporter are left out, and the
// fetch is a callback.
//
// Fix: PR #49 makes the channel in newRepository (as chan struct{}) and
// closes it in Close instead of sending on it.
package bug

import (
	"sync"
	"time"
)

// Feature is one toggle as the server sends it.
type Feature struct {
	Name    string
	Enabled bool
}

type repositoryOptions struct {
	refreshInterval time.Duration
	fetch           func() (map[string]Feature, error)
}

type repositoryChannels struct {
	errorChannels func(error)
	ready         chan bool
}

type repository struct {
	repositoryChannels
	sync.RWMutex
	options  repositoryOptions
	close    chan bool
	features map[string]Feature
	isReady  bool
	ticker   *time.Ticker
}

func newRepository(options repositoryOptions, channels repositoryChannels) *repository {
	repo := &repository{
		options:            options,
		repositoryChannels: channels,
		ticker:             time.NewTicker(options.refreshInterval),
		features:           map[string]Feature{},
	}
	go repo.sync()
	return repo
}

func (r *repository) sync() {
	r.fetchAndReport()
	for {
		select {
		case <-r.close:
			return
		case <-r.ticker.C:
			r.fetchAndReport()
		}
	}
}

func (r *repository) fetchAndReport() {
	features, err := r.options.fetch()
	if err != nil {
		r.errorChannels(err)
		return
	}
	r.Lock()
	r.features = features
	ready := !r.isReady
	r.isReady = true
	r.Unlock()
	if ready {
		select {
		case r.ready <- true:
		default:
		}
	}
}

func (r *repository) getToggle(key string) *Feature {
	r.RLock()
	defer r.RUnlock()
	if f, ok := r.features[key]; ok {
		return &f
	}
	return nil
}

// Close stops the sync goroutine.
func (r *repository) Close() error {
	r.close <- true // heldout:site
	r.ticker.Stop()
	return nil
}

// Client evaluates feature toggles against the repository.
type Client struct {
	repository *repository
	ready      chan bool
}

// NewClient starts the repository's sync goroutine.
func NewClient(interval time.Duration, fetch func() (map[string]Feature, error), onError func(error)) *Client {
	c := &Client{ready: make(chan bool, 1)}
	c.repository = newRepository(
		repositoryOptions{refreshInterval: interval, fetch: fetch},
		repositoryChannels{errorChannels: onError, ready: c.ready},
	)
	return c
}

// IsEnabled reports whether the feature is on.
func (c *Client) IsEnabled(feature string) bool {
	f := c.repository.getToggle(feature)
	return f != nil && f.Enabled
}

// Close stops the client.
func (c *Client) Close() error {
	return c.repository.Close()
}
