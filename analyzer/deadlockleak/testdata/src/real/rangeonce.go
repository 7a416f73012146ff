package real

import (
	"context"
	"sync"
)

// A config store whose Watch hands out a channel of updates and starts a
// goroutine that unregisters it when the watcher's context ends.
type watchStore struct {
	mu       sync.Mutex
	watchers map[chan string]struct{}
}

func (s *watchStore) Watch(ctx context.Context) <-chan string {
	ch := make(chan string, 1)
	s.mu.Lock()
	s.watchers[ch] = struct{}{}
	s.mu.Unlock()
	go func() {
		<-ctx.Done() // want `this goroutine waits only for Watch's context ctx to end, and rewatch calls Watch over and over from a loop with no condition`
		s.mu.Lock()
		delete(s.watchers, ch)
		s.mu.Unlock()
		close(ch)
	}()
	return ch
}

// Silent: the channel a range ranges over is evaluated once, before the
// loop, so Watch is called once per call of follow.
func followOnce(ctx context.Context, s *watchStore, apply func(string)) {
	for cfg := range s.Watch(ctx) {
		apply(cfg)
	}
}

// Silent too: a for statement's init runs once.
func followInit(ctx context.Context, s *watchStore, apply func(string)) {
	for ch := s.Watch(ctx); ; {
		cfg, ok := <-ch
		if !ok {
			return
		}
		apply(cfg)
	}
}

// Reported: each round of the outer loop watches again with the same
// context, and every round's watcher waits for that context's end.
func rewatch(ctx context.Context, s *watchStore, apply func(string)) {
	for {
		for cfg := range s.Watch(ctx) {
			apply(cfg)
		}
	}
}
