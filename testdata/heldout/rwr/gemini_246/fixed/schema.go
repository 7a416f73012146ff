// Package fixed is the fixed version of rwr/gemini_246: GenMutateStmt
// no longer read-locks the table itself; the generator it calls takes the
// one read lock.
package fixed

import (
	"fmt"
	"sync"
)

// ColumnDef is a table column.
type ColumnDef struct {
	Name string
	Type string
}

// Table is a generated table; mu protects it during schema changes.
type Table struct {
	Name          string
	PartitionKeys []ColumnDef
	Columns       []ColumnDef

	mu sync.RWMutex
}

// Lock takes the table for a schema change.
func (t *Table) Lock() { t.mu.Lock() }

// Unlock ends a schema change.
func (t *Table) Unlock() { t.mu.Unlock() }

// Stmt is a generated statement.
type Stmt struct {
	Query  string
	Values []interface{}
}

// Generator hands out partition key values.
type Generator struct {
	mu   sync.Mutex
	next int
}

// Get returns the next partition value.
func (g *Generator) Get() (int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next++
	return g.next, true
}

// Schema is the keyspace and its tables.
type Schema struct {
	Keyspace string
	Tables   []*Table
}

// GenInsertStmt builds an INSERT for the table's current columns.
func (s *Schema) GenInsertStmt(t *Table, g *Generator) (*Stmt, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()

	v, ok := g.Get()
	if !ok {
		return nil, nil
	}
	q := "INSERT INTO " + s.Keyspace + "." + t.Name + " ("
	values := []interface{}{v}
	for _, c := range t.Columns {
		q += c.Name + ","
		values = append(values, c.Type)
	}
	return &Stmt{Query: q + ")", Values: values}, nil
}

// GenDeleteRows builds a DELETE of one partition.
func (s *Schema) GenDeleteRows(t *Table, g *Generator) (*Stmt, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()

	v, ok := g.Get()
	if !ok {
		return nil, nil
	}
	q := "DELETE FROM " + s.Keyspace + "." + t.Name + " WHERE "
	for _, pk := range t.PartitionKeys {
		q += pk.Name + "=? "
	}
	return &Stmt{Query: q, Values: []interface{}{v}}, nil
}

// GenMutateStmt picks an insert or, rarely, a delete.
func (s *Schema) GenMutateStmt(t *Table, g *Generator, n int, deletes bool) (*Stmt, error) {
	if !deletes {
		return s.GenInsertStmt(t, g)
	}
	switch n % 1000 {
	case 10, 100:
		return s.GenDeleteRows(t, g)
	default:
		return s.GenInsertStmt(t, g)
	}
}

// addColumn returns the DDL statement and the closure that applies it.
func (t *Table) addColumn(keyspace string) (*Stmt, func()) {
	col := ColumnDef{Name: fmt.Sprintf("col%d", len(t.Columns)+1), Type: "int"}
	stmt := &Stmt{Query: "ALTER TABLE " + keyspace + "." + t.Name + " ADD " + col.Name + " " + col.Type}
	return stmt, func() { t.Columns = append(t.Columns, col) }
}

// ddl runs one schema change under the table's write lock.
func ddl(s *Schema, t *Table, exec func(*Stmt) error) error {
	t.Lock()
	defer t.Unlock()
	stmt, apply := t.addColumn(s.Keyspace)
	if err := exec(stmt); err != nil {
		return err
	}
	apply()
	return nil
}

// mutationJob keeps generating mutations for a table.
func mutationJob(s *Schema, t *Table, g *Generator, n int, exec func(*Stmt) error) error {
	for i := 0; i < n; i++ {
		stmt, err := s.GenMutateStmt(t, g, i, true)
		if err != nil {
			return err
		}
		if stmt == nil {
			continue
		}
		if err := exec(stmt); err != nil {
			return err
		}
	}
	return nil
}

// Run runs a mutation job and a DDL job on the same table.
func Run() {
	t := &Table{Name: "table1", PartitionKeys: []ColumnDef{{Name: "pk0", Type: "int"}}}
	s := &Schema{Keyspace: "ks1", Tables: []*Table{t}}
	g := &Generator{}
	exec := func(*Stmt) error { return nil }

	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		mutationJob(s, t, g, 10000, exec)
	}()
	go func() {
		defer wg.Done()
		for i := 0; i < 10; i++ {
			ddl(s, t, exec)
		}
	}()
	wg.Wait()
}
