// Package bug is a held-out kernel (issue 14): CockroachDB's RESTORE
// split-and-scatter processor runs its chunk-scattering workers in a
// second task group made from the processor's parent context rather than
// from the first group's context; when a downstream worker of the first
// group fails, the first group's context is cancelled but the second
// group's is not, so its workers block for ever sending on the full
// importSpanChunksCh and RESTORE hangs in g.Wait.
//
// Upstream: cockroachdb/cockroach#129750 ("backupccl: do restore chunk work dispatch/wait in group")
// Round: 11
// Seen: 2026-11-27, development set (helpers read this round-11 kernel to tune the analyzers, after round 11 was measured)
//
// Bug: runGenerativeSplitAndScatter makes g := ctxgroup.WithContext(ctx)
// and runs in it the span generator and the chunker. It then makes
// g2 := ctxgroup.WithContext(ctx) from the same parent ctx and starts the
// chunk split-and-scatter workers in g2; each sends its scattered chunk
// with a select on its (g2's) ctx.Done() and importSpanChunksCh. A task
// in g waits for g2 and closes importSpanChunksCh; the entry workers in g
// drain it. When an entry worker's split fails (a transient storage
// error), g cancels its context and the other entry workers return, so
// nobody drains importSpanChunksCh; g2's workers select on a context
// nothing cancels, the g task waiting on g2 never returns, and neither
// does g.Wait. The PR describes this; ctxgroup is reduced to a small
// errgroup-like Group below, the splitter and scatterer to an interface,
// the routing to node IDs to a field, and the processor that drains
// doneScatterCh to a loop.
//
// Fix: the whole chunk phase (making g2 from the group's context,
// starting its workers and waiting for them) runs inside a task of g, so
// g2's context is cancelled when any task of g fails.
package bug

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

	// This group of goroutines splits and scatters each chunk and passes it
	// on to importSpanChunksCh.
	g2 := WithContext(ctx) // heldout:site
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

				select { // heldout:site
				case <-ctx.Done():
					return ctx.Err()
				case importSpanChunksCh <- sc:
				}
			}
			return nil
		})
	}

	// This goroutine waits for the chunk workers so that it can close
	// importSpanChunksCh.
	g.GoCtx(func(ctx context.Context) error {
		defer close(importSpanChunksCh)
		return g2.Wait() // heldout:site
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
							return err // heldout:site
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

	return g.Wait() // heldout:site
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
