// Package bug is a held-out kernel (issue 14): a tile pipeline whose gRPC
// stage reports each worker's failure on an error channel buffered to 100
// that the request handler stops reading after the first error or a
// timeout, so once the buffer is full the remaining workers, and the stage
// waiting for them, block for ever.
//
// Upstream: nci/gsky#227 ("Fixed goroutine leak")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: serveWcs builds the pipeline with a context that times out and
// returns when it is done or when it has read one error. When Apache times
// a request out, the cancelled context makes every outstanding gRPC call
// fail, and every worker of GeoRasterGRPC.Run sends "context cancelled" on
// the shared Error channel; only the first 100 fit, the rest block on the
// send, Run blocks in wg.Wait and never closes Out, and the merger stage
// behind it never finishes either. The PR describes this sequence; the
// pipeline types are our reduction of tile_grpc.go and ows.go.
//
// Fix (our reading of the PR): a worker's error send selects on the
// pipeline context, so a cancelled request drops the errors nobody reads.
package bug

import (
	"context"
	"sync"
	"time"
)

// GeoTileGranule is one piece of a tile to render.
type GeoTileGranule struct{ Path string }

// FlexRaster is a rendered piece.
type FlexRaster struct{ Data []byte }

// Worker renders granules over gRPC.
type Worker interface {
	Process(ctx context.Context, g *GeoTileGranule) (*FlexRaster, error)
}

// GeoRasterGRPC is the gRPC stage of the tile pipeline.
type GeoRasterGRPC struct {
	Context context.Context
	In      chan *GeoTileGranule
	Out     chan *FlexRaster
	Error   chan error
	Client  Worker
}

// Run renders every granule from In on its own goroutine.
func (gi *GeoRasterGRPC) Run() {
	defer close(gi.Out)
	var wg sync.WaitGroup
	for g := range gi.In {
		wg.Add(1)
		go func(g *GeoTileGranule) {
			defer wg.Done()
			r, err := gi.Client.Process(gi.Context, g)
			if err != nil {
				gi.Error <- err // heldout:site
				return
			}
			select {
			case gi.Out <- r:
			case <-gi.Context.Done():
			}
		}(g)
	}
	wg.Wait() // heldout:site
}

// serveWcs renders a coverage request, giving up after timeout.
func serveWcs(granules []*GeoTileGranule, client Worker, timeout time.Duration) ([]*FlexRaster, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	errChan := make(chan error, 100)
	gi := &GeoRasterGRPC{
		Context: ctx,
		In:      make(chan *GeoTileGranule, 100),
		Out:     make(chan *FlexRaster, 100),
		Error:   errChan,
		Client:  client,
	}
	go gi.Run()
	go func() {
		defer close(gi.In)
		for _, g := range granules {
			select {
			case gi.In <- g:
			case <-ctx.Done():
				return
			}
		}
	}()

	var out []*FlexRaster
	for {
		select {
		case r, ok := <-gi.Out:
			if !ok {
				return out, nil
			}
			out = append(out, r)
		case err := <-errChan:
			return nil, err // heldout:site
		case <-ctx.Done():
			return nil, ctx.Err() // heldout:site
		}
	}
}
