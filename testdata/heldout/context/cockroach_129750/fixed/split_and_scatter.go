// Package fixed is the fixed version of context/cockroach_129750: the
// chunk split-and-scatter group is made, run and waited for inside a task
// of the processor's group, from that group's context, so a failure
// anywhere in the group cancels the chunk workers too.
package fixed

import (
	"context"
	"errors"
	"sync"
)

// Group runs tasks and cancels its context when one fails, like
// ctxgroup.
type Group struct {
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
}

// WithContext returns a group whose context is derived from ctx.
func WithContext(ctx context.Context) *Group {
	ctx, cancel := context.WithCancel(ctx)
	return &Group{ctx: ctx, cancel: cancel}
}

// GoCtx runs f with the group's context.
func (g *Group) GoCtx(f func(ctx context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(g.ctx); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	}()
}

// Wait waits for all tasks and returns the first error.
func (g *Group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}

// Span is a key span.
type Span struct{ Key, EndKey string }

// RestoreSpanEntry is one span to restore.
type RestoreSpanEntry struct {
	Span        Span
	ProgressIdx int64
}

type restoreEntryChunk struct {
	entries  []RestoreSpanEntry
	splitKey string
}

type scatteredChunk struct {
	destination int
	entries     []RestoreSpanEntry
}

type entryNode struct {
	entry RestoreSpanEntry
	node  int
}

// splitAndScatterer splits and scatters ranges.
type splitAndScatterer interface {
	split(ctx context.Context, splitKey string) error
	scatter(ctx context.Context, key string) (int, error)
}

// Spec is the processor's spec.
type Spec struct {
	Spans     []Span
	ChunkSize int
}

func generateAndSendImportSpans(ctx context.Context, spans []Span, out chan<- RestoreSpanEntry) error {
	for _, sp := range spans {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case out <- RestoreSpanEntry{Span: sp}:
		}
	}
	return nil
}

func runGenerativeSplitAndScatter(
	ctx context.Context,
	spec Spec,
	chunkSplitAndScatterers []splitAndScatterer,
	chunkEntrySplitAndScatterers []splitAndScatterer,
	doneScatterCh chan<- entryNode,
) error {
	g := WithContext(ctx)

	chunkSplitAndScatterWorkers := len(chunkSplitAndScatterers)
	restoreSpanEntriesCh := make(chan RestoreSpanEntry, chunkSplitAndScatterWorkers*spec.ChunkSize)

	// This goroutine generates import spans one at a time.
	g.GoCtx(func(ctx context.Context) error {
		defer close(restoreSpanEntriesCh)
		return generateAndSendImportSpans(ctx, spec.Spans, restoreSpanEntriesCh)
	})

	restoreEntryChunksCh := make(chan restoreEntryChunk, chunkSplitAndScatterWorkers)

	// This goroutine groups the import spans into chunks.
	g.GoCtx(func(ctx context.Context) error {
		defer close(restoreEntryChunksCh)

		var idx int64
		var chunk restoreEntryChunk
		for entry := range restoreSpanEntriesCh {
			entry.ProgressIdx = idx
			idx++
			if len(chunk.entries) == spec.ChunkSize {
				chunk.splitKey = entry.Span.Key
				select {
				case <-ctx.Done():
					return ctx.Err()
				case restoreEntryChunksCh <- chunk:
				}
				chunk = restoreEntryChunk{}
			}
			chunk.entries = append(chunk.entries, entry)
		}

		if len(chunk.entries) > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case restoreEntryChunksCh <- chunk:
			}
		}
		return nil
	})

	importSpanChunksCh := make(chan scatteredChunk, chunkSplitAndScatterWorkers*2)

	g.GoCtx(func(ctx context.Context) error {
		defer close(importSpanChunksCh)
		// This group of goroutines splits and scatters each chunk and
		// passes it on to importSpanChunksCh.
		g2 := WithContext(ctx)
		for worker := 0; worker < chunkSplitAndScatterWorkers; worker++ {
			worker := worker
			g2.GoCtx(func(ctx context.Context) error {
				for importSpanChunk := range restoreEntryChunksCh {
					scatterKey := importSpanChunk.entries[0].Span.Key
					if importSpanChunk.splitKey != "" {
						if err := chunkSplitAndScatterers[worker].split(ctx, importSpanChunk.splitKey); err != nil {
							return err
						}
					}
					chunkDestination, err := chunkSplitAndScatterers[worker].scatter(ctx, scatterKey)
					if err != nil {
						return err
					}

					sc := scatteredChunk{destination: chunkDestination, entries: importSpanChunk.entries}

					select {
					case <-ctx.Done():
						return ctx.Err()
					case importSpanChunksCh <- sc:
					}
				}
				return nil
			})
		}

		// Wait for the chunk workers so that importSpanChunksCh can be
		// closed.
		return g2.Wait()
	})

	// This group of goroutines splits at every entry of every scattered
	// chunk and hands the entries on.
	for worker := 0; worker < len(chunkEntrySplitAndScatterers); worker++ {
		worker := worker
		g.GoCtx(func(ctx context.Context) error {
			for importSpanChunk := range importSpanChunksCh {
				for i, importEntry := range importSpanChunk.entries {
					if next := i + 1; next < len(importSpanChunk.entries) {
						if err := chunkEntrySplitAndScatterers[worker].split(ctx, importSpanChunk.entries[next].Span.Key); err != nil {
							return err
						}
					}
					select {
					case <-ctx.Done():
						return ctx.Err()
					case doneScatterCh <- entryNode{entry: importEntry, node: importSpanChunk.destination}:
					}
				}
			}
			return nil
		})
	}

	return g.Wait()
}

var errNoSplitters = errors.New("no split and scatter workers")

// runProcessor runs split and scatter and forwards every scattered entry
// to emit, as the processor's output loop does.
func runProcessor(ctx context.Context, spec Spec, chunkSAS, entrySAS []splitAndScatterer, emit func(entryNode)) error {
	if len(chunkSAS) == 0 || len(entrySAS) == 0 {
		return errNoSplitters
	}
	doneScatterCh := make(chan entryNode, 1)
	errCh := make(chan error, 1)
	go func() {
		defer close(doneScatterCh)
		errCh <- runGenerativeSplitAndScatter(ctx, spec, chunkSAS, entrySAS, doneScatterCh)
	}()
	for e := range doneScatterCh {
		emit(e)
	}
	return <-errCh
}
