// Package bug is a development kernel (issue 14): a query watches its
// context in a goroutine that ends when the context is done or when the
// finish func the query got back is called; QueryContext's error path
// drops the finish func, so the watcher waits on the caller's context for
// as long as that lives (for ever, for a context nobody cancels).
//
// Upstream: lib/pq#618 ("Avoid goroutine leak on error in query with context")
// Round: 17
// Seen: 2026-11-29, development set (written in session 24 by helper ctx to tune the analyzers; not a blind measure)
//
// Bug: watchCancel, when ctx can be cancelled, makes an unbuffered finished
// channel and starts a goroutine selecting on ctx.Done() (send a cancel
// request to the server, then hand finished a value) and on finished; it
// returns the finish func, which either takes that value or sends on
// finished. ExecContext defers finish; QueryContext stores it in the rows,
// whose Close calls it. But when the query itself fails, QueryContext
// returns (nil, err) before storing finish: issue #617, "a goroutine leak
// on every failed QueryContext call". The wire protocol is reduced to a
// small interface.
//
// Fix: QueryContext calls finish before returning the error.
package bug

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
)

// wire is the server connection under the driver connection.
type wire interface {
	SimpleQuery(query string, args []driver.Value) (cols []string, err error)
	Exec(query string, args []driver.Value) (driver.Result, error)
	NextRow(dest []driver.Value) error
}

// canceler sends a CancelRequest over a new connection.
type canceler interface {
	SendCancel(processID, secretKey int32) error
}

type conn struct {
	w         wire
	dialer    canceler
	processID int32
	secretKey int32
}

type rows struct {
	cn     *conn
	cols   []string
	finish func()
	done   bool
}

func (rs *rows) Columns() []string { return rs.cols }

func (rs *rows) Close() error {
	if finish := rs.finish; finish != nil {
		defer finish()
	}
	for !rs.done {
		if err := rs.Next(nil); err != nil {
			break
		}
	}
	return nil
}

func (rs *rows) Next(dest []driver.Value) error {
	if rs.done {
		return io.EOF
	}
	err := rs.cn.w.NextRow(dest)
	if err == io.EOF {
		rs.done = true
	}
	return err
}

func (cn *conn) query(query string, args []driver.Value) (*rows, error) {
	cols, err := cn.w.SimpleQuery(query, args)
	if err != nil {
		return nil, err
	}
	return &rows{cn: cn, cols: cols}, nil
}

// QueryContext implements driver.QueryerContext.
func (cn *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	list := make([]driver.Value, len(args))
	for i, nv := range args {
		list[i] = nv.Value
	}
	finish := cn.watchCancel(ctx)
	r, err := cn.query(query, list)
	if err != nil {
		return nil, err // heldout:site
	}
	r.finish = finish
	return r, nil
}

// ExecContext implements driver.ExecerContext.
func (cn *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	list := make([]driver.Value, len(args))
	for i, nv := range args {
		list[i] = nv.Value
	}
	if finish := cn.watchCancel(ctx); finish != nil {
		defer finish()
	}
	return cn.w.Exec(query, list)
}

// watchCancel cancels the running statement on the server when ctx is
// done; the returned func stops watching.
func (cn *conn) watchCancel(ctx context.Context) func() {
	if done := ctx.Done(); done != nil {
		finished := make(chan struct{})
		go func() {
			select { // heldout:site
			case <-done:
				_ = cn.cancel()
				finished <- struct{}{}
			case <-finished:
			}
		}()
		return func() {
			select {
			case <-finished:
			case finished <- struct{}{}:
			}
		}
	}
	return nil
}

func (cn *conn) cancel() error {
	if cn.dialer == nil {
		return errors.New("pq: no dialer for the cancel request")
	}
	return cn.dialer.SendCancel(cn.processID, cn.secretKey)
}
