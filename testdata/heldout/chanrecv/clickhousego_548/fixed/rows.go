// Package fixed is the fixed version of chanrecv/clickhousego_548:
// rows.Close drains the stream and the error channel together.
package fixed

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
			errs <- c.err
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
	stream, errs := r.stream, r.errors
	for stream != nil || errs != nil {
		select {
		case _, ok := <-stream:
			if !ok {
				stream = nil
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			if err != nil {
				r.err = err
			}
		}
	}
	return r.err
}

// Err is the error that ended the result.
func (r *rows) Err() error {
	return r.err
}
