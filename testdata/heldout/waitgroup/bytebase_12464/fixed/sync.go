// Package fixed is the fixed version of waitgroup/bytebase_12464: each
// database goroutine defers its Done.
package fixed

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
			defer wg.Done()
			tables, err := d.getTables(ctx, databaseName)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
			instance.Databases[index] = &DatabaseMetadata{Name: databaseName, Tables: tables}
		}(idx, databaseName)
	}
	wg.Wait()

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return instance, nil
}
