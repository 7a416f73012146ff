// Package fixed is the fixed version of select/clipboard_158: the watcher
// stops its ticker and sends in a select that also watches ctx.Done(), so
// cancelling the context releases it even when nobody reads recv.
package fixed

import (
	"context"
	"time"
)

// Format is a clipboard data format.
type Format int

const (
	// FmtText is UTF-8 text.
	FmtText Format = iota
	// FmtImage is a PNG image.
	FmtImage
)

// platform is the native clipboard.
type platform interface {
	ChangeCount() int64
	Read(t Format) []byte
}

// Clipboard reads and watches the system clipboard.
type Clipboard struct {
	native   platform
	interval time.Duration
}

// Watch returns a channel that receives the clipboard's content each
// time it changes, until ctx is cancelled.
func (c *Clipboard) Watch(ctx context.Context, t Format) <-chan []byte {
	return c.watch(ctx, t)
}

func (c *Clipboard) watch(ctx context.Context, t Format) <-chan []byte {
	recv := make(chan []byte, 1)
	ti := time.NewTicker(c.interval)
	lastCount := c.native.ChangeCount()
	go func() {
		defer ti.Stop()
		for {
			select {
			case <-ctx.Done():
				close(recv)
				return
			case <-ti.C:
				this := c.native.ChangeCount()
				if lastCount != this {
					b := c.native.Read(t)
					if b == nil {
						continue
					}
					select {
					case recv <- b:
					case <-ctx.Done():
						close(recv)
						return
					}
					lastCount = this
				}
			}
		}
	}()
	return recv
}

// firstImage waits for the first image copied, then stops watching
// without draining the channel.
func firstImage(ctx context.Context, c *Clipboard) []byte {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for b := range c.Watch(ctx, FmtImage) {
		if len(b) > 0 {
			return b
		}
	}
	return nil
}
