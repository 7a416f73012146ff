// Package bug is a held-out kernel (issue 14): golang-design/clipboard's
// polling Watch goroutine selects on ctx.Done() and its ticker, but
// delivers each new clipboard content with a plain `recv <- b`; once the
// caller stops reading (its one-slot buffer is full) and cancels the
// context, the watcher is stuck in that send and never sees the
// cancellation.
//
// Upstream: golang-design/clipboard#158 ("clipboard: stop watch ticker and honor cancel during send (#153)")
// Round: 16
//
// Bug: watch makes `recv := make(chan []byte, 1)` and a one-second ticker
// and starts a goroutine looping on a select over ctx.Done() (close recv,
// return) and the ticker; on a tick, when the platform's change count has
// moved, it reads the clipboard and does `recv <- b` outside the select.
// "If a consumer stopped reading and then canceled the context, the
// watcher goroutine blocked on the send forever" (and the ticker was
// never stopped). Our reduction: the cgo/X11/Win32 calls become a small
// platform interface; the polling loop is the same on every platform.
//
// Fix: defer ti.Stop(), and the send itself is a select with a
// ctx.Done() case that closes recv and returns.
package bug

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
					recv <- b // heldout:site
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
	defer cancel() // heldout:site
	for b := range c.Watch(ctx, FmtImage) {
		if len(b) > 0 {
			return b
		}
	}
	return nil
}
