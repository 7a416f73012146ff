// Package bug is a held-out kernel (issue 14): a TiCDC schema snapshot
// whose PrintStatus iterates the tables under the snapshot's read lock and,
// from the iteration callback, calls exported getters that read-lock the
// same RWMutex again, while the DDL puller's HandleDDL waits for the write
// lock.
//
// Upstream: pingcap/tiflow#11886 ("snapshot(ticdc): fix ddl puller and ddl manager stuck caused by two dead lock")
// Round: 12
//
// Bug: Snapshot guards its inner btrees with one *sync.RWMutex that copies
// of the snapshot share. PrintStatus (the DDL manager's dump of the schema)
// walks the tables with IterTables, which holds the read lock for the whole
// walk, and the callback asks IsIneligibleTableID and TableIDByName, each of
// which takes the read lock again. When the DDL puller's HandleDDL asks for
// the write lock between the two, the nested RLock queues behind it and the
// writer waits for the outer reader: both the puller and the manager stop
// (issue #11884).
//
// Fix: the callbacks call the unexported inner methods, which assume the
// lock is held, so no path read-locks the snapshot twice. Which getters the
// callback called is our reading of the PR's description; the PR's other
// changes are not reduced here.
package bug

import (
	"fmt"
	"sync"
)

// TableInfo is a table's schema.
type TableInfo struct {
	ID       int64
	SchemaID int64
	Schema   string
	Name     string
	Eligible bool
}

// Job is a DDL job.
type Job struct {
	SchemaID int64
	Table    *TableInfo
	Drop     bool
}

// snapshot is the unlocked state; its methods assume the caller holds the
// lock.
type snapshot struct {
	tables        map[int64]*TableInfo
	tableNameToID map[string]int64
	ineligible    map[int64]bool
	currentTs     uint64
}

func (s *snapshot) iterTables(includeIneligible bool, f func(*TableInfo)) {
	for _, t := range s.tables {
		if !includeIneligible && s.ineligible[t.ID] {
			continue
		}
		f(t)
	}
}

func (s *snapshot) isIneligibleTableID(id int64) bool { return s.ineligible[id] }

func (s *snapshot) tableIDByName(schema, table string) (int64, bool) {
	id, ok := s.tableNameToID[schema+"."+table]
	return id, ok
}

func (s *snapshot) createTable(t *TableInfo) {
	s.tables[t.ID] = t
	s.tableNameToID[t.Schema+"."+t.Name] = t.ID
	if !t.Eligible {
		s.ineligible[t.ID] = true
	}
}

func (s *snapshot) dropTable(id int64) {
	if t, ok := s.tables[id]; ok {
		delete(s.tableNameToID, t.Schema+"."+t.Name)
	}
	delete(s.tables, id)
	delete(s.ineligible, id)
}

// Snapshot stores the upstream schema. Its exported methods are safe for
// concurrent use.
type Snapshot struct {
	inner  snapshot
	rwlock *sync.RWMutex
}

// NewEmptySnapshot creates an empty snapshot.
func NewEmptySnapshot() *Snapshot {
	return &Snapshot{
		inner: snapshot{
			tables:        map[int64]*TableInfo{},
			tableNameToID: map[string]int64{},
			ineligible:    map[int64]bool{},
		},
		rwlock: new(sync.RWMutex),
	}
}

// Copy returns a snapshot sharing the data and the lock of s.
func (s *Snapshot) Copy() *Snapshot {
	s.rwlock.RLock()
	defer s.rwlock.RUnlock()
	return &Snapshot{inner: s.inner, rwlock: s.rwlock}
}

// IterTables calls f for each table.
func (s *Snapshot) IterTables(includeIneligible bool, f func(*TableInfo)) {
	s.rwlock.RLock() // heldout:site
	defer s.rwlock.RUnlock()
	s.inner.iterTables(includeIneligible, f)
}

// IsIneligibleTableID reports whether the table cannot be replicated.
func (s *Snapshot) IsIneligibleTableID(id int64) bool {
	s.rwlock.RLock() // heldout:site
	defer s.rwlock.RUnlock()
	return s.inner.isIneligibleTableID(id)
}

// TableIDByName returns the table's id.
func (s *Snapshot) TableIDByName(schema, table string) (int64, bool) {
	s.rwlock.RLock()
	defer s.rwlock.RUnlock()
	return s.inner.tableIDByName(schema, table)
}

// PrintStatus logs the tables of the snapshot and checks the name index.
func (s *Snapshot) PrintStatus(logger func(msg string)) {
	s.IterTables(true, func(t *TableInfo) {
		logger(fmt.Sprintf("table %d %s.%s ineligible=%v", t.ID, t.Schema, t.Name,
			s.IsIneligibleTableID(t.ID))) // heldout:site
		if id, ok := s.TableIDByName(t.Schema, t.Name); !ok || id != t.ID {
			logger(fmt.Sprintf("tableNameToID item lost: %s.%s", t.Schema, t.Name))
		}
	})
}

// HandleDDL applies a DDL job to the snapshot.
func (s *Snapshot) HandleDDL(job *Job, finishedTs uint64) error {
	s.rwlock.Lock() // heldout:site
	defer s.rwlock.Unlock()
	if job.Table == nil {
		return fmt.Errorf("invalid DDL job for schema %d", job.SchemaID)
	}
	if job.Drop {
		s.inner.dropTable(job.Table.ID)
	} else {
		s.inner.createTable(job.Table)
	}
	s.inner.currentTs = finishedTs
	return nil
}

// ddlPuller applies the DDL jobs it receives to the snapshot.
type ddlPuller struct {
	snap *Snapshot
	jobs chan *Job
	done chan struct{}
}

func (p *ddlPuller) run() {
	defer close(p.done)
	var ts uint64
	for job := range p.jobs {
		ts++
		if err := p.snap.HandleDDL(job, ts); err != nil {
			return
		}
	}
}

// ddlManager dumps the schema it holds when asked.
type ddlManager struct {
	snap *Snapshot
}

func (m *ddlManager) dump(logger func(string)) { m.snap.PrintStatus(logger) }

// Run runs a puller applying jobs and a manager dumping the schema at the
// same time.
func Run(jobs []*Job, logger func(string)) {
	snap := NewEmptySnapshot()
	p := &ddlPuller{snap: snap, jobs: make(chan *Job), done: make(chan struct{})}
	go p.run()
	m := &ddlManager{snap: snap.Copy()}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.dump(logger)
	}()
	for _, j := range jobs {
		// The puller stops at an invalid job; stop feeding it then. (Added
		// by the lead after measurement: the driver had leaked here.)
		select {
		case p.jobs <- j:
		case <-p.done:
		}
	}
	close(p.jobs)
	<-p.done
	wg.Wait()
}
