// Package bug is a held-out kernel (issue 14): a database driver whose
// result rows are fed by a goroutine over two unbuffered channels, a
// block stream and an error channel; rows.Close drains the stream to its
// close before it looks at the errors, while the goroutine, after a
// failed query, sends its error first and closes the stream only after,
// so each waits for the other for ever.
//
// Upstream: ClickHouse/clickhouse-go#548 ("conn: fix Close() on rows when a timeout during processing")
// Round: 7
// Seen: 2026-11-27, development set (helpers read this round-7 kernel to tune the analyzers, after round 7 was measured; round 8 stays held out)
//
// Bug: query starts a goroutine that runs process, whose data callback
// sends each block on stream; when process fails (a timeout, say) the
// goroutine does errors <- err, then close(errors) and close(stream).
// rows.Close does for range r.stream {} and then ranges over r.errors.
// The PR: "The goroutine processing the query result tries to send the
// error to the error channel, before closing both the error and the
// stream channel while the Close() method is trying to read from stream
// before processing errors. This leads to a deadlock." The wire protocol
// is reduced to a callback producing blocks.
//
// Fix: Close drains stream and errors together in one select loop until
// both are closed.
package bug

import (
	"context"
	"errors"
)

// Block is one block of result rows.
type Block struct {
	Rows [][]interface{}
}

type onProcess struct {
	data func(*Block)
}

type connect struct {
	err  error
	read func(ctx context.Context) (*Block, error)
}

// process reads blocks until the end of the result or an error.
func (c *connect) process(ctx context.Context, on *onProcess) error {
	for {
		b, err := c.read(ctx)
		if err != nil {
			return err
		}
		if b == nil {
			return nil
		}
		on.data(b)
	}
}

type rows struct {
	err    error
	row    int
	block  *Block
	errors chan error
	stream chan *Block
}

func (c *connect) query(ctx context.Context) (*rows, error) {
	if c.read == nil {
		return nil, errors.New("not connected")
	}
	var (
		errs   = make(chan error)
		stream = make(chan *Block)
	)
	go func() {
		c.err = c.process(ctx, &onProcess{
			data: func(b *Block) {
				stream <- b
			},
		})
		if c.err != nil {
			errs <- c.err // heldout:site
		}
		close(errs)
		close(stream)
	}()
	return &rows{errors: errs, stream: stream}, nil
}

// Next advances to the next row.
func (r *rows) Next() (result bool) {
	defer func() {
		if !result {
			r.Close()
		}
	}()
next:
	if r.block == nil || r.row >= len(r.block.Rows) {
		select {
		case err := <-r.errors:
			if err != nil {
				r.err = err
				return false
			}
			goto next
		case block := <-r.stream:
			if block == nil || len(block.Rows) == 0 {
				return false
			}
			r.row, r.block = 0, block
		}
	}
	r.row++
	return r.row <= len(r.block.Rows)
}

// Close drains what is left of the result.
func (r *rows) Close() error {
	for range r.stream { // heldout:site
	}
	for err := range r.errors {
		if err != nil {
			r.err = err
		}
	}
	return r.err
}

// Err is the error that ended the result.
func (r *rows) Err() error {
	return r.err
}
