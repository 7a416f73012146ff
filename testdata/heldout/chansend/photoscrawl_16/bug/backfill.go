// Package bug is a held-out kernel (issue 14): photoscrawl's place
// backfill fans location keys over an unbuffered work channel to four
// workers; a worker whose attempt fails to write its log returns from its
// receive loop, and once all four have returned the producer blocks for
// ever on `work <- key` (the command's context is never cancelled).
//
// Upstream: openclaw/photoscrawl#16 ("fix(backfill): keep workers ranging after a write error")
// Round: 16
// Seen: 2026-11-29, development set (session 27: a missed kernel of rounds 12 to 16 and 18, read after 89 of their 163 were caught; round 19 is held out)
//
// Bug: runBackfillRound starts backfillWorkers goroutines ranging over
// work; each waits for the start limiter, then runs attemptBackfillKey,
// which calls the reverse geocoder and writes the attempt log, the error
// file or the output file. On any error from the limiter, the context or
// attemptBackfillKey the worker records the first error and returns. The
// producer loops over the jobs selecting between ctx.Done() and
// `work <- key`; with a full disk or a read-only output directory every
// worker returns after its first key, nothing receives any more, and the
// select never proceeds ("The process hangs until it is killed"). Our
// reduction: the geocoder subprocess and the JSON files become two
// interfaces; the limiter, the run state and setFirstErr are kept.
//
// Fix: a worker that gets an error from attemptBackfillKey records it and
// continues ranging until work is closed; the first error is returned
// after the drain. (A worker still returns on a context error: the
// producer's select then takes ctx.Done.)
package bug

import (
	"context"
	"sync"
	"time"
)

const (
	backfillMaxAttempts = 4
	backfillWorkers     = 4
	backfillStartEvery  = 1500 * time.Millisecond
	backfillCooldown    = 2 * time.Minute
)

type backfillKey struct {
	Index     int
	Latitude  float64
	Longitude float64
}

// Geocoder resolves a coordinate to a place.
type Geocoder interface {
	ReverseGeocode(ctx context.Context, lat, lon float64) (string, error)
}

// Store writes the attempt log, errors and outputs of a key.
type Store interface {
	AppendAttempt(index, attempt int, errText string) error
	WriteError(index, attempt int, final bool, errText string) error
	WriteOutput(index int, place string) error
}

type backfillRunState struct {
	mu        sync.Mutex
	geocoder  Geocoder
	store     Store
	limiter   *backfillLimiter
	attempts  int
	successes int
	failures  int
	cooldowns int
}

func runBackfillRound(ctx context.Context, jobs []backfillKey, attempt int, state *backfillRunState) error {
	work := make(chan backfillKey)
	var wg sync.WaitGroup
	var firstErr error
	var errMu sync.Mutex
	state.limiter = &backfillLimiter{interval: backfillStartEvery}

	for i := 0; i < backfillWorkers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for key := range work {
				if err := ctx.Err(); err != nil {
					setFirstErr(&errMu, &firstErr, err)
					return
				}
				if err := state.limiter.wait(ctx); err != nil {
					setFirstErr(&errMu, &firstErr, err)
					return
				}
				if err := attemptBackfillKey(ctx, key, attempt, state); err != nil {
					setFirstErr(&errMu, &firstErr, err)
					return // heldout:site
				}
			}
		}()
	}
	for _, key := range jobs {
		select {
		case <-ctx.Done():
			close(work)
			wg.Wait()
			if firstErr != nil {
				return firstErr
			}
			return ctx.Err()
		case work <- key: // heldout:site
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// attemptBackfillKey geocodes one key and records the outcome; it returns
// an error only when the outcome cannot be written.
func attemptBackfillKey(ctx context.Context, key backfillKey, attempt int, state *backfillRunState) error {
	place, err := state.geocoder.ReverseGeocode(ctx, key.Latitude, key.Longitude)
	if err != nil {
		if appendErr := state.store.AppendAttempt(key.Index, attempt, err.Error()); appendErr != nil {
			return appendErr
		}
		final := attempt >= backfillMaxAttempts
		if err := state.store.WriteError(key.Index, attempt, final, err.Error()); err != nil {
			return err
		}
		state.recordAttempt(false)
		return nil
	}
	if err := state.store.AppendAttempt(key.Index, attempt, ""); err != nil {
		return err
	}
	if err := state.store.WriteOutput(key.Index, place); err != nil {
		return err
	}
	state.recordAttempt(true)
	return nil
}

func (state *backfillRunState) recordAttempt(success bool) {
	state.mu.Lock()
	defer state.mu.Unlock()
	state.attempts++
	if success {
		state.successes++
	} else {
		state.failures++
	}
}

type backfillLimiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

func (limiter *backfillLimiter) wait(ctx context.Context) error {
	limiter.mu.Lock()
	now := time.Now()
	if limiter.next.IsZero() || now.After(limiter.next) {
		limiter.next = now
	}
	startAt := limiter.next
	limiter.next = startAt.Add(limiter.interval)
	limiter.mu.Unlock()

	return sleepContext(ctx, time.Until(startAt))
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

func setFirstErr(mu *sync.Mutex, target *error, err error) {
	mu.Lock()
	defer mu.Unlock()
	if *target == nil {
		*target = err
	}
}

// Backfill runs the retry rounds.
func Backfill(ctx context.Context, keys []backfillKey, geocoder Geocoder, store Store) error {
	state := &backfillRunState{geocoder: geocoder, store: store}
	for attempt := 1; attempt <= backfillMaxAttempts; attempt++ {
		if err := runBackfillRound(ctx, keys, attempt, state); err != nil {
			return err
		}
	}
	return nil
}
