// Package bug is a held-out kernel (issue 14): the Hive driver syncs every
// database in its own goroutine, and a goroutine that fails returns without
// calling Done, so SyncInstance waits for ever.
//
// Upstream: bytebase/bytebase#12464 ("fix: avoid hang")
// Round: 14
//
// Bug: Driver.SyncInstance of the Hive plugin listed the databases, then
// for each one did wg.Add(1) and started a goroutine fetching that
// database's tables; the goroutine called wg.Done() only at its end. When
// fetching a database's metadata failed the goroutine recorded the error
// and returned early, the counter never reached zero, and the instance
// sync hung in wg.Wait(). The query layer, the metadata types and the
// error handling inside the goroutine are our reduction (the PR's diff
// shows the loop and the added Done; the thread does not show the
// goroutine's body).
//
// Fix: "defer wg.Done()" as the first statement of the goroutine.
package bug

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Querier runs a statement against the Hive server.
type Querier interface {
	Query(ctx context.Context, stmt string) ([][]string, error)
}

// DatabaseMetadata is the synced schema of one database.
type DatabaseMetadata struct {
	Name   string
	Tables []string
}

// InstanceMetadata is the synced state of the instance.
type InstanceMetadata struct {
	Version   string
	Databases []*DatabaseMetadata
}

// Driver is the Hive driver.
type Driver struct {
	db Querier
}

func (d *Driver) getDatabaseNames(ctx context.Context) ([]string, error) {
	rows, err := d.db.Query(ctx, "SHOW DATABASES")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range rows {
		if len(r) == 0 {
			return nil, errors.New("row values have zero length")
		}
		names = append(names, r[0])
	}
	return names, nil
}

func (d *Driver) getTables(ctx context.Context, database string) ([]string, error) {
	rows, err := d.db.Query(ctx, fmt.Sprintf("SHOW TABLES FROM %s", database))
	if err != nil {
		return nil, err
	}
	var tables []string
	for _, r := range rows {
		tables = append(tables, r[0])
	}
	return tables, nil
}

// SyncInstance syncs all databases of the instance.
func (d *Driver) SyncInstance(ctx context.Context) (*InstanceMetadata, error) {
	databaseNames, err := d.getDatabaseNames(ctx)
	if err != nil {
		return nil, err
	}

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	instance := &InstanceMetadata{Databases: make([]*DatabaseMetadata, len(databaseNames))}
	for idx, databaseName := range databaseNames {
		wg.Add(1)
		go func(index int, databaseName string) {
			tables, err := d.getTables(ctx, databaseName)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return // heldout:site
			}
			instance.Databases[index] = &DatabaseMetadata{Name: databaseName, Tables: tables}
			wg.Done()
		}(idx, databaseName)
	}
	wg.Wait() // heldout:site

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return instance, nil
}
