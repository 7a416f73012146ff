// Package bug is a held-out kernel (issue 14): the config service's Watch
// channel is never closed when the watcher's context is cancelled, so a
// consumer ranging over it waits for ever, and whoever waits for that
// consumer hangs too.
//
// Upstream: y3owk1n/neru#470 ("fix(config): close Watch channel on context cancellation")
// Round: 19
//
// Bug: Service.Watch (internal/config/service.go) registers a buffered
// channel, sends the current config on it and starts a goroutine that,
// when ctx is done, removes the channel from the watcher list; the doc
// comment said "The channel is never closed by the server; consumers
// should select on both the channel and ctx.Done()", while the ports
// interface promised that it is closed when the context is cancelled. A
// consumer written to the interface, `for cfg := range Watch(ctx)`, never
// leaves the loop after cancellation (the PR: "Fixes goroutine leaks and
// deadlocks when consumers use for-range loops"). Reduced from
// internal/config/service.go; the loading and validation are callbacks,
// and the consumer (an App whose Stop cancels and waits for its config
// loop) is our stand-in for the for-range consumers the PR names.
//
// Fix: the cleanup goroutine closes the channel after removing it from
// the list, under the service lock that Reload's notification also
// takes; safeSendConfig already tolerated a closed channel.
package bug

import (
	"context"
	"sync"
)

// Config is the application configuration.
type Config struct {
	HintCharacters string
	Enabled        bool
}

// Service owns the configuration and notifies watchers of reloads.
type Service struct {
	mu       sync.RWMutex
	config   *Config
	path     string
	watchers []chan<- *Config
	load     func(path string) (*Config, error)
}

// NewService makes a service with an initial config.
func NewService(cfg *Config, path string, load func(string) (*Config, error)) *Service {
	return &Service{config: cfg, path: path, load: load}
}

// Get returns the current configuration.
func (s *Service) Get() *Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.config
}

func safeSendConfig(ch chan<- *Config, cfg *Config) (sent bool) {
	defer func() {
		if recover() != nil {
			sent = false
		}
	}()
	select {
	case ch <- cfg:
		return true
	default:
		return false
	}
}

// Reload reloads the configuration and notifies the watchers.
func (s *Service) Reload(ctx context.Context, path string) error {
	cfg, err := s.load(path)
	if err != nil {
		return err
	}

	s.mu.Lock()
	s.config = cfg
	s.path = path
	watchers := make([]chan<- *Config, len(s.watchers))
	copy(watchers, s.watchers)
	s.mu.Unlock()

	// Notify watchers (outside the lock to avoid deadlock).
	for _, watcher := range watchers {
		if !safeSendConfig(watcher, cfg) {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
	}
	return nil
}

// Watch returns a channel that receives configuration updates.
// The watcher terminates when the context is canceled.
// Note: The channel is never closed by the server; consumers should select
// on both the channel and ctx.Done() to detect when to stop listening.
func (s *Service) Watch(ctx context.Context) <-chan *Config {
	channel := make(chan *Config, 1)

	s.mu.Lock()
	s.watchers = append(s.watchers, channel)
	s.mu.Unlock()

	// Send current config immediately.
	channel <- s.Get()

	// Clean up when context is done.
	go func() {
		<-ctx.Done()

		s.mu.Lock()
		defer s.mu.Unlock()

		// Remove watcher from list.
		for i, w := range s.watchers {
			if w == channel {
				s.watchers = append(s.watchers[:i], s.watchers[i+1:]...)
				break
			}
		}
	}() // heldout:site

	return channel
}

// App applies configuration updates until it is stopped.
type App struct {
	config *Service
	apply  func(*Config)
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Start starts the config loop.
func (a *App) Start(ctx context.Context) {
	ctx, a.cancel = context.WithCancel(ctx)
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		for cfg := range a.config.Watch(ctx) { // heldout:site
			a.apply(cfg)
		}
	}()
}

// Stop stops the config loop and waits for it.
func (a *App) Stop() {
	a.cancel()
	a.wg.Wait() // heldout:site
}

// NewApp makes an app on a config service.
func NewApp(s *Service, apply func(*Config)) *App {
	return &App{config: s, apply: apply}
}
