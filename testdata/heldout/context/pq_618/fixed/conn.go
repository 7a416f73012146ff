// Package fixed is the fixed version of context/pq_618: QueryContext calls
// the finish func before returning a query error, so the watcher goroutine
// returns.
package fixed

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
		if finish != nil {
			finish()
		}
		return nil, err
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
			select {
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
