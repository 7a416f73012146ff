// Package fixed is the fixed version of chanrecv/neru_470: the Watch
// cleanup closes the channel, so for-range consumers end.
//
// Upstream: y3owk1n/neru#470 ("fix(config): close Watch channel on context cancellation")
// Round: 19
package fixed

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
// The channel is closed when the context is canceled.
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

		// Close channel to honor interface contract.
		close(channel)
	}()

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
		for cfg := range a.config.Watch(ctx) {
			a.apply(cfg)
		}
	}()
}

// Stop stops the config loop and waits for it.
func (a *App) Stop() {
	a.cancel()
	a.wg.Wait()
}

// NewApp makes an app on a config service.
func NewApp(s *Service, apply func(*Config)) *App {
	return &App{config: s, apply: apply}
}
