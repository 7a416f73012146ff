package real

import (
	"context"
	"io"
	"net"
)

// kayac/go-katsubushi#28: Listen starts handleConn for every accepted
// connection with its own long-lived ctx (which its own shutdown watcher
// also captures), and handleConn starts a goroutine that closes the
// connection once ctx is done. A connection the client ends returns from
// handleConn, but its watcher stays until the server stops: one leaked
// goroutine per connection. Fix: handleConn derives a context it cancels
// on return.

// Upstream: kayac/go-katsubushi#28
func listenRound(ctx context.Context, l net.Listener) error {
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go serveRound(ctx, c)
	}
}

func serveRound(ctx context.Context, c net.Conn) {
	defer c.Close()
	go func() {
		<-ctx.Done() // want `this goroutine waits only for serveRound's context ctx to end, and listenRound starts serveRound over and over`
		c.Close()
	}()
	io.Copy(c, c)
}

// The fix: the watcher's context ends with the connection.
func listenRoundFixed(ctx context.Context, l net.Listener) error {
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go serveRoundFixed(ctx, c)
	}
}

func serveRoundFixed(ctx context.Context, c net.Conn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer c.Close()
	go func() {
		<-ctx.Done()
		c.Close()
	}()
	io.Copy(c, c)
}

// A variant: a method started per job of a channel starts a named
// watcher method with the context.
type roundPool struct{ n int }

type roundJob struct{ stop func() }

func (p *roundPool) watchJob(ctx context.Context, j roundJob) {
	<-ctx.Done() // want `this goroutine waits only for process's context ctx to end, and Drain starts process over and over from a range over a channel`
	j.stop()
}

func (p *roundPool) process(ctx context.Context, j roundJob) {
	go p.watchJob(ctx, j)
	p.n++
}

// Drain processes every job until jobs is closed.
func (p *roundPool) Drain(ctx context.Context, jobs <-chan roundJob) {
	for j := range jobs {
		go p.process(ctx, j)
	}
}

// A look-alike that stays silent: each round passes a context of its own,
// canceled when the round's work is done.
func (p *roundPool) DrainScoped(ctx context.Context, jobs <-chan roundJob) {
	for j := range jobs {
		jctx, cancel := context.WithCancel(ctx)
		go func() {
			defer cancel()
			p.processScoped(jctx, j)
		}()
	}
}

func (p *roundPool) processScoped(ctx context.Context, j roundJob) {
	go p.watchScoped(ctx, j)
}

func (p *roundPool) watchScoped(ctx context.Context, j roundJob) {
	<-ctx.Done()
	j.stop()
}
