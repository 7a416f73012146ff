// Package fixed is the fixed version of buffered/gsky_227: a worker's error
// send selects on the pipeline context.
package fixed

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
				select {
				case gi.Error <- err:
				case <-gi.Context.Done():
				}
				return
			}
			select {
			case gi.Out <- r:
			case <-gi.Context.Done():
			}
		}(g)
	}
	wg.Wait()
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
			return nil, err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
