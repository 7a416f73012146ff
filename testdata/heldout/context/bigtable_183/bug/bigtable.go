// Package bug is a held-out kernel (issue 14): a cancel func called on one
// path only, while the RPC layer keeps a goroutine per stream waiting on
// the context.
//
// Upstream: googleapis/google-cloud-go#183 ("bigtable: Table.ReadRows with context.Background leaks goroutines")
// Seen: 2026-11-27, development set (helpers read this round-1 kernel to tune the analyzers; round 2 stays held out)
//
// Bug: ReadRows wraps the caller's context with cancel but calls cancel
// only when the row callback asks to stop early; when the stream ends
// normally the context is never cancelled, and the stream's watcher
// goroutine, which waits for the context or a transport error, leaks with
// every call made with context.Background().
//
// Fix: ReadRows defers cancel().
package bug

import (
	"context"
	"io"
)

// Row is one bigtable row.
type Row map[string][]byte

// transport stands for the HTTP/2 client transport.
type transport struct {
	errCh chan struct{}
}

// clientStream stands for grpc's client stream, which watches its context.
type clientStream struct {
	ctx  context.Context
	rows []Row
	pos  int
}

func newClientStream(ctx context.Context, t *transport, rows []Row) *clientStream {
	cs := &clientStream{ctx: ctx, rows: rows}
	go func() {
		select {
		case <-ctx.Done(): // heldout:site
			cs.rows = nil
		case <-t.errCh:
		}
	}()
	return cs
}

func (cs *clientStream) Recv() (Row, error) {
	if cs.pos >= len(cs.rows) {
		return nil, io.EOF
	}
	cs.pos++
	return cs.rows[cs.pos-1], nil
}

// Table is a bigtable table.
type Table struct {
	t    *transport
	data []Row
}

// ReadRows calls f for each row until f returns false.
func (t *Table) ReadRows(ctx context.Context, f func(Row) bool) error {
	ctx, cancel := context.WithCancel(ctx) // heldout:site
	stream := newClientStream(ctx, t.t, t.data)
	for {
		row, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if !f(row) {
			// Cancel and drain the stream.
			cancel()
			for {
				if _, err := stream.Recv(); err != nil {
					return nil
				}
			}
		}
	}
	return nil
}
