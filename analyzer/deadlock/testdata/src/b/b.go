// Package b runs event loops; its facts reach package a.
package b

import "github.com/asyncgo/asyncgo/runtime/aio"

// Main runs a small program on its own loop.
func Main() error { // want Main:"runs a loop at b.go:8: aio.Run"
	_, err := aio.Run(aio.Async(func(t *aio.Task) (int, error) { return 1, nil }))
	return err
}

// Wrapped runs a loop through Main.
func Wrapped() error { return Main() } // want Wrapped:"runs a loop at b.go:8: aio.Run"
