// Package fixed is the fixed version of context/bigtable_183: the stream's
// context is cancelled on every return.
package fixed

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
		case <-ctx.Done():
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
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
