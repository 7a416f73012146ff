// Package bug is a held-out kernel (issue 14): a compositing tile provider
// that, after all its child goroutines have finished, reads one image and
// one error per child, while a child that fails sends only the error.
//
// Upstream: Michad/tilegroxy#863 ("compositemvt: a child provider error leaks goroutines and permanently poisons the tile")
// Round: 6
// Seen: 2026-11-27, development set (helpers read this round-6 kernel to tune the analyzers, after round 6 was measured; round 7 stays held out)
//
// Bug: GenerateTile starts callCompositingProvider for every child provider
// with channels imgs and errs, each buffered to the number of providers,
// waits for the WaitGroup, and then loops reading <-errs and <-imgs once
// per provider. A child that returns (nil, err), or panics, sends an error
// but no image, so fewer images arrive than the loop reads; every writer
// has already exited, and the receive blocks for ever with the request
// (and, through the cache's in-flight lock, every later request for the
// tile). The issue quotes both functions; the fix is our reading of it.
//
// Fix: every path of callCompositingProvider sends exactly one image (nil
// when the child failed) and one error, so the reads always match.
package bug

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
			errs <- fmt.Errorf("provider panicked: %v", r) // heldout:site
		}
	}()
	img, err := p.GenerateTile(req)
	if img != nil {
		imgs <- img
	} else if err == nil {
		err = errNoImage
	}
	errs <- err // heldout:site
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
		imgSlice[i] = <-imgs // heldout:site
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
