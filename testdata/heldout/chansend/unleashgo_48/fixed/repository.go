// Package fixed is the fixed version of chansend/unleashgo_48: newRepository
// makes the close channel and Close closes it.
//
// Upstream: Unleash/unleash-go-sdk#48 ("Deadlock in Client.Close")
// Round: 19
package fixed

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
	close    chan struct{}
	features map[string]Feature
	isReady  bool
	ticker   *time.Ticker
}

func newRepository(options repositoryOptions, channels repositoryChannels) *repository {
	repo := &repository{
		options:            options,
		repositoryChannels: channels,
		close:              make(chan struct{}),
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
	close(r.close)
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
