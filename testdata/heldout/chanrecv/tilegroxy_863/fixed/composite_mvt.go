// Package fixed is the fixed version of chanrecv/tilegroxy_863: every child
// sends one image (nil on failure) and one error.
package fixed

import (
	"errors"
	"fmt"
	"sync"
)

// Image is an encoded vector tile.
type Image []byte

// TileRequest names a tile.
type TileRequest struct{ Z, X, Y int }

// Provider generates tiles.
type Provider interface {
	GenerateTile(req TileRequest) (*Image, error)
}

// CompositeMVT merges the tiles of several providers.
type CompositeMVT struct {
	providers []Provider
}

var errNoImage = errors.New("provider returned no image")

func callCompositingProvider(wg *sync.WaitGroup, imgs chan *Image, errs chan error, p Provider, req TileRequest) {
	defer wg.Done()
	defer func() {
		if r := recover(); r != nil {
			imgs <- nil
			errs <- fmt.Errorf("provider panicked: %v", r)
		}
	}()
	img, err := p.GenerateTile(req)
	if img == nil && err == nil {
		err = errNoImage
	}
	imgs <- img
	errs <- err
}

// GenerateTile concatenates the children's layers.
func (t CompositeMVT) GenerateTile(req TileRequest) (*Image, error) {
	imgs := make(chan *Image, len(t.providers))
	errs := make(chan error, len(t.providers))
	var wg sync.WaitGroup
	for _, p := range t.providers {
		wg.Add(1)
		go callCompositingProvider(&wg, imgs, errs, p, req)
	}
	wg.Wait()

	errSlice := make([]error, len(t.providers))
	imgSlice := make([]*Image, len(t.providers))
	for i := range t.providers {
		errSlice[i] = <-errs
		imgSlice[i] = <-imgs
	}
	if err := errors.Join(errSlice...); err != nil {
		return nil, err
	}
	var out Image
	for _, img := range imgSlice {
		out = append(out, *img...)
	}
	return &out, nil
}
